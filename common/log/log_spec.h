// Fabric's logging specification: which level each named logger logs at.
//
// Syntax (Fabric flogging): colon-separated terms. A term without '=' sets the
// default level; "a,b=level" sets the level of loggers a and b. A logger takes
// the level of the most specific spec name that is a '.'-bounded prefix of its
// own name ("peer" covers "peer.endorser"); a spec name ending in '.' matches
// that exact logger only. Examples: "info", "warn:peer.endorser=debug",
// "info:peer.endorser,peer.gossip=debug:orderer=error".
//
// Thread-safety: LogSpec is a value type; const methods may be called
// concurrently.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::log {

// Ordered by severity so `level >= threshold` decides whether to log.
enum class LogLevel { kDebug = 0, kInfo, kWarn, kError, kPanic, kFatal };

// Accepts debug, info, warn, warning, error, panic, dpanic, fatal in any case.
[[nodiscard]] StatusOr<LogLevel> ParseLogLevel(std::string_view name);
// Lower-case name as written in specs: "debug", "info", "warn", ...
std::string_view LogLevelName(LogLevel level);

class LogSpec {
 public:
  // The empty spec: everything at info, like Fabric's default.
  LogSpec() = default;

  // Fails with InvalidArgument naming the offending term.
  [[nodiscard]] static StatusOr<LogSpec> Parse(std::string_view spec);

  LogLevel LevelFor(std::string_view logger_name) const;
  LogLevel default_level() const { return default_level_; }

  // Canonical form, Fabric-style: "name=level" terms sorted, default last,
  // e.g. "orderer=error:peer.endorser=debug:info". Parse(ToString()) round-trips.
  std::string ToString() const;

 private:
  LogLevel default_level_ = LogLevel::kInfo;
  std::map<std::string, LogLevel, std::less<>> levels_;
};

}  // namespace weft::common::log
