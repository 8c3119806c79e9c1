// Child processes of the chaincode runtime: builder scripts run to completion and
// chaincode processes that run until they exit or are stopped. Each child runs in its
// own process group (so a chaincode's own children are stopped with it), with stdin
// from /dev/null and stdout and stderr forwarded, line by line, to a logger with a
// prefix naming the package. Signals are sent to the group only while its leader has
// not been reaped, so a recycled pid is never signalled.
//
// Thread-safety: Process is thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/log/logger.h"
#include "common/status/status.h"

namespace weft::peer::chaincode_builders::impl {

struct SpawnOptions {
  std::vector<std::string> argv;      // argv[0] is a path
  std::vector<std::string> env;       // NAME=value, the child's whole environment
  std::filesystem::path working_dir;  // empty: the peer's
  // Kept from the combined output for error messages (the last bytes).
  size_t keep_output_bytes = 16 * 1024;
  // Log how the child ended (for chaincode processes; builder scripts are reported by
  // their callers).
  bool log_exit = false;
};

class Process {
 public:
  // Starts the child. `log_prefix` starts every forwarded line. `on_exit` runs on the
  // monitor thread once the child has exited and its output is drained.
  [[nodiscard]] static StatusOr<std::unique_ptr<Process>> Start(
      const SpawnOptions& options, std::shared_ptr<common::log::Logger> logger,
      std::string log_prefix, std::function<void()> on_exit = {});
  // Kills the group if the child still runs, and waits for it.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `signal` to the child's process group; false once the child has exited.
  bool Signal(int signal);
  // The exit code (-1 when a signal ended it, as Go's ExitError.ExitCode), once exited.
  int Wait();
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  bool Exited();
  // Go's description of how it ended: "exit status 3", "signal: killed".
  std::string ExitDescription();
  // The last bytes of everything it wrote.
  std::string OutputTail();

 private:
  Process(pid_t pid, int output_fd, int pid_fd, std::shared_ptr<common::log::Logger> logger,
          std::string log_prefix, size_t keep_output_bytes, bool log_exit,
          std::function<void()> on_exit);
  void Monitor();
  void Consume(std::string_view chunk);
  void FlushLine();

  const pid_t pid_;
  const int output_fd_;
  const int pid_fd_;  // -1 when pidfd_open is unavailable (then the monitor polls)
  const std::shared_ptr<common::log::Logger> logger_;
  const std::string log_prefix_;
  const size_t keep_output_bytes_;
  const bool log_exit_;
  const std::function<void()> on_exit_;

  std::string pending_line_;  // monitor thread only
  std::mutex mu_;
  std::condition_variable exited_cv_;
  bool reaped_ = false;      // guarded by mu_: the pid may be recycled from here on
  bool done_ = false;        // guarded by mu_: reaped and output drained
  int wait_status_ = 0;      // guarded by mu_
  std::string output_tail_;  // guarded by mu_
  std::thread monitor_;
};

// Runs a command to completion: OK with the finished process (its exit code may be
// anything), or an error when it cannot be started.
[[nodiscard]] StatusOr<std::unique_ptr<Process>> RunToCompletion(
    const SpawnOptions& options, std::shared_ptr<common::log::Logger> logger,
    std::string log_prefix);

}  // namespace weft::peer::chaincode_builders::impl
