// Creates the peer's state database. The composition root (today
// peer/ledger's PeerLedger, which owns the channel's LevelDB) calls this; no
// one else names the implementation.
// Thread-safety: stateless function; the StateDb it returns is thread-safe.
#pragma once

#include <memory>

#include "common/ledger/kvstore/leveldb_store.h"
#include "peer/ledger/statedb/state_db.h"

namespace weft::peer::ledger::statedb {

// The state DB kept in `store` under the views "state" and "meta"
// (FORMAT.md). `store` must outlive the result; other views of it (history)
// can join the same WriteBatch through StageUpdates. With `sync_writes`,
// ApplyUpdates fsyncs before returning.
std::unique_ptr<StateDb> NewLevelDbStateDb(common::ledger::kvstore::LevelDbStore& store,
                                           bool sync_writes);

}  // namespace weft::peer::ledger::statedb
