#include "peer/node/peer_node.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "common/channelconfig/channel_config.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpc/server.h"
#include "common/log/logger_factory.h"
#include "common/metrics/metrics.h"
#include "common/ops/operations_server.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/transaction.h"
#include "common/settings/host_port.h"
#include "msp/identities.pb.h"
#include "msp/identity.h"
#include "msp/local_msp.h"
#include "msp/msp.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/chaincode_support/chaincode_ca.h"
#include "peer/chaincode_support/chaincode_listener.h"
#include "peer/chaincode_support/chaincode_support.h"
#include "peer/deliver_client/deliverer.h"
#include "peer/deliver_client/endpoints.h"
#include "peer/deliver_client/grpc_connector.h"
#include "peer/endorser/endorser.h"
#include "peer/events/deliver_events.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/transient_store.h"
#include "peer/node/impl/chaincode_lifecycle.h"
#include "peer/node/impl/gateway_service.h"
#include "peer/node/impl/grpc_services.h"
#include "peer/scc/cscc/cscc.h"
#include "peer/scc/qscc/qscc.h"
#include "peer/validator/committer.h"
#include "peer/validator/validator.h"

namespace weft::peer::node {
namespace {

namespace config = common::config;
using common::channelconfig::ChannelConfig;

// The channel metrics of the operations endpoint (Fabric's ledger_* names); null
// members when metrics are disabled.
struct ChannelMetrics {
  common::metrics::Gauge* height = nullptr;
  common::metrics::Histogram* block_processing = nullptr;
  common::metrics::Histogram* validation = nullptr;
  common::metrics::Counter* transactions = nullptr;
  common::metrics::Counter* blocks_received = nullptr;
  common::metrics::Gauge* connection_attempts = nullptr;
  common::metrics::Gauge* deliver_running = nullptr;
};

[[nodiscard]] StatusOr<ChannelMetrics> NewChannelMetrics(
    common::metrics::MetricsRegistry* registry) {
  ChannelMetrics metrics;
  if (registry == nullptr) return metrics;
  WEFT_ASSIGN_OR_RETURN(metrics.height, registry->NewGauge({"ledger_blockchain_height",
                                                            "Height of the chain in blocks.",
                                                            {"channel"}}));
  common::metrics::HistogramOpts processing;
  processing.name = "ledger_block_processing_time";
  processing.help = "Time taken in seconds to validate and commit a block.";
  processing.label_names = {"channel"};
  WEFT_ASSIGN_OR_RETURN(metrics.block_processing, registry->NewHistogram(processing));
  common::metrics::HistogramOpts validation;
  validation.name = "validation_duration";
  validation.help = "The time to validate a block.";
  validation.label_names = {"channel"};
  WEFT_ASSIGN_OR_RETURN(metrics.validation, registry->NewHistogram(validation));
  WEFT_ASSIGN_OR_RETURN(
      metrics.transactions,
      registry->NewCounter({"ledger_transaction_count",
                            "Number of transactions processed.",
                            {"channel", "transaction_type", "chaincode", "validation_code"}}));
  WEFT_ASSIGN_OR_RETURN(
      metrics.blocks_received,
      registry->NewCounter({"deliver_client_blocks_received",
                            "Blocks the deliver client received and handed to the committer.",
                            {"channel"}}));
  WEFT_ASSIGN_OR_RETURN(
      metrics.connection_attempts,
      registry->NewGauge({"deliver_client_connection_attempts",
                          "Connections the deliver client opened to the channel's orderers.",
                          {"channel"}}));
  WEFT_ASSIGN_OR_RETURN(
      metrics.deliver_running,
      registry->NewGauge({"deliver_client_running",
                          "1 while the deliver client pulls the channel's blocks, else 0.",
                          {"channel"}}));
  return metrics;
}

// Exit code of a peer whose commit failed after the block store append (a Go panic's).
constexpr int kCommitFailureExitCode = 2;

bool IsConfigBlock(const ::common::Block& block) {
  if (block.data().data_size() != 1) return false;
  ::common::Envelope envelope;
  ::common::Payload payload;
  ::common::ChannelHeader header;
  return envelope.ParseFromString(block.data().data(0)) &&
         payload.ParseFromString(envelope.payload()) &&
         header.ParseFromString(payload.header().channel_header()) &&
         header.type() == ::common::CONFIG;
}

// The transaction_type and chaincode labels of ledger_transaction_count, as
// Fabric's CommitBatchPreparer fills TxStatInfo: known only for transactions
// that reached the ledger's stage (valid, or failed there on MVCC), else
// "unknown"; chaincode as name:version from the chaincode action.
std::pair<std::string, std::string> TransactionLabels(const ::common::Block& block, int index,
                                                      ::protos::TxValidationCode code) {
  std::pair<std::string, std::string> labels{"unknown", "unknown"};
  if (code != ::protos::VALID && code != ::protos::MVCC_READ_CONFLICT &&
      code != ::protos::PHANTOM_READ_CONFLICT) {
    return labels;
  }
  auto opened = common::protoutil::OpenEnvelope(block.data().data(index));
  if (!opened.ok()) return labels;
  const auto type = static_cast<::common::HeaderType>(opened->channel_header.type());
  labels.first =
      ::common::HeaderType_IsValid(type) ? ::common::HeaderType_Name(type) : std::to_string(type);
  if (type != ::common::ENDORSER_TRANSACTION) return labels;
  auto transaction = common::protoutil::OpenEndorserTransaction(opened->data());
  if (!transaction.ok()) return labels;
  const auto& id = transaction->chaincode_action.chaincode_id();
  labels.second = id.name() + ":" + id.version();
  return labels;
}

// The newest config block in the ledger: the one the top block's orderer
// metadata names (Fabric's GetLastConfigIndexFromBlock), so startup reads two
// blocks whatever the height.
[[nodiscard]] StatusOr<::common::Block> LastConfigBlock(const ledger::PeerLedger& ledger) {
  const uint64_t height = ledger.GetBlockchainInfo().height;
  if (height == 0) {
    return absl::DataLossError(
        fmt::format("channel {} has no blocks in its ledger", ledger.channel_id()));
  }
  WEFT_ASSIGN_OR_RETURN(auto top, ledger.GetBlockByNumber(height - 1));
  WEFT_ASSIGN_OR_RETURN(auto metadata, common::protoutil::ReadOrdererBlockMetadata(top));
  const uint64_t index = metadata.last_config().index();
  WEFT_ASSIGN_OR_RETURN(auto block, ledger.GetBlockByNumber(index));
  if (!IsConfigBlock(block)) {
    return absl::DataLossError(
        fmt::format("channel {}: block {} names block {} as its last config, which is not a "
                    "config block",
                    ledger.channel_id(), height - 1, index));
  }
  return block;
}

// The config in force at the ledger's height: the newest config block's.
[[nodiscard]] StatusOr<std::shared_ptr<const ChannelConfig>> CommittedConfig(
    const ledger::PeerLedger& ledger, std::shared_ptr<msp::EcdsaCounter> ecdsa_counter) {
  WEFT_ASSIGN_OR_RETURN(auto block, LastConfigBlock(ledger));
  return ChannelConfig::FromConfigBlock(block, std::move(ecdsa_counter));
}

// One joined channel: its ledger, the committer in front of it and the block pull.
class Channel final : public events::PeerChannel, public deliver_client::BlockHandler {
 public:
  Channel(std::shared_ptr<ledger::PeerLedger> ledger, std::shared_ptr<const ChannelConfig> bundle,
          common::concurrency::Executor& executor, ChannelMetrics metrics,
          std::shared_ptr<common::log::Logger> logger,
          std::unique_ptr<ledger::TransientStore> transient_store)
      : ledger_(std::move(ledger)),
        transient_store_(std::move(transient_store)),
        committer_(*ledger_, std::move(bundle), executor, transient_store_.get()),
        metrics_(metrics),
        logger_(std::move(logger)) {
    RecordHeight();
  }
  ~Channel() override { StopPull(); }

