#include "peer/events/deliver_events.h"

#include <utility>

#include "peer/aclmgmt/acl_provider.h"

namespace weft::peer::events {
namespace {

namespace blockstore = common::ledger::blockstore;

// The ledger's blocks as Deliver reads them. Reads of a block and of the height go
// through PeerLedger, whose commit lock makes a block visible only once its state
// is written too (Fabric's kvledger blocksItr.Next waits on blockAPIsRWLock for the
// same reason: a client acting on an event must find the state). Read-only.
class LedgerBlocks final : public blockstore::BlockStore {
 public:
  explicit LedgerBlocks(const ledger::PeerLedger& ledger) : ledger_(ledger) {}

  [[nodiscard]] Status AddBlockBytes(uint64_t number, std::string bytes) override {
    return absl::FailedPreconditionError("the event service does not write blocks");
  }
  [[nodiscard]] Status AddBlock(const ::common::Block& block) override {
    return absl::FailedPreconditionError("the event service does not write blocks");
  }
  [[nodiscard]] StatusOr<::common::Block> RetrieveBlockByNumber(uint64_t number) const override {
    return ledger_.GetBlockByNumber(number);
  }
  [[nodiscard]] StatusOr<std::string> RetrieveBlockBytesByNumber(uint64_t number) const override {
    WEFT_ASSIGN_OR_RETURN(::common::Block block, ledger_.GetBlockByNumber(number));
    return block.SerializeAsString();
  }
  [[nodiscard]] StatusOr<::common::Block> RetrieveBlockByHash(
      const std::string& header_hash) const override {
    return ledger_.block_store().RetrieveBlockByHash(header_hash);
  }
  [[nodiscard]] StatusOr<::common::Block> RetrieveBlockByTxId(
      const std::string& tx_id) const override {
    return ledger_.block_store().RetrieveBlockByTxId(tx_id);
  }
  [[nodiscard]] StatusOr<blockstore::TxLocation> RetrieveTxValidationCode(
      const std::string& tx_id) const override {
    return ledger_.block_store().RetrieveTxValidationCode(tx_id);
  }
  blockstore::BlockchainInfo GetInfo() const override { return ledger_.GetBlockchainInfo(); }
  [[nodiscard]] Status WaitForBlock(uint64_t number, std::stop_token stop,
                                    Deadline deadline) const override {
    return ledger_.block_store().WaitForBlock(number, std::move(stop), deadline);
  }
  // The ledger's owner closes its store.
  void Close() override {}

 private:
  const ledger::PeerLedger& ledger_;
};

// A joined channel seen as a Deliver source: its committed blocks and its config.
class ChannelSource final : public common::deliver::DeliverSource {
 public:
  explicit ChannelSource(std::shared_ptr<const PeerChannel> channel)
      : channel_(std::move(channel)), blocks_(channel_->Ledger()) {}
  const std::string& ChannelId() const override { return channel_->ChannelId(); }
  std::shared_ptr<const common::channelconfig::ChannelConfig> ChannelConfig() const override {
    return channel_->Config();
  }
  const blockstore::BlockStore& Blocks() const override { return blocks_; }

 private:
  std::shared_ptr<const PeerChannel> channel_;
  LedgerBlocks blocks_;
};

// Turns the handler's blocks into DeliverResponses and remembers whether the client
// stopped taking them, so that no final status follows a failed send.
class ResponseAdapter final : public common::deliver::BlockSink {
 public:
  enum class Kind { kBlock, kFiltered, kBlockAndPrivateData };

  ResponseAdapter(Kind kind, ResponseSink& sink, const std::shared_ptr<common::log::Logger>& logger)
      : kind_(kind), sink_(sink), logger_(logger) {}

