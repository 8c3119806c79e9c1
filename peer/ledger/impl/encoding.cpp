#include "peer/ledger/impl/encoding.h"

namespace weft::peer::ledger::impl {
namespace {

constexpr std::size_t kValueHeaderSize = 8 + 8 + 4;

uint32_t ReadU32(std::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

void AppendBytes(std::string& out, std::string_view bytes) {
  AppendU32(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

}  // namespace

void AppendU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void AppendU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t ReadU64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string StateKey(std::string_view ns, std::string_view key) {
  std::string out;
  out.reserve(ns.size() + 1 + key.size());
  out.append(ns);
  out.push_back('\0');
  out.append(key);
  return out;
}

std::string EncodeStateValue(const VersionedValue& value) {
  std::string out;
  out.reserve(kValueHeaderSize + value.metadata.size() + value.value.size());
  AppendU64(out, value.version.block_num);
  AppendU64(out, value.version.tx_num);
  AppendBytes(out, value.metadata);
  out.append(value.value);
  return out;
}

std::optional<VersionedValue> DecodeStateValue(std::string_view bytes) {
  if (bytes.size() < kValueHeaderSize) return std::nullopt;
  VersionedValue value;
  value.version.block_num = ReadU64(bytes);
  value.version.tx_num = ReadU64(bytes.substr(8));
  uint32_t metadata_size = ReadU32(bytes.substr(16));
  bytes.remove_prefix(kValueHeaderSize);
  if (bytes.size() < metadata_size) return std::nullopt;
  value.metadata = std::string(bytes.substr(0, metadata_size));
  value.value = std::string(bytes.substr(metadata_size));
  return value;
}

std::string HistoryKeyPrefix(std::string_view ns, std::string_view key) {
  std::string out(ns);
  out.push_back('\0');
  AppendBytes(out, key);
  return out;
}

std::string HistoryKey(std::string_view ns, std::string_view key, Version version) {
  std::string out = HistoryKeyPrefix(ns, key);
  AppendU64(out, version.block_num);
  AppendU64(out, version.tx_num);
  return out;
}

std::string CanonicalUpdateBytes(const UpdateBatch& batch) {
  std::string out;
  for (const auto& [ns, keys] : batch.updates()) {
    for (const auto& [key, update] : keys) {
      AppendBytes(out, ns);
      AppendBytes(out, key);
      out.push_back(update.is_delete ? '\1' : '\0');
      AppendU64(out, update.value.version.block_num);
      AppendU64(out, update.value.version.tx_num);
      AppendBytes(out, update.is_delete ? std::string_view() : update.value.value);
      AppendBytes(out, update.is_delete ? std::string_view() : update.value.metadata);
    }
  }
  return out;
}

}  // namespace weft::peer::ledger::impl