  const std::string& ChannelId() const override { return ledger_->channel_id(); }
  const ledger::PeerLedger& Ledger() const override { return *ledger_; }
  std::shared_ptr<const ChannelConfig> Config() const override { return committer_.bundle(); }
  std::shared_ptr<ledger::PeerLedger> SharedLedger() const { return ledger_; }
  // Private rwsets of this peer's endorsements until their transactions commit.
  ledger::TransientStore& transient_store() const { return *transient_store_; }

  // Called by the deliver client, in block order.
  [[nodiscard]] Status Deliver(const ::common::Block& block) override {
    if (metrics_.blocks_received) metrics_.blocks_received->Add(1, {ChannelId()});
    const uint64_t number = block.header().number();
    validator::CommitReport report;
    const uint64_t height = ledger_->GetBlockchainInfo().height;
    auto codes = committer_.CommitBlock(block, &report);
    if (!codes.ok()) {
      if (ledger_->GetBlockchainInfo().height > height) {
        // The block reached the block store but its state did not: the ledger takes no
        // more commits and its state lags its blocks until it is reopened.
        ExitForRecovery(number, codes.status());
      }
      // Nothing was written: the deliverer backs off and asks for the block again.
      logger_->Error("[{}] committing block {} failed: {}", ChannelId(), number,
                     std::string(codes.status().message()));
      return codes.status();
    }
    using Seconds = std::chrono::duration<double>;
    if (metrics_.validation) {
      metrics_.validation->Observe(Seconds(report.validation).count(), {ChannelId()});
    }
    if (metrics_.block_processing) {
      metrics_.block_processing->Observe(Seconds(report.commit).count(), {ChannelId()});
    }
    for (size_t i = 0; i < codes->size(); ++i) {
      const auto code = (*codes)[i];
      if (metrics_.transactions) {
        const auto [type, chaincode] = TransactionLabels(block, static_cast<int>(i), code);
        metrics_.transactions->Add(
            1, {ChannelId(), type, chaincode, ::protos::TxValidationCode_Name(code)});
      }
      if (code != ::protos::VALID) {
        const std::string reason = i < report.reasons.size() ? report.reasons[i] : "";
        logger_->Warn("[{}] block [{}] transaction {} is invalid ({}){}{}", ChannelId(), number, i,
                      ::protos::TxValidationCode_Name(code), reason.empty() ? "" : ": ", reason);
      }
    }
    RecordHeight();
    using Millis = std::chrono::milliseconds;
    logger_->Info(
        "[{}] Committed block [{}] with {} transaction(s): validated in {}ms, "
        "committed in {}ms",
        ChannelId(), number, codes->size(),
        std::chrono::duration_cast<Millis>(report.validation).count(),
        std::chrono::duration_cast<Millis>(report.commit).count());
    return absl::OkStatus();
  }

