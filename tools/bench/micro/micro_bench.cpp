// Micro-benchmarks under the end-to-end figures of weft-bench: ECDSA P-256 sign and
// verify through common/crypto (the operations that bound the ceiling_tps of
// tools/bench/run.sh) and the orderer's block cutter on 500-envelope batches.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "orderer/blockcutter/block_cutter.h"

namespace {

namespace crypto = weft::common::crypto;

// A message the size of a typical proposal's bytes.
const std::string kMessage(2048, 'm');

void BM_EcdsaSign(benchmark::State& state) {
  const crypto::PrivateKey key = crypto::PrivateKey::Generate().value();
  for (auto _ : state) {
    auto signature = key.Sign(kMessage);
    benchmark::DoNotOptimize(signature);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaSign);

void BM_EcdsaVerify(benchmark::State& state) {
  const crypto::PrivateKey key = crypto::PrivateKey::Generate().value();
  const crypto::PublicKey public_key = key.public_key();
  const std::string signature = key.Sign(kMessage).value();
  for (auto _ : state) {
    auto verified = public_key.Verify(kMessage, signature);
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaVerify);

// Ordered() of envelopes of about a create transaction's size (3 KB) until the cutter
// cuts at MaxMessageCount 500, as the run.sh networks are configured.
void BM_BlockCutter(benchmark::State& state) {
  ::common::Envelope envelope;
  envelope.set_payload(std::string(3000, 'p'));
  envelope.set_signature(std::string(71, 's'));
  weft::orderer::blockcutter::BlockCutter cutter([] {
    weft::common::channelconfig::BatchSize size;
    size.max_message_count = 500;
    size.absolute_max_bytes = 99 * 1024 * 1024;
    size.preferred_max_bytes = 2 * 1024 * 1024;
    return size;
  });
  int64_t batches = 0;
  for (auto _ : state) {
    auto result = cutter.Ordered(envelope);
    batches += static_cast<int64_t>(result.batches.size());
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["batches"] = static_cast<double>(batches);
}
BENCHMARK(BM_BlockCutter);

}  // namespace

BENCHMARK_MAIN();
