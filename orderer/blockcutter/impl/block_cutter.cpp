#include "orderer/blockcutter/block_cutter.h"

#include <utility>

namespace weft::orderer::blockcutter {

BlockCutter::BlockCutter(BatchSizeSource batch_size) : batch_size_(std::move(batch_size)) {}

size_t BlockCutter::MessageSize(const ::common::Envelope& envelope) {
  return envelope.payload().size() + envelope.signature().size();
}

BlockCutter::OrderedResult BlockCutter::Ordered(::common::Envelope envelope) {
  const common::channelconfig::BatchSize limits = batch_size_();
  const size_t size = MessageSize(envelope);
  OrderedResult result;

  if (size > limits.preferred_max_bytes) {
    if (!pending_.empty()) result.batches.push_back(Cut());
    result.batches.emplace_back().push_back(std::move(envelope));
    return result;
  }

  if (pending_bytes_ + size > limits.preferred_max_bytes) result.batches.push_back(Cut());

  pending_.push_back(std::move(envelope));
  pending_bytes_ += size;
  if (pending_.size() >= limits.max_message_count) result.batches.push_back(Cut());

  result.pending = !pending_.empty();
  return result;
}

std::vector<::common::Envelope> BlockCutter::Cut() {
  std::vector<::common::Envelope> batch = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  return batch;
}

}  // namespace weft::orderer::blockcutter
