#include "common/protoutil/block.h"

#include <fmt/format.h>

#include "common/crypto/hash.h"
#include "common/protoutil/serialize.h"

namespace weft::common::protoutil {
namespace {

constexpr char kDerInteger = 0x02;
constexpr char kDerOctetString = 0x04;
constexpr char kDerSequence = 0x30;

// Tag, DER length (short form below 128, else 0x80|n followed by n bytes),
// then the content.
void AppendTlv(std::string& out, char tag, std::string_view content) {
  out.push_back(tag);
  size_t length = content.size();
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
  } else {
    std::string bytes;
    for (; length > 0; length >>= 8) bytes.insert(bytes.begin(), static_cast<char>(length & 0xff));
    out.push_back(static_cast<char>(0x80 | bytes.size()));
    out += bytes;
  }
  out.append(content);
}

// Minimal two's-complement big-endian, as Go's big.Int marshals a
// non-negative value: 0 -> 00, 128 -> 00 80.
std::string IntegerContent(uint64_t value) {
  std::string bytes;
  do {
    bytes.insert(bytes.begin(), static_cast<char>(value & 0xff));
    value >>= 8;
  } while (value > 0);
  if (static_cast<unsigned char>(bytes[0]) & 0x80) bytes.insert(bytes.begin(), '\0');
  return bytes;
}

}  // namespace

std::string BlockHeaderBytes(const ::common::BlockHeader& header) {
  std::string content;
  AppendTlv(content, kDerInteger, IntegerContent(header.number()));
  AppendTlv(content, kDerOctetString, header.previous_hash());
  AppendTlv(content, kDerOctetString, header.data_hash());
  std::string out;
  AppendTlv(out, kDerSequence, content);
  return out;
}

std::string BlockHeaderHash(const ::common::BlockHeader& header) {
  return crypto::Sha256(BlockHeaderBytes(header));
}

std::string BlockDataHash(const ::common::BlockData& data) {
  crypto::Sha256Hasher hasher;
  for (const std::string& entry : data.data()) hasher.Update(entry);
  return hasher.Finish();
}

::common::Block NewBlock(uint64_t number, std::string previous_hash) {
  ::common::Block block;
  block.mutable_header()->set_number(number);
  block.mutable_header()->set_previous_hash(std::move(previous_hash));
  block.mutable_data();
  for (int i = 0; i < kBlockMetadataSlots; ++i) block.mutable_metadata()->add_metadata();
  return block;
}

std::string BlockSignatureInput(std::string_view metadata_value, std::string_view signature_header,
                                const ::common::BlockHeader& header) {
  std::string out(metadata_value);
  out.append(signature_header);
  out += BlockHeaderBytes(header);
  return out;
}

[[nodiscard]] StatusOr<::common::OrdererBlockMetadata> ReadOrdererBlockMetadata(
    const ::common::Block& block) {
  const auto& slots = block.metadata().metadata();
  if (slots.size() > ::common::SIGNATURES && !slots[::common::SIGNATURES].empty()) {
    WEFT_ASSIGN_OR_RETURN(auto signatures, ParseMessage<::common::Metadata>(
                                               slots[::common::SIGNATURES], "SIGNATURES metadata"));
    if (!signatures.value().empty()) {
      return ParseMessage<::common::OrdererBlockMetadata>(signatures.value(),
                                                          "SIGNATURES metadata value");
    }
  }
  ::common::OrdererBlockMetadata result;
  if (slots.size() > kLastConfigMetadataIndex && !slots[kLastConfigMetadataIndex].empty()) {
    WEFT_ASSIGN_OR_RETURN(
        auto metadata,
        ParseMessage<::common::Metadata>(slots[kLastConfigMetadataIndex], "LAST_CONFIG metadata"));
    WEFT_ASSIGN_OR_RETURN(
        *result.mutable_last_config(),
        ParseMessage<::common::LastConfig>(metadata.value(), "LAST_CONFIG metadata value"));
    return result;
  }
  if (block.header().number() == 0) return result;
  return absl::InvalidArgumentError(
      fmt::format("block {} carries no last config index", block.header().number()));
}

}  // namespace weft::common::protoutil
