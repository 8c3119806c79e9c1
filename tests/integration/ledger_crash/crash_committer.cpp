// Commits generated blocks to a peer ledger forever, printing "committed N"
// after each CommitBlock returns; ledger_crash_test kills it. With
// --crash-at=<phase> --crash-after=<k> it kills itself (SIGKILL) at that
// phase of its k-th commit: "appended" (block stored, state not written),
// "state" (state written, not yet reported) or "torn" (half of the block's
// record written to the block file).
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "peer/ledger/peer_ledger.h"
#include "tests/support/ledger_test_util.h"

namespace {

namespace ledger = weft::peer::ledger;
using weft::common::ledger::blockstore::AppendPoint;

constexpr int kKeys = 40;
constexpr int kTxsPerBlock = 8;
const std::string kChannel = "crashchannel";

std::string Key(int i) {
  char name[16];
  std::snprintf(name, sizeof(name), "key%02d", i);
  return name;
}

// One simulated transaction against the current state: reads, a scan now
// and then, and writes (some deletes). Transactions of one block simulated
// on the same state conflict whenever an earlier one wrote what they read.
::rwset::TxReadWriteSet Simulate(ledger::PeerLedger& peer_ledger, std::mt19937& random,
                                 uint64_t block, int tx) {
  std::uniform_int_distribution<int> key(0, kKeys - 1);
  auto sim = peer_ledger.NewTxSimulator();
  for (int i = 0; i < 2; ++i) (void)sim->GetState("cc", Key(key(random))).value();
  if (random() % 5 == 0) {
    int start = key(random);
    auto it = sim->GetStateRangeScanIterator("cc", Key(start), Key(start + 3)).value();
    while (it->Next().value()) {
    }
  }
  for (int i = 0; i < 2; ++i) {
    std::string value = random() % 10 == 0
                            ? std::string()
                            : "v" + std::to_string(block) + "-" + std::to_string(tx) + "-" +
                                  std::to_string(random() % 1000);
    (void)sim->PutState("cc", Key(key(random)), value);
  }
  return sim->GetTxSimulationResults().value();
}

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "crash_committer: " << what << std::endl;
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) Die("usage: crash_committer <ledgers dir> <seed> [--crash-at=P --crash-after=K]");
  std::string crash_at;
  int crash_after = 0;
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--crash-at=", 0) == 0) crash_at = arg.substr(11);
    if (arg.rfind("--crash-after=", 0) == 0) crash_after = std::stoi(arg.substr(14));
  }

  int commits_started = 0;
  auto armed = [&] { return !crash_at.empty() && commits_started == crash_after; };
  ledger::LedgerOptions options;
  options.commit_hook_for_testing = [&](ledger::CommitPoint point) {
    if (!armed()) return;
    if ((point == ledger::CommitPoint::kBlockAppended && crash_at == "appended") ||
        (point == ledger::CommitPoint::kStateWritten && crash_at == "state")) {
      ::raise(SIGKILL);
    }
  };
  options.append_hook_for_testing = [&](AppendPoint point) {
    if (armed() && point == AppendPoint::kHalfRecordWritten && crash_at == "torn") {
      ::raise(SIGKILL);
    }
  };

  ledger::LedgerManager manager(argv[1], options);
  auto opened = manager.OpenLedger(kChannel);
  if (absl::IsNotFound(opened.status()))
    opened = manager.CreateLedger(weft::testing::GenesisBlock(kChannel));
  if (!opened.ok()) Die(opened.status().ToString());
  auto& peer_ledger = **opened;
  if (peer_ledger.GetBlockchainInfo().height == 0) {
    // A crash while the ledger was being created.
    auto genesis =
        peer_ledger.CommitBlock(weft::testing::GenesisBlock(kChannel), {::protos::VALID});
    if (!genesis.ok()) Die(genesis.status().ToString());
  }

  std::mt19937 random(static_cast<unsigned>(std::stoul(argv[2])));
  while (true) {
    auto info = peer_ledger.GetBlockchainInfo();
    std::vector<std::string> envelopes;
    for (int tx = 0; tx < kTxsPerBlock; ++tx) {
      std::string tx_id = "tx-" + std::to_string(info.height) + "-" + std::to_string(tx) + "-" +
                          std::to_string(random());
      envelopes.push_back(weft::testing::EndorserTxEnvelope(
          kChannel, tx_id, Simulate(peer_ledger, random, info.height, tx)));
    }
    auto block = weft::testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
    ++commits_started;
    auto codes = peer_ledger.CommitBlock(
        std::move(block), std::vector<::protos::TxValidationCode>(kTxsPerBlock, ::protos::VALID));
    if (!codes.ok()) Die(codes.status().ToString());
    std::cout << "committed " << info.height << std::endl;
  }
}
