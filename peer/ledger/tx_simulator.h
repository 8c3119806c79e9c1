// Chaincode-facing access to one channel's state (Fabric's QueryExecutor and
// TxSimulator). A TxSimulator records what a transaction reads (with the
// committed versions) and writes, and hands the result back as a
// deterministic rwset; it does not read its own writes (GetState after
// PutState returns the committed value), as in Fabric.
//
// Private data (collections): every peer has the hashed state of every
// collection; the plain values are only where the private data was delivered
// (see PrivateDataSource in peer_ledger.h). Reads of a collection key are
// recorded as hashed reads (key hash + version of the hashed state), writes
// as a hashed write in the public rwset plus the plain value in the private
// rwset. Collection names are not checked here: callers (chaincode support,
// _lifecycle) decide which collections a chaincode may use.
//
// Lifetime: obtained from PeerLedger (or the factories below), a simulator or
// executor holds the ledger's commit lock in shared mode until Done() (or
// GetTxSimulationResults()), so the state it reads cannot move; call Done()
// promptly, and never commit on the same thread while one is open. Iterators
// must not outlive the object that made them. After Done() every call fails
// with FailedPrecondition.
//
// Thread-safety: not thread-safe; one transaction, one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/commit_lock.h"
#include "peer/ledger/history/history_db.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/ledger/statedb/state_db.h"

namespace weft::peer::ledger {

// Results of a range query, in key order.
class ResultsIterator {
 public:
  virtual ~ResultsIterator() = default;
  // nullopt when the range (or the page) is exhausted.
  [[nodiscard]] virtual StatusOr<std::optional<::queryresult::KV>> Next() = 0;
  // For paginated queries: the key at which the next page starts, empty
  // when there is none. Ends the iteration.
  [[nodiscard]] virtual StatusOr<std::string> GetBookmarkAndClose() = 0;
};

class QueryExecutor {
 public:
  virtual ~QueryExecutor() = default;

  // The committed value; empty when the key does not exist.
  [[nodiscard]] virtual StatusOr<std::string> GetState(std::string_view ns,
                                                       std::string_view key) = 0;
  [[nodiscard]] virtual StatusOr<std::vector<std::string>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) = 0;
  // Keys in [start_key, end_key); an empty end_key is unbounded.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<ResultsIterator>> GetStateRangeScanIterator(
      std::string_view ns, std::string_view start_key, std::string_view end_key) = 0;
  // At most page_size results starting at `bookmark` (or start_key when the
  // bookmark is empty); page_size 0 means no limit.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<ResultsIterator>>
  GetStateRangeScanIteratorWithPagination(std::string_view ns, std::string_view start_key,
                                          std::string_view end_key, uint32_t page_size,
                                          std::string_view bookmark) = 0;
  // Every composite key beginning with (object_type, attributes...).
  [[nodiscard]] virtual StatusOr<std::unique_ptr<ResultsIterator>> GetStateByPartialCompositeKey(
      std::string_view ns, std::string_view object_type,
      const std::vector<std::string>& attributes) = 0;
  // Empty when the key or its metadata does not exist.
  [[nodiscard]] virtual StatusOr<rwset::StateMetadata> GetStateMetadata(std::string_view ns,
                                                                        std::string_view key) = 0;
  // Every committed write of the key, newest first. FailedPrecondition when
  // the history database is disabled.
  [[nodiscard]] virtual StatusOr<std::vector<::queryresult::KeyModification>> GetHistoryForKey(
      std::string_view ns, std::string_view key) = 0;
  // The committed private value of `key` in `collection` of `ns`; empty
  // when the key does not exist. FailedPrecondition ("private data matching
  // public hash version is not available", Fabric's message) when this peer
  // lacks the value that matches the committed hash.
  [[nodiscard]] virtual StatusOr<std::string> GetPrivateData(std::string_view ns,
                                                             std::string_view collection,
                                                             std::string_view key) = 0;
  // SHA-256 of the committed private value (from the hashed state, so it
  // works on every peer); empty when the key does not exist.
  [[nodiscard]] virtual StatusOr<std::string> GetPrivateDataHash(std::string_view ns,
                                                                 std::string_view collection,
                                                                 std::string_view key) = 0;
  // Releases the commit lock. Idempotent.
  virtual void Done() = 0;
};

class TxSimulator : public QueryExecutor {
 public:
  // An empty value deletes the key.
  [[nodiscard]] virtual Status PutState(std::string_view ns, std::string_view key,
                                        std::string value) = 0;
  [[nodiscard]] virtual Status DelState(std::string_view ns, std::string_view key) = 0;
  // An empty map removes the key's metadata.
  [[nodiscard]] virtual Status SetStateMetadata(std::string_view ns, std::string_view key,
                                                rwset::StateMetadata metadata) = 0;
  // An empty value deletes the key.
  [[nodiscard]] virtual Status PutPrivateData(std::string_view ns, std::string_view collection,
                                              std::string_view key, std::string value) = 0;
  [[nodiscard]] virtual Status DelPrivateData(std::string_view ns, std::string_view collection,
                                              std::string_view key) = 0;
  // The public rwset (namespaces, reads and writes sorted; collections'
  // hashed rwsets included); implies Done().
  [[nodiscard]] virtual StatusOr<::rwset::TxReadWriteSet> GetTxSimulationResults() = 0;
  // The public rwset (as GetTxSimulationResults) and the private one;
  // implies Done(). Either results call may be made, once or more.
  [[nodiscard]] virtual StatusOr<rwset::SimulationResults>
  GetTxSimulationResultsWithPrivateData() = 0;
};

// `state` and `history` (null when history is disabled) must outlive the
// result. `commit_lock` (possibly empty) is held until Done().
std::unique_ptr<TxSimulator> NewTxSimulator(const statedb::StateDb& state,
                                            const history::HistoryDb* history = nullptr,
                                            std::shared_lock<CommitLock> commit_lock = {});
std::unique_ptr<QueryExecutor> NewQueryExecutor(const statedb::StateDb& state,
                                                const history::HistoryDb* history = nullptr,
                                                std::shared_lock<CommitLock> commit_lock = {});

}  // namespace weft::peer::ledger
