#include "common/log/logger.h"

#include "common/log/impl/output.h"

namespace weft::common::log {

Logger::Logger(std::string name, LogLevel level, std::shared_ptr<impl::Output> output)
    : name_(std::move(name)), level_(level), output_(std::move(output)) {}

void Logger::Write(LogLevel level, std::string_view message) {
  if (!Enabled(level)) return;
  output_->Write(level, name_, message);
}

}  // namespace weft::common::log
