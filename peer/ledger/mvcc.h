// MVCC validation of a block (Fabric's second validation stage): transactions
// are checked in block order against committed state plus the writes of the
// earlier valid transactions of the same block, and the writes of the valid
// ones become the block's UpdateBatch.
// Thread-safety: stateless functions; `state` must not change during a call.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status/status.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/ledger/statedb/state_db.h"
#include "peer/transaction.pb.h"

namespace weft::peer::ledger {

struct TxToValidate {
  // Null for a transaction without state changes (config, or no rwset).
  const rwset::TxRwSet* rwset = nullptr;
  // The result of the earlier checks (signatures, policies); only VALID
  // transactions are checked here, the others keep their code.
  ::protos::TxValidationCode code = ::protos::VALID;
};

struct ValidatedBlock {
  std::vector<::protos::TxValidationCode> codes;  // one per transaction
  statedb::UpdateBatch updates;                   // writes of the valid transactions
};

// Per VALID transaction, namespace by namespace (Fabric's validateTx):
// MVCC_READ_CONFLICT if a read's key was written or deleted by an earlier
// valid transaction of the block, or its version differs from the committed
// one (absent counts as a version); then PHANTOM_READ_CONFLICT if re-running
// a range query gives other keys or versions than its raw reads, or another
// Merkle summary than its reads_merkle_hashes (the range includes end_key
// when the iterator was not exhausted); then MVCC_READ_CONFLICT for a hashed
// read that fails the same rules as a public read on the collection's hashed
// state (rwset::HashedNamespace). Writes, public and hashed, are then versioned
// (block_num, tx index). Errors for storage failures and, as in Fabric, for
// a Merkle summary whose max degree is below 2.
[[nodiscard]] StatusOr<ValidatedBlock> ValidateAndPrepareBatch(const statedb::StateDb& state,
                                                               uint64_t block_num,
                                                               std::span<const TxToValidate> txs);

// Adds the writes of one valid transaction (public, and hashed writes to
// the collections' hashed state) to `batch` with Fabric's metadata rules: a
// value write keeps the key's existing metadata unless the same tx writes
// metadata; a metadata write to a key that does not exist is dropped.
[[nodiscard]] Status AddTxWrites(const statedb::StateDb& state, const rwset::TxRwSet& rwset,
                                 statedb::Version version, statedb::UpdateBatch& batch);

}  // namespace weft::peer::ledger
