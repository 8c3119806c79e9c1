#include "peer/chaincode_builders/impl/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace weft::peer::chaincode_builders::impl {
namespace {

constexpr size_t kMaxLine = 16 * 1024;

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

int PidFdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
#else
  return -1;
#endif
}

// Go's ExitError text: "exit status 3", "signal: killed".
std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* description = sigdescr_np(signal);
    std::string name = description != nullptr ? description : std::to_string(signal);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return fmt::format("signal: {}", name);
  }
  return "ended";
}

}  // namespace

StatusOr<std::unique_ptr<Process>> Process::Start(const SpawnOptions& options,
                                                  std::shared_ptr<common::log::Logger> logger,
                                                  std::string log_prefix,
                                                  std::function<void()> on_exit) {
  if (options.argv.empty()) return absl::InvalidArgumentError("no command to run");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, an empty signal mask and default dispositions (the peer
  // may ignore SIGPIPE; a chaincode should not inherit that).
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);

  std::vector<std::string> argv = options.argv;
  std::vector<std::string> env = options.env;
  auto argv_pointers = Pointers(argv);
  auto env_pointers = Pointers(env);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, argv_pointers.data(),
                            env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    return absl::FailedPreconditionError(
        fmt::format("cannot start {}: {}", argv[0], std::strerror(spawned)));
  }
  const int pid_fd = PidFdOpen(pid);
  return std::unique_ptr<Process>(new Process(pid, pipe_fds[0], pid_fd, std::move(logger),
                                              std::move(log_prefix), options.keep_output_bytes,
                                              options.log_exit, std::move(on_exit)));
}

Process::Process(pid_t pid, int output_fd, int pid_fd, std::shared_ptr<common::log::Logger> logger,
                 std::string log_prefix, size_t keep_output_bytes, bool log_exit,
                 std::function<void()> on_exit)
    : pid_(pid),
      output_fd_(output_fd),
      pid_fd_(pid_fd),
      logger_(std::move(logger)),
      log_prefix_(std::move(log_prefix)),
      keep_output_bytes_(keep_output_bytes),
      log_exit_(log_exit),
      on_exit_(std::move(on_exit)) {
  monitor_ = std::thread([this] { Monitor(); });
}

Process::~Process() {
  Signal(SIGKILL);
  if (monitor_.joinable()) monitor_.join();
  close(output_fd_);
  if (pid_fd_ >= 0) close(pid_fd_);
}

void Process::Consume(std::string_view chunk) {
  {
    std::lock_guard lock(mu_);
    output_tail_.append(chunk);
    if (output_tail_.size() > keep_output_bytes_) {
      output_tail_.erase(0, output_tail_.size() - keep_output_bytes_);
    }
  }
  for (char c : chunk) {
    if (c == '\n' || pending_line_.size() >= kMaxLine) {
      FlushLine();
      if (c == '\n') continue;
    }
    pending_line_.push_back(c);
  }
}

void Process::FlushLine() {
  if (logger_ != nullptr) logger_->Info("{} {}", log_prefix_, pending_line_);
  pending_line_.clear();
}

void Process::Monitor() {
  char buffer[8192];
  bool output_open = true;
  bool exited = false;
  while (!exited) {
    pollfd fds[2] = {{output_fd_, POLLIN, 0}, {pid_fd_, POLLIN, 0}};
    const nfds_t count = pid_fd_ >= 0 ? 2 : 1;
    if (!output_open) fds[0].fd = -1;
    // Without a pidfd the exit is noticed by polling waitpid below.
    int ready = poll(fds, count, pid_fd_ >= 0 ? -1 : 50);
    if (ready < 0 && errno != EINTR) break;
    if (output_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      ssize_t n = read(output_fd_, buffer, sizeof(buffer));
      if (n > 0) {
        Consume(std::string_view(buffer, static_cast<size_t>(n)));
      } else if (n == 0 || errno != EINTR) {
        output_open = false;
      }
    }
    // The leader is a zombie until waitpid: its pid, and so the group, cannot be reused.
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid_) {
      exited = true;
    }
  }
  // Whatever the chaincode left behind in its group goes with it.
  kill(-pid_, SIGKILL);
  {
    // Reaped under the lock Signal takes, so Signal never reaches a recycled pid (the
    // zombie is reaped at once).
    std::lock_guard lock(mu_);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    wait_status_ = status;
  }
  // Drain what is already in the pipe without waiting for writers that escaped the group.
  fcntl(output_fd_, F_SETFL, fcntl(output_fd_, F_GETFL) | O_NONBLOCK);
  while (output_open) {
    ssize_t n = read(output_fd_, buffer, sizeof(buffer));
    if (n > 0) {
      Consume(std::string_view(buffer, static_cast<size_t>(n)));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      output_open = false;
    }
  }
  if (!pending_line_.empty()) FlushLine();
  if (log_exit_ && logger_ != nullptr) {
    int status = 0;
    {
      std::lock_guard lock(mu_);
      status = wait_status_;
    }
    logger_->Info("{} exited: {}", log_prefix_, DescribeWaitStatus(status));
  }
  if (on_exit_) on_exit_();
  std::lock_guard lock(mu_);
  done_ = true;
  exited_cv_.notify_all();
}

bool Process::Signal(int signal) {
  std::lock_guard lock(mu_);
  if (reaped_) return false;
  kill(-pid_, signal);
  return true;
}

int Process::Wait() {
  std::unique_lock lock(mu_);
  exited_cv_.wait(lock, [&] { return done_; });
  return WIFEXITED(wait_status_) ? WEXITSTATUS(wait_status_) : -1;
}

std::optional<int> Process::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!exited_cv_.wait_for(lock, timeout, [&] { return done_; })) return std::nullopt;
  return WIFEXITED(wait_status_) ? WEXITSTATUS(wait_status_) : -1;
}

bool Process::Exited() {
  std::lock_guard lock(mu_);
  return done_;
}

std::string Process::ExitDescription() {
  std::lock_guard lock(mu_);
  return done_ ? DescribeWaitStatus(wait_status_) : "running";
}

std::string Process::OutputTail() {
  std::lock_guard lock(mu_);
  return output_tail_;
}

[[nodiscard]] StatusOr<std::unique_ptr<Process>> RunToCompletion(
    const SpawnOptions& options, std::shared_ptr<common::log::Logger> logger,
    std::string log_prefix) {
  WEFT_ASSIGN_OR_RETURN(auto process,
                        Process::Start(options, std::move(logger), std::move(log_prefix)));
  process->Wait();
  return process;
}

}  // namespace weft::peer::chaincode_builders::impl
