#include "peer/node/impl/gateway_service.h"

#include <fmt/format.h>

#include "common/grpc/cancellation.h"
#include "common/grpc/status_mapping.h"
#include "google/rpc/status.pb.h"
#include "peer/gateway/remote.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"

namespace weft::peer::node {
namespace {

// Fabric's newRpcError: the details travel as a google.rpc.Status in the
// grpc-status-details-bin trailer, each an Any of a gateway.ErrorDetail.
::grpc::Status ToGrpc(const gateway::GatewayStatus& status) {
  if (status.ok() || status.details.empty()) return common::grpc::ToGrpcStatus(status.status);
  ::google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.status.code()));
  rich.set_message(std::string(status.status.message()));
  for (const auto& detail : status.details) {
    auto* any = rich.add_details();
    any->set_type_url("type.googleapis.com/gateway.ErrorDetail");
    any->set_value(detail.SerializeAsString());
  }
  return common::grpc::ToGrpcStatus(status.status, rich.SerializeAsString());
}

gateway::Deadline DeadlineOf(const ::grpc::ServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return gateway::Deadline::max();
  const auto left = deadline - std::chrono::system_clock::now();
  // Far-off deadlines would overflow the steady clock's arithmetic.
  if (left > std::chrono::hours(24 * 365)) return gateway::Deadline::max();
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
}

}  // namespace

class GatewayService::Channels final : public gateway::GatewayChannels {
 public:
  explicit Channels(GatewayParts& parts) : parts_(parts) {}
  std::shared_ptr<const common::channelconfig::ChannelConfig> Config(
      std::string_view channel_id) const override {
    return parts_.config(channel_id);
  }
  std::shared_ptr<const common::ledger::blockstore::BlockStore> Blocks(
      std::string_view channel_id) const override {
    auto ledger = parts_.ledger(channel_id);
    if (!ledger) return nullptr;
    // Shares the ledger's ownership: the store lives as long as its ledger.
    return std::shared_ptr<const common::ledger::blockstore::BlockStore>(ledger,
                                                                         &ledger->block_store());
  }
  void AwaitState(std::string_view channel_id) const override {
    // The ledger holds its commit lock from the block append to the end of the state
    // write; taking the read side once waits for a commit in progress.
    if (auto ledger = parts_.ledger(channel_id)) ledger->NewQueryExecutor()->Done();
  }
  [[nodiscard]] StatusOr<std::optional<std::string>> EndorsementPolicy(
      std::string_view channel_id, std::string_view chaincode) const override {
    auto ledger = parts_.ledger(channel_id);
    if (!ledger) return absl::NotFoundError(fmt::format("channel [{}] not found", channel_id));
    auto executor = ledger->NewQueryExecutor();
    if (parts_.lifecycle_cache) {
      // The executor holds the ledger's read lock for the cache's read on a miss.
      auto cached = parts_.lifecycle_cache->ChaincodeInfo(channel_id, chaincode, ledger->state());
      executor->Done();
      if (!cached.ok()) return cached.status();
      if (!cached->has_value()) return std::optional<std::string>();
      return std::optional<std::string>(
          (*cached)->definition.validation_info.validation_parameter());
    }
    lifecycle::LifecycleQueryState state(*executor);
    auto definition = lifecycle::ChaincodeDefinitionIfDefined(chaincode, state);
    executor->Done();
    if (!definition.ok()) return definition.status();
    if (!definition->has_value()) return std::optional<std::string>();
    return std::optional<std::string>((*definition)->validation_info.validation_parameter());
  }
  [[nodiscard]] StatusOr<std::optional<std::string>> KeyEndorsementPolicy(
      std::string_view channel_id, std::string_view ns, std::string_view key) const override {
    auto ledger = parts_.ledger(channel_id);
    if (!ledger) return absl::NotFoundError(fmt::format("channel [{}] not found", channel_id));
    auto executor = ledger->NewQueryExecutor();
    auto metadata = executor->GetStateMetadata(ns, key);
    executor->Done();
    if (!metadata.ok()) return metadata.status();
    // Fabric's MetaDataKeys_VALIDATION_PARAMETER.
    auto found = metadata->find("VALIDATION_PARAMETER");
    if (found == metadata->end()) return std::optional<std::string>();
    return std::optional<std::string>(found->second);
  }

