// Fixed-width big-endian integers and u32-length-prefixed byte strings: the
// building blocks of the peer ledger's LevelDB keys and values (statedb and
// history FORMAT.md) and of the COMMIT_HASH input. Kept here, in the lowest
// peer ledger module, so every ledger encoding uses the same code.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace weft::peer::ledger::statedb {

void AppendU32(std::string& out, uint32_t value);
void AppendU64(std::string& out, uint64_t value);
// u32 length, then the bytes.
void AppendLengthPrefixed(std::string& out, std::string_view bytes);

// REQUIRES: `bytes` holds at least 4 (8) bytes; the first ones are read.
uint32_t ReadU32(std::string_view bytes);
uint64_t ReadU64(std::string_view bytes);

}  // namespace weft::peer::ledger::statedb
