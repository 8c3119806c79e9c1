#include "peer/ledger/composite_key.h"

#include "absl/strings/str_cat.h"

namespace weft::peer::ledger {
namespace {

// Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<uint8_t>(text[i]);
    std::size_t extra;
    uint32_t code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

[[nodiscard]] Status CheckPart(std::string_view part) {
  if (!IsUtf8(part)) {
    return absl::InvalidArgumentError(
        absl::StrCat("composite key part \"", std::string(part), "\" is not valid UTF-8"));
  }
  if (part.find('\0') != std::string_view::npos ||
      part.find(kMaxUnicodeRune) != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("composite key part \"", std::string(part), "\" contains 0x00 or U+10FFFF"));
  }
  return absl::OkStatus();
}

}  // namespace

[[nodiscard]] StatusOr<std::string> CreateCompositeKey(std::string_view object_type,
                                                       const std::vector<std::string>& attributes) {
  WEFT_RETURN_IF_ERROR(CheckPart(object_type));
  std::string key(1, '\0');
  key.append(object_type);
  key.push_back('\0');
  for (const auto& attribute : attributes) {
    WEFT_RETURN_IF_ERROR(CheckPart(attribute));
    key.append(attribute);
    key.push_back('\0');
  }
  return key;
}

[[nodiscard]] StatusOr<std::pair<std::string, std::vector<std::string>>> SplitCompositeKey(
    std::string_view composite_key) {
  if (composite_key.size() < 2 || composite_key.front() != '\0' || composite_key.back() != '\0') {
    return absl::InvalidArgumentError(
        absl::StrCat("key \"", std::string(composite_key), "\" is not a composite key"));
  }
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start < composite_key.size()) {
    std::size_t end = composite_key.find('\0', start);
    parts.emplace_back(composite_key.substr(start, end - start));
    start = end + 1;
  }
  std::string object_type = std::move(parts.front());
  parts.erase(parts.begin());
  return std::make_pair(std::move(object_type), std::move(parts));
}

}  // namespace weft::peer::ledger
