// The COMMIT_HASH rule (FORMAT.md): H_n = SHA-256(H_{n-1} || U_n), U_n the
// canonical bytes of block n's update batch.
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <string_view>

#include "peer/ledger/statedb/state_db.h"

namespace weft::peer::ledger::impl {

// H_n from H_{n-1} (empty before block 0) and the block's updates.
std::string NextCommitHash(std::string_view previous_hash, const statedb::UpdateBatch& updates);

}  // namespace weft::peer::ledger::impl
