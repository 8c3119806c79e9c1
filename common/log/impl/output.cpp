#include "common/log/impl/output.h"

#include <fmt/format.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <chrono>
#include <ctime>
#include <string>

namespace weft::common::log::impl {
namespace {

// Fabric prints the first four letters of the level name.
std::string_view LevelTag(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBU";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERRO";
    case LogLevel::kPanic:
      return "PANI";
    case LogLevel::kFatal:
      return "FATA";
  }
  return "????";
}

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kPanic:
    case LogLevel::kFatal:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

std::string UtcTimestamp(std::chrono::system_clock::time_point now) {
  const auto since_epoch = now.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

}  // namespace

Output::Output(std::shared_ptr<spdlog::sinks::sink> sink) : sink_(std::move(sink)) {
  // We build the whole line ourselves; the sink only adds the newline.
  sink_->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
  sink_->set_level(spdlog::level::trace);
}

void Output::Write(LogLevel level, std::string_view logger_name, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const std::uint64_t id = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
  const std::string line = fmt::format("{} {:04x} {} [{}] {}", UtcTimestamp(now), id,
                                       LevelTag(level), logger_name, message);
  spdlog::details::log_msg msg(spdlog::string_view_t(logger_name.data(), logger_name.size()),
                               ToSpdlog(level), spdlog::string_view_t(line.data(), line.size()));
  sink_->log(msg);
  if (level >= LogLevel::kError) sink_->flush();
}

}  // namespace weft::common::log::impl
