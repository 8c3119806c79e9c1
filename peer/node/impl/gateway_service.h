// The peer's gateway.Gateway gRPC service onto peer/gateway, and the seams the
// gateway needs from the rest of the peer (its endorser, ledgers, channel configs,
// committed chaincode definitions). No gateway logic lives here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/config/peer_config.h"
#include "gateway/gateway.grpc.pb.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/endorser/endorser.h"
#include "peer/gateway/gateway.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/lifecycle/cache.h"
#include "peer/node/impl/grpc_services.h"

namespace weft::peer::node {

// What the gateway reads of the joined channels, in the node's terms.
struct GatewayParts {
  std::function<std::shared_ptr<const common::channelconfig::ChannelConfig>(std::string_view)>
      config;
  // The channel's ledger; nullptr when the peer has not joined it.
  std::function<std::shared_ptr<ledger::PeerLedger>(std::string_view)> ledger;
  const endorser::Endorser* endorser = nullptr;
  const aclmgmt::AclProvider* acl = nullptr;
  std::string local_msp_id;
  // Where the plans' chaincode policies come from (the committed definitions); null:
  // read from the ledger's state on each call.
  std::shared_ptr<lifecycle::Cache> lifecycle_cache;
  std::shared_ptr<common::log::Logger> logger;
};

class GatewayService final : public ::gateway::Gateway::Service {
 public:
  // Reads peer.gateway (timeouts), peer.address, peer.client and peer.limits.
  GatewayService(const common::config::PeerConfig& config, GatewayParts parts);
  ~GatewayService() override;

  ::grpc::Status Endorse(::grpc::ServerContext* context, const ::gateway::EndorseRequest* request,
                         ::gateway::EndorseResponse* response) override;
  ::grpc::Status Submit(::grpc::ServerContext* context, const ::gateway::SubmitRequest* request,
                        ::gateway::SubmitResponse* response) override;
  ::grpc::Status CommitStatus(::grpc::ServerContext* context,
                              const ::gateway::SignedCommitStatusRequest* request,
                              ::gateway::CommitStatusResponse* response) override;
  ::grpc::Status Evaluate(::grpc::ServerContext* context, const ::gateway::EvaluateRequest* request,
                          ::gateway::EvaluateResponse* response) override;
  ::grpc::Status ChaincodeEvents(
      ::grpc::ServerContext* context, const ::gateway::SignedChaincodeEventsRequest* request,
      ::grpc::ServerWriter<::gateway::ChaincodeEventsResponse>* writer) override;

 private:
  class Channels;
  class LocalPeer;
  GatewayParts parts_;
  std::unique_ptr<Channels> channels_;
  std::unique_ptr<LocalPeer> local_;
  std::unique_ptr<gateway::Gateway> gateway_;
  ConcurrencyLimit limit_;
};

}  // namespace weft::peer::node
