#include "peer/ledger/peer_ledger.h"

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/serialize.h"
#include "peer/ledger/history/factory.h"
#include "peer/ledger/impl/commit_hash.h"
#include "peer/ledger/mvcc.h"
#include "peer/ledger/statedb/factory.h"

namespace weft::peer::ledger {
namespace {

namespace fs = std::filesystem;
namespace blockstore = common::ledger::blockstore;
namespace kvstore = common::ledger::kvstore;
namespace protoutil = common::protoutil;
using rwset::BlockTx;
using rwset::ReadBlockTxs;
using statedb::UpdateBatch;
using statedb::Version;

bool SyncWrites(const LedgerOptions& options) {
  return options.fsync == blockstore::FsyncPolicy::kEveryBlock;
}

// The transactions of `block` that committed, read from its TRANSACTIONS_FILTER.
std::vector<::protos::TxValidationCode> StoredCodes(const ::common::Block& block) {
  std::string filter;
  if (block.metadata().metadata_size() > ::common::TRANSACTIONS_FILTER) {
    filter = block.metadata().metadata(::common::TRANSACTIONS_FILTER);
  }
  std::vector<::protos::TxValidationCode> codes(block.data().data_size(), ::protos::NOT_VALIDATED);
  for (std::size_t i = 0; i < codes.size() && i < filter.size(); ++i) {
    codes[i] = static_cast<::protos::TxValidationCode>(static_cast<uint8_t>(filter[i]));
  }
  return codes;
}

// Fabric's last checks on tx ids (txvalidator checkTxIdDupsLedger and
// markTXIdDuplicates): a transaction still VALID becomes DUPLICATE_TXID when
// its tx id is already in the block store (endorser transactions) or was
// carried by an earlier transaction of the block that is still VALID.
[[nodiscard]] Status MarkDuplicateTxIds(const blockstore::BlockStore& blocks,
                                        const std::vector<BlockTx>& txs,
                                        std::vector<TxToValidate>& inputs) {
  std::set<std::string, std::less<>> seen_in_block;
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const std::string& tx_id = txs[i].tx_id;
    if (inputs[i].code != ::protos::VALID || tx_id.empty()) continue;
    if (!seen_in_block.insert(tx_id).second) {
      inputs[i].code = ::protos::DUPLICATE_TXID;
      continue;
    }
    if (txs[i].type != ::common::ENDORSER_TRANSACTION) continue;
    auto committed = blocks.RetrieveTxValidationCode(tx_id);
    if (committed.ok()) {
      inputs[i].code = ::protos::DUPLICATE_TXID;
    } else if (!absl::IsNotFound(committed.status())) {
      return Annotate(committed.status(), absl::StrCat("looking up tx id ", tx_id));
    }
  }
  return absl::OkStatus();
}

// The private writes of the block's VALID transactions that `source` has:
// for each collection whose hashed rwset carries a pvt_rwset_hash, the first
// private rwset of that collection whose bytes hash to it (Fabric's
// coordinator drops private data that does not match the block's hashes).
// Versions are the transaction's, as for the hashed writes, so
// GetPrivateData can tell a value from a stale one.
[[nodiscard]] StatusOr<UpdateBatch> PrivateWrites(
    uint64_t number, const std::vector<BlockTx>& txs,
    const std::vector<::protos::TxValidationCode>& codes, const PrivateDataSource& source) {
  UpdateBatch updates;
  for (std::size_t i = 0; i < txs.size(); ++i) {
    if (codes[i] != ::protos::VALID || !txs[i].rwset) continue;
    std::map<std::pair<std::string, std::string>, std::string> wanted;  // (ns, coll) -> hash
    for (const auto& ns_rwset : *txs[i].rwset) {
      for (const auto& collection : ns_rwset.collections) {
        if (collection.pvt_rwset_hash.empty()) continue;
        wanted[{ns_rwset.ns, collection.collection}] = collection.pvt_rwset_hash;
      }
    }
    if (wanted.empty()) continue;
    WEFT_ASSIGN_OR_RETURN(auto candidates, source.GetPrivateData(txs[i].tx_id));
    for (const auto& candidate : candidates) {
      for (const auto& ns_private : candidate.ns_pvt_rwset()) {
        for (const auto& collection : ns_private.collection_pvt_rwset()) {
          auto found = wanted.find({ns_private.namespace_(), collection.collection_name()});
          if (found == wanted.end() ||
              found->second != common::crypto::Sha256(collection.rwset())) {
            continue;
          }
          ::kvrwset::KVRWSet kv;
          if (!kv.ParseFromString(collection.rwset())) continue;
          const std::string private_ns =
              rwset::PrivateNamespace(ns_private.namespace_(), collection.collection_name());
          for (const auto& write : kv.writes()) {
            if (rwset::IsDelete(write)) {
              updates.Delete(private_ns, write.key(), Version{number, i});
            } else {
              updates.Put(private_ns, write.key(), {write.value(), {}, Version{number, i}});
            }
          }
          wanted.erase(found);  // the first matching copy wins
        }
      }
    }
  }
  return updates;
}

[[nodiscard]] StatusOr<std::string> StoredCommitHash(const ::common::Block& block) {
  if (block.metadata().metadata_size() <= ::common::COMMIT_HASH) return std::string();
  WEFT_ASSIGN_OR_RETURN(auto metadata,
                        protoutil::ParseMessage<::common::Metadata>(
                            block.metadata().metadata(::common::COMMIT_HASH),
                            absl::StrCat("COMMIT_HASH of block ", block.header().number())));
  return metadata.value();
}

}  // namespace