 private:
  GatewayParts& parts_;
};

class GatewayService::LocalPeer final : public gateway::EndorsingPeer {
 public:
  explicit LocalPeer(const endorser::Endorser& endorser) : endorser_(endorser) {}
  gateway::ProposalOutcome ProcessProposal(const ::protos::SignedProposal& proposal,
                                           std::chrono::milliseconds /*timeout*/) const override {
    endorser::ProposalResult result = endorser_.ProcessProposal(proposal);
    gateway::ProposalOutcome outcome;
    outcome.response = std::move(result.response);
    outcome.error = std::move(result.error);
    return outcome;
  }

 private:
  const endorser::Endorser& endorser_;
};

GatewayService::GatewayService(const common::config::PeerConfig& config, GatewayParts parts)
    : limit_("/gateway.Gateway", config.peer.limits.gateway_service) {
  parts_ = std::move(parts);
  channels_ = std::make_unique<Channels>(parts_);
  local_ = std::make_unique<LocalPeer>(*parts_.endorser);
  gateway::GatewayOptions options;
  options.channels = channels_.get();
  options.acl = parts_.acl;
  options.local_msp_id = parts_.local_msp_id;
  options.local_address = config.peer.address;
  options.local_endorser = local_.get();
  // peer.gateway.dialTimeout: client-sdk dials lazily, so it bounds nothing yet.
  options.dial_peer = gateway::NewPeerDialer(config.peer.client);
  options.dial_orderer = gateway::NewOrdererDialer(config.peer.client);
  options.endorsement_timeout = config.peer.gateway.endorsement_timeout;
  options.broadcast_timeout = config.peer.gateway.broadcast_timeout;
  options.logger = parts_.logger;
  gateway_ = std::make_unique<gateway::Gateway>(std::move(options));
}

GatewayService::~GatewayService() = default;

::grpc::Status GatewayService::Endorse(::grpc::ServerContext* context,
                                       const ::gateway::EndorseRequest* request,
                                       ::gateway::EndorseResponse* response) {
  const ConcurrencyLimit::Slot slot = limit_.TryAcquire();
  if (!slot.ok()) return limit_.Refusal();
  return ToGrpc(gateway_->Endorse(*request, DeadlineOf(*context), response));
}

::grpc::Status GatewayService::Submit(::grpc::ServerContext* context,
                                      const ::gateway::SubmitRequest* request,
                                      ::gateway::SubmitResponse* response) {
  const ConcurrencyLimit::Slot slot = limit_.TryAcquire();
  if (!slot.ok()) return limit_.Refusal();
  return ToGrpc(gateway_->Submit(*request, DeadlineOf(*context), response));
}

::grpc::Status GatewayService::CommitStatus(::grpc::ServerContext* context,
                                            const ::gateway::SignedCommitStatusRequest* request,
                                            ::gateway::CommitStatusResponse* response) {
  const ConcurrencyLimit::Slot slot = limit_.TryAcquire();
  if (!slot.ok()) return limit_.Refusal();
  const common::grpc::CancellationWatcher cancellation(*context);
  return ToGrpc(
      gateway_->CommitStatus(*request, DeadlineOf(*context), cancellation.token(), response));
}

::grpc::Status GatewayService::Evaluate(::grpc::ServerContext* context,
                                        const ::gateway::EvaluateRequest* request,
                                        ::gateway::EvaluateResponse* response) {
  const ConcurrencyLimit::Slot slot = limit_.TryAcquire();
  if (!slot.ok()) return limit_.Refusal();
  return ToGrpc(gateway_->Evaluate(*request, DeadlineOf(*context), response));
}

::grpc::Status GatewayService::ChaincodeEvents(
    ::grpc::ServerContext* context, const ::gateway::SignedChaincodeEventsRequest* request,
    ::grpc::ServerWriter<::gateway::ChaincodeEventsResponse>* writer) {
  const ConcurrencyLimit::Slot slot = limit_.TryAcquire();
  if (!slot.ok()) return limit_.Refusal();
  const common::grpc::CancellationWatcher cancellation(*context);
  return ToGrpc(
      gateway_->ChaincodeEvents(*request, DeadlineOf(*context), cancellation.token(),
                                [writer](const ::gateway::ChaincodeEventsResponse& events) {
                                  return writer->Write(events);
                                }));
}

}  // namespace weft::peer::node
