// A channel's ledger on a peer: the block store (source of truth) plus the
// state and history databases derived from it (peer/ledger/statedb,
// peer/ledger/history), kept in step by CommitBlock and by recovery on open.
// PeerLedger owns the channel's LevelDB and is the one place that creates
// those databases. LedgerManager creates, opens and lists ledgers under
// peer.fileSystemPath/ledgersData. Layout, commit order and the commit-hash
// rule: peer/ledger/FORMAT.md.
//
// Thread-safety: PeerLedger is thread-safe. Commits are serialized; readers
// (simulators, query executors, block and history reads) take the ledger's
// CommitLock in shared mode, CommitBlock takes it exclusively while it
// appends the block and writes the state batch, so a reader sees either all
// of a block or none of it. The lock prefers writers (a waiting commit stops
// new readers), so a thread holding an open simulator or query executor must
// not call this ledger's other read methods. With FsyncPolicy::kEveryBlock
// the state batch is synced after the exclusive lock is released (the block
// store, synced first, is the truth; recovery replays a lost state batch).
// LedgerManager is thread-safe (stateless).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/ledger/blockstore/file_block_store.h"
#include "common/ledger/kvstore/leveldb_store.h"
#include "common/status/status.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/commit_lock.h"
#include "peer/ledger/history/history_db.h"
#include "peer/ledger/rwset/block_txs.h"
#include "peer/ledger/state_listener.h"
#include "peer/ledger/statedb/state_db.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/transaction.pb.h"

namespace weft::peer::ledger {

// Points inside CommitBlock where tests may stop the process.
enum class CommitPoint {
  kBlockAppended,  // the block is in the block store, state not yet written
  kStateWritten,   // state, history and savepoint are written
};

// The private data a committing peer has for the transactions of a block
// (Fabric's coordinator reading the transient store, no gossip): CommitBlock
// asks it for each VALID transaction that wrote collections and applies the
// plain values whose hash matches the hashed rwset's pvt_rwset_hash to the
// collection's private state. Implementations decide which collections this
// peer is eligible for (they hand out only those).
// Thread-safety: called from CommitBlock only (under the ledger's commit lock).
class PrivateDataSource {
 public:
  virtual ~PrivateDataSource() = default;
  // Every private rwset recorded for `tx_id` (one per endorsement simulated
  // here; possibly none).
  [[nodiscard]] virtual StatusOr<std::vector<::rwset::TxPvtReadWriteSet>> GetPrivateData(
      std::string_view tx_id) const = 0;
  // Called once block `block_number`'s state is durable, with the tx ids of
  // the block: their private data is no longer needed (nor, past the
  // source's retention, that of transactions that never committed). Best
  // effort: what a failure leaves behind goes with a later purge by height.
  virtual void PurgeCommitted(const std::vector<std::string>& tx_ids, uint64_t block_number) = 0;
};

struct LedgerOptions {
  // Fabric's ledger.history.enableHistoryDatabase: without it the ledger
  // has no history DB and history queries fail with FailedPrecondition.
  bool enable_history = true;
  // kEveryBlock (default) fsyncs the block file and then, once readers are
  // let back in, the state batch; kNone survives process crashes only.
  common::ledger::blockstore::FsyncPolicy fsync =
      common::ledger::blockstore::FsyncPolicy::kEveryBlock;
  // Testing only: called at each CommitPoint / block store AppendPoint.
  std::function<void(CommitPoint)> commit_hook_for_testing;
  std::function<void(common::ledger::blockstore::AppendPoint)> append_hook_for_testing;
  // Told of every block that writes one of their namespaces (state_listener.h), for
  // every ledger opened with these options.
  std::vector<std::shared_ptr<StateListener>> state_listeners;
};

class PeerLedger {
 public:
  // Opens the ledger whose block store is in `chain_dir` and whose state and
  // history are in `state_dir`, replaying blocks the state lacks. Prefer
  // LedgerManager. DataLoss when the state is ahead of the block store.
  [[nodiscard]] static StatusOr<std::unique_ptr<PeerLedger>> Open(std::string channel_id,
                                                                  std::filesystem::path chain_dir,
                                                                  std::filesystem::path state_dir,
                                                                  LedgerOptions options = {});
  ~PeerLedger();
  PeerLedger(const PeerLedger&) = delete;
  PeerLedger& operator=(const PeerLedger&) = delete;

  const std::string& channel_id() const { return channel_id_; }

