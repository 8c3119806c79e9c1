// CRC-32C (Castagnoli), the checksum of block file records.
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace weft::common::ledger::blockstore {

// Extends `crc` (the CRC of earlier bytes, 0 to start) over `data`.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

}  // namespace weft::common::ledger::blockstore
