#include "peer/ledger/statedb/encoding.h"

#include "absl/strings/str_cat.h"

namespace weft::peer::ledger::statedb {
namespace {

template <typename T>
void AppendBigEndian(std::string& out, T value) {
  for (int shift = 8 * (sizeof(T) - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(value >> shift));
  }
}

template <typename T>
T ReadBigEndian(std::string_view bytes) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

}  // namespace

void AppendU32(std::string& out, uint32_t value) { AppendBigEndian(out, value); }

void AppendU64(std::string& out, uint64_t value) { AppendBigEndian(out, value); }

void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  AppendU32(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

uint32_t ReadU32(std::string_view bytes) { return ReadBigEndian<uint32_t>(bytes); }

uint64_t ReadU64(std::string_view bytes) { return ReadBigEndian<uint64_t>(bytes); }

void StageSavepoint(const common::ledger::kvstore::Namespace& view, std::string_view key,
                    uint64_t savepoint, common::ledger::kvstore::WriteBatch& batch) {
  std::string bytes;
  AppendU64(bytes, savepoint);
  view.Put(batch, key, bytes);
}

[[nodiscard]] StatusOr<std::optional<uint64_t>> ReadSavepoint(
    const common::ledger::kvstore::LevelDbStore& store,
    const common::ledger::kvstore::Namespace& view, std::string_view key,
    std::string_view database) {
  auto bytes = view.Get(key);
  if (absl::IsNotFound(bytes.status())) return std::optional<uint64_t>();
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != 8) {
    return absl::DataLossError(absl::StrCat(std::string(database), " savepoint in ", store.path(),
                                            " is corrupt (", bytes->size(),
                                            " bytes instead of 8)"));
  }
  return std::optional<uint64_t>(ReadU64(*bytes));
}

}  // namespace weft::peer::ledger::statedb