  // Runs the last tx-id checks (DUPLICATE_TXID for a tx id already committed
  // or carried by an earlier VALID transaction of the block) and MVCC
  // validation over `block` (whose number must be the height) given the
  // earlier checks' codes (one per transaction), writes
  // TRANSACTIONS_FILTER and COMMIT_HASH into its metadata, appends it to the
  // block store, then writes state, history and savepoint in one batch.
  // Returns the final codes. After a failure past the append the ledger
  // refuses further commits until reopened (which recovers). With
  // `private_data`, the private values it has for the VALID transactions are
  // written to private state in the same batch (see PrivateDataSource);
  // private values are not in blocks, so recovery does not replay them.
  [[nodiscard]] StatusOr<std::vector<::protos::TxValidationCode>> CommitBlock(
      ::common::Block block, const std::vector<::protos::TxValidationCode>& codes,
      PrivateDataSource* private_data = nullptr);

  // Each holds the read lock until Done(): see tx_simulator.h.
  std::unique_ptr<TxSimulator> NewTxSimulator();
  std::unique_ptr<QueryExecutor> NewQueryExecutor();
  // The state DB itself, for reads made while the caller already holds the read lock
  // through a simulator (NewQueryExecutor(state(), ...) with no lock of its own), such
  // as the parts of a chaincode definition Fabric takes from its cache rather than
  // from the simulation.
  const statedb::StateDb& state() const { return *state_; }

  // Newest first; FailedPrecondition when history is disabled.
  [[nodiscard]] StatusOr<std::vector<::queryresult::KeyModification>> GetHistoryForKey(
      std::string_view ns, std::string_view key) const;
  common::ledger::blockstore::BlockchainInfo GetBlockchainInfo() const;
  [[nodiscard]] StatusOr<::common::Block> GetBlockByNumber(uint64_t number) const;
  // The block store itself, for Deliver (which waits on it).
  const common::ledger::blockstore::BlockStore& block_store() const { return *blocks_; }
  // The COMMIT_HASH value of the last block; empty while no block has one
  // (Fabric adds the first to block 1).
  std::string commit_hash() const;

  // Drops state and history and rebuilds them from the block store
  // (`peer node rebuild-dbs`). Waits for open simulators. If it fails the
  // ledger must not be used again (reopen it).
  [[nodiscard]] Status RebuildDatabases();

 private:
  PeerLedger(std::string channel_id, std::filesystem::path state_dir, LedgerOptions options,
             std::unique_ptr<common::ledger::blockstore::FileBlockStore> blocks);
  // Opens the LevelDB in state_dir_ and the state (and history) DBs in it.
  [[nodiscard]] Status OpenDatabases();
  [[nodiscard]] Status Recover();
  // Re-applies a stored block to state and/or history (whichever lags), in
  // one batch.
  [[nodiscard]] Status ReplayBlock(const ::common::Block& block, bool apply_state,
                                   bool index_history);
  // Writes `updates`, the history entries of the valid transactions and the
  // savepoint number + 1 in one LevelDB batch.
  // Hands the block's writes to the state listeners interested in them.
  void NotifyStateListeners(uint64_t number, const statedb::UpdateBatch& updates) const;
  [[nodiscard]] Status WriteBatch(uint64_t number, const std::vector<rwset::BlockTx>& txs,
                                  const std::vector<::protos::TxValidationCode>& codes,
                                  const statedb::UpdateBatch& updates);

  const std::string channel_id_;
  const std::filesystem::path state_dir_;
  const LedgerOptions options_;
  std::unique_ptr<common::ledger::blockstore::FileBlockStore> blocks_;
  // State and history share this store so that one WriteBatch commits both.
  std::unique_ptr<common::ledger::kvstore::LevelDbStore> db_;
  std::unique_ptr<statedb::StateDb> state_;
  std::unique_ptr<history::HistoryDb> history_;  // null when history is disabled

  std::mutex commit_mu_;      // one commit (or rebuild) at a time
  mutable CommitLock rw_mu_;  // readers vs the apply step of a commit
  std::string commit_hash_;   // written under both locks
  bool broken_ = false;       // guarded by commit_mu_
};

class LedgerManager {
 public:
  // `ledgers_dir` is peer.fileSystemPath/ledgersData.
  explicit LedgerManager(std::filesystem::path ledgers_dir, LedgerOptions options = {});

  // Creates the ledger of the genesis block's channel and commits the block.
  // AlreadyExists if that channel already has a ledger with blocks.
  [[nodiscard]] StatusOr<std::unique_ptr<PeerLedger>> CreateLedger(
      const ::common::Block& genesis_block) const;
  // NotFound when there is no ledger for `channel_id`.
  [[nodiscard]] StatusOr<std::unique_ptr<PeerLedger>> OpenLedger(std::string_view channel_id) const;
  // Channel ids with a ledger, sorted.
  [[nodiscard]] StatusOr<std::vector<std::string>> ListLedgerIds() const;

 private:
  std::filesystem::path ChainDir(std::string_view channel_id) const;
  std::filesystem::path StateDir(std::string_view channel_id) const;

  std::filesystem::path ledgers_dir_;
  LedgerOptions options_;
};

}  // namespace weft::peer::ledger
