#include "peer/validator/impl/block_context.h"

#include <algorithm>

namespace weft::peer::validator::impl {

BlockContext::BlockContext(std::size_t tx_count)
    : published_(tx_count, false), results_(tx_count) {}

void BlockContext::PublishMetadataWrites(std::size_t index, const std::vector<KeyId>& keys) {
  std::lock_guard lock(mu_);
  if (published_[index]) return;
  published_[index] = true;
  for (const auto& key : keys) {
    auto& writers = metadata_writers_[key];
    if (std::find(writers.begin(), writers.end(), index) == writers.end()) writers.push_back(index);
  }
  changed_.notify_all();
}

void BlockContext::Finish(std::size_t index, ::protos::TxValidationCode code) {
  std::lock_guard lock(mu_);
  published_[index] = true;
  results_[index] = code;
  changed_.notify_all();
}

bool BlockContext::UpdatedByEarlierValidTx(std::size_t index, const KeyId& key) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] {
    return std::all_of(published_.begin(), published_.begin() + index, [](bool p) { return p; });
  });
  auto it = metadata_writers_.find(key);
  if (it == metadata_writers_.end()) return false;
  std::vector<std::size_t> earlier;
  for (std::size_t writer : it->second) {
    if (writer < index) earlier.push_back(writer);
  }
  changed_.wait(lock, [&] {
    return std::all_of(earlier.begin(), earlier.end(),
                       [&](std::size_t writer) { return results_[writer].has_value(); });
  });
  return std::any_of(earlier.begin(), earlier.end(),
                     [&](std::size_t writer) { return *results_[writer] == ::protos::VALID; });
}

}  // namespace weft::peer::validator::impl
