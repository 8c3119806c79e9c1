#include "peer/ledger/versioned_db.h"

#include <mutex>
#include <shared_mutex>

namespace weft::peer::ledger {

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

namespace {

class VectorIterator final : public StateIterator {
 public:
  explicit VectorIterator(std::vector<VersionedKv> entries) : entries_(std::move(entries)) {}

  [[nodiscard]] StatusOr<std::optional<VersionedKv>> Next() override {
    if (next_ == entries_.size()) return std::optional<VersionedKv>();
    return std::optional<VersionedKv>(std::move(entries_[next_++]));
  }

 private:
  std::vector<VersionedKv> entries_;
  std::size_t next_ = 0;
};

class InMemoryVersionedDb final : public VersionedDb {
 public:
  [[nodiscard]] StatusOr<std::optional<VersionedValue>> GetState(
      std::string_view ns, std::string_view key) const override {
    std::shared_lock lock(mu_);
    auto ns_it = data_.find(ns);
    if (ns_it == data_.end()) return std::optional<VersionedValue>();
    auto it = ns_it->second.find(key);
    if (it == ns_it->second.end()) return std::optional<VersionedValue>();
    return std::optional<VersionedValue>(it->second);
  }

  [[nodiscard]] StatusOr<std::vector<std::optional<VersionedValue>>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) const override {
    std::vector<std::optional<VersionedValue>> values;
    for (const auto& key : keys) {
      WEFT_ASSIGN_OR_RETURN(auto value, GetState(ns, key));
      values.push_back(std::move(value));
    }
    return values;
  }

  [[nodiscard]] StatusOr<std::unique_ptr<StateIterator>> GetStateRangeScanIterator(
      std::string_view ns, std::string_view start_key, std::string_view end_key) const override {
    std::shared_lock lock(mu_);
    std::vector<VersionedKv> entries;
    auto ns_it = data_.find(ns);
    if (ns_it != data_.end()) {
      for (auto it = ns_it->second.lower_bound(start_key); it != ns_it->second.end(); ++it) {
        if (!end_key.empty() && it->first >= end_key) break;
        entries.push_back({it->first, it->second});
      }
    }
    return std::unique_ptr<StateIterator>(new VectorIterator(std::move(entries)));
  }

  [[nodiscard]] Status ApplyUpdates(const UpdateBatch& batch, uint64_t savepoint) override {
    std::unique_lock lock(mu_);
    for (const auto& [ns, keys] : batch.updates()) {
      auto& target = data_[ns];
      for (const auto& [key, update] : keys) {
        if (update.is_delete) {
          target.erase(key);
        } else {
          target.insert_or_assign(key, update.value);
        }
      }
    }
    savepoint_ = savepoint;
    return absl::OkStatus();
  }

  [[nodiscard]] StatusOr<std::optional<uint64_t>> GetSavepoint() const override {
    std::shared_lock lock(mu_);
    return savepoint_;
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::map<std::string, VersionedValue, std::less<>>, std::less<>> data_;
  std::optional<uint64_t> savepoint_;
};

}  // namespace

std::unique_ptr<VersionedDb> NewInMemoryVersionedDb() {
  return std::make_unique<InMemoryVersionedDb>();
}

}  // namespace weft::peer::ledger
