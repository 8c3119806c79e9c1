// Makes named module loggers ("peer.endorser", "orderer.consensus.kafka") that
// share one output and follow one LogSpec. One factory per process is created
// in the composition root and passed to whoever needs loggers.
//
// Output lines look like Fabric's:
//   2026-11-22 10:00:00.000 UTC 0001 INFO [peer.endorser] message
// (UTC time, per-factory sequence number in hex, level, logger name).
//
// Thread-safety: LoggerFactory is thread-safe.
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/log/log_spec.h"
#include "common/log/logger.h"
#include "common/status/status.h"

namespace weft::common::log {

class LoggerFactory {
 public:
  // Writes to stderr.
  explicit LoggerFactory(LogSpec spec = {});
  // Writes to `out`, which must outlive the factory and every logger it made.
  explicit LoggerFactory(std::ostream& out, LogSpec spec = {});
  ~LoggerFactory();
  LoggerFactory(const LoggerFactory&) = delete;
  LoggerFactory& operator=(const LoggerFactory&) = delete;

  // The same name always yields the same logger. Loggers stay valid after the
  // factory is gone (they keep the output alive) but no longer follow SetSpec.
  std::shared_ptr<Logger> Get(std::string_view name);

  // Parses `spec` and re-levels every existing logger. On a parse error the
  // current spec stays active and the error names the bad term.
  [[nodiscard]] Status SetSpec(std::string_view spec);
  void SetSpec(const LogSpec& spec);
  // Canonical text of the active spec (LogSpec::ToString).
  std::string Spec() const;

 private:
  const std::shared_ptr<impl::Output> output_;
  mutable std::mutex mu_;
  LogSpec spec_;                                                         // guarded by mu_
  std::map<std::string, std::shared_ptr<Logger>, std::less<>> loggers_;  // guarded by mu_
};

}  // namespace weft::common::log
