// Parsers for the value syntaxes Fabric accepts in core.yaml and orderer.yaml, shared by
// the YAML reader and environment overrides so both sources follow the same rules.
// Errors are InvalidArgument and read "expected <what>, got '<text>'", ready to be
// prefixed with the file and key by the caller.
// Thread-safety: stateless functions, safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"

namespace weft::common::config {

// true/false in any letter case, plus the spellings Go's strconv.ParseBool and YAML 1.1
// accept (1/0, t/f, yes/no, on/off).
[[nodiscard]] StatusOr<bool> ParseBool(std::string_view text);

// A base-10 integer with an optional sign; anything else (fractions, trailing text,
// overflow of int64) is an error.
[[nodiscard]] StatusOr<int64_t> ParseInteger(std::string_view text);

// Go's time.ParseDuration syntax (read by absl::ParseDuration): a sequence of decimal
// numbers with units ns, us (or µs), ms, s, m, h, e.g. "10s", "1.5h", "1h30m", "500ms";
// "0" needs no unit. Negative and infinite values are rejected because no setting means
// anything with them, and so are values beyond int64 nanoseconds, as in Go.
[[nodiscard]] StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// Fabric's byte sizes: a plain number of bytes ("1048576") or a number followed by K, M or
// G with an optional B, in any case, with optional spaces ("512 KB", "10 MB", "2g").
// Units are powers of 1024 as in Fabric.
[[nodiscard]] StatusOr<uint64_t> ParseByteSize(std::string_view text);

// Fabric's list syntax for a single string: "[a, b]" or "a,b"; items are trimmed and empty
// items dropped, so "" and "[]" are the empty list.
std::vector<std::string> ParseList(std::string_view text);

}  // namespace weft::common::config
