// Creates the peer's history DB. The composition root (today peer/ledger's
// PeerLedger, which owns the channel's LevelDB and block store) calls this;
// no one else names the implementation.
// Thread-safety: stateless function; the HistoryDb it returns is thread-safe.
#pragma once

#include <memory>

#include "common/ledger/blockstore/block_store.h"
#include "common/ledger/kvstore/leveldb_store.h"
#include "peer/ledger/history/history_db.h"

namespace weft::peer::ledger::history {

// The history DB kept in `store` under the view "history" (FORMAT.md), which
// reads values back from `blocks`. Both must outlive the result.
std::unique_ptr<HistoryDb> NewLevelDbHistoryDb(
    common::ledger::kvstore::LevelDbStore& store,
    const common::ledger::blockstore::BlockStore& blocks);

}  // namespace weft::peer::ledger::history
