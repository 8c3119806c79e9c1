// Builds the blocks a peer ledger commits: endorser transactions carrying a
// given rwset in ChaincodeAction.results (unsigned; the ledger does not check
// signatures), a config-typed genesis block, and hash-chained blocks. Also
// opens a throwaway LevelDB state DB for tests that need only a StateDb.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/statedb/state_db.h"

namespace weft::testing {

// Envelope bytes of an ENDORSER_TRANSACTION on `channel` with `tx_id`,
// stamped `timestamp_seconds`, whose chaincode action results are `rwset`.
std::string EndorserTxEnvelope(const std::string& channel, const std::string& tx_id,
                               const ::rwset::TxReadWriteSet& rwset, int64_t timestamp_seconds = 1);

// Envelope bytes of a CONFIG transaction on `channel` (no state changes).
std::string ConfigTxEnvelope(const std::string& channel);

// Block `number` after `previous_hash` with the given envelopes, its data
// hash set and five empty metadata slots.
::common::Block LedgerBlock(uint64_t number, const std::string& previous_hash,
                            const std::vector<std::string>& envelopes);

// Block 0 of `channel`: one config transaction.
::common::Block GenesisBlock(const std::string& channel);

// An empty LevelDB state DB in a fresh temp dir, writes not synced. The
// pointer also owns the store and the dir, removed when its last copy dies.
// Throws (absl::BadStatusOrAccess) if LevelDB cannot be opened.
std::shared_ptr<peer::ledger::statedb::StateDb> OpenTempStateDb();

}  // namespace weft::testing