  void StartPull(deliver_client::DelivererOptions options) {
    const auto info = ledger_->GetBlockchainInfo();
    options.channel_id = ChannelId();
    options.next_block = info.height;
    options.previous_hash = info.current_block_hash;
    options.config = committer_.bundle();
    options.handler = this;
    auto deliverer = deliver_client::Deliverer::Create(std::move(options));
    if (!deliverer.ok()) {
      logger_->Warn("[{}] not pulling blocks: {}", ChannelId(),
                    std::string(deliverer.status().message()));
      return;
    }
    deliverer_ = *std::move(deliverer);
    deliverer_->Start();
    pulling_ = true;
    RecordDeliverState();
  }

  void StopPull() {
    if (deliverer_) deliverer_->Stop();
    pulling_ = false;
    RecordDeliverState();
  }

  // The deliver client's state for the operations endpoint.
  void RecordDeliverState() const {
    if (metrics_.deliver_running) {
      metrics_.deliver_running->Set(pulling_ ? 1 : 0, {ChannelId()});
    }
    if (metrics_.connection_attempts && deliverer_) {
      metrics_.connection_attempts->Set(static_cast<double>(deliverer_->attempts()), {ChannelId()});
    }
  }

 private:
  // Fabric panics here (kv_ledger.go commit: "error during commit to txmgr"; gossip
  // state.go deliverPayloads: "Cannot commit block to the ledger due to"): the process
  // ends, the supervisor restarts it and opening the ledger replays the block into the
  // state. The process exits at once, as after a crash, which recovery is built for;
  // a clean shutdown would have to stop this very thread.
  [[noreturn]] void ExitForRecovery(uint64_t number, const Status& error) {
    logger_->Write(common::log::LogLevel::kPanic,
                   fmt::format("[{}] Cannot commit block to the ledger due to: block {} is in "
                               "the block store but committing its state failed: {}; exiting "
                               "so that the ledger recovers its state when the peer restarts",
                               ChannelId(), number, std::string(error.message())));
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(kCommitFailureExitCode);
  }

  void RecordHeight() {
    if (metrics_.height) {
      metrics_.height->Set(static_cast<double>(ledger_->GetBlockchainInfo().height), {ChannelId()});
    }
  }

