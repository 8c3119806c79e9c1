// The consensus seam of the orderer (Fabric's orderer/consensus): a Consenter makes
// one Chain per channel; the chain orders envelopes that the broadcast handler has
// already validated, cuts them into batches with the channel's BlockCutter and hands
// the batches to ConsenterSupport, which builds, signs and stores blocks.
//
// Solo orders in process; Kafka orders through a Kafka partition so that every
// orderer node cuts byte-identical blocks.
//
// Thread-safety: Chain methods may be called from many broadcast streams at once.
// ConsenterSupport methods that write (WriteBlock, WriteConfigBlock) are called only
// from the chain's single ordering thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/status/status.h"

namespace weft::orderer::consensus {

// Splits an ordered stream of envelopes into batches (Fabric's blockcutter), using the
// channel's BatchSize. Deterministic: the same input sequence gives the same batches on
// every node. The batch timer is the chain's business, not the cutter's.
// Thread-safety: not thread-safe; owned by the chain's ordering thread.
class BlockCutter {
 public:
  virtual ~BlockCutter() = default;
  // Adds `envelope` (serialized size `size`) and returns the batches it completed
  // (zero, one or two), and whether envelopes remain pending afterwards.
  struct OrderedResult {
    std::vector<std::vector<::common::Envelope>> batches;
    bool pending = false;
  };
  virtual OrderedResult Ordered(::common::Envelope envelope) = 0;
  // Returns and clears the pending batch (may be empty).
  virtual std::vector<::common::Envelope> Cut() = 0;
};

// What a chain needs from the orderer for its channel.
class ConsenterSupport {
 public:
  virtual ~ConsenterSupport() = default;

  virtual const std::string& ChannelId() const = 0;
  // The current channel configuration (replaced whole after a config block).
  virtual std::shared_ptr<const common::channelconfig::ChannelConfig> ChannelConfig() const = 0;
  virtual BlockCutter& Cutter() = 0;
  // Number of blocks in the channel's ledger.
  virtual uint64_t Height() const = 0;
  // consenter_metadata of the newest block's OrdererBlockMetadata (empty for block 0
  // or when none was written): where a restarted chain resumes.
  virtual std::string LastConsenterMetadata() const = 0;

  // Re-validates an envelope that was validated under an older config sequence
  // (Fabric's ProcessNormalMsg); returns the current config sequence on success.
  [[nodiscard]] virtual StatusOr<uint64_t> RevalidateNormal(
      const ::common::Envelope& envelope) const = 0;
  // Re-validates a CONFIG_UPDATE (or CONFIG) envelope and returns the CONFIG envelope
  // to order and the config sequence it applies to (Fabric's ProcessConfigMsg).
  [[nodiscard]] virtual StatusOr<::common::Envelope> RevalidateConfig(
      const ::common::Envelope& envelope) const = 0;

  // Builds the next block for `batch` (number = Height(), previous hash chained, data
  // hash set), signs it, writes it with `consenter_metadata` in
  // OrdererBlockMetadata.consenter_metadata and appends it to the ledger.
  [[nodiscard]] virtual Status WriteBlock(std::vector<::common::Envelope> batch,
                                          std::string consenter_metadata) = 0;
  // Same for a block holding one CONFIG envelope; also applies the new config.
  [[nodiscard]] virtual Status WriteConfigBlock(::common::Envelope config_envelope,
                                                std::string consenter_metadata) = 0;
};

// One channel's ordering service.
class Chain {
 public:
  virtual ~Chain() = default;
  // Accepts a validated normal envelope that was checked at `config_sequence`.
  // Unavailable while the chain cannot order (e.g. Kafka unreachable); nothing is
  // accepted then, so nothing is lost.
  [[nodiscard]] virtual Status Order(::common::Envelope envelope, uint64_t config_sequence) = 0;
  // Same for a CONFIG envelope (already produced from a CONFIG_UPDATE).
  [[nodiscard]] virtual Status Configure(::common::Envelope config_envelope,
                                         uint64_t config_sequence) = 0;
  // OK when Order/Configure would currently be accepted.
  [[nodiscard]] virtual Status WaitReady() = 0;
  // Fabric's Chain.Errored: a token that is (or becomes) stop-requested while the
  // chain cannot produce blocks (e.g. a halted Kafka chain or an unreachable
  // partition); Deliver then answers SERVICE_UNAVAILABLE so that peers move to
  // another orderer. A token taken while healthy is requested when the chain fails;
  // after recovery, new calls return a fresh one. Chains that never fail (solo)
  // keep the default, a token that is never requested.
  virtual std::stop_token Errored() const { return {}; }
  virtual void Start() = 0;
  // Stops ordering; pending envelopes not yet ordered by consensus may be dropped
  // only if they were never acknowledged as SUCCESS.
  virtual void Halt() = 0;
};

class Consenter {
 public:
  virtual ~Consenter() = default;
  // `support` outlives the chain.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<Chain>> HandleChain(ConsenterSupport& support) = 0;
};

// Consensus types by name ("solo", "kafka"), built in the orderer's composition root.
using ConsenterRegistry = std::map<std::string, std::unique_ptr<Consenter>, std::less<>>;

}  // namespace weft::orderer::consensus