PeerLedger::PeerLedger(std::string channel_id, fs::path state_dir, LedgerOptions options,
                       std::unique_ptr<blockstore::FileBlockStore> blocks)
    : channel_id_(std::move(channel_id)),
      state_dir_(std::move(state_dir)),
      options_(std::move(options)),
      blocks_(std::move(blocks)) {}

PeerLedger::~PeerLedger() {
  if (blocks_) blocks_->Close();
}

StatusOr<std::unique_ptr<PeerLedger>> PeerLedger::Open(std::string channel_id, fs::path chain_dir,
                                                       fs::path state_dir, LedgerOptions options) {
  blockstore::FileBlockStoreOptions block_options;
  block_options.dir = std::move(chain_dir);
  block_options.fsync = options.fsync;
  block_options.append_hook_for_testing = options.append_hook_for_testing;
  WEFT_ASSIGN_OR_RETURN(auto blocks, blockstore::FileBlockStore::Open(std::move(block_options)));
  std::unique_ptr<PeerLedger> ledger(new PeerLedger(std::move(channel_id), std::move(state_dir),
                                                    std::move(options), std::move(blocks)));
  WEFT_RETURN_IF_ERROR(ledger->OpenDatabases());
  WEFT_RETURN_IF_ERROR(
      Annotate(ledger->Recover(), absl::StrCat("recovering ledger ", ledger->channel_id_)));
  return ledger;
}

Status PeerLedger::OpenDatabases() {
  std::error_code error;
  fs::create_directories(state_dir_, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", state_dir_.string(), ": ", error.message()));
  }
  WEFT_ASSIGN_OR_RETURN(db_, kvstore::LevelDbStore::Open(state_dir_.string()));
  state_ = statedb::NewLevelDbStateDb(*db_, SyncWrites(options_));
  if (options_.enable_history) history_ = history::NewLevelDbHistoryDb(*db_, *blocks_);
  return absl::OkStatus();
}

Status PeerLedger::Recover() {
  WEFT_ASSIGN_OR_RETURN(auto state_savepoint, state_->GetSavepoint());
  const uint64_t state_height = state_savepoint.value_or(0);
  // History has its own savepoint: absent (history just enabled, or written
  // before it had one) or behind state, it is caught up from the block store.
  uint64_t history_height = state_height;
  if (history_) {
    WEFT_ASSIGN_OR_RETURN(auto history_savepoint, history_->GetSavepoint());
    history_height = history_savepoint.value_or(0);
  }
  const uint64_t height = blocks_->GetInfo().height;
  if (state_height > height || history_height > height) {
    return absl::DataLossError(
        absl::StrCat("state is at height ", state_height, " and history at height ", history_height,
                     " but the block store only has ", height, " blocks; rebuild the databases"));
  }
  for (uint64_t number = std::min(state_height, history_height); number < height; ++number) {
    WEFT_ASSIGN_OR_RETURN(auto block, blocks_->RetrieveBlockByNumber(number));
    WEFT_RETURN_IF_ERROR(Annotate(ReplayBlock(block, /*apply_state=*/number >= state_height,
                                              /*index_history=*/number >= history_height),
                                  absl::StrCat("replaying block ", number)));
  }
  if (height > 0) {
    WEFT_ASSIGN_OR_RETURN(auto last, blocks_->RetrieveBlockByNumber(height - 1));
    WEFT_ASSIGN_OR_RETURN(commit_hash_, StoredCommitHash(last));
  }
  return absl::OkStatus();
}

