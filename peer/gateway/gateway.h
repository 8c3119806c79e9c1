// The peer's Gateway service (gateway.Gateway), as Fabric's release-2.5
// internal/pkg/gateway: Evaluate, Endorse, Submit, CommitStatus and
// ChaincodeEvents, gRPC-free. peer/node adapts it to the gRPC service and turns a
// GatewayStatus into a gRPC status with gateway.ErrorDetail entries.
//
// Where Fabric asks its discovery service (peers of each org, endorsement plans),
// Weft has none: the channel config's anchor peers stand for each organisation's
// peers (the local organisation is the local peer, plus its other anchor peers),
// and plans come from the chaincode's endorsement policy (endorsement_plan.h).
// As Fabric's endorser builds the ChaincodeInterest (core/endorser/endorser.go
// buildChaincodeInterest), the plan covers every application namespace of the first
// endorsement's rwset: the key-level policy of each written key that has one, and
// the chaincode's policy when a key without one is written or nothing is written.
// Private data collections are not considered (Weft has no private data yet).
//
// Evaluate tries the caller's org first, then the gateway's, then the others (Fabric
// prefers the gateway's own org; the two agree when clients use their org's gateway).
// Endorsements of a plan are collected one peer at a time (Fabric asks the orgs in
// parallel); each call is bounded by endorsement_timeout and the request's deadline.
//
// Thread-safety: every method is thread-safe when the seams are.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/ledger/blockstore/block_store.h"
#include "common/log/logger.h"
#include "common/status/status.h"
#include "gateway/gateway.pb.h"
#include "orderer/ab.pb.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/gateway/endorsement_plan.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::gateway {

using Deadline = std::chrono::steady_clock::time_point;

// What a call answers on failure: the gRPC code and message, and one
// gateway.ErrorDetail per failing endpoint (Fabric's newRpcError).
struct [[nodiscard]] GatewayStatus {
  Status status;
  std::vector<::gateway::ErrorDetail> details;
  bool ok() const { return status.ok(); }
};

// An endorser's answer as Fabric's gateway sees it: a gRPC failure from a remote
// peer carries no response; the local endorser answers a refused proposal with both
// (Fabric's ProcessProposal returns its error next to a 500 response).
struct ProposalOutcome {
  std::optional<::protos::ProposalResponse> response;
  Status error;
};

// One peer the gateway can send proposals to (the local endorser or a remote one).
class EndorsingPeer {
 public:
  virtual ~EndorsingPeer() = default;
  virtual ProposalOutcome ProcessProposal(const ::protos::SignedProposal& proposal,
                                          std::chrono::milliseconds timeout) const = 0;
};

// One orderer the gateway can broadcast to.
class OrderingNode {
 public:
  virtual ~OrderingNode() = default;
  [[nodiscard]] virtual StatusOr<::orderer::BroadcastResponse> Broadcast(
      const ::common::Envelope& envelope, std::chrono::milliseconds timeout) const = 0;
};

// What the gateway needs of the channels the peer has joined.
class GatewayChannels {
 public:
  virtual ~GatewayChannels() = default;
  // nullptr when the peer has not joined `channel_id`.
  virtual std::shared_ptr<const common::channelconfig::ChannelConfig> Config(
      std::string_view channel_id) const = 0;
  // The channel's committed blocks (codes in TRANSACTIONS_FILTER); nullptr when not joined.
  virtual std::shared_ptr<const common::ledger::blockstore::BlockStore> Blocks(
      std::string_view channel_id) const = 0;
  // Returns once the state writes of every block Blocks() holds are applied (the
  // ledger appends a block before applying its state), so a client told its
  // transaction committed reads the state it wrote. The default waits for nothing.
  virtual void AwaitState(std::string_view /*channel_id*/) const {}
  // The committed definition's ValidationInfo.validation_parameter (bytes of a
  // protos.ApplicationPolicy) of `chaincode`; nullopt when it has no definition.
  [[nodiscard]] virtual StatusOr<std::optional<std::string>> EndorsementPolicy(
      std::string_view channel_id, std::string_view chaincode) const = 0;
  // The committed key-level endorsement policy of `key` in namespace `ns` (its
  // VALIDATION_PARAMETER metadata: bytes of a SignaturePolicyEnvelope); nullopt when
  // it has none.
  [[nodiscard]] virtual StatusOr<std::optional<std::string>> KeyEndorsementPolicy(
      std::string_view channel_id, std::string_view ns, std::string_view key) const = 0;
};

