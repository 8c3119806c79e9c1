#include "peer/ledger/transient_store.h"

#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "common/protoutil/serialize.h"
#include "peer/ledger/statedb/encoding.h"

namespace weft::peer::ledger {
namespace {

namespace kvstore = common::ledger::kvstore;

// tx_id 0x00: every entry of a tx id (tx ids never contain 0x00).
std::string TxPrefix(std::string_view tx_id) {
  std::string key(tx_id);
  key.push_back('\0');
  return key;
}

}  // namespace

TransientStore::TransientStore(std::unique_ptr<kvstore::LevelDbStore> db, uint64_t block_retention)
    : block_retention_(block_retention),
      db_(std::move(db)),
      by_tx_(db_->OpenNamespace("pvt")),
      by_height_(db_->OpenNamespace("height")) {}

StatusOr<std::unique_ptr<TransientStore>> TransientStore::Open(const std::filesystem::path& dir,
                                                               uint64_t block_retention) {
  if (block_retention == 0) {
    return absl::InvalidArgumentError("transient store block retention must be positive");
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", error.message()));
  }
  WEFT_ASSIGN_OR_RETURN(auto db, kvstore::LevelDbStore::Open(dir.string()));
  return std::unique_ptr<TransientStore>(new TransientStore(std::move(db), block_retention));
}

Status TransientStore::Persist(std::string_view tx_id, uint64_t block_height,
                               const ::rwset::TxPvtReadWriteSet& private_rwset) {
  if (tx_id.empty() || tx_id.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot persist private data under tx id \"", std::string(tx_id), "\""));
  }
  const std::string bytes = common::protoutil::DeterministicSerialize(private_rwset);
  std::string suffix;
  statedb::AppendU64(suffix, block_height);
  suffix += common::crypto::Sha256(bytes);
  kvstore::WriteBatch batch;
  by_tx_.Put(batch, TxPrefix(tx_id) + suffix, bytes);
  std::string height_key;
  statedb::AppendU64(height_key, block_height);
  height_key += TxPrefix(tx_id);
  height_key += suffix.substr(8);
  by_height_.Put(batch, height_key, "");
  return Annotate(db_->Write(batch),
                  absl::StrCat("persisting private data of tx ", std::string(tx_id)));
}

StatusOr<std::vector<::rwset::TxPvtReadWriteSet>> TransientStore::GetPrivateData(
    std::string_view tx_id) const {
  std::vector<::rwset::TxPvtReadWriteSet> result;
  auto it = by_tx_.NewIterator(kvstore::KeyRange::Prefix(TxPrefix(tx_id)));
  for (; it.Valid(); it.Next()) {
    ::rwset::TxPvtReadWriteSet rwset;
    if (!rwset.ParseFromString(std::string(it.value()))) {
      return absl::DataLossError(absl::StrCat("transient store entry of tx ", std::string(tx_id),
                                              " is not a TxPvtReadWriteSet"));
    }
    result.push_back(std::move(rwset));
  }
  WEFT_RETURN_IF_ERROR(it.status());
  return result;
}

Status TransientStore::PurgeByTxids(const std::vector<std::string>& tx_ids) {
  kvstore::WriteBatch batch;
  for (const auto& tx_id : tx_ids) {
    auto it = by_tx_.NewIterator(kvstore::KeyRange::Prefix(TxPrefix(tx_id)));
    for (; it.Valid(); it.Next()) {
      std::string_view suffix = it.key().substr(tx_id.size() + 1);  // height, hash
      by_tx_.Delete(batch, it.key());
      std::string height_key(suffix.substr(0, 8));
      height_key += TxPrefix(tx_id);
      height_key += suffix.substr(8);
      by_height_.Delete(batch, height_key);
    }
    WEFT_RETURN_IF_ERROR(it.status());
  }
  return Annotate(db_->Write(batch), "purging private data of committed transactions");
}

Status TransientStore::PurgeBelowHeight(uint64_t height) {
  std::string limit;
  statedb::AppendU64(limit, height);
  kvstore::WriteBatch batch;
  auto it = by_height_.NewIterator(kvstore::KeyRange{std::string(), limit});
  for (; it.Valid(); it.Next()) {
    std::string_view key = it.key();  // height, tx id, 0x00, hash
    std::string_view rest = key.substr(8);
    auto nul = rest.find('\0');
    if (nul == std::string_view::npos) {
      return absl::DataLossError("malformed transient store height index entry");
    }
    std::string tx_key(rest.substr(0, nul + 1));
    tx_key += key.substr(0, 8);
    tx_key += rest.substr(nul + 1);
    by_tx_.Delete(batch, tx_key);
    by_height_.Delete(batch, key);
  }
  WEFT_RETURN_IF_ERROR(it.status());
  return Annotate(db_->Write(batch), absl::StrCat("purging private data below height ", height));
}

void TransientStore::PurgeCommitted(const std::vector<std::string>& tx_ids, uint64_t block_number) {
  // Best effort by contract: what stays behind goes with PurgeBelowHeight.
  (void)PurgeByTxids(tx_ids);
  if (block_number % block_retention_ == 0 && block_number > block_retention_) {
    (void)PurgeBelowHeight(block_number - block_retention_);
  }
}

}  // namespace weft::peer::ledger