  std::shared_ptr<ledger::PeerLedger> ledger_;
  std::unique_ptr<ledger::TransientStore> transient_store_;  // before committer_, which uses it
  validator::BlockCommitter committer_;
  ChannelMetrics metrics_;
  std::shared_ptr<common::log::Logger> logger_;
  std::unique_ptr<deliver_client::Deliverer> deliverer_;
  std::atomic<bool> pulling_{false};
};

// The joined channels, as every service sees them.
class ChannelRegistry final : public events::PeerChannels,
                              public scc::qscc::LedgerGetter,
                              public endorser::Channels,
                              public scc::cscc::ChannelManager {
 public:
  struct Options {
    const ledger::LedgerManager* ledgers = nullptr;
    // Fabric's <peer.fileSystemPath>/transientstore; one store per channel inside.
    std::filesystem::path transient_stores;
    common::concurrency::Executor* executor = nullptr;
    ChannelMetrics metrics;
    // Fills everything but the per-channel fields.
    deliver_client::DelivererOptions pull;
    std::shared_ptr<common::log::Logger> logger;
    // Nullable: the channels' MSPs count their signature checks here.
    std::shared_ptr<msp::EcdsaCounter> ecdsa_counter;
  };

  explicit ChannelRegistry(Options options) : options_(std::move(options)) {}

  // Opens every ledger on disk and starts its channel.
  [[nodiscard]] Status OpenAll() {
    WEFT_ASSIGN_OR_RETURN(auto ids, options_.ledgers->ListLedgerIds());
    for (const auto& id : ids) {
      WEFT_ASSIGN_OR_RETURN(auto ledger, options_.ledgers->OpenLedger(id));
      WEFT_RETURN_IF_ERROR(Annotate(Add(std::move(ledger)), fmt::format("opening channel {}", id)));
    }
    return absl::OkStatus();
  }

  void RecordDeliverState() const {
    std::lock_guard lock(mu_);
    for (const auto& [id, channel] : channels_) channel->RecordDeliverState();
  }

  void StopAll() {
    std::map<std::string, std::shared_ptr<Channel>, std::less<>> channels;
    {
      std::lock_guard lock(mu_);
      channels = channels_;
    }
    for (auto& [id, channel] : channels) channel->StopPull();
  }

  // events::PeerChannels
  std::shared_ptr<const events::PeerChannel> FindChannel(
      std::string_view channel_id) const override {
    return Find(channel_id);
  }
  // The gateway reads committed state (definitions, key-level policies) through it.
  std::shared_ptr<ledger::PeerLedger> SharedLedger(std::string_view channel_id) const {
    auto channel = Find(channel_id);
    return channel ? channel->SharedLedger() : nullptr;
  }
  // qscc::LedgerGetter
  std::shared_ptr<const ledger::PeerLedger> GetLedger(std::string_view channel_id) const override {
    auto channel = Find(channel_id);
    return channel ? channel->SharedLedger() : nullptr;
  }
  // endorser::Channels
  std::shared_ptr<const ChannelConfig> Config(std::string_view channel_id) const override {
    auto channel = Find(channel_id);
    return channel ? channel->Config() : nullptr;
  }
  [[nodiscard]] StatusOr<bool> TxIdExists(std::string_view channel_id,
                                          const std::string& tx_id) const override {
    auto channel = Find(channel_id);
    if (!channel) return absl::NotFoundError(fmt::format("channel '{}' not found", channel_id));
    auto found = channel->Ledger().block_store().RetrieveTxValidationCode(tx_id);
    if (found.ok()) return true;
    if (absl::IsNotFound(found.status())) return false;
    return found.status();
  }
  [[nodiscard]] StatusOr<std::unique_ptr<ledger::TxSimulator>> NewTxSimulator(
      std::string_view channel_id) const override {
    auto channel = Find(channel_id);
    if (!channel) return absl::NotFoundError(fmt::format("channel '{}' not found", channel_id));
    return channel->SharedLedger()->NewTxSimulator();
  }
  // cscc::ChannelManager
  [[nodiscard]] Status CreateChannel(const std::string& channel_id,
                                     const ::common::Block& genesis_block) override {
    std::lock_guard join(join_mu_);
    // Fabric's idStore.createLedgerID refuses a ledger id it already has.
    const std::string exists = fmt::format(
        "cannot create ledger from genesis block: ledger [{}] already exists with state [ACTIVE]",
        channel_id);
    if (Find(channel_id)) return absl::AlreadyExistsError(exists);
    auto ledger = options_.ledgers->CreateLedger(genesis_block);
    if (absl::IsAlreadyExists(ledger.status())) return absl::AlreadyExistsError(exists);
    if (!ledger.ok()) return Annotate(ledger.status(), "cannot create ledger from genesis block");
    WEFT_RETURN_IF_ERROR(Add(*std::move(ledger)));
    options_.logger->Info("joined channel {}", channel_id);
    return absl::OkStatus();
  }
  [[nodiscard]] StatusOr<::common::Block> ConfigBlock(
      const std::string& channel_id) const override {
    auto channel = Find(channel_id);
    if (!channel) return absl::NotFoundError(fmt::format("channel '{}' not found", channel_id));
    return LastConfigBlock(channel->Ledger());
  }
  // The channel's ledger and transient store (chaincode lifecycle, chaincode support);
  // nullptr when the channel is not joined.
  std::shared_ptr<ledger::PeerLedger> MutableLedger(std::string_view channel_id) const {
    auto channel = Find(channel_id);
    return channel ? channel->SharedLedger() : nullptr;
  }
  ledger::TransientStore* TransientStore(std::string_view channel_id) const {
    auto channel = Find(channel_id);
    return channel ? &channel->transient_store() : nullptr;
  }
  std::vector<std::string> ChannelIds() const override {
    std::lock_guard lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, channel] : channels_) ids.push_back(id);
    return ids;
  }

 private:
  std::shared_ptr<Channel> Find(std::string_view channel_id) const {
    std::lock_guard lock(mu_);
    auto found = channels_.find(channel_id);
    return found == channels_.end() ? nullptr : found->second;
  }

  [[nodiscard]] Status Add(std::unique_ptr<ledger::PeerLedger> opened) {
    std::shared_ptr<ledger::PeerLedger> ledger = std::move(opened);
    WEFT_ASSIGN_OR_RETURN(auto bundle, CommittedConfig(*ledger, options_.ecdsa_counter));
    auto transient_store =
        ledger::TransientStore::Open(options_.transient_stores / ledger->channel_id());
    if (!transient_store.ok()) {
      return Annotate(
          transient_store.status(),
          fmt::format("opening the transient store of channel {}", ledger->channel_id()));
    }
    auto channel =
        std::make_shared<Channel>(ledger, std::move(bundle), *options_.executor, options_.metrics,
                                  options_.logger, *std::move(transient_store));
    // Started before it is listed, so that the metrics ticker never sees it half set up.
    channel->StartPull(options_.pull);
    std::lock_guard lock(mu_);
    channels_[ledger->channel_id()] = channel;
    return absl::OkStatus();
  }

  Options options_;
  std::mutex join_mu_;  // one join at a time
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Channel>, std::less<>> channels_;  // guarded by mu_
};

struct Logging {
  std::unique_ptr<common::log::LoggerFactory> factory;
};

[[nodiscard]] StatusOr<std::unique_ptr<common::log::LoggerFactory>> NewLoggers(
    const config::Environment& env) {
  common::log::LogSpec spec;
  if (auto found = env.find("FABRIC_LOGGING_SPEC"); found != env.end() && !found->second.empty()) {
    auto parsed = common::log::LogSpec::Parse(found->second);
    if (!parsed.ok()) return Annotate(parsed.status(), "FABRIC_LOGGING_SPEC");
    spec = *std::move(parsed);
  }
  return std::make_unique<common::log::LoggerFactory>(spec);
}

