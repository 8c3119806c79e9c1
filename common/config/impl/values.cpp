#include "common/config/values.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

#include "common/config/impl/text.h"

namespace weft::common::config {
namespace {

using internal::Lower;
using internal::Trim;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

[[nodiscard]] Status Expected(std::string_view what, std::string_view text) {
  return absl::InvalidArgumentError(fmt::format("expected {}, got '{}'", what, text));
}

// Reads the leading digits of *text into *value, consuming them. Returns false on overflow.
bool ConsumeDigits(std::string_view* text, uint64_t* value, int* count) {
  *value = 0;
  *count = 0;
  while (!text->empty() && IsDigit(text->front())) {
    uint64_t digit = static_cast<uint64_t>(text->front() - '0');
    if (*value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    *value = *value * 10 + digit;
    ++*count;
    text->remove_prefix(1);
  }
  return true;
}

int64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  // Go accepts both the micro sign (U+00B5) and the Greek mu (U+03BC).
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

}  // namespace

[[nodiscard]] StatusOr<bool> ParseBool(std::string_view text) {
  std::string word = Lower(Trim(text));
  if (word == "true" || word == "t" || word == "1" || word == "yes" || word == "y" ||
      word == "on") {
    return true;
  }
  if (word == "false" || word == "f" || word == "0" || word == "no" || word == "n" ||
      word == "off") {
    return false;
  }
  return Expected("true or false", text);
}

[[nodiscard]] StatusOr<int64_t> ParseInteger(std::string_view text) {
  std::string_view rest = Trim(text);
  bool negative = false;
  if (!rest.empty() && (rest.front() == '+' || rest.front() == '-')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  int digits = 0;
  if (!ConsumeDigits(&rest, &magnitude, &digits) || digits == 0 || !rest.empty()) {
    return Expected("an integer", text);
  }
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (magnitude > limit) return Expected("an integer", text);
  if (negative) return static_cast<int64_t>(0 - magnitude);
  return static_cast<int64_t>(magnitude);
}

[[nodiscard]] StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  constexpr std::string_view kWhat = "a duration such as 10s, 2m or 1h30m";
  std::string_view rest = Trim(text);
  if (!rest.empty() && rest.front() == '+') rest.remove_prefix(1);
  if (rest == "0") return std::chrono::nanoseconds(0);
  if (rest.empty()) return Expected(kWhat, text);

  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t total = 0;
  while (!rest.empty()) {
    uint64_t whole = 0;
    int whole_digits = 0;
    if (!ConsumeDigits(&rest, &whole, &whole_digits)) return Expected(kWhat, text);
    // Fraction digits beyond what fits are dropped, as Go does.
    uint64_t fraction = 0;
    uint64_t scale = 1;
    int fraction_digits = 0;
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      while (!rest.empty() && IsDigit(rest.front())) {
        if (scale <= std::numeric_limits<uint64_t>::max() / 10) {
          fraction = fraction * 10 + static_cast<uint64_t>(rest.front() - '0');
          scale *= 10;
        }
        ++fraction_digits;
        rest.remove_prefix(1);
      }
    }
    if (whole_digits == 0 && fraction_digits == 0) return Expected(kWhat, text);

    size_t unit_length = 0;
    while (unit_length < rest.size() && rest[unit_length] != '.' && !IsDigit(rest[unit_length])) {
      ++unit_length;
    }
    const int64_t unit = UnitNanos(rest.substr(0, unit_length));
    if (unit == 0) return Expected(kWhat, text);
    rest.remove_prefix(unit_length);

    if (whole > static_cast<uint64_t>(kMax / unit)) return Expected(kWhat, text);
    const int64_t whole_part = static_cast<int64_t>(whole) * unit;
    const auto fraction_part =
        static_cast<int64_t>(static_cast<long double>(fraction) * unit / scale);
    if (whole_part > kMax - fraction_part) return Expected(kWhat, text);
    const int64_t part = whole_part + fraction_part;
    if (total > kMax - part) return Expected(kWhat, text);
    total += part;
  }
  return std::chrono::nanoseconds(total);
}

[[nodiscard]] StatusOr<uint64_t> ParseByteSize(std::string_view text) {
  constexpr std::string_view kWhat = "a byte size such as 512 KB, 10 MB or 1048576";
  std::string_view rest = Trim(text);
  uint64_t number = 0;
  int digits = 0;
  if (!ConsumeDigits(&rest, &number, &digits) || digits == 0) return Expected(kWhat, text);
  std::string unit = Lower(Trim(rest));
  if (!unit.empty() && unit.back() == 'b' && unit.size() == 2) unit.pop_back();
  int shift = 0;
  if (unit == "k") {
    shift = 10;
  } else if (unit == "m") {
    shift = 20;
  } else if (unit == "g") {
    shift = 30;
  } else if (!unit.empty()) {
    return Expected(kWhat, text);
  }
  if (number > (std::numeric_limits<uint64_t>::max() >> shift)) return Expected(kWhat, text);
  return number << shift;
}

std::vector<std::string> ParseList(std::string_view text) {
  std::string_view rest = Trim(text);
  if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']') {
    rest = rest.substr(1, rest.size() - 2);
  }
  std::vector<std::string> items;
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace weft::common::config
