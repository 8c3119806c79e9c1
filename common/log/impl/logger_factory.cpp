#include "common/log/logger_factory.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <ostream>

#include "common/log/impl/output.h"

namespace weft::common::log {

LoggerFactory::LoggerFactory(LogSpec spec)
    : output_(std::make_shared<impl::Output>(std::make_shared<spdlog::sinks::stderr_sink_mt>())),
      spec_(std::move(spec)) {}

LoggerFactory::LoggerFactory(std::ostream& out, LogSpec spec)
    : output_(std::make_shared<impl::Output>(
          std::make_shared<spdlog::sinks::ostream_sink_mt>(out, /*force_flush=*/true))),
      spec_(std::move(spec)) {}

LoggerFactory::~LoggerFactory() = default;

std::shared_ptr<Logger> LoggerFactory::Get(std::string_view name) {
  std::lock_guard lock(mu_);
  if (auto it = loggers_.find(name); it != loggers_.end()) return it->second;
  std::shared_ptr<Logger> logger(new Logger(std::string(name), spec_.LevelFor(name), output_));
  loggers_.emplace(std::string(name), logger);
  return logger;
}

Status LoggerFactory::SetSpec(std::string_view spec) {
  auto parsed = LogSpec::Parse(spec);
  if (!parsed.ok()) return parsed.status();
  SetSpec(*parsed);
  return absl::OkStatus();
}

void LoggerFactory::SetSpec(const LogSpec& spec) {
  std::lock_guard lock(mu_);
  spec_ = spec;
  for (auto& [name, logger] : loggers_) logger->set_level(spec_.LevelFor(name));
}

std::string LoggerFactory::Spec() const {
  std::lock_guard lock(mu_);
  return spec_.ToString();
}

}  // namespace weft::common::log
