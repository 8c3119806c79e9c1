#include "common/ledger/blockstore/impl/index_codec.h"

#include "absl/strings/str_cat.h"

namespace weft::common::ledger::blockstore {
namespace {

constexpr char kBlockNumberPrefix = 'n';
constexpr char kBlockHashPrefix = 'h';
constexpr char kTxIdPrefix = 't';
constexpr char kCheckpointName[] = "checkpoint";

void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xffu));
}

// Reads `bytes` big-endian bytes from the front of `in` and drops them.
uint64_t TakeBigEndian(std::string_view& in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  in.remove_prefix(bytes);
  return value;
}

[[nodiscard]] Status WrongSize(std::string_view what, std::string_view value,
                               std::size_t expected) {
  return absl::DataLossError(absl::StrCat("block index ",
                                          absl::string_view(what.data(), what.size()),
                                          " entry has ", value.size(), " bytes, want ", expected));
}

std::string Prefixed(char prefix, std::string_view rest) {
  std::string key(1, prefix);
  key.append(rest);
  return key;
}

}  // namespace

std::string BlockNumberKey(uint64_t number) {
  std::string key(1, kBlockNumberPrefix);
  PutBigEndian(key, number, 8);
  return key;
}

std::string BlockHashKey(std::string_view header_hash) {
  return Prefixed(kBlockHashPrefix, header_hash);
}

std::string TxIdKey(std::string_view tx_id) { return Prefixed(kTxIdPrefix, tx_id); }

std::string CheckpointKey() { return kCheckpointName; }

std::string EncodeLocation(const BlockLocation& location) {
  std::string out;
  PutBigEndian(out, location.segment, 4);
  PutBigEndian(out, location.offset, 8);
  PutBigEndian(out, location.length, 8);
  return out;
}

[[nodiscard]] StatusOr<BlockLocation> DecodeLocation(std::string_view value) {
  if (value.size() != 20) return WrongSize("block location", value, 20);
  BlockLocation location;
  location.segment = static_cast<uint32_t>(TakeBigEndian(value, 4));
  location.offset = TakeBigEndian(value, 8);
  location.length = TakeBigEndian(value, 8);
  return location;
}

std::string EncodeNumber(uint64_t number) {
  std::string out;
  PutBigEndian(out, number, 8);
  return out;
}

[[nodiscard]] StatusOr<uint64_t> DecodeNumber(std::string_view value) {
  if (value.size() != 8) return WrongSize("block number", value, 8);
  return TakeBigEndian(value, 8);
}

std::string EncodeTxLocation(const TxLocation& location) {
  std::string out;
  PutBigEndian(out, location.block_number, 8);
  PutBigEndian(out, location.tx_index, 4);
  PutBigEndian(out, location.validation_code, 1);
  return out;
}

[[nodiscard]] StatusOr<TxLocation> DecodeTxLocation(std::string_view value) {
  if (value.size() != 13) return WrongSize("transaction", value, 13);
  TxLocation location;
  location.block_number = TakeBigEndian(value, 8);
  location.tx_index = static_cast<uint32_t>(TakeBigEndian(value, 4));
  location.validation_code = static_cast<uint8_t>(TakeBigEndian(value, 1));
  return location;
}

std::string EncodeCheckpoint(const Checkpoint& checkpoint) {
  std::string out;
  PutBigEndian(out, checkpoint.height, 8);
  PutBigEndian(out, checkpoint.segment, 4);
  PutBigEndian(out, checkpoint.end_offset, 8);
  return out;
}

[[nodiscard]] StatusOr<Checkpoint> DecodeCheckpoint(std::string_view value) {
  if (value.size() != 20) return WrongSize("checkpoint", value, 20);
  Checkpoint checkpoint;
  checkpoint.height = TakeBigEndian(value, 8);
  checkpoint.segment = static_cast<uint32_t>(TakeBigEndian(value, 4));
  checkpoint.end_offset = TakeBigEndian(value, 8);
  return checkpoint;
}

}  // namespace weft::common::ledger::blockstore
