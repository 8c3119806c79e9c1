// Byte encodings of the peer ledger's LevelDB keys and values and of the
// commit-hash input (documented in peer/ledger/FORMAT.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "peer/ledger/versioned_db.h"

namespace weft::peer::ledger::impl {

void AppendU32(std::string& out, uint32_t value);
void AppendU64(std::string& out, uint64_t value);
uint64_t ReadU64(std::string_view bytes);

// ns + 0x00 + key.
std::string StateKey(std::string_view ns, std::string_view key);
// u64 block | u64 tx | u32 metadata length | metadata | value.
std::string EncodeStateValue(const VersionedValue& value);
std::optional<VersionedValue> DecodeStateValue(std::string_view bytes);

// ns + 0x00 + u32 key length + key: every history entry of one key.
std::string HistoryKeyPrefix(std::string_view ns, std::string_view key);
// HistoryKeyPrefix + u64 block + u64 tx.
std::string HistoryKey(std::string_view ns, std::string_view key, Version version);

// The canonical byte string of a block's updates hashed into COMMIT_HASH.
std::string CanonicalUpdateBytes(const UpdateBatch& batch);

}  // namespace weft::peer::ledger::impl