ledger::LedgerOptions LedgerOptionsFor(const config::PeerConfig& config) {
  ledger::LedgerOptions options;
  options.enable_history = config.ledger.enable_history_database;
  return options;
}

std::filesystem::path LedgersDir(const config::PeerConfig& config) {
  return config.peer.file_system_path / "ledgersData";
}

// core/chaincode/config.go: an execute timeout under a second means the 30 s default;
// the startup timeout is at least 5 s.
std::chrono::milliseconds ExecuteTimeout(std::chrono::milliseconds configured) {
  return configured < std::chrono::seconds(1) ? std::chrono::seconds(30) : configured;
}
std::chrono::milliseconds StartupTimeout(std::chrono::milliseconds configured) {
  return std::max<std::chrono::milliseconds>(configured, std::chrono::seconds(5));
}

}  // namespace

struct PeerNode::Parts {
  config::PeerConfig config;
  std::unique_ptr<common::log::LoggerFactory> loggers;
  std::shared_ptr<common::log::Logger> logger;
  std::optional<msp::LocalMsp> local_msp;
  std::shared_ptr<const msp::Msp> local_msp_object;
  common::metrics::MetricsRegistry metrics;
  std::unique_ptr<common::concurrency::ThreadPool> validators;
  std::unique_ptr<ledger::LedgerManager> ledgers;
  std::unique_ptr<deliver_client::Connector> connector;
  std::unique_ptr<ChannelRegistry> channels;
  std::unique_ptr<aclmgmt::ChannelAclProvider> acl;
  std::unique_ptr<scc::qscc::LedgerQuerier> qscc;
  std::unique_ptr<scc::cscc::PeerConfiger> cscc;
  // Package store, chaincode runtime and _lifecycle (chaincode_lifecycle.h).
  std::unique_ptr<ChaincodeLifecycle> lifecycle;
  // Chaincode: the TLS CA of the chaincode listener (with peer.tls.enabled), where
  // definitions are found, and the runtime that builds and starts packages.
  // The runtime is `lifecycle`'s (declared above, so it outlives chaincode support).
  std::unique_ptr<chaincode_support::ChaincodeCa> chaincode_ca;
  chaincode_support::ChaincodeRuntime* chaincode_runtime = nullptr;
  std::unique_ptr<chaincode_support::Lifecycle> chaincode_lifecycle;
  std::unique_ptr<chaincode_support::ChaincodeSupport> chaincode_support;
  std::unique_ptr<chaincode_support::ChaincodeListener> chaincode_listener;
  std::unique_ptr<endorser::Endorser> endorser;
  std::unique_ptr<events::DeliverEvents> events;
  std::unique_ptr<EndorserService> endorser_service;
  std::unique_ptr<DeliverService> deliver_service;
  std::unique_ptr<GatewayService> gateway_service;  // null when peer.gateway.enabled is off
  common::grpc::BuiltServer grpc;
  std::unique_ptr<common::ops::OperationsServer> operations;
  // Refreshes the deliver clients' state gauges once a second.
  std::jthread deliver_state;
  bool started = false;
};

