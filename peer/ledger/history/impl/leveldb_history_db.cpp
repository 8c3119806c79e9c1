// HistoryDb on LevelDB (through kvstore); encoding in ../FORMAT.md.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "peer/ledger/history/factory.h"
#include "peer/ledger/statedb/encoding.h"
#include "peer/ledger/statedb/state_db.h"

namespace weft::peer::ledger::history {
namespace {

namespace blockstore = common::ledger::blockstore;
namespace kvstore = common::ledger::kvstore;
using statedb::Version;

constexpr std::string_view kHistoryView = "history";
constexpr std::string_view kMetaView = "history-meta";
constexpr std::string_view kSavepointKey = "savepoint";
// u64 block_num + u64 tx_num at the end of every entry key.
constexpr std::size_t kHeightSize = 16;

// ns + 0x00 + u32 key length + key: every entry of one key.
std::string KeyPrefix(std::string_view ns, std::string_view key) {
  std::string out(ns);
  out.push_back('\0');
  statedb::AppendLengthPrefixed(out, key);
  return out;
}

// KeyPrefix + u64 block + u64 tx.
std::string EntryKey(std::string_view ns, std::string_view key, Version version) {
  std::string out = KeyPrefix(ns, key);
  statedb::AppendU64(out, version.block_num);
  statedb::AppendU64(out, version.tx_num);
  return out;
}

// The value the transaction wrote to (ns, key), found in its rwset.
const ::kvrwset::KVWrite* FindWrite(const rwset::BlockTx& tx, std::string_view ns,
                                    std::string_view key) {
  if (!tx.rwset) return nullptr;
  for (const auto& ns_rwset : *tx.rwset) {
    if (ns_rwset.ns != ns) continue;
    for (const auto& write : ns_rwset.kv.writes()) {
      if (write.key() == key) return &write;
    }
  }
  return nullptr;
}

class LevelDbHistoryDb final : public HistoryDb {
 public:
  LevelDbHistoryDb(kvstore::LevelDbStore& store, const blockstore::BlockStore& blocks)
      : store_(store),
        entries_(store.OpenNamespace(kHistoryView)),
        meta_(store.OpenNamespace(kMetaView)),
        blocks_(blocks) {}

  void StageBlock(uint64_t block_num, std::span<const rwset::BlockTx> txs,
                  std::span<const ::protos::TxValidationCode> codes,
                  kvstore::WriteBatch& batch) const override {
    for (std::size_t i = 0; i < txs.size(); ++i) {
      // As Fabric, only endorser transactions are indexed (not the channel config).
      if (codes[i] != ::protos::VALID || !txs[i].rwset ||
          txs[i].type != ::common::ENDORSER_TRANSACTION) {
        continue;
      }
      for (const auto& ns_rwset : *txs[i].rwset) {
        for (const auto& write : ns_rwset.kv.writes()) {
          entries_.Put(batch, EntryKey(ns_rwset.ns, write.key(), Version{block_num, i}), "");
        }
      }
    }
    statedb::StageSavepoint(meta_, kSavepointKey, block_num + 1, batch);
  }

  [[nodiscard]] StatusOr<std::optional<uint64_t>> GetSavepoint() const override {
    return statedb::ReadSavepoint(store_, meta_, kSavepointKey, "history");
  }

  [[nodiscard]] StatusOr<std::vector<::queryresult::KeyModification>> GetHistoryForKey(
      std::string_view ns, std::string_view key) const override {
    const std::string prefix = KeyPrefix(ns, key);
    std::vector<Version> versions;
    auto it = entries_.NewIterator(kvstore::KeyRange::Prefix(prefix));
    for (; it.Valid(); it.Next()) {
      if (it.key().size() != prefix.size() + kHeightSize) {
        return absl::DataLossError(absl::StrCat("history entry of key \"", std::string(key),
                                                "\" in namespace \"", std::string(ns),
                                                "\" is corrupt"));
      }
      std::string_view height = it.key().substr(prefix.size());
      versions.push_back({statedb::ReadU64(height), statedb::ReadU64(height.substr(8))});
    }
    WEFT_RETURN_IF_ERROR(it.status());

    std::vector<::queryresult::KeyModification> history;
    std::map<uint64_t, std::vector<rwset::BlockTx>> blocks;  // parsed once per call
    for (auto version = versions.rbegin(); version != versions.rend(); ++version) {
      auto cached = blocks.find(version->block_num);
      if (cached == blocks.end()) {
        WEFT_ASSIGN_OR_RETURN(auto block, blocks_.RetrieveBlockByNumber(version->block_num));
        cached = blocks.emplace(version->block_num, rwset::ReadBlockTxs(block)).first;
      }
      const auto& txs = cached->second;
      const ::kvrwset::KVWrite* write =
          version->tx_num < txs.size() ? FindWrite(txs[version->tx_num], ns, key) : nullptr;
      if (write == nullptr) {
        return absl::DataLossError(absl::StrCat("history entry (", version->block_num, ", ",
                                                version->tx_num, ") of key \"", std::string(key),
                                                "\" has no matching write in the block store"));
      }
      auto& modification = history.emplace_back();
      modification.set_tx_id(txs[version->tx_num].tx_id);
      // As Fabric: the value as written, even for a delete.
      modification.set_value(write->value());
      *modification.mutable_timestamp() = txs[version->tx_num].timestamp;
      modification.set_is_delete(rwset::IsDelete(*write));
    }
    return history;
  }

 private:
  kvstore::LevelDbStore& store_;
  kvstore::Namespace entries_;
  kvstore::Namespace meta_;
  const blockstore::BlockStore& blocks_;
};

}  // namespace

std::unique_ptr<HistoryDb> NewLevelDbHistoryDb(kvstore::LevelDbStore& store,
                                               const blockstore::BlockStore& blocks) {
  return std::make_unique<LevelDbHistoryDb>(store, blocks);
}

}  // namespace weft::peer::ledger::history
