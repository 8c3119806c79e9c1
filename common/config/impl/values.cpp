#include "common/config/values.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/time.h"
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

// absl::ParseDuration reads Go's syntax except the micro sign; Go accepts both the micro
// sign (U+00B5) and the Greek mu (U+03BC) for "us".
std::string WithAsciiMicros(std::string_view text) {
  std::string out(text);
  for (std::string_view micro : {"\xC2\xB5s", "\xCE\xBCs"}) {
    for (size_t at = out.find(micro); at != std::string::npos; at = out.find(micro, at)) {
      out.replace(at, micro.size(), "us");
    }
  }
  return out;
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
  const std::string go_text = WithAsciiMicros(Trim(text));
  absl::Duration duration;
  // absl also reads "inf" and negative durations; no setting means anything with them, and
  // a std::chrono::nanoseconds holds at most int64 nanoseconds, as Go's time.Duration.
  if (go_text.empty() || go_text.front() == '-' ||
      !absl::ParseDuration(absl::string_view(go_text.data(), go_text.size()), &duration) ||
      duration > absl::Nanoseconds(std::numeric_limits<int64_t>::max())) {
    return Expected(kWhat, text);
  }
  return absl::ToChronoNanoseconds(duration);
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