StatusOr<std::unique_ptr<PeerNode>> PeerNode::Create(const std::filesystem::path& config_file,
                                                     const config::Environment& env) {
  auto parts = std::make_unique<Parts>();
  WEFT_ASSIGN_OR_RETURN(auto loaded, config::LoadPeerConfig(config_file, env));
  parts->config = std::move(loaded.config);
  WEFT_ASSIGN_OR_RETURN(parts->loggers, NewLoggers(env));
  parts->logger = parts->loggers->Get("peer.node");
  for (const auto& warning : loaded.warnings) parts->logger->Warn("{}", warning);
  const config::PeerConfig& cfg = parts->config;

  auto local_msp = msp::LoadLocalMsp(cfg.peer.msp_config_path, cfg.peer.local_msp_id);
  if (!local_msp.ok()) {
    return Annotate(local_msp.status(), "loading the local MSP (peer.mspConfigPath)");
  }
  parts->local_msp.emplace(*std::move(local_msp));
  common::metrics::MetricsRegistry* metrics =
      cfg.metrics.provider == config::MetricsProvider::kPrometheus ? &parts->metrics : nullptr;
  // The peer's ECDSA signs (endorsements, deliver requests) and verifies (local and
  // channel MSPs), on /metrics.
  WEFT_ASSIGN_OR_RETURN(auto ecdsa_counter, msp::EcdsaCounter::ReportingTo(metrics));
  parts->local_msp->signer.CountSignsIn(ecdsa_counter);
  auto local_msp_object = msp::Msp::Create(parts->local_msp->config, ecdsa_counter);
  if (!local_msp_object.ok()) {
    return Annotate(local_msp_object.status(), "loading the local MSP (peer.mspConfigPath)");
  }
  parts->local_msp_object = *std::move(local_msp_object);

  WEFT_ASSIGN_OR_RETURN(auto channel_metrics, NewChannelMetrics(metrics));

  parts->validators = std::make_unique<common::concurrency::ThreadPool>(
      validator::ValidatorPoolSize(cfg.peer.validator_pool_size));
  parts->ledgers = std::make_unique<ledger::LedgerManager>(LedgersDir(cfg), LedgerOptionsFor(cfg));

  // Block pull: the peer's client TLS settings, its signer, Fabric's retry limits.
  parts->connector = deliver_client::NewGrpcConnector(cfg.peer.client, cfg.peer.delivery_client);
  WEFT_ASSIGN_OR_RETURN(auto tls_cert_hash, deliver_client::ClientTlsCertHash(cfg.peer.client));
  std::vector<std::string> override_warnings;
  ChannelRegistry::Options registry;
  registry.ledgers = parts->ledgers.get();
  registry.transient_stores = cfg.peer.file_system_path / "transientstore";
  registry.executor = parts->validators.get();
  registry.metrics = channel_metrics;
  registry.ecdsa_counter = ecdsa_counter;
  registry.logger = parts->loggers->Get("peer.channel");
  deliver_client::ApplyDeliveryClientSettings(cfg.peer.delivery_client, &registry.pull,
                                              &override_warnings);
  for (const auto& warning : override_warnings) parts->logger->Warn("{}", warning);
  registry.pull.signer = &parts->local_msp->signer;
  registry.pull.tls_cert_hash = tls_cert_hash;
  registry.pull.connector = parts->connector.get();
  registry.pull.logger = parts->loggers->Get("peer.deliveryclient");
  parts->channels = std::make_unique<ChannelRegistry>(std::move(registry));

  ChannelRegistry* channels = parts->channels.get();
  parts->acl = std::make_unique<aclmgmt::ChannelAclProvider>(
      [channels](std::string_view channel_id) { return channels->Config(channel_id); });
  parts->qscc = std::make_unique<scc::qscc::LedgerQuerier>(*parts->acl, *parts->channels);
  parts->cscc = std::make_unique<scc::cscc::PeerConfiger>(*parts->local_msp_object, *parts->acl,
                                                          *parts->channels);

  // --- chaincode lifecycle: package store, runtime, _lifecycle (chaincode_lifecycle.h).
  ChaincodeLifecycle::Options lifecycle;
  lifecycle.config = &parts->config;
  lifecycle.environment = env;
  lifecycle.local_msp = parts->local_msp_object.get();
  lifecycle.acl = parts->acl.get();
  lifecycle.configs = [channels](std::string_view channel_id) {
    return channels->Config(channel_id);
  };
  lifecycle.ledgers.channel_ids = [channels] { return channels->ChannelIds(); };
  lifecycle.ledgers.ledger = [channels](std::string_view channel_id) {
    return channels->MutableLedger(channel_id);
  };
  lifecycle.logger = parts->loggers->Get("lifecycle");
  lifecycle.builder_logger = parts->loggers->Get("peer.chaincode");
  WEFT_ASSIGN_OR_RETURN(parts->lifecycle, ChaincodeLifecycle::Create(std::move(lifecycle)));
  // --- end chaincode lifecycle

  if (cfg.peer.server.tls.enabled) {
    auto ca = chaincode_support::ChaincodeCa::Create();
    if (!ca.ok()) return Annotate(ca.status(), "creating the chaincode listener's TLS CA");
    parts->chaincode_ca = *std::move(ca);
  }
  // The definition's other fields are read beside the simulation (which holds the
  // ledger's read lock), so the rwset records only the Sequence, as Fabric's.
  parts->chaincode_runtime = &parts->lifecycle->runtime();
  parts->chaincode_lifecycle = chaincode_support::NewDefinitionLifecycle(
      parts->lifecycle->package_id_resolver(),
      [channels](std::string_view channel_id) -> StatusOr<std::unique_ptr<ledger::QueryExecutor>> {
        auto ledger = channels->GetLedger(channel_id);
        if (!ledger) return absl::NotFoundError(fmt::format("channel '{}' not found", channel_id));
        return ledger::NewQueryExecutor(ledger->state());
      });
  chaincode_support::ChaincodeSupportOptions chaincode;
  chaincode.runtime = parts->chaincode_runtime;
  chaincode.lifecycle = parts->chaincode_lifecycle.get();
  chaincode.ca = parts->chaincode_ca.get();
  chaincode.execute_timeout = ExecuteTimeout(cfg.chaincode.execute_timeout);
  chaincode.startup_timeout = StartupTimeout(cfg.chaincode.startup_timeout);
  chaincode.total_query_limit = cfg.ledger.total_query_limit;
  chaincode.new_tx_simulator = [channels](std::string_view channel_id) {
    return channels->NewTxSimulator(channel_id);
  };
  aclmgmt::ChannelAclProvider* acl = parts->acl.get();
  chaincode.check_cc2cc_acl = [acl](std::string_view channel_id,
                                    const ::protos::SignedProposal& proposal) {
    return acl->CheckAcl(aclmgmt::kPeerChaincodeToChaincode, channel_id, proposal);
  };
  chaincode.application_capabilities =
      [channels](std::string_view channel_id) -> StatusOr<std::set<std::string>> {
    auto config = channels->Config(channel_id);
    if (config == nullptr || !config->application()) {
      return absl::NotFoundError(fmt::format("no application config for {}", channel_id));
    }
    return config->application()->capabilities;
  };
  chaincode.logger = parts->loggers->Get("chaincode");
  if (cfg.chaincode.keepalive.count() > 0) {
    // fabric-shim 2.5 exits on a KEEPALIVE message; HTTP/2 pings keep streams alive.
    parts->logger->Warn("chaincode.keepalive ({}s) is ignored: no KEEPALIVE is sent to chaincode",
                        cfg.chaincode.keepalive.count());
  }
  parts->chaincode_support =
      std::make_unique<chaincode_support::ChaincodeSupport>(std::move(chaincode));

  endorser::EndorserOptions endorsing;
  endorsing.channels = parts->channels.get();
  endorsing.lifecycle = parts->chaincode_lifecycle.get();
  endorsing.chaincode_support = parts->chaincode_support.get();
  const msp::Msp* local = parts->local_msp_object.get();
  endorsing.local_msp =
      [local](std::string_view creator) -> StatusOr<std::shared_ptr<const msp::Identity>> {
    ::msp::SerializedIdentity serialized;
    if (!serialized.ParseFromString(std::string(creator))) {
      return absl::InvalidArgumentError("could not deserialize a SerializedIdentity");
    }
    if (serialized.mspid() != local->id()) {
      return absl::InvalidArgumentError(
          fmt::format("expected MSP ID {}, received {}", local->id(), serialized.mspid()));
    }
    return local->DeserializeIdentity(serialized, std::string(creator));
  };
  endorsing.acl = parts->acl.get();
  endorsing.signer = &parts->local_msp->signer;
  scc::qscc::LedgerQuerier* qscc = parts->qscc.get();
  scc::cscc::PeerConfiger* cscc = parts->cscc.get();
  endorsing.system_chaincodes[scc::qscc::kName] = [qscc](const std::vector<std::string>& args,
                                                         const ::protos::SignedProposal& proposal) {
    return qscc->Invoke(args, proposal);
  };
  endorsing.system_chaincodes[scc::cscc::kName] = [cscc](const std::vector<std::string>& args,
                                                         const ::protos::SignedProposal& proposal) {
    return cscc->Invoke(args, proposal);
  };

  // _lifecycle: on a channel with the proposal's simulator, channel-less without one.
  const ChaincodeLifecycle* chaincode_lifecycle = parts->lifecycle.get();
  endorsing.channel_system_chaincodes[scc::lifecycle::kName] =
      [chaincode_lifecycle](const std::vector<std::string>& args,
                            const ::protos::SignedProposal& proposal,
                            ledger::TxSimulator* simulator) {
        return chaincode_lifecycle->Invoke(args, proposal, simulator);
      };
  // Endorsements' private writes wait in the channel's transient store for their block
  // (Fabric's DistributePrivateData without gossip), recorded at the ledger's height.
  endorsing.distribute_private_data = [channels](std::string_view channel_id,
                                                 std::string_view tx_id,
                                                 const ::rwset::TxPvtReadWriteSet& private_rwset) {
    auto ledger = channels->MutableLedger(channel_id);
    ledger::TransientStore* store = channels->TransientStore(channel_id);
    if (!ledger || store == nullptr) {
      return absl::NotFoundError(fmt::format("channel '{}' not found", channel_id));
    }
    return store->Persist(tx_id, ledger->GetBlockchainInfo().height, private_rwset);
  };
  endorsing.logger = parts->loggers->Get("peer.endorser");
  parts->endorser = std::make_unique<endorser::Endorser>(std::move(endorsing));

  events::EventsOptions events;
  events.time_window = cfg.peer.authentication_time_window;
  events.logger = parts->loggers->Get("peer.deliverevents");
  parts->events = std::make_unique<events::DeliverEvents>(*parts->channels, events);
  parts->endorser_service =
      std::make_unique<EndorserService>(*parts->endorser, cfg.peer.limits.endorser_service);
  parts->deliver_service =
      std::make_unique<DeliverService>(*parts->events, cfg.peer.limits.deliver_service);

  // The Gateway service (peer.gateway.enabled, on by default).
  if (cfg.peer.gateway.enabled) {
    GatewayParts gateway;
    gateway.config = [channels](std::string_view id) { return channels->Config(id); };
    gateway.ledger = [channels](std::string_view id) { return channels->SharedLedger(id); };
    gateway.endorser = parts->endorser.get();
    gateway.acl = parts->acl.get();
    gateway.local_msp_id = cfg.peer.local_msp_id;
    gateway.logger = parts->loggers->Get("peer.gateway");
    parts->gateway_service = std::make_unique<GatewayService>(cfg, std::move(gateway));
  }

  common::ops::OperationsConfig operations;
  operations.listener = cfg.operations;
  operations.version = kVersion;
  parts->operations =
      std::make_unique<common::ops::OperationsServer>(operations, metrics, parts->loggers.get());
  return std::unique_ptr<PeerNode>(new PeerNode(std::move(parts)));
}