  bool Send(const ::common::Block& block) override {
    ::protos::DeliverResponse response;
    switch (kind_) {
      case Kind::kBlock:
        *response.mutable_block() = block;
        break;
      case Kind::kFiltered: {
        auto filtered = ToFilteredBlock(block);
        if (filtered.ok()) {
          *response.mutable_filtered_block() = *std::move(filtered);
        } else {
          // Fabric's filteredBlockResponseSender answers BAD_REQUEST for this block
          // and the stream goes on.
          if (logger_) {
            logger_->Log(common::log::LogLevel::kWarn,
                         "Failed to generate filtered block {} due to: {}", block.header().number(),
                         std::string(filtered.status().message()));
          }
          response = StatusResponse(::common::BAD_REQUEST);
        }
        break;
      }
      case Kind::kBlockAndPrivateData:
        // No private data is stored yet, so the map stays empty.
        *response.mutable_block_and_private_data()->mutable_block() = block;
        break;
    }
    return Forward(response);
  }

  // Sends the final status unless the client already went away.
  ::common::Status Finish(::common::Status status) {
    if (!failed_) Forward(StatusResponse(status));
    return status;
  }

 private:
  bool Forward(const ::protos::DeliverResponse& response) {
    if (failed_) return false;
    if (!sink_.Send(response)) failed_ = true;
    return !failed_;
  }

  const Kind kind_;
  ResponseSink& sink_;
  const std::shared_ptr<common::log::Logger>& logger_;
  bool failed_ = false;
};

common::deliver::DeliverOptions HandlerOptions(const EventsOptions& options, std::string resource) {
  common::deliver::DeliverOptions handler_options;
  handler_options.readers_policy_for =
      [resource = std::move(resource)](const common::channelconfig::ChannelConfig& config) {
        return aclmgmt::PolicyForResource(config, resource);
      };
  handler_options.time_window = options.time_window;
  handler_options.expiration_checks = options.expiration_checks;
  handler_options.clock = options.clock;
  handler_options.logger = options.logger;
  return handler_options;
}

}  // namespace

class DeliverEvents::Sources final : public common::deliver::ChannelSources {
 public:
  explicit Sources(const PeerChannels& channels) : channels_(channels) {}
  std::shared_ptr<common::deliver::DeliverSource> FindSource(
      std::string_view channel_id) const override {
    auto channel = channels_.FindChannel(channel_id);
    if (channel == nullptr) return nullptr;
    return std::make_shared<ChannelSource>(std::move(channel));
  }

 private:
  const PeerChannels& channels_;
};

::protos::DeliverResponse StatusResponse(::common::Status status) {
  ::protos::DeliverResponse response;
  response.set_status(status);
  return response;
}

DeliverEvents::DeliverEvents(const PeerChannels& channels, EventsOptions options)
    : logger_(options.logger),
      sources_(std::make_unique<Sources>(channels)),
      block_handler_(std::make_unique<common::deliver::DeliverHandler>(
          *sources_, HandlerOptions(options, aclmgmt::kEventBlock))),
      filtered_handler_(std::make_unique<common::deliver::DeliverHandler>(
          *sources_, HandlerOptions(options, aclmgmt::kEventFilteredBlock))) {}

DeliverEvents::~DeliverEvents() = default;

::common::Status DeliverEvents::Deliver(const ::common::Envelope& seek_envelope, ResponseSink& sink,
                                        std::stop_token stop,
                                        std::string_view client_tls_cert_hash) const {
  ResponseAdapter adapter(ResponseAdapter::Kind::kBlock, sink, logger_);
  return adapter.Finish(
      block_handler_->Handle(seek_envelope, adapter, std::move(stop), client_tls_cert_hash));
}

::common::Status DeliverEvents::DeliverFiltered(const ::common::Envelope& seek_envelope,
                                                ResponseSink& sink, std::stop_token stop,
                                                std::string_view client_tls_cert_hash) const {
  ResponseAdapter adapter(ResponseAdapter::Kind::kFiltered, sink, logger_);
  return adapter.Finish(
      filtered_handler_->Handle(seek_envelope, adapter, std::move(stop), client_tls_cert_hash));
}

::common::Status DeliverEvents::DeliverWithPrivateData(
    const ::common::Envelope& seek_envelope, ResponseSink& sink, std::stop_token stop,
    std::string_view client_tls_cert_hash) const {
  ResponseAdapter adapter(ResponseAdapter::Kind::kBlockAndPrivateData, sink, logger_);
  return adapter.Finish(
      block_handler_->Handle(seek_envelope, adapter, std::move(stop), client_tls_cert_hash));
}

}  // namespace weft::peer::events
