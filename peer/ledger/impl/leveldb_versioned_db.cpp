#include "peer/ledger/leveldb_versioned_db.h"

#include "absl/strings/str_cat.h"
#include "peer/ledger/impl/encoding.h"

namespace weft::peer::ledger {
namespace {

namespace kvstore = common::ledger::kvstore;

constexpr std::string_view kSavepointKey = "savepoint";

[[nodiscard]] Status Corrupt(std::string_view ns, std::string_view key) {
  return absl::DataLossError(absl::StrCat("state value of key \"", std::string(key),
                                          "\" in namespace \"", std::string(ns), "\" is corrupt"));
}

class LevelDbStateIterator final : public StateIterator {
 public:
  LevelDbStateIterator(kvstore::Iterator it, std::string ns)
      : it_(std::move(it)), ns_(std::move(ns)) {}

  [[nodiscard]] StatusOr<std::optional<VersionedKv>> Next() override {
    if (!it_.Valid()) {
      WEFT_RETURN_IF_ERROR(it_.status());
      return std::optional<VersionedKv>();
    }
    std::string_view db_key = it_.key();
    std::string key(db_key.substr(ns_.size() + 1));
    auto value = impl::DecodeStateValue(it_.value());
    if (!value) return Corrupt(ns_, key);
    it_.Next();
    return std::optional<VersionedKv>(VersionedKv{std::move(key), std::move(*value)});
  }

 private:
  kvstore::Iterator it_;
  std::string ns_;
};

}  // namespace

LevelDbVersionedDb::LevelDbVersionedDb(kvstore::Namespace state, kvstore::Namespace meta, bool sync)
    : state_(state), meta_(meta), sync_(sync) {}

StatusOr<std::optional<VersionedValue>> LevelDbVersionedDb::GetState(std::string_view ns,
                                                                     std::string_view key) const {
  auto bytes = state_.Get(impl::StateKey(ns, key));
  if (absl::IsNotFound(bytes.status())) return std::optional<VersionedValue>();
  if (!bytes.ok()) return bytes.status();
  auto value = impl::DecodeStateValue(*bytes);
  if (!value) return Corrupt(ns, key);
  return value;
}

StatusOr<std::vector<std::optional<VersionedValue>>> LevelDbVersionedDb::GetStateMultipleKeys(
    std::string_view ns, const std::vector<std::string>& keys) const {
  std::vector<std::optional<VersionedValue>> values;
  values.reserve(keys.size());
  for (const auto& key : keys) {
    WEFT_ASSIGN_OR_RETURN(auto value, GetState(ns, key));
    values.push_back(std::move(value));
  }
  return values;
}

StatusOr<std::unique_ptr<StateIterator>> LevelDbVersionedDb::GetStateRangeScanIterator(
    std::string_view ns, std::string_view start_key, std::string_view end_key) const {
  kvstore::KeyRange range;
  range.start = impl::StateKey(ns, start_key);
  if (end_key.empty()) {
    // Every key of `ns` sorts below ns + 0x01.
    range.limit = std::string(ns) + '\1';
  } else {
    range.limit = impl::StateKey(ns, end_key);
  }
  return std::unique_ptr<StateIterator>(
      new LevelDbStateIterator(state_.NewIterator(range), std::string(ns)));
}

void LevelDbVersionedDb::StageUpdates(const UpdateBatch& batch, uint64_t savepoint,
                                      kvstore::WriteBatch& out) const {
  for (const auto& [ns, keys] : batch.updates()) {
    for (const auto& [key, update] : keys) {
      if (update.is_delete) {
        state_.Delete(out, impl::StateKey(ns, key));
      } else {
        state_.Put(out, impl::StateKey(ns, key), impl::EncodeStateValue(update.value));
      }
    }
  }
  std::string height;
  impl::AppendU64(height, savepoint);
  meta_.Put(out, kSavepointKey, height);
}

Status LevelDbVersionedDb::ApplyUpdates(const UpdateBatch& batch, uint64_t savepoint) {
  kvstore::WriteBatch out;
  StageUpdates(batch, savepoint, out);
  return state_.store().Write(out, sync_);
}

StatusOr<std::optional<uint64_t>> LevelDbVersionedDb::GetSavepoint() const {
  auto bytes = meta_.Get(kSavepointKey);
  if (absl::IsNotFound(bytes.status())) return std::optional<uint64_t>();
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != 8) return absl::DataLossError("state savepoint is corrupt");
  return std::optional<uint64_t>(impl::ReadU64(*bytes));
}

}  // namespace weft::peer::ledger
