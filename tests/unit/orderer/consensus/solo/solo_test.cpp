#include "orderer/consensus/solo/solo.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/concurrency/clock.h"
#include "orderer/blockcutter/block_cutter.h"
#include "tests/unit/orderer/support/test_network.h"

using weft::common::channelconfig::ChannelConfig;
using weft::common::concurrency::ManualClock;
using weft::orderer::consensus::solo::SoloConsenter;
using weft::orderer::consensus::solo::SoloOptions;
namespace consensus = weft::orderer::consensus;

namespace {

::common::Envelope Tagged(const std::string& tag) {
  ::common::Envelope envelope;
  envelope.set_payload(tag);
  envelope.set_signature("sig");
  return envelope;
}

struct WrittenBlock {
  std::vector<std::string> payloads;
  bool is_config = false;
};

// Records what the chain writes; the config and its sequence are fixed.
class FakeSupport final : public consensus::ConsenterSupport {
 public:
  FakeSupport(weft::testing::TestNetwork& network, uint64_t sequence) {
    ::common::Config config = network.Config();
    config.set_sequence(sequence);
    auto bundle = ChannelConfig::FromConfig(channel_id_, config);
    REQUIRE(bundle.ok());
    config_ = *bundle;
  }

  const std::string& ChannelId() const override { return channel_id_; }
  std::shared_ptr<const weft::common::channelconfig::ChannelConfig> ChannelConfig() const override {
    return config_;
  }
  consensus::BlockCutter& Cutter() override { return cutter_; }
  uint64_t Height() const override { return 1; }
  std::string LastConsenterMetadata() const override { return {}; }
  [[nodiscard]] weft::StatusOr<uint64_t> RevalidateNormal(
      const ::common::Envelope& envelope) const override {
    revalidated_.push_back(envelope.payload());
    if (envelope.payload().starts_with("bad")) return absl::PermissionDeniedError("no");
    return config_->sequence();
  }
  [[nodiscard]] weft::StatusOr<::common::Envelope> RevalidateConfig(
      const ::common::Envelope& envelope) const override {
    revalidated_.push_back(envelope.payload());
    return Tagged(envelope.payload() + "-revalidated");
  }
  [[nodiscard]] weft::Status WriteBlock(std::vector<::common::Envelope> batch,
                                        std::string) override {
    return Record(std::move(batch), false);
  }
  [[nodiscard]] weft::Status WriteConfigBlock(::common::Envelope envelope, std::string) override {
    return Record({std::move(envelope)}, true);
  }

  // Waits (up to 20 s, a hang guard) until `count` blocks were written.
  std::vector<WrittenBlock> WaitForBlocks(size_t count) {
    std::unique_lock lock(mu_);
    written_cv_.wait_for(lock, std::chrono::seconds(20), [&] { return blocks_.size() >= count; });
    return blocks_;
  }
  size_t BlockCount() {
    std::lock_guard lock(mu_);
    return blocks_.size();
  }
  mutable std::vector<std::string> revalidated_;  // ordering thread only, read after Halt

 private:
  [[nodiscard]] weft::Status Record(std::vector<::common::Envelope> batch, bool is_config) {
    WrittenBlock block{{}, is_config};
    for (const auto& envelope : batch) block.payloads.push_back(envelope.payload());
    std::lock_guard lock(mu_);
    blocks_.push_back(std::move(block));
    written_cv_.notify_all();
    return absl::OkStatus();
  }

  const std::string channel_id_ = "mychannel";
  std::shared_ptr<const ::weft::common::channelconfig::ChannelConfig> config_;
  weft::orderer::blockcutter::BlockCutter cutter_{
      [this] { return config_->orderer()->batch_size; }};
  std::mutex mu_;
  std::condition_variable written_cv_;
  std::vector<WrittenBlock> blocks_;
};

using Payloads = std::vector<std::string>;

SoloOptions WithClock(const ManualClock& clock) {
  SoloOptions options;
  options.clock = &clock;
  options.timer_tick = std::chrono::milliseconds(1);
  return options;
}

}  // namespace

TEST_CASE("Solo cuts a block as soon as MaxMessageCount envelopes are ordered") {
  weft::testing::TestNetwork network;
  network.batch_size.max_message_count = 3;
  FakeSupport support(network, 0);
  ManualClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  for (std::string tag : {"a", "b", "c", "d"}) REQUIRE((*chain)->Order(Tagged(tag), 0).ok());
  auto blocks = support.WaitForBlocks(1);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].payloads == Payloads{"a", "b", "c"});
  CHECK_FALSE(blocks[0].is_config);
  (*chain)->Halt();
}

TEST_CASE("Solo cuts pending envelopes when the batch timeout passes on the clock") {
  weft::testing::TestNetwork network;
  network.batch_timeout = "2s";
  FakeSupport support(network, 0);
  ManualClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  REQUIRE((*chain)->Order(Tagged("a"), 0).ok());
  REQUIRE((*chain)->Order(Tagged("b"), 0).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  clock.Advance(std::chrono::milliseconds(1999));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(support.BlockCount() == 0);
  clock.Advance(std::chrono::milliseconds(1));
  auto blocks = support.WaitForBlocks(1);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].payloads == Payloads{"a", "b"});
  (*chain)->Halt();
}

TEST_CASE("A config envelope cuts pending envelopes and gets a block of its own") {
  weft::testing::TestNetwork network;
  FakeSupport support(network, 0);
  ManualClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  REQUIRE((*chain)->Order(Tagged("a"), 0).ok());
  REQUIRE((*chain)->Configure(Tagged("config"), 0).ok());
  REQUIRE((*chain)->Order(Tagged("b"), 0).ok());
  auto blocks = support.WaitForBlocks(2);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].payloads == Payloads{"a"});
  CHECK(blocks[1].payloads == Payloads{"config"});
  CHECK(blocks[1].is_config);
  (*chain)->Halt();
  // Halting writes what was acknowledged but still pending.
  blocks = support.WaitForBlocks(3);
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[2].payloads == Payloads{"b"});
}

TEST_CASE("Envelopes checked under an older config sequence are re-validated before ordering") {
  weft::testing::TestNetwork network;
  network.batch_size.max_message_count = 2;
  FakeSupport support(network, 1);
  ManualClock clock;
  SoloConsenter consenter(WithClock(clock));
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  REQUIRE((*chain)->Order(Tagged("bad-stale"), 0).ok());
  REQUIRE((*chain)->Order(Tagged("good-stale"), 0).ok());
  REQUIRE((*chain)->Order(Tagged("current"), 1).ok());
  REQUIRE((*chain)->Configure(Tagged("config"), 0).ok());
  auto blocks = support.WaitForBlocks(2);
  (*chain)->Halt();
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].payloads == Payloads{"good-stale", "current"});
  CHECK(blocks[1].payloads == Payloads{"config-revalidated"});
  CHECK(support.revalidated_ == Payloads{"bad-stale", "good-stale", "config"});
}

TEST_CASE("A halted solo chain refuses envelopes as unavailable") {
  weft::testing::TestNetwork network;
  FakeSupport support(network, 0);
  SoloConsenter consenter;
  auto chain = consenter.HandleChain(support);
  REQUIRE(chain.ok());
  (*chain)->Start();
  CHECK((*chain)->WaitReady().ok());
  (*chain)->Halt();
  CHECK((*chain)->WaitReady().code() == absl::StatusCode::kUnavailable);
  CHECK((*chain)->Order(Tagged("late"), 0).code() == absl::StatusCode::kUnavailable);
  CHECK(support.BlockCount() == 0);
}
