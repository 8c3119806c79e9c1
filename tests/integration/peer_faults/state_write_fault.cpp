// An LD_PRELOAD library for peer_faults_test: faults in a peer's state database
// (ledgersData/statedb/), armed while the file named by $WEFT_FAULT_TRIGGER exists.
// - $WEFT_FAULT_ACTION unset: every write() to a file of the state database fails with
//   ENOSPC (a full disk for it alone), so a commit fails after the block store append.
// - $WEFT_FAULT_ACTION=kill: the process SIGKILLs itself at the first write of a
//   non-empty batch to the database's log, i.e. between a block's append to the block
//   store and its state batch (or while recovery replays a block). Bare log records
//   (an empty batch synced after a commit) do not count.
// Other writes pass.
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <string_view>

namespace {

using WriteFunction = ssize_t (*)(int, const void*, size_t);

// A LevelDB log record of an empty batch: 7 bytes of header and 12 of batch header.
constexpr size_t kBareRecord = 32;

// The path of `fd` when it is a file of a state database and a fault is armed.
bool ArmedStateFile(int fd, std::string_view* path, char (&buffer)[PATH_MAX]) {
  const char* trigger = getenv("WEFT_FAULT_TRIGGER");
  if (trigger == nullptr || access(trigger, F_OK) != 0) return false;
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  const ssize_t length = readlink(link, buffer, sizeof(buffer) - 1);
  if (length <= 0) return false;
  *path = std::string_view(buffer, static_cast<size_t>(length));
  return path->find("/ledgersData/statedb/") != std::string_view::npos;
}

}  // namespace

extern "C" ssize_t write(int fd, const void* data, size_t count) {
  static const auto real = reinterpret_cast<WriteFunction>(dlsym(RTLD_NEXT, "write"));
  char buffer[PATH_MAX];
  std::string_view path;
  if (ArmedStateFile(fd, &path, buffer)) {
    const char* action = getenv("WEFT_FAULT_ACTION");
    if (action == nullptr) {
      errno = ENOSPC;
      return -1;
    }
    if (std::string_view(action) == "kill" && path.ends_with(".log") && count > kBareRecord) {
      raise(SIGKILL);
    }
  }
  return real(fd, data, count);
}
