// Named loggers handed to components; made by LoggerFactory, never global.
//
// Thread-safety: Logger is thread-safe; its level can change at any time
// (LoggerFactory::SetSpec) while other threads log.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/log/log_spec.h"

namespace weft::common::log {

namespace impl {
class Output;
}  // namespace impl

class Logger {
 public:
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  const std::string& name() const { return name_; }
  LogLevel level() const { return level_.load(std::memory_order_relaxed); }
  bool Enabled(LogLevel level) const { return level >= this->level(); }

  // fmt-style formatting; arguments are only formatted when the level is enabled.
  template <typename... Args>
  void Debug(fmt::format_string<Args...> format, Args&&... args) {
    Log(LogLevel::kDebug, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Info(fmt::format_string<Args...> format, Args&&... args) {
    Log(LogLevel::kInfo, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Warn(fmt::format_string<Args...> format, Args&&... args) {
    Log(LogLevel::kWarn, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Error(fmt::format_string<Args...> format, Args&&... args) {
    Log(LogLevel::kError, format, std::forward<Args>(args)...);
  }

  template <typename... Args>
  void Log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
    if (!Enabled(level)) return;
    Write(level, fmt::format(format, std::forward<Args>(args)...));
  }

  // Writes one already formatted message if `level` is enabled.
  void Write(LogLevel level, std::string_view message);

 private:
  friend class LoggerFactory;
  Logger(std::string name, LogLevel level, std::shared_ptr<impl::Output> output);
  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }

  const std::string name_;
  std::atomic<LogLevel> level_;
  const std::shared_ptr<impl::Output> output_;
};

}  // namespace weft::common::log
