#include "tests/support/mock_kafka_process.h"

#include <chrono>
#include <stdexcept>

#include "tests/support/wait_until.h"

namespace weft::testing {
namespace {

ProcessOptions HelperOptions(const std::string& helper, const std::vector<std::string>& topics) {
  ProcessOptions options;
  options.argv = {helper};
  options.argv.insert(options.argv.end(), topics.begin(), topics.end());
  options.pipe_stdin = true;
  options.inherit_stderr = true;
  return options;
}

}  // namespace

MockKafkaProcess::MockKafkaProcess(const std::string& helper,
                                   const std::vector<std::string>& topics)
    : child_(HelperOptions(helper, topics)) {
  bootstrap_servers_ = ReadLine();
  if (bootstrap_servers_.empty())
    throw std::runtime_error("weft-kafka-mock did not start: " + helper);
}

MockKafkaProcess::~MockKafkaProcess() {
  child_.CloseStdin();
  // The helper exits on end of input; ChildProcess kills it if it has not within 5 s.
  WaitUntil([&] { return !child_.Running(); }, std::chrono::seconds(5));
}

std::string MockKafkaProcess::Command(const std::string& command) {
  child_.WriteLine(command);
  return ReadLine();
}

std::string MockKafkaProcess::ReadLine() {
  return child_.LineAt(next_line_++, std::chrono::seconds(60)).value_or("");
}

}  // namespace weft::testing