PeerNode::PeerNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

PeerNode::~PeerNode() { Stop(); }

Status PeerNode::Start() {
  Parts& parts = *parts_;
  WEFT_RETURN_IF_ERROR(Annotate(parts.channels->OpenAll(), "opening the joined channels"));
  WEFT_RETURN_IF_ERROR(StartChaincodeListener());
  std::vector<::grpc::Service*> services{parts.endorser_service.get(), parts.deliver_service.get()};
  if (parts.gateway_service) services.push_back(parts.gateway_service.get());
  auto grpc = common::grpc::BuildServer(parts.config.peer.server, services);
  if (!grpc.ok()) return Annotate(grpc.status(), "starting the gRPC server (peer.listenAddress)");
  parts.grpc = *std::move(grpc);
  WEFT_RETURN_IF_ERROR(Annotate(parts.operations->Start(),
                                "starting the operations endpoint (operations.listenAddress)"));
  parts.started = true;
  if (parts.config.metrics.provider == config::MetricsProvider::kPrometheus) {
    ChannelRegistry* channels = parts.channels.get();
    parts.deliver_state = std::jthread([channels](std::stop_token stop) {
      std::mutex mu;
      std::condition_variable_any wake;
      std::unique_lock lock(mu);
      while (!stop.stop_requested()) {
        // Returns early once stop is requested.
        (void)wake.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
        if (!stop.stop_requested()) channels->RecordDeliverState();
      }
    });
  }

  // BuildServer has bound the address, so it parses.
  const std::string grpc_address = common::settings::JoinHostPort(
      common::settings::SplitHostPort(parts.config.peer.server.listen_address)->host,
      parts.grpc.port);
  std::cout << fmt::format("peer started: grpc={} operations={}", grpc_address,
                           parts.operations->address())
            << std::endl;
  parts.logger->Info("peer {} ({}) {} serving on {} (MSP {})", parts.config.peer.id,
                     parts.config.peer.network_id, kVersion, grpc_address,
                     parts.config.peer.local_msp_id);
  return absl::OkStatus();
}

