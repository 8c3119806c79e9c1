#include "common/log/log_spec.h"

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"

namespace weft::common::log {
namespace {

// absl::StrSplit yields absl::string_view, which is not std::string_view in Debian's abseil.
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool IsLoggerNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Fabric's rule: dot-separated, non-empty segments of [A-Za-z0-9_-].
bool IsValidLoggerName(std::string_view name) {
  if (name.empty()) return false;
  for (std::string_view segment : Split(name, '.')) {
    if (segment.empty()) return false;
    for (char c : segment) {
      if (!IsLoggerNameChar(c)) return false;
    }
  }
  return true;
}

[[nodiscard]] Status BadTerm(std::string_view spec, std::string_view term, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid logging specification '",
                                                 std::string(spec), "': bad segment '",
                                                 std::string(term), "': ", std::string(why)));
}

}  // namespace

[[nodiscard]] StatusOr<LogLevel> ParseLogLevel(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  if (lower == "panic" || lower == "dpanic") return LogLevel::kPanic;
  if (lower == "fatal") return LogLevel::kFatal;
  return absl::InvalidArgumentError(absl::StrCat("unknown log level '", std::string(name), "'"));
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kPanic:
      return "panic";
    case LogLevel::kFatal:
      return "fatal";
  }
  return "unknown";
}

StatusOr<LogSpec> LogSpec::Parse(std::string_view spec) {
  LogSpec result;
  for (std::string_view term : Split(spec, ':')) {
    const std::vector<std::string_view> parts = Split(term, '=');
    if (parts.size() == 1) {
      if (term.empty()) continue;  // Fabric tolerates empty terms ("info:").
      auto level = ParseLogLevel(term);
      if (!level.ok()) return BadTerm(spec, term, "unknown level");
      result.default_level_ = *level;
      continue;
    }
    if (parts.size() != 2) return BadTerm(spec, term, "more than one '='");
    if (parts[0].empty()) return BadTerm(spec, term, "no logger names");
    if (parts[1].empty()) return BadTerm(spec, term, "no level");
    auto level = ParseLogLevel(parts[1]);
    if (!level.ok()) return BadTerm(spec, term, "unknown level");
    for (std::string_view name : Split(parts[0], ',')) {
      std::string_view bare = name;
      if (!bare.empty() && bare.back() == '.') bare.remove_suffix(1);
      if (!IsValidLoggerName(bare)) {
        return BadTerm(spec, term, absl::StrCat("invalid logger name '", std::string(name), "'"));
      }
      result.levels_[std::string(name)] = *level;
    }
  }
  return result;
}

LogLevel LogSpec::LevelFor(std::string_view logger_name) const {
  // Try "a.b.c." (exact match form), then "a.b.c", "a.b", "a".
  std::string candidate = std::string(logger_name) + ".";
  while (true) {
    if (auto it = levels_.find(candidate); it != levels_.end()) return it->second;
    const size_t dot = candidate.rfind('.');
    if (dot == std::string::npos || dot == 0) return default_level_;
    candidate.resize(dot);
  }
}

std::string LogSpec::ToString() const {
  std::vector<std::string> terms;
  for (const auto& [name, level] : levels_) {
    terms.push_back(absl::StrCat(name, "=", std::string(LogLevelName(level))));
  }
  terms.push_back(std::string(LogLevelName(default_level_)));
  return absl::StrJoin(terms, ":");
}

}  // namespace weft::common::log
