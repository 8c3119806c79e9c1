#include "orderer/consensus/solo/solo.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/concurrency/clock.h"
#include "tests/support/fake_consenter_support.h"
#include "tests/support/observed_clock.h"
#include "tests/support/test_network.h"

using weft::common::concurrency::ManualClock;
using weft::orderer::consensus::solo::SoloConsenter;
using weft::orderer::consensus::solo::SoloOptions;
using weft::testing::FakeConsenterSupport;
using weft::testing::ObservedClock;
using weft::testing::TestEnvelope;
using weft::testing::TestNetwork;

namespace {

// The solo chain of `network`'s channel, at config sequence `sequence`.
FakeConsenterSupport Support(const TestNetwork& network, uint64_t sequence = 0) {
  return FakeConsenterSupport(network.Bundle("mychannel", sequence));
}

using Payloads = std::vector<std::string>;

SoloOptions WithClock(const weft::common::concurrency::Clock& clock) {
  SoloOptions options;
  options.clock = &clock;
  options.timer_tick = std::chrono::milliseconds(1);
  return options;
}

}  // namespace

TEST_CASE("Solo cuts a block as soon as MaxMessageCount envelopes are ordered") {
  TestNetwork network;
  network.batch_size.max_message_count = 3;
  FakeConsenterSupport support = Support(network);
  ManualClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  for (std::string tag : {"a", "b", "c", "d"}) REQUIRE((*chain)->Order(TestEnvelope(tag), 0).ok());
  auto blocks = support.WaitForBlocks(1);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].envelopes == Payloads{"a", "b", "c"});
  CHECK_FALSE(blocks[0].config);
  (*chain)->Halt();
}

TEST_CASE("Solo cuts pending envelopes when the batch timeout passes on the clock") {
  TestNetwork network;
  network.batch_timeout = "2s";
  FakeConsenterSupport support = Support(network);
  ObservedClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  REQUIRE((*chain)->Order(TestEnvelope("a"), 0).ok());
  REQUIRE((*chain)->Order(TestEnvelope("b"), 0).ok());
  // The timer starts when the chain takes "a".
  REQUIRE(support.WaitForOrdered(2));
  const auto advanced = clock.Advance(std::chrono::milliseconds(1999));
  // Two reads after the change: the chain compared 1999 ms with the timeout and, had
  // it cut, would have written the block before looking at the clock again.
  REQUIRE(clock.WaitForReadsAfter(advanced, 2));
  CHECK(support.Blocks().empty());
  clock.Advance(std::chrono::milliseconds(1));
  auto blocks = support.WaitForBlocks(1);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].envelopes == Payloads{"a", "b"});
  (*chain)->Halt();
}

TEST_CASE("A config envelope cuts pending envelopes and gets a block of its own") {
  TestNetwork network;
  FakeConsenterSupport support = Support(network);
  ManualClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  REQUIRE((*chain)->Order(TestEnvelope("a"), 0).ok());
  REQUIRE((*chain)->Configure(TestEnvelope("config"), 0).ok());
  REQUIRE((*chain)->Order(TestEnvelope("b"), 0).ok());
  auto blocks = support.WaitForBlocks(2);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].envelopes == Payloads{"a"});
  CHECK(blocks[1].envelopes == Payloads{"config"});
  CHECK(blocks[1].config);
  (*chain)->Halt();
  // Halting writes what was acknowledged but still pending.
  blocks = support.WaitForBlocks(3);
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[2].envelopes == Payloads{"b"});
}

TEST_CASE("Envelopes checked under an older config sequence are re-validated before ordering") {
  TestNetwork network;
  network.batch_size.max_message_count = 2;
  FakeConsenterSupport support = Support(network, 1);
  ManualClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  REQUIRE((*chain)->Order(TestEnvelope("bad-stale"), 0).ok());
  REQUIRE((*chain)->Order(TestEnvelope("good-stale"), 0).ok());
  REQUIRE((*chain)->Order(TestEnvelope("current"), 1).ok());
  REQUIRE((*chain)->Configure(TestEnvelope("config"), 0).ok());
  auto blocks = support.WaitForBlocks(2);
  (*chain)->Halt();
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].envelopes == Payloads{"good-stale", "current"});
  CHECK(blocks[1].envelopes == Payloads{"config-revalidated"});
  CHECK(support.Revalidated() == Payloads{"bad-stale", "good-stale", "config"});
}

TEST_CASE("A halted solo chain refuses envelopes as unavailable") {
  TestNetwork network;
  FakeConsenterSupport support = Support(network);
  SoloConsenter consenter;
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  CHECK((*chain)->WaitReady().ok());
  (*chain)->Halt();
  CHECK((*chain)->WaitReady().code() == absl::StatusCode::kUnavailable);
  CHECK((*chain)->Order(TestEnvelope("late"), 0).code() == absl::StatusCode::kUnavailable);
  CHECK(support.Blocks().empty());
}
