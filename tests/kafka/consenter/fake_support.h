// A ConsenterSupport for one test "node": a count-only block cutter (the channel's
// BatchSize.MaxMessageCount, the rule that matters for ordering tests) and an
// in-memory ledger of the batches and consenter metadata the chain wrote.
// Thread-safety: the chain's ordering thread writes while the test thread reads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "orderer/blockcutter/block_cutter.h"
#include "orderer/consensus/consensus.h"

namespace weft::testing {

struct WrittenBlock {
  std::vector<std::string> envelopes;  // payloads, in block order
  std::string consenter_metadata;
  bool config = false;
  bool operator==(const WrittenBlock&) const = default;
};

class FakeSupport final : public orderer::consensus::ConsenterSupport {
 public:
  // `ledger` is what the node already holds after the genesis block (a restart).
  FakeSupport(std::shared_ptr<const common::channelconfig::ChannelConfig> config,
              std::vector<WrittenBlock> ledger = {});

  const std::string& ChannelId() const override { return config_->channel_id(); }
  std::shared_ptr<const common::channelconfig::ChannelConfig> ChannelConfig() const override {
    return config_;
  }
  orderer::consensus::BlockCutter& Cutter() override { return cutter_; }
  uint64_t Height() const override;
  std::string LastConsenterMetadata() const override;
  [[nodiscard]] StatusOr<uint64_t> RevalidateNormal(
      const ::common::Envelope& envelope) const override;
  [[nodiscard]] StatusOr<::common::Envelope> RevalidateConfig(
      const ::common::Envelope& envelope) const override;
  [[nodiscard]] Status WriteBlock(std::vector<::common::Envelope> batch,
                                  std::string consenter_metadata) override;
  [[nodiscard]] Status WriteConfigBlock(::common::Envelope config_envelope,
                                        std::string consenter_metadata) override;

  std::vector<WrittenBlock> Blocks() const;
  // Envelope payloads over all blocks, in ledger order.
  std::vector<std::string> Envelopes() const;
  // Waits until every payload in `wanted` is in the ledger; false on timeout.
  bool WaitForEnvelopes(const std::vector<std::string>& wanted,
                        std::chrono::milliseconds timeout) const;

 private:
  const std::shared_ptr<const common::channelconfig::ChannelConfig> config_;
  orderer::blockcutter::BlockCutter cutter_;
  mutable std::mutex mu_;
  mutable std::condition_variable written_;
  std::vector<WrittenBlock> blocks_;  // guarded by mu_; block 0 (genesis) not included
};

// An envelope whose payload is `payload`, so tests can follow it through the ledger.
::common::Envelope TestEnvelope(const std::string& payload);

}  // namespace weft::testing
