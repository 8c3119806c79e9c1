// Small string helpers for the config module. absl::StrCat cannot take std::string_view
// with Debian's abseil (its string_view is its own type), so messages are built here.
// Thread-safety: stateless functions.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace weft::common::config::internal {

template <typename Part>
void AppendPart(std::string* out, const Part& part) {
  if constexpr (std::is_integral_v<Part>) {
    out->append(std::to_string(part));
  } else {
    out->append(std::string_view(part));
  }
}

// Concatenates strings, string views, character arrays and integers.
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (AppendPart(&out, parts), ...);
  return out;
}

template <typename Strings>
std::string Join(const Strings& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.append(separator);
    AppendPart(&out, item);
  }
  return out;
}

inline std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

inline std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace weft::common::config::internal