Status PeerLedger::ReplayBlock(const ::common::Block& block, bool apply_state, bool index_history) {
  uint64_t number = block.header().number();
  auto txs = ReadBlockTxs(block);
  auto codes = StoredCodes(block);
  kvstore::WriteBatch batch;
  if (apply_state) {
    UpdateBatch updates;
    for (std::size_t i = 0; i < txs.size(); ++i) {
      if (codes[i] != ::protos::VALID || !txs[i].rwset) continue;
      WEFT_RETURN_IF_ERROR(AddTxWrites(*state_, *txs[i].rwset, Version{number, i}, updates));
    }
    state_->StageUpdates(updates, number + 1, batch);
    if (index_history && history_) history_->StageBlock(number, txs, codes, batch);
    WEFT_RETURN_IF_ERROR(db_->Write(batch, SyncWrites(options_)));
    // Recovery runs before readers or under the exclusive lock (RebuildDatabases).
    NotifyStateListeners(number, updates);
    return absl::OkStatus();
  }
  if (index_history && history_) history_->StageBlock(number, txs, codes, batch);
  return db_->Write(batch, SyncWrites(options_));
}

void PeerLedger::NotifyStateListeners(uint64_t number, const UpdateBatch& updates) const {
  for (const auto& listener : options_.state_listeners) {
    StateUpdateTrigger trigger;
    for (const std::string& wanted : listener->InterestedInNamespaces()) {
      NamespaceStateUpdates found;
      if (const auto* keys = updates.Namespace(wanted)) {
        for (const auto& [key, update] : *keys) found.public_keys.push_back(key);
      }
      // Hashed state lives in namespaces of its own ("<ns>$$h<collection>"), keyed by
      // key hash; private values ("$$p") are left out, as in Fabric's trigger.
      for (const auto& [name, keys] : updates.updates()) {
        auto hashed = rwset::SplitHashedNamespace(name);
        if (!hashed || hashed->first != wanted) continue;
        auto& hashes = found.collection_key_hashes[std::string(hashed->second)];
        for (const auto& [key_hash, update] : keys) hashes.push_back(key_hash);
      }
      if (!found.public_keys.empty() || !found.collection_key_hashes.empty()) {
        trigger.updates.emplace(wanted, std::move(found));
      }
    }
    if (trigger.updates.empty()) continue;
    trigger.channel_id = channel_id_;
    trigger.block_number = number;
    listener->HandleStateUpdates(trigger);
  }
}

Status PeerLedger::WriteBatch(uint64_t number, const std::vector<BlockTx>& txs,
                              const std::vector<::protos::TxValidationCode>& codes,
                              const UpdateBatch& updates) {
  // One batch: a crash leaves either all of the block's state, history and
  // savepoint or none of it (recovery then replays the block). Not synced
  // here: CommitBlock syncs after releasing the exclusive lock.
  kvstore::WriteBatch batch;
  state_->StageUpdates(updates, number + 1, batch);
  if (history_) history_->StageBlock(number, txs, codes, batch);
  return db_->Write(batch, /*sync=*/false);
}

