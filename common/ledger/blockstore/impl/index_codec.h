// Keys and values of the block index (layout in FORMAT.md). Integers are
// fixed-width big-endian so block-number keys sort numerically.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/ledger/blockstore/block_store.h"
#include "common/status/status.h"

namespace weft::common::ledger::blockstore {

// Where one block's record lives.
struct BlockLocation {
  uint32_t segment = 0;
  uint64_t offset = 0;  // of the record header
  uint64_t length = 0;  // of the block bytes
};

// Everything up to `height` is indexed; the files end at (segment, end_offset).
struct Checkpoint {
  uint64_t height = 0;
  uint32_t segment = 0;
  uint64_t end_offset = 0;
};

std::string BlockNumberKey(uint64_t number);
std::string BlockHashKey(std::string_view header_hash);
std::string TxIdKey(std::string_view tx_id);
std::string CheckpointKey();

std::string EncodeLocation(const BlockLocation& location);
[[nodiscard]] StatusOr<BlockLocation> DecodeLocation(std::string_view value);
std::string EncodeNumber(uint64_t number);
[[nodiscard]] StatusOr<uint64_t> DecodeNumber(std::string_view value);
std::string EncodeTxLocation(const TxLocation& location);
[[nodiscard]] StatusOr<TxLocation> DecodeTxLocation(std::string_view value);
std::string EncodeCheckpoint(const Checkpoint& checkpoint);
[[nodiscard]] StatusOr<Checkpoint> DecodeCheckpoint(std::string_view value);

}  // namespace weft::common::ledger::blockstore
