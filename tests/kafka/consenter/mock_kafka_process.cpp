#include "tests/kafka/consenter/mock_kafka_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace weft::testing {

MockKafkaProcess::MockKafkaProcess(const std::string& helper,
                                   const std::vector<std::string>& topics) {
  int to_child[2];
  int from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args{helper};
  args.insert(args.end(), topics.begin(), topics.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(to_child[0], STDIN_FILENO);
    dup2(from_child[1], STDOUT_FILENO);
    close(to_child[0]);
    close(to_child[1]);
    close(from_child[0]);
    close(from_child[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  to_child_ = fdopen(to_child[1], "w");
  from_child_ = fdopen(from_child[0], "r");
  bootstrap_servers_ = ReadLine();
  if (bootstrap_servers_.empty()) throw std::runtime_error("weft-kafka-mock did not start: " + helper);
}

MockKafkaProcess::~MockKafkaProcess() {
  if (to_child_ != nullptr) fclose(to_child_);
  if (from_child_ != nullptr) fclose(from_child_);
  if (pid_ <= 0) return;
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string MockKafkaProcess::Command(const std::string& command) {
  fputs((command + "\n").c_str(), to_child_);
  fflush(to_child_);
  return ReadLine();
}

std::string MockKafkaProcess::ReadLine() {
  std::string line;
  for (int c = fgetc(from_child_); c != EOF && c != '\n'; c = fgetc(from_child_)) {
    line.push_back(static_cast<char>(c));
  }
  return line;
}

}  // namespace weft::testing
