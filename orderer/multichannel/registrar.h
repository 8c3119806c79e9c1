// The orderer's channels (Fabric's multichannel Registrar without a system
// channel): joins channels from a config block, reopens them at start, removes
// them, and looks them up for Broadcast, Deliver and the participation API.
//
// Ledger layout: <ledger_dir>/chains/<channel id>/ holds one FileBlockStore.
//
// Thread-safety: thread-safe. Channels are shared: a ChainSupport returned by
// GetChain/FindChain stays valid while held, even if the channel is removed
// (its ledger is then closed).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/concurrency/clock.h"
#include "common/deliver/deliver_handler.h"
#include "common/ledger/blockstore/file_block_store.h"
#include "common/log/logger_factory.h"
#include "common/metrics/metrics.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "orderer/consensus/consensus.h"
#include "orderer/msgprocessor/msg_processor.h"
#include "orderer/multichannel/chain_support.h"

namespace weft::orderer::multichannel {

struct RegistrarOptions {
  std::filesystem::path ledger_dir;
  // The orderer's identity; signs blocks. Must outlive the registrar.
  const common::protoutil::Signer* signer = nullptr;
  // Consensus types by name; must outlive the registrar.
  consensus::ConsenterRegistry* consenters = nullptr;
  // Nullable: the system clock. Not used by the registrar itself yet; the batch
  // timer's clock is given to the consenter (SoloOptions::clock).
  common::concurrency::Clock* clock = nullptr;
  // Nullable: no metrics.
  common::metrics::MetricsRegistry* metrics = nullptr;
  // Nullable: logs go to a private stderr factory.
  common::log::LoggerFactory* loggers = nullptr;
  common::ledger::blockstore::FsyncPolicy fsync =
      common::ledger::blockstore::FsyncPolicy::kEveryBlock;
  // Empty: common/configtx's ValidateConfigUpdate signing with `signer`.
  msgprocessor::ConfigUpdateValidator config_update_validator;
  // Every channel's Broadcast filters (General.Authentication.NoExpirationChecks).
  msgprocessor::StandardChannelOptions broadcast_filters;
  // Nullable: the channels' MSPs count their signature checks here.
  std::shared_ptr<msp::EcdsaCounter> ecdsa_counter;
};

// The participation API's view of a channel.
struct ChannelInfo {
  std::string name;
  uint64_t height = 0;
  // Fabric's values for non-cluster consensus types (solo, Kafka), which are all
  // Weft offers: ConsensusRelationOther and StatusActive (orderer/common/types).
  std::string consensus_relation = "other";
  std::string status = "active";
  bool operator==(const ChannelInfo&) const = default;
};

class Registrar final : public common::deliver::ChannelSources {
 public:
  explicit Registrar(RegistrarOptions options);
  ~Registrar() override;
  Registrar(const Registrar&) = delete;
  Registrar& operator=(const Registrar&) = delete;

  // Reopens every channel found under ledger_dir and starts its chain. A channel
  // directory left empty by an interrupted join is removed.
  [[nodiscard]] Status Initialize();

  // Joins with the channel's genesis block (stored as is) and starts the chain.
  // AlreadyExists if joined; InvalidArgument naming the problem for a block that
  // is not a valid config block or names an unknown consensus type;
  // Unimplemented for a later config block (that needs onboarding from other
  // orderers, which Weft does not do yet).
  [[nodiscard]] StatusOr<ChannelInfo> JoinChannel(const ::common::Block& config_block);

  // Halts the chain and deletes its ledger. NotFound for an unknown channel.
  [[nodiscard]] Status RemoveChannel(std::string_view channel_id);

  std::vector<ChannelInfo> ListChannels() const;
  [[nodiscard]] StatusOr<ChannelInfo> GetChannelInfo(std::string_view channel_id) const;

  // nullptr if unknown. The pointer is valid until the channel is removed; use
  // FindChain to keep it alive across a removal.
  ChainSupport* GetChain(std::string_view channel_id);
  std::shared_ptr<ChainSupport> FindChain(std::string_view channel_id) const;

  // ChannelSources, for Deliver.
  std::shared_ptr<common::deliver::DeliverSource> FindSource(
      std::string_view channel_id) const override;

  // Halts every chain and closes every ledger (the channels stay on disk).
  void HaltAll();

 private:
  std::filesystem::path ChainDir(std::string_view channel_id) const;
  // Opens the ledger in `dir`, builds the ChainSupport and starts its chain.
  [[nodiscard]] StatusOr<std::shared_ptr<ChainSupport>> OpenChain(const std::string& channel_id,
                                                                  const ::common::Block* genesis);

  RegistrarOptions options_;
  std::unique_ptr<common::log::LoggerFactory> own_loggers_;
  std::shared_ptr<common::log::Logger> logger_;
  msgprocessor::ConfigUpdateValidator validator_;
  ChainMetrics chain_metrics_;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<ChainSupport>, std::less<>> chains_;  // guarded by mu_
};

}  // namespace weft::orderer::multichannel
