// The one place spdlog is used: a shared, mutex-protected sink plus the line
// format. Private to common/log.
#pragma once

#include <spdlog/sinks/sink.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/log/log_spec.h"

namespace weft::common::log::impl {

// Thread-safe: spdlog's *_mt sinks lock around each line.
class Output {
 public:
  explicit Output(std::shared_ptr<spdlog::sinks::sink> sink);
  void Write(LogLevel level, std::string_view logger_name, std::string_view message);

 private:
  const std::shared_ptr<spdlog::sinks::sink> sink_;
  std::atomic<std::uint64_t> sequence_{0};
};

}  // namespace weft::common::log::impl
