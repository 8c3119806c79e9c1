// Fabric's composite keys (fabric-chaincode-go shim/stub.go CreateCompositeKey,
// splitCompositeKey): U+0000, the object type, then each attribute, every part
// followed by U+0000. Parts must be valid UTF-8 without U+0000 or U+10FFFF.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace weft::chaincode_sdk::shim {

// U+10FFFF in UTF-8: the end of a partial composite key range.
inline constexpr std::string_view kMaxUnicodeRune = "\xF4\x8F\xBF\xBF";

struct CompositeKeyParts {
  std::string object_type;
  std::vector<std::string> attributes;
};

[[nodiscard]] absl::StatusOr<std::string> CreateCompositeKey(
    std::string_view object_type, const std::vector<std::string>& attributes);

// The object type and attributes of a key made by CreateCompositeKey; an error
// when `composite_key` does not start with U+0000 or is not terminated by one.
[[nodiscard]] absl::StatusOr<CompositeKeyParts> SplitCompositeKey(std::string_view composite_key);

}  // namespace weft::chaincode_sdk::shim
