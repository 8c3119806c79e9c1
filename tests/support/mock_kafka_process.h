// Runs weft-kafka-mock as a child process for one test: a 3-broker Kafka cluster on
// 127.0.0.1 holding the given topics, steered through the helper's stdin commands.
// Thread-safety: one MockKafkaProcess per test thread.
#pragma once

#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace weft::testing {

class MockKafkaProcess {
 public:
  // Starts `helper` (the weft-kafka-mock executable) and waits for its bootstrap line.
  // Throws std::runtime_error when the helper does not start.
  MockKafkaProcess(const std::string& helper, const std::vector<std::string>& topics);
  // Closes the helper's stdin, which makes it exit, and reaps it.
  ~MockKafkaProcess();
  MockKafkaProcess(const MockKafkaProcess&) = delete;
  MockKafkaProcess& operator=(const MockKafkaProcess&) = delete;

  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  // Sends one command ("down 1", "leader mychannel 1") and returns the helper's answer
  // ("ok" or "error: ...").
  std::string Command(const std::string& command);

 private:
  std::string ReadLine();

  ChildProcess child_;
  size_t next_line_ = 0;
  std::string bootstrap_servers_;
};

}  // namespace weft::testing
