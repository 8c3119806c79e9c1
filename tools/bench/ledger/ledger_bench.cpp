// Throughput of the peer ledger's commit path on 500-transaction blocks,
// every transaction reading and writing two keys at their current versions
// (so all are valid and every read is checked against LevelDB).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "peer/ledger/mvcc.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/rwset/rwset.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace {

namespace ledger = weft::peer::ledger;
using weft::common::ledger::blockstore::FsyncPolicy;

constexpr int kTxsPerBlock = 500;
constexpr int kKeySpace = 10000;
const std::string kChannel = "benchchannel";

// Tracks each key's committed version so generated reads are never stale.
class Workload {
 public:
  // Transaction i of `block` reads and writes two keys no other transaction
  // of the block touches.
  std::vector<::rwset::TxReadWriteSet> NextBlock(uint64_t block) {
    std::vector<::rwset::TxReadWriteSet> txs;
    for (int i = 0; i < kTxsPerBlock; ++i) {
      ledger::rwset::RwSetBuilder builder;
      for (int k = 0; k < 2; ++k) {
        std::string key = "key" + std::to_string((next_key_++) % kKeySpace);
        auto found = versions_.find(key);
        builder.AddRead("bench", key,
                        found == versions_.end()
                            ? std::nullopt
                            : std::optional<ledger::statedb::Version>(found->second));
        builder.AddWrite("bench", key, std::string(100, static_cast<char>('a' + block % 26)));
        versions_[key] = ledger::statedb::Version{block, static_cast<uint64_t>(i)};
      }
      txs.push_back(builder.Build());
    }
    return txs;
  }

 private:
  std::map<std::string, ledger::statedb::Version> versions_;
  uint64_t next_key_ = 0;
};

void BM_CommitBlock(benchmark::State& state) {
  weft::testing::TempDir dir("weft-ledger-bench");
  ledger::LedgerOptions options;
  options.fsync = state.range(0) != 0 ? FsyncPolicy::kEveryBlock : FsyncPolicy::kNone;
  auto peer_ledger = ledger::LedgerManager(dir.path(), options)
                         .CreateLedger(weft::testing::GenesisBlock(kChannel))
                         .value();
  Workload workload;
  const std::vector<::protos::TxValidationCode> codes(kTxsPerBlock, ::protos::VALID);
  for (auto _ : state) {
    state.PauseTiming();
    auto info = peer_ledger->GetBlockchainInfo();
    std::vector<std::string> envelopes;
    int tx = 0;
    for (const auto& rwset : workload.NextBlock(info.height)) {
      envelopes.push_back(weft::testing::EndorserTxEnvelope(
          kChannel, "tx-" + std::to_string(info.height) + "-" + std::to_string(tx++), rwset));
    }
    auto block = weft::testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
    state.ResumeTiming();

    auto result = peer_ledger->CommitBlock(std::move(block), codes);
    if (!result.ok() || (*result)[kTxsPerBlock - 1] != ::protos::VALID) {
      state.SkipWithError("commit failed or a transaction was invalidated");
      break;
    }
  }
  state.counters["blocks/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["tx/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kTxsPerBlock, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CommitBlock)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("fsync")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// MVCC validation alone, over a LevelDB state DB (unsynced writes) that
// the untimed part of each iteration advances by one block.
void BM_ValidateBlock(benchmark::State& state) {
  auto db = weft::testing::OpenTempStateDb();
  Workload workload;
  uint64_t block = 1;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<ledger::rwset::TxRwSet> parsed;
    for (const auto& rwset : workload.NextBlock(block)) {
      parsed.push_back(ledger::rwset::ParseTxRwSet(rwset).value());
    }
    std::vector<ledger::TxToValidate> txs;
    for (const auto& rwset : parsed) txs.push_back({&rwset, ::protos::VALID});
    state.ResumeTiming();

    auto validated = ledger::ValidateAndPrepareBatch(*db, block, txs).value();
    benchmark::DoNotOptimize(validated.codes.data());

    state.PauseTiming();
    if (!db->ApplyUpdates(validated.updates, block + 1).ok()) {
      state.SkipWithError("apply failed");
      break;
    }
    ++block;
    state.ResumeTiming();
  }
  state.counters["tx/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kTxsPerBlock, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ValidateBlock)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
