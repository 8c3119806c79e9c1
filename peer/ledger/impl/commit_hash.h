// Fabric's COMMIT_HASH rule (kv_ledger.go addBlockCommitHash and
// txmgr/update_batch_bytes.go; FORMAT.md):
//   H_n = SHA-256( varint(len(filter)) || filter || U_n || H_{n-1} )
// where U_n is the deterministic bytes of block n's update batch.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "peer/ledger/statedb/state_db.h"

namespace weft::peer::ledger::impl {

// Fabric's version bytes: order-preserving varint of block_num, then of tx_num.
std::string VersionBytes(statedb::Version version);

// U_n: the bytes of a txmgr.Updates{repeated KVWrite kvwrites = 1} message
// (KVWrite: namespace 1, collection 2, key 3, is_delete 4, value 5,
// version_bytes 6) holding every update of `updates`, namespaces then keys
// ascending, namespace "" (the channel config) skipped, in each namespace the
// public writes then each collection's hashed writes (collections ascending),
// the namespace (collection) set only on the first write of each namespace
// (collection), metadata left out.
std::string UpdateBatchBytes(const statedb::UpdateBatch& updates);

// Whether block `block_num` gets a COMMIT_HASH: Fabric adds one to block 1
// and to every block after one that has a hash (never to block 0).
bool HasCommitHash(uint64_t block_num, std::string_view previous_hash);

// H_n from the block's TRANSACTIONS_FILTER bytes, its updates and H_{n-1}.
std::string NextCommitHash(std::string_view filter, const statedb::UpdateBatch& updates,
                           std::string_view previous_hash);

}  // namespace weft::peer::ledger::impl
