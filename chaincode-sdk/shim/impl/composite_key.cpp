#include "chaincode-sdk/shim/composite_key.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace weft::chaincode_sdk::shim {
namespace {

// Decodes one UTF-8 sequence at s[i]; false when it is not valid UTF-8 (overlong
// forms, surrogates and values past U+10FFFF included, as Go's utf8.ValidString).
bool NextRune(std::string_view s, size_t& i, uint32_t& rune) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  size_t length;
  uint32_t min;
  if (b0 < 0x80) {
    rune = b0;
    ++i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2, rune = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, rune = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, rune = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (i + length > s.size()) return false;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return false;
    rune = (rune << 6) | (byte(i + k) & 0x3F);
  }
  if (rune < min || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) return false;
  i += length;
  return true;
}

// Fabric's validateCompositeKeyAttribute: valid UTF-8 without U+0000 or U+10FFFF.
[[nodiscard]] absl::Status ValidateAttribute(std::string_view attribute) {
  for (size_t i = 0; i < attribute.size();) {
    size_t start = i;
    uint32_t rune;
    if (!NextRune(attribute, i, rune)) {
      std::string hex;
      for (char c : attribute) absl::StrAppend(&hex, absl::StrFormat("%02x", c & 0xFF));
      return absl::InvalidArgumentError(absl::StrCat("not a valid utf8 string: [", hex, "]"));
    }
    if (rune == 0 || rune == 0x10FFFF) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "input contains unicode U+%04X starting at position [%d]. U+0000 and U+10FFFF are "
          "not allowed in the input attribute of a composite key",
          rune, start));
    }
  }
  return absl::OkStatus();
}

}  // namespace

[[nodiscard]] absl::StatusOr<std::string> CreateCompositeKey(
    std::string_view object_type, const std::vector<std::string>& attributes) {
  if (absl::Status status = ValidateAttribute(object_type); !status.ok()) return status;
  std::string key(1, '\0');
  key.append(object_type);
  key.push_back('\0');
  for (const std::string& attribute : attributes) {
    if (absl::Status status = ValidateAttribute(attribute); !status.ok()) return status;
    absl::StrAppend(&key, attribute);
    key.push_back('\0');
  }
  return key;
}

[[nodiscard]] absl::StatusOr<CompositeKeyParts> SplitCompositeKey(std::string_view composite_key) {
  if (composite_key.size() < 2 || composite_key.front() != '\0' || composite_key.back() != '\0') {
    return absl::InvalidArgumentError(
        "not a composite key: it must start and end with U+0000 (made by CreateCompositeKey)");
  }
  std::vector<std::string> components;
  size_t begin = 1;
  for (size_t i = 1; i < composite_key.size(); ++i) {
    if (composite_key[i] == '\0') {
      components.emplace_back(composite_key.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  CompositeKeyParts parts;
  parts.object_type = std::move(components.front());
  parts.attributes.assign(std::make_move_iterator(components.begin() + 1),
                          std::make_move_iterator(components.end()));
  return parts;
}

}  // namespace weft::chaincode_sdk::shim