StatusOr<std::vector<::protos::TxValidationCode>> PeerLedger::CommitBlock(
    ::common::Block block, const std::vector<::protos::TxValidationCode>& codes,
    PrivateDataSource* private_data) {
  std::lock_guard commit_lock(commit_mu_);
  if (broken_) {
    return absl::FailedPreconditionError(
        absl::StrCat("ledger ", channel_id_, " failed an earlier commit; reopen it to recover"));
  }
  const uint64_t number = block.header().number();
  const uint64_t height = blocks_->GetInfo().height;
  if (number != height) {
    return absl::FailedPreconditionError(
        absl::StrCat("ledger ", channel_id_, " expects block ", height, ", got block ", number));
  }
  if (codes.size() != static_cast<std::size_t>(block.data().data_size())) {
    return absl::InvalidArgumentError(absl::StrCat("block ", number, " has ",
                                                   block.data().data_size(), " transactions but ",
                                                   codes.size(), " validation codes"));
  }

  // State only changes under commit_mu_, so validation needs no read lock.
  auto txs = ReadBlockTxs(block);
  std::vector<TxToValidate> inputs(txs.size());
  for (std::size_t i = 0; i < txs.size(); ++i) {
    inputs[i].code = codes[i];
    if (codes[i] == ::protos::VALID && txs[i].parse_code != ::protos::VALID) {
      inputs[i].code = txs[i].parse_code;
    }
    if (txs[i].rwset) inputs[i].rwset = &*txs[i].rwset;
  }
  WEFT_RETURN_IF_ERROR(MarkDuplicateTxIds(*blocks_, txs, inputs));
  WEFT_ASSIGN_OR_RETURN(auto validated, ValidateAndPrepareBatch(*state_, number, inputs));

  std::string filter;
  filter.reserve(validated.codes.size());
  for (auto code : validated.codes) filter.push_back(static_cast<char>(code));
  auto* metadata = block.mutable_metadata();
  while (metadata->metadata_size() < protoutil::kBlockMetadataSlots) metadata->add_metadata();
  metadata->set_metadata(::common::TRANSACTIONS_FILTER, filter);
  // commit_hash_ only changes under commit_mu_, which this thread holds.
  std::string commit_hash;
  if (impl::HasCommitHash(number, commit_hash_)) {
    commit_hash = impl::NextCommitHash(filter, validated.updates, commit_hash_);
    ::common::Metadata commit_metadata;
    commit_metadata.set_value(commit_hash);
    metadata->set_metadata(::common::COMMIT_HASH,
                           protoutil::DeterministicSerialize(commit_metadata));
  }
  // Private values join the batch only now: Fabric's commit hash covers the
  // public and hashed writes, never private data (which peers may lack).
  if (private_data != nullptr) {
    WEFT_ASSIGN_OR_RETURN(auto private_updates,
                          PrivateWrites(number, txs, validated.codes, *private_data));
    for (const auto& [ns, keys] : private_updates.updates()) {
      for (const auto& [key, update] : keys) {
        if (update.is_delete) {
          validated.updates.Delete(ns, key, update.value.version);
        } else {
          validated.updates.Put(ns, key, update.value);
        }
      }
    }
  }

  {
    std::unique_lock write_lock(rw_mu_);
    WEFT_RETURN_IF_ERROR(Annotate(blocks_->AddBlock(block),
                                  absl::StrCat("appending block ", number, " of ", channel_id_)));
    if (options_.commit_hook_for_testing)
      options_.commit_hook_for_testing(CommitPoint::kBlockAppended);
    Status written = WriteBatch(number, txs, validated.codes, validated.updates);
    if (!written.ok()) {
      broken_ = true;
      return Annotate(written,
                      absl::StrCat("writing state of block ", number, " of ", channel_id_));
    }
    if (options_.commit_hook_for_testing)
      options_.commit_hook_for_testing(CommitPoint::kStateWritten);
    // Still under the exclusive lock: no simulator sees the new state before the
    // listeners (the lifecycle cache) have dropped what it replaces.
    NotifyStateListeners(number, validated.updates);
    commit_hash_ = std::move(commit_hash);
  }
  // The state's fsync waits outside the exclusive lock, so readers are not
  // held up by it; the block (synced by the block store) is already durable
  // and recovery would replay the state if this sync were lost.
  if (SyncWrites(options_)) {
    Status synced = db_->Write(kvstore::WriteBatch(), /*sync=*/true);
    if (!synced.ok()) {
      broken_ = true;
      return Annotate(synced, absl::StrCat("syncing state of block ", number, " of ", channel_id_));
    }
  }
  // After the state is durable: the transient copies are no longer needed.
  if (private_data != nullptr) {
    std::vector<std::string> tx_ids;
    tx_ids.reserve(txs.size());
    for (const auto& tx : txs) {
      if (!tx.tx_id.empty()) tx_ids.push_back(tx.tx_id);
    }
    private_data->PurgeCommitted(tx_ids, number);
  }
  return std::move(validated.codes);
}

std::unique_ptr<TxSimulator> PeerLedger::NewTxSimulator() {
  std::shared_lock lock(rw_mu_);
  return ledger::NewTxSimulator(*state_, history_.get(), std::move(lock));
}

