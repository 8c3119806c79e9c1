// Appends blocks to a FileBlockStore until killed, printing "committed N"
// after each AddBlock returns. Optionally kills itself at an AppendPoint.
//
//   blockstore_crash_writer DIR [--max-file-bytes N] [--blocks N]
//                           [--crash-at half-record|after-append --crash-block N]
#include <signal.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "common/ledger/blockstore/file_block_store.h"
#include "tests/unit/common/ledger/blockstore/test_blocks.h"

namespace {

using weft::common::ledger::blockstore::AppendPoint;
using weft::common::ledger::blockstore::FileBlockStore;
using weft::common::ledger::blockstore::FileBlockStoreOptions;

int Fail(const std::string& message) {
  std::fprintf(stderr, "blockstore_crash_writer: %s\n", message.c_str());
  return 2;
}

// Enough envelopes that a record takes several pages, so random kills can
// land inside a write.
std::vector<std::string> TxIds(uint64_t number) {
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i)
    ids.push_back("tx-" + std::to_string(number) + "-" + std::to_string(i));
  return ids;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("usage: blockstore_crash_writer DIR [options]");
  FileBlockStoreOptions options;
  options.dir = argv[1];
  uint64_t blocks = UINT64_MAX;
  std::optional<AppendPoint> crash_at;
  uint64_t crash_block = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--max-file-bytes") {
      options.max_file_bytes = std::stoull(value);
    } else if (flag == "--blocks") {
      blocks = std::stoull(value);
    } else if (flag == "--crash-block") {
      crash_block = std::stoull(value);
    } else if (flag == "--crash-at" && value == "half-record") {
      crash_at = AppendPoint::kHalfRecordWritten;
    } else if (flag == "--crash-at" && value == "after-append") {
      crash_at = AppendPoint::kRecordAppended;
    } else {
      return Fail("unknown option " + flag + " " + value);
    }
  }

  uint64_t appending = 0;
  if (crash_at) {
    options.append_hook_for_testing = [&](AppendPoint point) {
      if (point == *crash_at && appending == crash_block) ::raise(SIGKILL);
    };
  }
  auto store = FileBlockStore::Open(options);
  if (!store.ok()) return Fail(store.status().ToString());

  for (uint64_t n = 0; n < blocks; ++n) {
    auto info = (*store)->GetInfo();
    appending = info.height;
    auto added = (*store)->AddBlock(
        weft::testing::MakeBlock(info.height, info.current_block_hash, TxIds(info.height)));
    if (!added.ok()) return Fail(added.ToString());
    std::printf("committed %llu\n", static_cast<unsigned long long>(info.height));
    std::fflush(stdout);
  }
  return 0;
}