Status PeerNode::StartChaincodeListener() {
  Parts& parts = *parts_;
  const config::PeerSettings& peer = parts.config.peer;
  WEFT_ASSIGN_OR_RETURN(auto peer_address, common::settings::SplitHostPort(peer.address));
  // peer.chaincodeAddress defaults to the listen address; only an explicit one is
  // Fabric's "chaincodeAddress" case.
  const std::string explicit_address =
      peer.chaincode_address == peer.chaincode_listen_address ? "" : peer.chaincode_address;
  const std::string listen_address =
      chaincode_support::ChaincodeListenAddress(peer.chaincode_listen_address, peer_address.host);
  auto endpoint = chaincode_support::ComputeChaincodeEndpoint(explicit_address, listen_address,
                                                              peer_address.host);
  if (!endpoint.ok()) return Annotate(endpoint.status(), "computing the chaincode endpoint");
  WEFT_ASSIGN_OR_RETURN(auto endpoint_parts, common::settings::SplitHostPort(*endpoint));
  chaincode_support::ChaincodeListenerOptions options;
  options.server = peer.server;
  options.server.listen_address = listen_address;
  options.ca = parts.chaincode_ca.get();
  options.host = endpoint_parts.host;
  auto listener =
      chaincode_support::ChaincodeListener::Start(std::move(options), *parts.chaincode_support);
  if (!listener.ok()) {
    return Annotate(listener.status(),
                    "starting the chaincode listener (peer.chaincodeListenAddress)");
  }
  parts.chaincode_listener = *std::move(listener);
  // A listener on port 0 is dialled at the port it got.
  const int port =
      endpoint_parts.port == 0 ? parts.chaincode_listener->port() : endpoint_parts.port;
  const std::string dial = common::settings::JoinHostPort(endpoint_parts.host, port);
  parts.chaincode_support->SetPeerAddress(dial);
  parts.logger->Info("chaincode listener on {} (chaincodes dial {}{})", listen_address, dial,
                     parts.chaincode_ca ? ", mutual TLS" : "");
  return absl::OkStatus();
}

void PeerNode::Stop() {
  Parts& parts = *parts_;
  if (parts.grpc.server) {
    parts.grpc.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }
  if (parts.chaincode_listener) parts.chaincode_listener->Stop();
  if (parts.chaincode_support) parts.chaincode_support->Stop();
  if (parts.operations) parts.operations->Stop();
  if (parts.deliver_state.joinable()) {
    parts.deliver_state.request_stop();
    parts.deliver_state.join();
  }
  if (parts.channels) parts.channels->StopAll();
  if (parts.started) parts.logger->Info("peer stopped");
  parts.started = false;
}

[[nodiscard]] Status RebuildDatabases(const std::filesystem::path& config_file,
                                      const config::Environment& env) {
  WEFT_ASSIGN_OR_RETURN(auto loaded, config::LoadPeerConfig(config_file, env));
  const ledger::LedgerManager ledgers(LedgersDir(loaded.config), LedgerOptionsFor(loaded.config));
  WEFT_ASSIGN_OR_RETURN(auto ids, ledgers.ListLedgerIds());
  for (const auto& id : ids) {
    WEFT_ASSIGN_OR_RETURN(auto ledger, ledgers.OpenLedger(id));
    WEFT_RETURN_IF_ERROR(
        Annotate(ledger->RebuildDatabases(), fmt::format("rebuilding the databases of {}", id)));
  }
  return absl::OkStatus();
}

}  // namespace weft::peer::node