std::unique_ptr<QueryExecutor> PeerLedger::NewQueryExecutor() {
  std::shared_lock lock(rw_mu_);
  return ledger::NewQueryExecutor(*state_, history_.get(), std::move(lock));
}

StatusOr<std::vector<::queryresult::KeyModification>> PeerLedger::GetHistoryForKey(
    std::string_view ns, std::string_view key) const {
  if (history_ == nullptr) return absl::FailedPreconditionError("history database is disabled");
  std::shared_lock lock(rw_mu_);
  return history_->GetHistoryForKey(ns, key);
}

blockstore::BlockchainInfo PeerLedger::GetBlockchainInfo() const {
  std::shared_lock lock(rw_mu_);
  return blocks_->GetInfo();
}

StatusOr<::common::Block> PeerLedger::GetBlockByNumber(uint64_t number) const {
  std::shared_lock lock(rw_mu_);
  return blocks_->RetrieveBlockByNumber(number);
}

std::string PeerLedger::commit_hash() const {
  std::shared_lock lock(rw_mu_);
  return commit_hash_;
}

Status PeerLedger::RebuildDatabases() {
  std::lock_guard commit_lock(commit_mu_);
  std::unique_lock write_lock(rw_mu_);
  // Until the rebuild succeeds the ledger takes no commits.
  broken_ = true;
  history_.reset();
  state_.reset();
  db_.reset();
  std::error_code error;
  fs::remove_all(state_dir_, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot remove ", state_dir_.string(), ": ", error.message()));
  }
  WEFT_RETURN_IF_ERROR(OpenDatabases());
  WEFT_RETURN_IF_ERROR(Recover());
  broken_ = false;
  return absl::OkStatus();
}

LedgerManager::LedgerManager(fs::path ledgers_dir, LedgerOptions options)
    : ledgers_dir_(std::move(ledgers_dir)), options_(std::move(options)) {}

fs::path LedgerManager::ChainDir(std::string_view channel_id) const {
  return ledgers_dir_ / "chains" / std::string(channel_id);
}

fs::path LedgerManager::StateDir(std::string_view channel_id) const {
  return ledgers_dir_ / "statedb" / std::string(channel_id);
}

StatusOr<std::unique_ptr<PeerLedger>> LedgerManager::CreateLedger(
    const ::common::Block& genesis_block) const {
  if (genesis_block.header().number() != 0 || genesis_block.data().data_size() == 0) {
    return absl::InvalidArgumentError("a genesis block is block 0 with at least one transaction");
  }
  WEFT_ASSIGN_OR_RETURN(auto envelope, protoutil::OpenEnvelope(genesis_block.data().data(0)));
  const std::string& channel_id = envelope.channel_header.channel_id();
  if (channel_id.empty() || channel_id.find('/') != std::string::npos || channel_id == "." ||
      channel_id == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("genesis block names an invalid channel id \"", channel_id, "\""));
  }
  WEFT_ASSIGN_OR_RETURN(auto ledger, PeerLedger::Open(channel_id, ChainDir(channel_id),
                                                      StateDir(channel_id), options_));
  if (ledger->GetBlockchainInfo().height != 0) {
    return absl::AlreadyExistsError(absl::StrCat("ledger ", channel_id, " already exists"));
  }
  std::vector<::protos::TxValidationCode> codes(genesis_block.data().data_size(), ::protos::VALID);
  WEFT_RETURN_IF_ERROR(ledger->CommitBlock(genesis_block, codes).status());
  return ledger;
}

StatusOr<std::unique_ptr<PeerLedger>> LedgerManager::OpenLedger(std::string_view channel_id) const {
  std::error_code error;
  if (channel_id.empty() || !fs::is_directory(ChainDir(channel_id), error)) {
    return absl::NotFoundError(
        absl::StrCat("no ledger for channel \"", std::string(channel_id), "\""));
  }
  return PeerLedger::Open(std::string(channel_id), ChainDir(channel_id), StateDir(channel_id),
                          options_);
}

StatusOr<std::vector<std::string>> LedgerManager::ListLedgerIds() const {
  std::vector<std::string> ids;
  std::error_code error;
  fs::path chains = ledgers_dir_ / "chains";
  if (!fs::exists(chains, error)) return ids;
  for (const auto& entry : fs::directory_iterator(chains, error)) {
    if (entry.is_directory()) ids.push_back(entry.path().filename().string());
  }
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot list ", chains.string(), ": ", error.message()));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace weft::peer::ledger
