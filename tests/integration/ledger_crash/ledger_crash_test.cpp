#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "peer/ledger/peer_ledger.h"
#include "tests/support/child_process.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
namespace ledger = weft::peer::ledger;

const std::string kChannel = "crashchannel";

// The committer process, reporting "committed N" lines on its stdout.
class Committer {
 public:
  explicit Committer(std::vector<std::string> args) : child_(Options(std::move(args))) {}

  void Kill() { child_.Signal(SIGKILL); }

  // Blocks until the committer reports its first commit (or exits).
  void WaitForFirstCommit() { child_.LineAt(0, std::chrono::seconds(60)); }

  // Reads stdout to its end: the last "committed N" reported, if any.
  std::optional<uint64_t> LastCommitted() {
    child_.Wait();
    child_.WaitForLine([](const std::string&) { return false; }, std::chrono::seconds(10));
    std::optional<uint64_t> last;
    for (const auto& line : child_.Lines()) {
      // A kill cannot split the single write of a line, so every line is whole.
      if (line.rfind("committed ", 0) != 0) FAIL("unexpected committer output: " << line);
      last = std::stoull(line.substr(10));
    }
    return last;
  }

  // The exit code, or -signal.
  int Wait() { return child_.Wait(); }

 private:
  static weft::testing::ProcessOptions Options(std::vector<std::string> args) {
    args.insert(args.begin(), WEFT_CRASH_COMMITTER);
    weft::testing::ProcessOptions options;
    options.argv = std::move(args);
    options.inherit_stderr = true;  // diagnostics stay with the test output
    return options;
  }
  weft::testing::ChildProcess child_;
};

std::map<std::string, std::string> Dump(ledger::PeerLedger& peer_ledger) {
  std::map<std::string, std::string> state;
  auto query = peer_ledger.NewQueryExecutor();
  auto it = query->GetStateRangeScanIterator("cc", "", "").value();
  while (auto kv = it->Next().value()) state[kv->key()] = kv->value();
  return state;
}

// The tx ids of every write of the committer's keys ("key00".."key39"),
// newest first: history goes in the same batch as state, so it must recover
// exactly as state does.
std::map<std::string, std::vector<std::string>> Histories(ledger::PeerLedger& peer_ledger) {
  std::map<std::string, std::vector<std::string>> histories;
  for (int i = 0; i < 40; ++i) {
    std::string key = (i < 10 ? "key0" : "key") + std::to_string(i);
    auto history = peer_ledger.GetHistoryForKey("cc", key);
    INFO("history of " << key << ": " << history.status().ToString());
    REQUIRE(history.ok());
    for (const auto& modification : *history) histories[key].push_back(modification.tx_id());
  }
  return histories;
}

std::string Filter(const ::common::Block& block) {
  return block.metadata().metadata(::common::TRANSACTIONS_FILTER);
}

// Reopens the ledger and checks it against a fresh ledger fed the same
// blocks: same codes for every block, same state, same commit hash, and no
// reported block missing. Returns the height.
uint64_t CheckRecovered(const fs::path& ledgers, std::optional<uint64_t> last_committed) {
  auto opened = ledger::LedgerManager(ledgers).OpenLedger(kChannel);
  // Killed before it created the ledger's folders (a slow start on a loaded
  // machine): only acceptable while nothing was ever reported committed.
  if (absl::IsNotFound(opened.status()) && !last_committed) return 0;
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
  REQUIRE(Histories(recovered) == Histories(**reference));
  REQUIRE(recovered.commit_hash() == (*reference)->commit_hash());
  return height;
}

}  // namespace

TEST_CASE("A ledger killed at random moments recovers to exactly its block store", "[slow]") {
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
    REQUIRE(committer.Wait() == -SIGKILL);
    // The first run also commits the genesis block.
    uint64_t start = height == 0 ? 1 : height;
    if (crash_after > 1) REQUIRE(last == start + crash_after - 2);
    height = CheckRecovered(dir.path(), last);
    // The killed commit's block survives once appended, and is gone if torn.
    uint64_t expected = start + crash_after - (std::string(phase) == "torn" ? 1 : 0);
    CHECK(height == expected);
  }
}
