#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/ledger/blockstore/file_block_store.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/common/ledger/blockstore/test_blocks.h"

namespace {

namespace fs = std::filesystem;
using weft::common::ledger::blockstore::FileBlockStore;
using weft::common::ledger::blockstore::FileBlockStoreOptions;
using weft::common::protoutil::BlockHeaderHash;

// blockstore_crash_writer, reporting "committed N" lines on its stdout.
class WriterProcess {
 public:
  explicit WriterProcess(std::vector<std::string> args) : child_(Options(std::move(args))) {}

  // The N of the next "committed N" line; nullopt once the writer's stdout closes.
  std::optional<uint64_t> NextCommitted() {
    auto line = child_.LineAt(next_line_++, std::chrono::seconds(60));
    if (!line) return std::nullopt;
    REQUIRE(line->rfind("committed ", 0) == 0);
    return std::stoull(line->substr(10));
  }

  void Kill() { child_.Signal(SIGKILL); }
  // The exit code, or -signal.
  int Wait() { return child_.Wait(); }

 private:
  static weft::testing::ProcessOptions Options(std::vector<std::string> args) {
    args.insert(args.begin(), WEFT_CRASH_WRITER);
    weft::testing::ProcessOptions options;
    options.argv = std::move(args);
    options.inherit_stderr = true;  // diagnostics stay with the test output
    return options;
  }
  weft::testing::ChildProcess child_;
  size_t next_line_ = 0;
};

// Reads every line until the writer is gone; the last committed number, if any.
std::optional<uint64_t> DrainCommitted(WriterProcess& writer, std::optional<uint64_t> last) {
  while (auto committed = writer.NextCommitted()) last = committed;
  return last;
}

// Reopens the store and checks it holds every reported block, hash-chained,
// and accepts the next one. Returns the height after that append.
uint64_t CheckRecovered(const fs::path& dir, std::optional<uint64_t> last_committed) {
  FileBlockStoreOptions options;
  options.dir = dir;
  auto opened = FileBlockStore::Open(options);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  auto& store = *opened;
  auto info = store->GetInfo();
  if (last_committed) REQUIRE(info.height >= *last_committed + 1);

  std::string previous;
  for (uint64_t i = 0; i < info.height; ++i) {
    auto block = store->RetrieveBlockByNumber(i);
    INFO("block " << i << ": " << block.status().ToString());
    REQUIRE(block.ok());
    REQUIRE(block->header().number() == i);
    REQUIRE(block->header().previous_hash() == previous);
    previous = BlockHeaderHash(block->header());
  }
  REQUIRE(info.current_block_hash == previous);

  auto next =
      weft::testing::MakeBlock(info.height, previous, {"probe-" + std::to_string(info.height)});
  auto added = store->AddBlock(next);
  INFO(added.ToString());
  REQUIRE(added.ok());
  return info.height + 1;
}

// The segment files alone must describe the chain: no torn bytes left between
// records. Rebuilding the index from scratch has to find every block.
void RequireFilesHoldChain(const fs::path& dir, uint64_t height) {
  fs::remove_all(dir / "index");
  FileBlockStoreOptions options;
  options.dir = dir;
  auto store = FileBlockStore::Open(options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  REQUIRE((*store)->GetInfo().height == height);
}

}  // namespace

TEST_CASE("A writer killed at random moments loses no acknowledged block") {
  weft::testing::TempDir dir;
  const fs::path store_dir = dir / "store";
  const unsigned seed = 20261122;
  INFO("seed " << seed);
  std::mt19937 random(seed);

  uint64_t height = 0;
  for (int round = 0; round < 24; ++round) {
    INFO("round " << round);
    WriterProcess writer({store_dir.string(), "--max-file-bytes", "65536"});
    std::optional<uint64_t> last;
    const int lines = std::uniform_int_distribution<int>(1, 6)(random);
    for (int i = 0; i < lines; ++i) {
      last = writer.NextCommitted();
      REQUIRE(last.has_value());
    }
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
    writer.Kill();
    last = DrainCommitted(writer, last);
    REQUIRE(writer.Wait() == -SIGKILL);
    height = CheckRecovered(store_dir, last);
  }
  RequireFilesHoldChain(store_dir, height);
}

TEST_CASE("A writer killed at a chosen point of an append recovers to a consistent chain") {
  // Large segments, and segments so small every block has its own file.
  const std::string max_file_bytes = GENERATE(as<std::string>{}, "67108864", "1000");
  const std::string point = GENERATE(as<std::string>{}, "after-append", "half-record");
  INFO("--max-file-bytes " << max_file_bytes << " --crash-at " << point);
  weft::testing::TempDir dir;

  WriterProcess writer({(dir / "store").string(), "--max-file-bytes", max_file_bytes, "--crash-at",
                        point, "--crash-block", "5"});
  auto last = DrainCommitted(writer, std::nullopt);
  REQUIRE(writer.Wait() == -SIGKILL);
  REQUIRE(last == 4u);

  // A block whose record was complete is recovered into the index; a torn one is dropped.
  const uint64_t expected_height = point == "after-append" ? 6 : 5;
  REQUIRE(CheckRecovered(dir / "store", last) == expected_height + 1);
  // The store keeps working for the writer after the probe block.
  WriterProcess again(
      {(dir / "store").string(), "--max-file-bytes", max_file_bytes, "--blocks", "2"});
  REQUIRE(DrainCommitted(again, std::nullopt) == expected_height + 2);
  REQUIRE(again.Wait() == 0);
  RequireFilesHoldChain(dir / "store", expected_height + 3);
}
