// Real processes for integration tests: start an executable with extra environment,
// read its stdout line by line, signal it, wait for it. The child is killed with
// SIGKILL when the object dies, so a failing test never leaks a server.
// Helpers throw std::runtime_error on setup failures so Catch2 reports the cause.
// Thread-safety: one ChildProcess per test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace weft::testing {

struct ProcessOptions {
  std::vector<std::string> argv;           // argv[0] is the executable path
  std::map<std::string, std::string> env;  // added to (or replacing) the test's environment
  std::filesystem::path working_dir;       // empty: the test's
  std::filesystem::path stderr_file;       // empty: stderr goes to stdout's pipe
  bool inherit_stderr = false;             // true: the child writes to the test's stderr
  bool pipe_stdin = false;                 // true: WriteLine feeds the child's stdin
};

class ChildProcess {
 public:
  explicit ChildProcess(const ProcessOptions& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The first stdout line (seen so far or arriving within `timeout`) that satisfies
  // `match`; nullopt on timeout or when the process closed its stdout.
  std::optional<std::string> WaitForLine(const std::function<bool(const std::string&)>& match,
                                         std::chrono::milliseconds timeout);
  // Stdout line number `index` (from 0), waiting up to `timeout` for it; nullopt on
  // timeout or when the process closed its stdout first.
  std::optional<std::string> LineAt(size_t index, std::chrono::milliseconds timeout);
  // Every stdout line read so far.
  std::vector<std::string> Lines() const;
  // REQUIRES: options.pipe_stdin. Writes `line` and a newline to the child's stdin.
  void WriteLine(const std::string& line);
  // Closes the child's stdin (it reads end of file). Idempotent.
  void CloseStdin();
  void Signal(int signal) const;
  // Waits for exit: the exit code, or -signal when killed by a signal.
  int Wait();
  bool Running();

 private:
  void ReadLoop(int fd);

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::optional<int> exit_status_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool closed_ = false;
};

struct CommandResult {
  int exit_code = -1;  // or -signal
  std::string out;
  std::string err;
  std::string output() const { return out + err; }
};

// Runs a command to completion (argv[0] a path, or a name looked up in PATH) in
// `working_dir` (empty: the test's), with `env` added to the test's environment.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         const std::filesystem::path& working_dir = {});

// A process that outlives the test process that started it: a shared network's
// server started by a CTest fixture setup test and stopped by its cleanup test.
// It runs in its own session with stdin from /dev/null and stdout and stderr
// appended to the given files (never to the starter's pipes, which CTest waits on).
// Throws std::runtime_error when it cannot be started.
pid_t StartDetached(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env,
                    const std::filesystem::path& stdout_file,
                    const std::filesystem::path& stderr_file);

// Whether `pid` is a live process (not gone, not a zombie) whose command line
// contains `name` (a guard against a reused pid).
bool DetachedRunning(pid_t pid, const std::string& name);

// Sends SIGTERM to a detached process and waits up to `grace` for it to go, then
// SIGKILL. Returns false when it was still running after SIGKILL and another
// `grace`. A process that is not running (or not `name`) counts as stopped.
bool StopDetached(pid_t pid, const std::string& name, std::chrono::milliseconds grace);

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

}  // namespace weft::testing
