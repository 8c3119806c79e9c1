// Fixed-width big-endian integers, u32-length-prefixed byte strings and
// savepoints: the
// building blocks of the peer ledger's LevelDB keys and values (statedb and
// history FORMAT.md) and of the COMMIT_HASH input. Kept here, in the lowest
// peer ledger module, so every ledger encoding uses the same code.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/ledger/kvstore/leveldb_store.h"
#include "common/status/status.h"

namespace weft::peer::ledger::statedb {

void AppendU32(std::string& out, uint32_t value);
void AppendU64(std::string& out, uint64_t value);
// u32 length, then the bytes.
void AppendLengthPrefixed(std::string& out, std::string_view bytes);

// REQUIRES: `bytes` holds at least 4 (8) bytes; the first ones are read.
uint32_t ReadU32(std::string_view bytes);
uint64_t ReadU64(std::string_view bytes);

// A savepoint (u64 number of blocks a database reflects) stored under `key`
// of `view`: staged into `batch`, and read back (nullopt when absent,
// DataLoss naming `database` and the store when it is not 8 bytes).
void StageSavepoint(const common::ledger::kvstore::Namespace& view, std::string_view key,
                    uint64_t savepoint, common::ledger::kvstore::WriteBatch& batch);
[[nodiscard]] StatusOr<std::optional<uint64_t>> ReadSavepoint(
    const common::ledger::kvstore::LevelDbStore& store,
    const common::ledger::kvstore::Namespace& view, std::string_view key,
    std::string_view database);

}  // namespace weft::peer::ledger::statedb
