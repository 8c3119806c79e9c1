// Committed chaincode definitions for tests that need one in a state DB without a
// _lifecycle transaction: the keys WriteChaincodeDefinition produces, applied at
// version (block, 0). Throws std::runtime_error on failure.
// Thread-safety: stateless function; the state DB's own rules apply.
#pragma once

#include <cstdint>
#include <string>

#include "peer/ledger/statedb/state_db.h"
#include "peer/lifecycle/chaincode_definition.h"

namespace weft::testing {

void StoreChaincodeDefinition(peer::ledger::statedb::StateDb& state, const std::string& name,
                              const peer::lifecycle::ChaincodeDefinition& definition,
                              uint64_t block);

}  // namespace weft::testing
