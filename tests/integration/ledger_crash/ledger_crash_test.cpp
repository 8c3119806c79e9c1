#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "peer/ledger/peer_ledger.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace ledger = weft::peer::ledger;

const std::string kChannel = "crashchannel";

// The committer process, its stdout on a pipe to us.
class Committer {
 public:
  explicit Committer(std::vector<std::string> args) {
    args.insert(args.begin(), WEFT_CRASH_COMMITTER);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    REQUIRE(rc == 0);
  }
  ~Committer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    ::close(out_);
  }
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void Kill() { ::kill(pid_, SIGKILL); }

  // Blocks until the committer reports its first commit (or exits).
  void WaitForFirstCommit() {
    while (text_.find('\n') == std::string::npos && ReadSome()) {
    }
  }

  // Reads stdout to its end: the last "committed N" reported, if any.
  std::optional<uint64_t> LastCommitted() {
    while (ReadSome()) {
    }
    std::optional<uint64_t> last;
    std::size_t start = 0;
    // Only complete lines count: a line cut by the kill was never reported.
    for (std::size_t end; (end = text_.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string line = text_.substr(start, end - start);
      if (line.rfind("committed ", 0) != 0) FAIL("unexpected committer output: " << line);
      last = std::stoull(line.substr(10));
    }
    return last;
  }

  // Raw wait status.
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  // False at end of output.
  bool ReadSome() {
    char chunk[4096];
    while (true) {
      ssize_t n = ::read(out_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      text_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string text_;
};

std::map<std::string, std::string> Dump(ledger::PeerLedger& peer_ledger) {
  std::map<std::string, std::string> state;
  auto query = peer_ledger.NewQueryExecutor();
  auto it = query->GetStateRangeScanIterator("cc", "", "").value();
  while (auto kv = it->Next().value()) state[kv->key()] = kv->value();
  return state;
}

std::string Filter(const ::common::Block& block) {
  return block.metadata().metadata(::common::TRANSACTIONS_FILTER);
}

// Reopens the ledger and checks it against a fresh ledger fed the same
// blocks: same codes for every block, same state, same commit hash, and no
// reported block missing. Returns the height.
uint64_t CheckRecovered(const fs::path& ledgers, std::optional<uint64_t> last_committed) {
  auto opened = ledger::LedgerManager(ledgers).OpenLedger(kChannel);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  auto& recovered = **opened;
  uint64_t height = recovered.GetBlockchainInfo().height;
  if (last_committed) REQUIRE(height >= *last_committed + 1);
  if (height == 0) return 0;  // killed while creating the ledger

  weft::testing::TempDir reference_dir("weft-ledger-reference");
  ledger::LedgerOptions fast;
  fast.fsync = weft::common::ledger::blockstore::FsyncPolicy::kNone;
  auto reference = ledger::LedgerManager(reference_dir.path(), fast)
                       .CreateLedger(recovered.GetBlockByNumber(0).value());
  REQUIRE(reference.ok());
  for (uint64_t number = 1; number < height; ++number) {
    auto block = recovered.GetBlockByNumber(number).value();
    std::string stored_filter = Filter(block);
    std::vector<::protos::TxValidationCode> all_valid(block.data().data_size(), ::protos::VALID);
    auto codes = (*reference)->CommitBlock(std::move(block), all_valid);
    REQUIRE(codes.ok());
    INFO("block " << number);
    REQUIRE(Filter((*reference)->GetBlockByNumber(number).value()) == stored_filter);
  }
  REQUIRE(Dump(recovered) == Dump(**reference));
  REQUIRE(recovered.commit_hash() == (*reference)->commit_hash());
  return height;
}

}  // namespace

TEST_CASE("A ledger killed at random moments recovers to exactly its block store") {
  weft::testing::TempDir dir;
  const unsigned seed = 20261122;
  INFO("seed " << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(0, 300);
  std::optional<uint64_t> last_committed;
  uint64_t height = 0;
  for (int run = 0; run < 20; ++run) {
    INFO("run " << run);
    Committer committer({dir.path().string(), std::to_string(random())});
    // Odd runs let the committer get going, even ones may hit startup and recovery.
    if (run % 2 == 1) committer.WaitForFirstCommit();
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    committer.Kill();
    if (auto last = committer.LastCommitted()) last_committed = last;
    committer.Wait();
    height = CheckRecovered(dir.path(), last_committed);
  }
  // The runs together must have made progress, or nothing was tested.
  CHECK(height > 10);
}

TEST_CASE("A ledger killed at each commit phase recovers every durable block") {
  weft::testing::TempDir dir;
  std::mt19937 random(7);
  uint64_t height = 0;
  for (const char* phase : {"appended", "state", "torn", "appended", "state", "torn"}) {
    const int crash_after = 1 + static_cast<int>(random() % 4);
    INFO("phase " << phase << ", crash after " << crash_after << " commits");
    Committer committer({dir.path().string(), std::to_string(random()),
                         std::string("--crash-at=") + phase,
                         "--crash-after=" + std::to_string(crash_after)});
    auto last = committer.LastCommitted();
    int status = committer.Wait();
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    // The first run also commits the genesis block.
    uint64_t start = height == 0 ? 1 : height;
    if (crash_after > 1) REQUIRE(last == start + crash_after - 2);
    height = CheckRecovered(dir.path(), last);
    // The killed commit's block survives once appended, and is gone if torn.
    uint64_t expected = start + crash_after - (std::string(phase) == "torn" ? 1 : 0);
    CHECK(height == expected);
  }
}
