#include "peer/ledger/statedb/state_db.h"

namespace weft::peer::ledger::statedb {

void UpdateBatch::Put(std::string_view ns, std::string_view key, VersionedValue value) {
  auto ns_it = updates_.try_emplace(std::string(ns)).first;
  ns_it->second.insert_or_assign(std::string(key), ValueUpdate{false, std::move(value)});
}

void UpdateBatch::Delete(std::string_view ns, std::string_view key, Version version) {
  auto ns_it = updates_.try_emplace(std::string(ns)).first;
  ValueUpdate update;
  update.is_delete = true;
  update.value.version = version;
  ns_it->second.insert_or_assign(std::string(key), std::move(update));
}

const ValueUpdate* UpdateBatch::Get(std::string_view ns, std::string_view key) const {
  const KeyUpdates* keys = Namespace(ns);
  if (keys == nullptr) return nullptr;
  auto it = keys->find(key);
  return it == keys->end() ? nullptr : &it->second;
}

const UpdateBatch::KeyUpdates* UpdateBatch::Namespace(std::string_view ns) const {
  auto it = updates_.find(ns);
  return it == updates_.end() ? nullptr : &it->second;
}

std::size_t UpdateBatch::size() const {
  std::size_t total = 0;
  for (const auto& [ns, keys] : updates_) total += keys.size();
  return total;
}

}  // namespace weft::peer::ledger::statedb
