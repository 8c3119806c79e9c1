// A ConsenterSupport for consenter tests (solo, Kafka): the real block cutter over
// the channel's BatchSize, an in-memory ledger of the batches and consenter metadata
// the chain wrote, and waitable hooks so tests wait for the chain instead of
// sleeping: WaitForOrdered (the chain took N envelopes into its cutter),
// WaitForBlocks (N blocks written), WaitForEnvelopes (given payloads written).
//
// Revalidation rules, for tests of stale config sequences: RevalidateNormal refuses
// payloads starting with "bad" (PermissionDenied); RevalidateConfig returns the
// envelope with "-revalidated" appended to its payload. Both record the payloads
// they were asked about (Revalidated()).
//
// Made from a ConfigModel instead, the fake also models config updates the way Fabric's
// configtx does: a CONFIG envelope (ConfigUpdate) sets one orderer value
// (MaxMessageCount or BatchTimeout), names the version of that value it was computed
// against and the sequence it produces, and is signed by whoever produced it. Writing
// it applies it (the sequence goes up, the cutter and batch timer see the new value)
// and fails with FailedPrecondition when it does not apply to the current config.
// RevalidateConfig really re-validates: it refuses an update whose value changed since,
// and otherwise re-signs it as this node, with a fresh nonce, for the next sequence.
//
// Thread-safety: thread-safe; the chain's ordering thread writes while the test
// thread waits and reads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "orderer/blockcutter/block_cutter.h"
#include "orderer/consensus/consensus.h"
#include "tests/support/wait_until.h"

namespace weft::testing {

struct WrittenBlock {
  std::vector<std::string> envelopes;  // payloads, in block order
  std::string consenter_metadata;
  bool config = false;
  bool operator==(const WrittenBlock&) const = default;
};

// The channel a FakeConsenterSupport with modelled config updates starts from.
struct ConfigModel {
  std::string channel_id;
  common::channelconfig::ChannelSpec spec;  // needs an orderer section
  std::string node;                         // who re-signs re-validated config updates
};

class FakeConsenterSupport final : public orderer::consensus::ConsenterSupport {
 public:
  // `ledger` is what the node already holds after the genesis block (a restart).
  explicit FakeConsenterSupport(std::shared_ptr<const common::channelconfig::ChannelConfig> config,
                                std::vector<WrittenBlock> ledger = {});
  // With modelled config updates; the config blocks of `ledger` are applied first.
  // Throws std::runtime_error when the spec does not build or a block does not apply.
  explicit FakeConsenterSupport(ConfigModel model, std::vector<WrittenBlock> ledger = {});

  const std::string& ChannelId() const override { return channel_id_; }
  std::shared_ptr<const common::channelconfig::ChannelConfig> ChannelConfig() const override;
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
  // Payloads RevalidateNormal and RevalidateConfig were asked about, in order.
  std::vector<std::string> Revalidated() const;

  // Modelled config updates only: a CONFIG envelope setting `key` ("MaxMessageCount" or
  // "BatchTimeout") to `value`, computed against the current config and signed by
  // `signer`, as a client's CONFIG_UPDATE becomes at Broadcast.
  ::common::Envelope ConfigUpdate(const std::string& key, const std::string& value,
                                  const std::string& signer = "client") const;
  // The value of `key` now and how many updates set it.
  std::string ConfigValue(const std::string& key) const;
  uint64_t ConfigVersion(const std::string& key) const;

  // Waits until the chain has handed `count` envelopes to the cutter; false on timeout.
  bool WaitForOrdered(size_t count, std::chrono::milliseconds timeout = kHangGuard) const;
  // Waits until the ledger holds at least `count` blocks (an initial `ledger`
  // included); returns it then, or as it is at the timeout.
  std::vector<WrittenBlock> WaitForBlocks(size_t count,
                                          std::chrono::milliseconds timeout = kHangGuard) const;
  // Waits until every payload in `wanted` is in the ledger; false on timeout.
  bool WaitForEnvelopes(const std::vector<std::string>& wanted,
                        std::chrono::milliseconds timeout = kHangGuard) const;

 private:
  // The real cutter, counting the envelopes it is given.
  class CountingCutter final : public orderer::consensus::BlockCutter {
   public:
    CountingCutter(FakeConsenterSupport& owner, orderer::blockcutter::BatchSizeSource batch_size);
    OrderedResult Ordered(::common::Envelope envelope) override;
    std::vector<::common::Envelope> Cut() override { return cutter_.Cut(); }

   private:
    FakeConsenterSupport& owner_;
    orderer::blockcutter::BlockCutter cutter_;
  };

  void Append(WrittenBlock block);
  // Modelled config updates: applies a CONFIG payload to the model (mu_ held).
  [[nodiscard]] Status ApplyLocked(const std::string& payload);

  const std::string channel_id_;
  const bool modelled_;
  const std::string node_;
  CountingCutter cutter_;
  mutable std::mutex mu_;
  std::shared_ptr<const common::channelconfig::ChannelConfig> config_;  // guarded by mu_
  common::channelconfig::ChannelSpec spec_;                             // guarded by mu_
  std::map<std::string, uint64_t> versions_;                            // guarded by mu_
  mutable uint64_t nonce_ = 0;                                          // guarded by mu_
  mutable std::condition_variable changed_;
  std::vector<WrittenBlock> blocks_;              // guarded by mu_; block 0 (genesis) not included
  size_t ordered_ = 0;                            // guarded by mu_
  mutable std::vector<std::string> revalidated_;  // guarded by mu_
};

// An envelope whose payload is `payload`, so tests can follow it through the ledger.
::common::Envelope TestEnvelope(const std::string& payload);

}  // namespace weft::testing
