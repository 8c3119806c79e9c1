// StateDb on LevelDB (through kvstore); encodings in ../FORMAT.md.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "peer/ledger/statedb/encoding.h"
#include "peer/ledger/statedb/factory.h"

namespace weft::peer::ledger::statedb {
namespace {

namespace kvstore = common::ledger::kvstore;

constexpr std::string_view kStateView = "state";
constexpr std::string_view kMetaView = "meta";
constexpr std::string_view kSavepointKey = "savepoint";
// u64 block, u64 tx, u32 metadata length.
constexpr std::size_t kValueHeaderSize = 8 + 8 + 4;

// ns + 0x00 + key.
std::string StateKey(std::string_view ns, std::string_view key) {
  std::string out;
  out.reserve(ns.size() + 1 + key.size());
  out.append(ns);
  out.push_back('\0');
  out.append(key);
  return out;
}

// u64 block | u64 tx | u32 metadata length | metadata | value.
std::string EncodeStateValue(const VersionedValue& value) {
  std::string out;
  out.reserve(kValueHeaderSize + value.metadata.size() + value.value.size());
  AppendU64(out, value.version.block_num);
  AppendU64(out, value.version.tx_num);
  AppendLengthPrefixed(out, value.metadata);
  out.append(value.value);
  return out;
}

std::optional<VersionedValue> DecodeStateValue(std::string_view bytes) {
  if (bytes.size() < kValueHeaderSize) return std::nullopt;
  VersionedValue value;
  value.version.block_num = ReadU64(bytes);
  value.version.tx_num = ReadU64(bytes.substr(8));
  uint32_t metadata_size = ReadU32(bytes.substr(16));
  bytes.remove_prefix(kValueHeaderSize);
  if (bytes.size() < metadata_size) return std::nullopt;
  value.metadata = std::string(bytes.substr(0, metadata_size));
  value.value = std::string(bytes.substr(metadata_size));
  return value;
}

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
    auto value = DecodeStateValue(it_.value());
    if (!value) return Corrupt(ns_, key);
    it_.Next();
    return std::optional<VersionedKv>(VersionedKv{std::move(key), std::move(*value)});
  }

 private:
  kvstore::Iterator it_;
  std::string ns_;
};

class LevelDbStateDb final : public StateDb {
 public:
  LevelDbStateDb(kvstore::LevelDbStore& store, bool sync_writes)
      : store_(store),
        state_(store.OpenNamespace(kStateView)),
        meta_(store.OpenNamespace(kMetaView)),
        sync_writes_(sync_writes) {}

  [[nodiscard]] StatusOr<std::optional<VersionedValue>> GetState(
      std::string_view ns, std::string_view key) const override {
    auto bytes = state_.Get(StateKey(ns, key));
    if (absl::IsNotFound(bytes.status())) return std::optional<VersionedValue>();
    if (!bytes.ok()) return bytes.status();
    auto value = DecodeStateValue(*bytes);
    if (!value) return Corrupt(ns, key);
    return value;
  }

  [[nodiscard]] StatusOr<std::vector<std::optional<VersionedValue>>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) const override {
    std::vector<std::optional<VersionedValue>> values;
    values.reserve(keys.size());
    for (const auto& key : keys) {
      WEFT_ASSIGN_OR_RETURN(auto value, GetState(ns, key));
      values.push_back(std::move(value));
    }
    return values;
  }

  [[nodiscard]] StatusOr<std::unique_ptr<StateIterator>> GetStateRangeScanIterator(
      std::string_view ns, std::string_view start_key, std::string_view end_key) const override {
    kvstore::KeyRange range;
    range.start = StateKey(ns, start_key);
    if (end_key.empty()) {
      // Every key of `ns` sorts below ns + 0x01.
      range.limit = std::string(ns) + '\1';
    } else {
      range.limit = StateKey(ns, end_key);
    }
    return std::unique_ptr<StateIterator>(
        new LevelDbStateIterator(state_.NewIterator(range), std::string(ns)));
  }

  [[nodiscard]] Status ApplyUpdates(const UpdateBatch& batch, uint64_t savepoint) override {
    kvstore::WriteBatch out;
    StageUpdates(batch, savepoint, out);
    return store_.Write(out, sync_writes_);
  }

  void StageUpdates(const UpdateBatch& batch, uint64_t savepoint,
                    kvstore::WriteBatch& out) const override {
    for (const auto& [ns, keys] : batch.updates()) {
      for (const auto& [key, update] : keys) {
        if (update.is_delete) {
          state_.Delete(out, StateKey(ns, key));
        } else {
          state_.Put(out, StateKey(ns, key), EncodeStateValue(update.value));
        }
      }
    }
    StageSavepoint(meta_, kSavepointKey, savepoint, out);
  }

  [[nodiscard]] StatusOr<std::optional<uint64_t>> GetSavepoint() const override {
    return ReadSavepoint(store_, meta_, kSavepointKey, "state");
  }

 private:
  kvstore::LevelDbStore& store_;
  kvstore::Namespace state_;
  kvstore::Namespace meta_;
  const bool sync_writes_;
};

}  // namespace

std::unique_ptr<StateDb> NewLevelDbStateDb(kvstore::LevelDbStore& store, bool sync_writes) {
  return std::make_unique<LevelDbStateDb>(store, sync_writes);
}

}  // namespace weft::peer::ledger::statedb
