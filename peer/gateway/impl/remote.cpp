#include "peer/gateway/remote.h"

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"

namespace weft::peer::gateway {
namespace {

class RemotePeer final : public EndorsingPeer {
 public:
  explicit RemotePeer(std::unique_ptr<client::EndorserClient> client)
      : client_(std::move(client)) {}
  ProposalOutcome ProcessProposal(const ::protos::SignedProposal& proposal,
                                  std::chrono::milliseconds timeout) const override {
    ProposalOutcome outcome;
    auto answer = client_->ProcessProposal(proposal, timeout);
    if (answer.ok()) {
      outcome.response = *std::move(answer);
    } else {
      outcome.error = answer.status();
    }
    return outcome;
  }

 private:
  std::unique_ptr<client::EndorserClient> client_;
};

class RemoteOrderer final : public OrderingNode {
 public:
  explicit RemoteOrderer(std::unique_ptr<client::OrdererClient> client)
      : client_(std::move(client)) {}
  [[nodiscard]] StatusOr<::orderer::BroadcastResponse> Broadcast(
      const ::common::Envelope& envelope, std::chrono::milliseconds timeout) const override {
    // The gateway's per-orderer broadcastTimeout (within the request's deadline).
    return client_->Submit(envelope, timeout);
  }

 private:
  std::unique_ptr<client::OrdererClient> client_;
};

common::settings::GrpcClientSettings WithRoots(common::settings::GrpcClientSettings settings,
                                               const std::vector<std::string>& roots) {
  for (const auto& pem : roots) settings.tls.root_ca_pems.push_back(pem);
  return settings;
}

}  // namespace

PeerDialer NewPeerDialer(common::settings::GrpcClientSettings settings) {
  return [settings](const std::string& address, const std::vector<std::string>& roots)
             -> StatusOr<std::shared_ptr<const EndorsingPeer>> {
    WEFT_ASSIGN_OR_RETURN(auto client,
                          client::EndorserClient::Connect(address, WithRoots(settings, roots)));
    return std::make_shared<const RemotePeer>(std::move(client));
  };
}

OrdererDialer NewOrdererDialer(common::settings::GrpcClientSettings settings) {
  return [settings](const std::string& address, const std::vector<std::string>& roots)
             -> StatusOr<std::shared_ptr<const OrderingNode>> {
    WEFT_ASSIGN_OR_RETURN(auto client,
                          client::OrdererClient::Connect(address, WithRoots(settings, roots)));
    return std::make_shared<const RemoteOrderer>(std::move(client));
  };
}

}  // namespace weft::peer::gateway
