#include "tests/support/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

extern char** environ;

namespace weft::testing {
namespace {

std::vector<std::string> MergedEnvironment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    auto equals = text.find('=');
    if (equals != std::string::npos) merged[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& [name, value] : extra) merged[name] = value;
  std::vector<std::string> result;
  for (const auto& [name, value] : merged) result.push_back(name + "=" + value);
  return result;
}

std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    std::filesystem::path candidate =
        std::filesystem::path(dirs.substr(start, colon - start)) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = colon + 1;
  }
  return name;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ChildProcess::ChildProcess(const ProcessOptions& options) {
  if (options.argv.empty()) throw std::runtime_error("ChildProcess: empty argv");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  int stdin_fds[2] = {-1, -1};
  if (options.pipe_stdin && pipe2(stdin_fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  if (options.pipe_stdin) posix_spawn_file_actions_adddup2(&actions, stdin_fds[0], STDIN_FILENO);
  if (options.inherit_stderr) {
    // fd 2 is left as the test's own.
  } else if (options.stderr_file.empty()) {
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
  }
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = MergedEnvironment(options.env);
  auto arg_pointers = Pointers(args);
  auto env_pointers = Pointers(env);
  int spawned = posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, arg_pointers.data(),
                            env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (options.pipe_stdin) {
    close(stdin_fds[0]);
    stdin_fd_ = stdin_fds[1];
  }
  if (spawned != 0) {
    close(pipe_fds[0]);
    CloseStdin();
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(spawned));
  }
  reader_ = std::thread([this, fd = pipe_fds[0]] { ReadLoop(fd); });
}

ChildProcess::~ChildProcess() {
  CloseStdin();
  if (Running()) {
    kill(pid_, SIGKILL);
    Wait();
  }
  if (reader_.joinable()) reader_.join();
}

void ChildProcess::ReadLoop(int fd) {
  std::string pending;
  char buffer[4096];
  while (true) {
    ssize_t count = read(fd, buffer, sizeof(buffer));
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    pending.append(buffer, static_cast<size_t>(count));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::lock_guard lock(mu_);
      lines_.push_back(pending.substr(0, newline));
      pending.erase(0, newline + 1);
      changed_.notify_all();
    }
  }
  close(fd);
  std::lock_guard lock(mu_);
  if (!pending.empty()) lines_.push_back(pending);
  closed_ = true;
  changed_.notify_all();
}

std::optional<std::string> ChildProcess::WaitForLine(
    const std::function<bool(const std::string&)>& match, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  size_t checked = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    for (; checked < lines_.size(); ++checked) {
      if (match(lines_[checked])) return lines_[checked];
    }
    if (closed_) return std::nullopt;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) return std::nullopt;
  }
}

std::optional<std::string> ChildProcess::LineAt(size_t index, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  bool arrived = changed_.wait_for(lock, timeout, [&] { return lines_.size() > index || closed_; });
  if (!arrived || lines_.size() <= index) return std::nullopt;
  return lines_[index];
}

std::vector<std::string> ChildProcess::Lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

void ChildProcess::WriteLine(const std::string& line) {
  std::string text = line + "\n";
  for (size_t written = 0; written < text.size();) {
    ssize_t count = write(stdin_fd_, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) throw std::runtime_error("cannot write to the child's stdin");
    written += static_cast<size_t>(count);
  }
}

void ChildProcess::CloseStdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

void ChildProcess::Signal(int signal) const { kill(pid_, signal); }

bool ChildProcess::Running() {
  if (exit_status_) return false;
  int status = 0;
  pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return false;
  }
  return result == 0;
}

int ChildProcess::Wait() {
  if (!exit_status_) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  return *exit_status_;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         const std::filesystem::path& working_dir) {
  TempDir capture("weft-command");
  ProcessOptions options;
  options.argv = argv;
  if (argv[0].find('/') == std::string::npos) options.argv[0] = FindInPath(argv[0]);
  options.env = env;
  options.working_dir = working_dir;
  options.stderr_file = capture / "stderr";
  ChildProcess child(options);
  CommandResult result;
  result.exit_code = child.Wait();
  // The reader thread finishes when the child's stdout closes.
  child.WaitForLine([](const std::string&) { return false; }, std::chrono::seconds(10));
  for (const auto& line : child.Lines()) result.out += line + "\n";
  std::ifstream err(capture / "stderr", std::ios::binary);
  std::ostringstream text;
  text << err.rdbuf();
  result.err = text.str();
  return result;
}

pid_t StartDetached(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env,
                    const std::filesystem::path& stdout_file,
                    const std::filesystem::path& stderr_file) {
  if (argv.empty()) throw std::runtime_error("StartDetached: empty argv");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  std::vector<std::string> args = argv;
  std::vector<std::string> merged = MergedEnvironment(env);
  auto arg_pointers = Pointers(args);
  auto env_pointers = Pointers(merged);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, args[0].c_str(), &actions, &attributes, arg_pointers.data(),
                            env_pointers.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(spawned));
  }
  return pid;
}

bool DetachedRunning(pid_t pid, const std::string& name) {
  if (pid <= 0) return false;
  // Reap it if it is our own child (the setup process checking on its server).
  int ignored;
  waitpid(pid, &ignored, WNOHANG);
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream stat(proc + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // "pid (comm) S ...": the state follows the last ')'.
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return false;
  const char state = line[paren + 2];
  if (state == 'Z' || state == 'X') return false;
  std::ifstream cmdline_file(proc + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(cmdline_file)),
                      std::istreambuf_iterator<char>());
  // Empty while the process is between fork and exec: running, name not yet known.
  return cmdline.empty() || cmdline.find(name) != std::string::npos;
}

bool StopDetached(pid_t pid, const std::string& name, std::chrono::milliseconds grace) {
  if (!DetachedRunning(pid, name)) return true;
  kill(pid, SIGTERM);
  if (WaitUntil([&] { return !DetachedRunning(pid, name); }, grace)) return true;
  kill(pid, SIGKILL);
  return WaitUntil([&] { return !DetachedRunning(pid, name); }, grace);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

}  // namespace weft::testing
