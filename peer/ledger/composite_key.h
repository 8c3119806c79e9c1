// Fabric's composite keys: 0x00 + objectType + 0x00 + (attribute + 0x00)*.
// A partial key (type and leading attributes) selects every key beginning with
// it, scanned as [partial, partial + U+10FFFF).
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status/status.h"

namespace weft::peer::ledger {

// U+10FFFF in UTF-8, the largest code point: the end of a partial-key scan.
inline constexpr std::string_view kMaxUnicodeRune = "\xF4\x8F\xBF\xBF";

// InvalidArgument when a part contains 0x00 or U+10FFFF, or is not UTF-8
// (a composite key must stay inside its own scan range).
[[nodiscard]] StatusOr<std::string> CreateCompositeKey(std::string_view object_type,
                                                       const std::vector<std::string>& attributes);

// (objectType, attributes); InvalidArgument for a key that is not composite.
[[nodiscard]] StatusOr<std::pair<std::string, std::vector<std::string>>> SplitCompositeKey(
    std::string_view composite_key);

}  // namespace weft::peer::ledger
