// Everything the orderer holds for one channel (Fabric's multichannel
// ChainSupport): its ledger, current config bundle, block cutter, message
// processor, block writer and consensus chain. It is the ConsenterSupport the
// chain writes blocks through and the DeliverSource Deliver reads from.
//
// Blocks it writes (fabric-interop.md A.2): number = height, previous_hash =
// header hash of the last block, data hash, 5 metadata slots with SIGNATURES
// (OrdererBlockMetadata{last_config, consenter_metadata = bytes(Metadata{value})}
// signed by the orderer identity) and LAST_CONFIG; ORDERER holds
// bytes(Metadata{value = consenter metadata}) when that is non-empty.
//
// Thread-safety: thread-safe. WriteBlock/WriteConfigBlock come from the chain's
// single ordering thread; everything else may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/deliver/deliver_handler.h"
#include "common/ledger/blockstore/block_store.h"
#include "common/log/logger.h"
#include "common/metrics/metrics.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "msp/ecdsa_counter.h"
#include "orderer/blockcutter/block_cutter.h"
#include "orderer/consensus/consensus.h"
#include "orderer/msgprocessor/msg_processor.h"

namespace weft::orderer::multichannel {

// Metrics a chain reports, labelled by channel; either may be null.
struct ChainMetrics {
  common::metrics::Gauge* height = nullptr;               // ledger_blockchain_height
  common::metrics::Histogram* block_envelopes = nullptr;  // blockcutter_block_envelopes
};

class ChainSupport final : public consensus::ConsenterSupport,
                           public common::deliver::DeliverSource {
 public:
  // Takes an opened ledger holding at least block 0; finds the last config block
  // through the newest block's metadata and loads its config. Does not make or
  // start the chain (see AttachChain). The channel's MSPs count their signature
  // checks in `ecdsa_counter` (null: not counted).
  [[nodiscard]] static StatusOr<std::unique_ptr<ChainSupport>> Create(
      std::string channel_id, std::unique_ptr<common::ledger::blockstore::BlockStore> store,
      const common::protoutil::Signer& signer, msgprocessor::ConfigUpdateValidator validator,
      std::shared_ptr<common::log::Logger> logger,
      msgprocessor::StandardChannelOptions broadcast_filters = {},
      std::shared_ptr<msp::EcdsaCounter> ecdsa_counter = nullptr);
  ~ChainSupport() override;
  ChainSupport(const ChainSupport&) = delete;
  ChainSupport& operator=(const ChainSupport&) = delete;

  // Starts reporting height and block sizes (the current height at once).
  void ReportTo(ChainMetrics metrics);

  // Makes the chain with `consenter`; the registrar calls this once, then Start.
  [[nodiscard]] Status AttachChain(consensus::Consenter& consenter);

  // ConsenterSupport and DeliverSource.
  const std::string& ChannelId() const override { return channel_id_; }
  std::shared_ptr<const common::channelconfig::ChannelConfig> ChannelConfig() const override;

  // ConsenterSupport.
  consensus::BlockCutter& Cutter() override { return cutter_; }
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

  // DeliverSource.
  const common::ledger::blockstore::BlockStore& Blocks() const override { return *store_; }
  // The chain's Errored token (Fabric's ChainSupport embeds its consensus.Chain);
  // never requested before AttachChain.
  std::stop_token Errored() const override;

  // For Broadcast: validation of incoming envelopes and the chain to order with.
  const msgprocessor::StandardChannel& Processor() const { return processor_; }
  // REQUIRES: AttachChain succeeded.
  consensus::Chain& Chain() { return *chain_; }
  // The ledger's block number of the newest config block.
  uint64_t LastConfigIndex() const;

  // Halts the chain (if any) and closes the ledger; later writes fail.
  void Halt();

 private:
  ChainSupport(std::string channel_id,
               std::unique_ptr<common::ledger::blockstore::BlockStore> store,
               const common::protoutil::Signer& signer,
               msgprocessor::ConfigUpdateValidator validator,
               std::shared_ptr<common::log::Logger> logger,
               msgprocessor::StandardChannelOptions broadcast_filters,
               std::shared_ptr<msp::EcdsaCounter> ecdsa_counter);
  [[nodiscard]] Status Load();
  [[nodiscard]] Status Append(::common::Block contents, bool is_config,
                              const std::string& consenter_metadata);
  // The bundle of a config block's CONFIG envelope, which must follow `current`.
  [[nodiscard]] StatusOr<std::shared_ptr<const common::channelconfig::ChannelConfig>> ConfigOf(
      const ::common::Block& block, const common::channelconfig::ChannelConfig& current) const;
  // Fills SIGNATURES, LAST_CONFIG and ORDERER metadata of a block whose header is final.
  [[nodiscard]] Status Sign(::common::Block& block, uint64_t last_config_index,
                            const std::string& consenter_metadata) const;

  const std::string channel_id_;
  const std::unique_ptr<common::ledger::blockstore::BlockStore> store_;
  const common::protoutil::Signer& signer_;
  const std::shared_ptr<msp::EcdsaCounter> ecdsa_counter_;
  const std::shared_ptr<common::log::Logger> logger_;
  blockcutter::BlockCutter cutter_;
  msgprocessor::StandardChannel processor_;
  std::unique_ptr<consensus::Chain> chain_;
  ChainMetrics metrics_;

  mutable std::mutex mu_;
  std::shared_ptr<const common::channelconfig::ChannelConfig> config_;  // guarded by mu_
  uint64_t last_config_index_ = 0;                                      // guarded by mu_
  ::common::BlockHeader last_header_;                                   // guarded by mu_
  uint64_t height_ = 0;                                                 // guarded by mu_
  std::string last_consenter_metadata_;                                 // guarded by mu_
};

}  // namespace weft::orderer::multichannel
