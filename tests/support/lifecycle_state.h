// Committed chaincode definitions for tests that need one in a state DB without a
// _lifecycle transaction: the keys WriteChaincodeDefinition produces, applied at
// version (block, 0); and _lifecycle's writes (definitions, an org's approvals)
// committed in blocks of a peer ledger. Throws std::runtime_error on failure.
// Thread-safety: stateless function; the state DB's own rules apply.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/statedb/state_db.h"
#include "peer/lifecycle/chaincode_definition.h"

namespace weft::testing {

// A definition with only what _lifecycle requires set: `version`, `sequence`, and the
// escc / vscc plugins.
peer::lifecycle::ChaincodeDefinition MinimalDefinition(const std::string& version,
                                                       int64_t sequence = 1);

void StoreChaincodeDefinition(peer::ledger::statedb::StateDb& state, const std::string& name,
                              const peer::lifecycle::ChaincodeDefinition& definition,
                              uint64_t block);

// Commits one block on `ledger` with one VALID transaction that writes, as
// _lifecycle does, the definition `committed` of `name` to public state (unless
// nullopt) and `msp_id`'s approval of `approved` with `package_id` (unless nullopt)
// to that org's implicit collection: hashed writes in the block, the values handed
// to the commit through a transient store made under `scratch_dir`.
void CommitLifecycleWrites(peer::ledger::PeerLedger& ledger,
                           const std::filesystem::path& scratch_dir, const std::string& msp_id,
                           const std::string& name,
                           const std::optional<peer::lifecycle::ChaincodeDefinition>& committed,
                           const std::optional<peer::lifecycle::ChaincodeDefinition>& approved,
                           const std::string& package_id);

}  // namespace weft::testing