// Dials peers and orderers named in a channel config. `tls_root_cas` are the PEM
// TLS CA certificates of the endpoint's organisation (from its MSP in the config).
using PeerDialer = std::function<StatusOr<std::shared_ptr<const EndorsingPeer>>(
    const std::string& address, const std::vector<std::string>& tls_root_cas)>;
using OrdererDialer = std::function<StatusOr<std::shared_ptr<const OrderingNode>>(
    const std::string& address, const std::vector<std::string>& tls_root_cas)>;

struct GatewayOptions {
  const GatewayChannels* channels = nullptr;
  const aclmgmt::AclProvider* acl = nullptr;
  // The peer itself: its MSP, the address others know it by, its endorser.
  std::string local_msp_id;
  std::string local_address;
  const EndorsingPeer* local_endorser = nullptr;
  PeerDialer dial_peer;
  OrdererDialer dial_orderer;
  // peer.gateway.endorsementTimeout / broadcastTimeout: per call to one endpoint.
  std::chrono::milliseconds endorsement_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds broadcast_timeout = std::chrono::seconds(30);
  std::shared_ptr<common::log::Logger> logger;  // nullable
};

// Receives ChaincodeEvents responses; false when the client went away.
using ChaincodeEventsSink = std::function<bool(const ::gateway::ChaincodeEventsResponse&)>;

class Gateway {
 public:
  explicit Gateway(GatewayOptions options);

  GatewayStatus Evaluate(const ::gateway::EvaluateRequest& request, Deadline deadline,
                         ::gateway::EvaluateResponse* response);
  GatewayStatus Endorse(const ::gateway::EndorseRequest& request, Deadline deadline,
                        ::gateway::EndorseResponse* response);
  GatewayStatus Submit(const ::gateway::SubmitRequest& request, Deadline deadline,
                       ::gateway::SubmitResponse* response);
  // Waits for the transaction until `deadline` or `stop`.
  GatewayStatus CommitStatus(const ::gateway::SignedCommitStatusRequest& request, Deadline deadline,
                             std::stop_token stop, ::gateway::CommitStatusResponse* response);
  // Streams until `stop`, `deadline` or the sink refuses.
  GatewayStatus ChaincodeEvents(const ::gateway::SignedChaincodeEventsRequest& request,
                                Deadline deadline, std::stop_token stop,
                                const ChaincodeEventsSink& sink);

  // A peer the gateway can endorse on, with its organisation.
  struct Peer {
    std::string address;
    std::string msp_id;
    std::vector<std::string> tls_root_cas;
  };
  // Peers per organisation for `config` (local org: the local peer first).
  std::map<std::string, std::vector<Peer>> PeersByOrg(
      const common::channelconfig::ChannelConfig& config) const;
  // Orderers of `config`: each orderer org's endpoints, else the global addresses.
  std::vector<Peer> Orderers(const common::channelconfig::ChannelConfig& config) const;

 private:
  // The endorser at `peer` (the local one, or a cached connection).
  [[nodiscard]] StatusOr<std::shared_ptr<const EndorsingPeer>> EndorserFor(const Peer& peer);
  [[nodiscard]] StatusOr<std::shared_ptr<const OrderingNode>> OrdererFor(const Peer& orderer);
  // Drops the connection to an endpoint that failed at the transport level, so the
  // next request dials it afresh (Fabric's registry.removeEndorser): a gRPC channel
  // kept across an outage fails fast until its reconnect backoff runs out.
  void Forget(const std::string& address);
  // The layouts every endorsement of `first` (the first endorsement) must satisfy.
  [[nodiscard]] StatusOr<std::vector<Layout>> PlanFor(
      const common::channelconfig::ChannelConfig& config, const std::string& chaincode,
      const ::protos::ProposalResponse& first) const;

  GatewayOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const EndorsingPeer>> peers_;    // guarded by mu_
  std::map<std::string, std::shared_ptr<const OrderingNode>> orderers_;  // guarded by mu_
  std::minstd_rand shuffle_;  // the orderers' order per Submit; guarded by mu_
};

}  // namespace weft::peer::gateway
