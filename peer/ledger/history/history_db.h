// The history DB (Fabric's ledger.history): for every (namespace, key), the
// heights (block, tx) of the valid transactions that wrote it, so that
// GetHistoryForKey can list a key's modifications newest first. Values, tx ids
// and timestamps are not copied; they are read back from the block store.
// Encoding: FORMAT.md next to this file.
//
// Whether a peer keeps history (ledger.history.enableHistoryDatabase) is the
// ledger's choice: with history disabled it has no HistoryDb. Entries are
// staged into the ledger's WriteBatch so that they commit atomically with the
// state updates. History keeps its own savepoint (as Fabric's history DB),
// so a ledger that enables history later, or re-enables it, catches it up
// from the block store.
//
// Thread-safety: implementations are thread-safe. GetHistoryForKey reads the
// entries, then the blocks; callers that need an answer consistent with state
// keep commits out meanwhile (PeerLedger's read lock).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/ledger/kvstore/leveldb_store.h"
#include "common/status/status.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/ledger/rwset/block_txs.h"
#include "peer/transaction.pb.h"

namespace weft::peer::ledger::history {

class HistoryDb {
 public:
  virtual ~HistoryDb() = default;

  // Adds to `batch` one entry per KVWrite (value write or delete) of every
  // endorser transaction of block `block_num` whose code is VALID, and the
  // history savepoint block_num + 1; the caller writes the batch.
  // REQUIRES: codes.size() == txs.size().
  virtual void StageBlock(uint64_t block_num, std::span<const rwset::BlockTx> txs,
                          std::span<const ::protos::TxValidationCode> codes,
                          common::ledger::kvstore::WriteBatch& batch) const = 0;

  // The number of blocks the history reflects; nullopt before any block
  // (or for history written before it had a savepoint).
  [[nodiscard]] virtual StatusOr<std::optional<uint64_t>> GetSavepoint() const = 0;

  // Every committed write of (ns, key), newest first: tx id, header
  // timestamp, value (empty for a delete) and is_delete. DataLoss when an
  // entry is corrupt or has no matching write in its block.
  [[nodiscard]] virtual StatusOr<std::vector<::queryresult::KeyModification>> GetHistoryForKey(
      std::string_view ns, std::string_view key) const = 0;
};

}  // namespace weft::peer::ledger::history
