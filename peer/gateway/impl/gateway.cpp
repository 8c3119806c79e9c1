#include "peer/gateway/gateway.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <set>

#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/transaction.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "msp/identities.pb.h"
#include "peer/transaction.pb.h"

namespace weft::peer::gateway {
namespace {

using common::channelconfig::ChannelConfig;
using std::chrono::milliseconds;

// Fabric's resources.Gateway_CommitStatus / Gateway_ChaincodeEvents.
constexpr char kCommitStatusResource[] = "gateway/CommitStatus";
constexpr char kChaincodeEventsResource[] = "gateway/ChaincodeEvents";
// _lifecycle's endorsement policy (Fabric's lifecycle.LifecycleEndorsementPolicyRef).
constexpr char kLifecycleName[] = "_lifecycle";
constexpr char kLifecycleEndorsementPolicy[] = "/Channel/Application/LifecycleEndorsement";

GatewayStatus Error(absl::StatusCode code, std::string message,
                    std::vector<::gateway::ErrorDetail> details = {}) {
  return GatewayStatus{Status(code, message), std::move(details)};
}

::gateway::ErrorDetail Detail(const Gateway::Peer& endpoint, std::string message) {
  ::gateway::ErrorDetail detail;
  detail.set_address(endpoint.address);
  detail.set_msp_id(endpoint.msp_id);
  detail.set_message(std::move(message));
  return detail;
}

// What to make of one endorser's answer: Fabric's apiutils.go responseStatus.
struct Judgement {
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string message;
  bool retry = false;  // another peer of the group may do better
};

Judgement Judge(const ProposalOutcome& outcome) {
  if (!outcome.error.ok()) {
    // A remote peer's gRPC failure: the peer may be down, try another one.
    if (!outcome.response) {
      return {absl::StatusCode::kUnavailable, std::string(outcome.error.message()), true};
    }
    return {absl::StatusCode::kFailedPrecondition, std::string(outcome.error.message()), false};
  }
  if (!outcome.response) {
    return {absl::StatusCode::kUnavailable, "endorser returned no response", true};
  }
  const auto& response = outcome.response->response();
  if (response.status() < 200 || response.status() >= 400) {
    // The peer, not the chaincode, failed (no payload): another peer may succeed.
    if (outcome.response->payload().empty() && response.status() == 500) {
      return {absl::StatusCode::kAborted, response.message(), true};
    }
    return {absl::StatusCode::kUnknown,
            fmt::format("chaincode response {}, {}", response.status(), response.message()), false};
  }
  return {};
}

// How long one call may take: the per-call timeout within the request's deadline.
milliseconds CallTimeout(milliseconds per_call, Deadline deadline) {
  const auto left =
      std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  return std::max(milliseconds(1), std::min(per_call, left));
}

bool Expired(Deadline deadline) { return std::chrono::steady_clock::now() >= deadline; }

// Fabric's evaluate.go getChannelAndChaincodeFromSignedProposal checks.
[[nodiscard]] StatusOr<common::protoutil::OpenedProposal> Unpack(
    const ::protos::SignedProposal& signed_proposal) {
  if (signed_proposal.proposal_bytes().empty()) {
    return absl::InvalidArgumentError("a signed proposal is required");
  }
  WEFT_ASSIGN_OR_RETURN(auto opened, common::protoutil::OpenSignedProposal(signed_proposal));
  const std::string& channel = opened.channel_header.channel_id();
  if (channel.empty()) return absl::InvalidArgumentError("no channel id provided");
  if (opened.chaincode_spec().chaincode_id().name().empty()) {
    return absl::InvalidArgumentError(
        fmt::format("no chaincode name is provided, channel id [{}]", channel));
  }
  return opened;
}

// ChaincodeAction.response.payload inside the proposal response payload (Fabric's
// getResultFromProposalResponse), or nullopt when it does not parse.
std::optional<std::string> ResultOf(const ::protos::ProposalResponse& response) {
  ::protos::ProposalResponsePayload payload;
  ::protos::ChaincodeAction action;
  if (!payload.ParseFromString(response.payload()) ||
      !action.ParseFromString(payload.extension())) {
    return std::nullopt;
  }
  return action.response().payload();
}

std::vector<std::string> TlsRootsOf(const common::channelconfig::Organization& org) {
  std::vector<std::string> pems;
  if (!org.msp) return pems;
  for (const auto& cert : org.msp->config().tls_root_certs) pems.push_back(cert.ToPem());
  for (const auto& cert : org.msp->config().tls_intermediate_certs) pems.push_back(cert.ToPem());
  return pems;
}

// The validation code of transaction `index` from the block's TRANSACTIONS_FILTER.
::protos::TxValidationCode CodeOf(const ::common::Block& block, int index) {
  if (block.metadata().metadata_size() <= ::common::TRANSACTIONS_FILTER) {
    return ::protos::NOT_VALIDATED;
  }
  const std::string& filter = block.metadata().metadata(::common::TRANSACTIONS_FILTER);
  if (index >= static_cast<int>(filter.size())) return ::protos::NOT_VALIDATED;
  return static_cast<::protos::TxValidationCode>(static_cast<uint8_t>(filter[index]));
}

struct BlockTransaction {
  std::string tx_id;
  bool valid = false;
  std::vector<::protos::ChaincodeEvent> events;
};

// The transactions of a block with their chaincode events, as Fabric's
// gateway/event package reads them: an event needs chaincode id, name and tx id.
std::vector<BlockTransaction> TransactionsOf(const ::common::Block& block) {
  std::vector<BlockTransaction> result;
  for (int i = 0; i < block.data().data_size(); ++i) {
    auto opened = common::protoutil::OpenEnvelope(std::string_view(block.data().data(i)));
    if (!opened.ok()) continue;
    BlockTransaction tx;
    tx.tx_id = opened->channel_header.tx_id();
    tx.valid = CodeOf(block, i) == ::protos::VALID;
    if (opened->channel_header.type() == ::common::ENDORSER_TRANSACTION) {
      ::protos::Transaction transaction;
      if (transaction.ParseFromString(opened->data())) {
        for (const auto& action : transaction.actions()) {
          ::protos::ChaincodeActionPayload action_payload;
          ::protos::ProposalResponsePayload response_payload;
          ::protos::ChaincodeAction chaincode_action;
          ::protos::ChaincodeEvent event;
          if (!action_payload.ParseFromString(action.payload()) ||
              !response_payload.ParseFromString(
                  action_payload.action().proposal_response_payload()) ||
              !chaincode_action.ParseFromString(response_payload.extension()) ||
              !event.ParseFromString(chaincode_action.events())) {
            continue;
          }
          if (event.chaincode_id().empty() || event.event_name().empty() || event.tx_id().empty()) {
            continue;
          }
          tx.events.push_back(std::move(event));
        }
      }
    }
    result.push_back(std::move(tx));
  }
  return result;
}

GatewayStatus FromWait(const Status& status) {
  if (absl::IsDeadlineExceeded(status)) {
    return Error(absl::StatusCode::kDeadlineExceeded, "context deadline exceeded");
  }
  if (absl::IsCancelled(status)) return Error(absl::StatusCode::kCancelled, "context canceled");
  return Error(absl::StatusCode::kAborted, std::string(status.message()));
}

// The preamble of CommitStatus and ChaincodeEvents (Fabric's commitstatus.go and
// chaincodeevents.go): the request parses and its signer passes `resource`'s ACL.
template <typename Request>
GatewayStatus OpenSignedRequest(const aclmgmt::AclProvider& acl, std::string_view resource,
                                const std::string& bytes, const std::string& signature,
                                std::string_view required_what, std::string_view invalid_what,
                                Request& request) {
  if (bytes.empty()) {
    return Error(absl::StatusCode::kInvalidArgument,
                 fmt::format("a {} request is required", required_what));
  }
  if (!request.ParseFromString(bytes)) {
    return Error(absl::StatusCode::kInvalidArgument,
                 fmt::format("invalid {} request: not a {}", invalid_what,
                             Request::descriptor()->full_name()));
  }
  const common::policies::SignedData signed_data{bytes, request.identity(), signature};
  if (Status checked = acl.CheckAcl(resource, request.channel_id(), std::span(&signed_data, 1));
      !checked.ok()) {
    return Error(absl::StatusCode::kPermissionDenied, std::string(checked.message()));
  }
  return {};
}

}  // namespace

Gateway::Gateway(GatewayOptions options)
    : options_(std::move(options)), shuffle_(std::random_device{}()) {}

std::map<std::string, std::vector<Gateway::Peer>> Gateway::PeersByOrg(
    const ChannelConfig& config) const {
  std::map<std::string, std::vector<Peer>> peers;
  std::vector<std::string> local_roots;
  if (config.application()) {
    for (const auto& [name, org] : config.application()->organizations) {
      if (org.msp_id == options_.local_msp_id) local_roots = TlsRootsOf(org);
    }
  }
  peers[options_.local_msp_id].push_back(
      Peer{options_.local_address, options_.local_msp_id, local_roots});
  if (!config.application()) return peers;
  for (const auto& [name, org] : config.application()->organizations) {
    for (const auto& anchor : org.anchor_peers) {
      const std::string address = fmt::format("{}:{}", anchor.host, anchor.port);
      if (org.msp_id == options_.local_msp_id && address == options_.local_address) continue;
      peers[org.msp_id].push_back(Peer{address, org.msp_id, TlsRootsOf(org)});
    }
  }
  return peers;
}

std::vector<Gateway::Peer> Gateway::Orderers(const ChannelConfig& config) const {
  std::vector<Peer> orderers;
  if (config.orderer()) {
    for (const auto& [name, org] : config.orderer()->organizations) {
      for (const auto& address : org.orderer_endpoints) {
        orderers.push_back(Peer{address, org.msp_id, TlsRootsOf(org)});
      }
    }
  }
  if (!orderers.empty()) return orderers;
  // Global OrdererAddresses (pre-2.x configs): attributed to the orderer org when
  // there is only one, as their TLS CAs can only come from there.
  const common::channelconfig::Organization* only = nullptr;
  if (config.orderer() && config.orderer()->organizations.size() == 1) {
    only = &config.orderer()->organizations.begin()->second;
  }
  for (const auto& address : config.orderer_addresses()) {
    orderers.push_back(Peer{address, only ? only->msp_id : "",
                            only ? TlsRootsOf(*only) : std::vector<std::string>{}});
  }
  return orderers;
}

StatusOr<std::shared_ptr<const EndorsingPeer>> Gateway::EndorserFor(const Peer& peer) {
  if (peer.address == options_.local_address && peer.msp_id == options_.local_msp_id) {
    // Not owned: the local endorser outlives the gateway.
    return std::shared_ptr<const EndorsingPeer>(options_.local_endorser,
                                                [](const EndorsingPeer*) {});
  }
  {
    std::lock_guard lock(mu_);
    if (auto found = peers_.find(peer.address); found != peers_.end()) return found->second;
  }
  if (!options_.dial_peer) {
    return absl::UnavailableError(fmt::format("no connection to peer {}", peer.address));
  }
  WEFT_ASSIGN_OR_RETURN(auto endorser, options_.dial_peer(peer.address, peer.tls_root_cas));
  std::lock_guard lock(mu_);
  return peers_.emplace(peer.address, std::move(endorser)).first->second;
}

void Gateway::Forget(const std::string& address) {
  std::lock_guard lock(mu_);
  peers_.erase(address);
  orderers_.erase(address);
}

StatusOr<std::shared_ptr<const OrderingNode>> Gateway::OrdererFor(const Peer& orderer) {
  {
    std::lock_guard lock(mu_);
    if (auto found = orderers_.find(orderer.address); found != orderers_.end()) {
      return found->second;
    }
  }
  if (!options_.dial_orderer) {
    return absl::UnavailableError(fmt::format("no connection to orderer {}", orderer.address));
  }
  WEFT_ASSIGN_OR_RETURN(auto node, options_.dial_orderer(orderer.address, orderer.tls_root_cas));
  std::lock_guard lock(mu_);
  return orderers_.emplace(orderer.address, std::move(node)).first->second;
}

StatusOr<std::vector<Layout>> Gateway::PlanFor(const ChannelConfig& config,
                                               const std::string& chaincode,
                                               const ::protos::ProposalResponse& first) const {
  const std::string& channel = config.channel_id();
  auto chaincode_layouts = [&](const std::string& ns) -> StatusOr<std::vector<Layout>> {
    WEFT_ASSIGN_OR_RETURN(auto policy, options_.channels->EndorsementPolicy(channel, ns));
    if (policy) return ApplicationPolicyLayouts(config.config(), *policy);
    if (ns == kLifecycleName) {
      return ChannelPolicyLayouts(config.config(), kLifecycleEndorsementPolicy);
    }
    // No definition (a system chaincode): the local endorsement is the plan.
    return std::vector<Layout>{Layout{{options_.local_msp_id, 1}}};
  };
  ::protos::ProposalResponsePayload payload;
  ::protos::ChaincodeAction action;
  ::rwset::TxReadWriteSet results;
  if (!payload.ParseFromString(first.payload()) || !action.ParseFromString(payload.extension()) ||
      !results.ParseFromString(action.results())) {
    return absl::InvalidArgumentError(
        "the first endorsement's proposal response payload does not parse");
  }
  // What each application namespace of the rwset needs (buildChaincodeInterest).
  struct Needs {
    bool chaincode_policy = false;
    std::vector<std::string> key_policies;
  };
  std::map<std::string, Needs> needs;
  for (const auto& ns : results.ns_rwset()) {
    if (ns.namespace_() == kLifecycleName || ns.namespace_() == "cscc" ||
        ns.namespace_() == "qscc" || ns.namespace_() == "lscc") {
      continue;
    }
    ::kvrwset::KVRWSet kv;
    if (!kv.ParseFromString(ns.rwset())) {
      return absl::InvalidArgumentError(
          fmt::format("the rwset of namespace {} does not parse", ns.namespace_()));
    }
    Needs& need = needs[ns.namespace_()];
    std::vector<std::string> keys;
    for (const auto& write : kv.writes()) keys.push_back(write.key());
    for (const auto& write : kv.metadata_writes()) keys.push_back(write.key());
    if (keys.empty()) need.chaincode_policy = true;
    for (const auto& key : keys) {
      WEFT_ASSIGN_OR_RETURN(auto key_policy,
                            options_.channels->KeyEndorsementPolicy(channel, ns.namespace_(), key));
      if (key_policy) {
        need.key_policies.push_back(*std::move(key_policy));
      } else {
        need.chaincode_policy = true;
      }
    }
  }
  // An empty interest stands for the invoked chaincode (Fabric's defaultInterest).
  if (needs.empty()) needs[chaincode].chaincode_policy = true;
  std::vector<Layout> plan{Layout{}};
  for (const auto& [ns, need] : needs) {
    if (need.chaincode_policy) {
      WEFT_ASSIGN_OR_RETURN(auto layouts, chaincode_layouts(ns));
      plan = CombineLayouts(plan, layouts);
    }
    for (const auto& bytes : need.key_policies) {
      ::common::SignaturePolicyEnvelope policy;
      if (!policy.ParseFromString(bytes)) {
        return absl::InvalidArgumentError(
            fmt::format("the key-level endorsement policy of a key in {} does not parse", ns));
      }
      WEFT_ASSIGN_OR_RETURN(auto layouts, SignaturePolicyLayouts(policy));
      plan = CombineLayouts(plan, layouts);
    }
  }
  return plan;
}

GatewayStatus Gateway::Evaluate(const ::gateway::EvaluateRequest& request, Deadline deadline,
                                ::gateway::EvaluateResponse* response) {
  auto opened = Unpack(request.proposed_transaction());
  if (!opened.ok()) {
    return Error(absl::StatusCode::kInvalidArgument,
                 fmt::format("failed to unpack transaction proposal: {}",
                             std::string(opened.status().message())));
  }
  const std::string& channel = opened->channel_header.channel_id();
  const std::string& chaincode = opened->chaincode_spec().chaincode_id().name();
  auto config = options_.channels->Config(channel);
  if (!config) {
    return Error(absl::StatusCode::kUnavailable,
                 fmt::format("failed to get config for channel [{}]: channel not found", channel));
  }
  std::vector<std::string> targets(request.target_organizations().begin(),
                                   request.target_organizations().end());
  bool transient_protected = false;
  if (!opened->payload.transientmap().empty() && targets.empty()) {
    targets.push_back(options_.local_msp_id);
    transient_protected = true;
  }
  // Fabric's registry.evaluator prefers the gateway's own org, then the others.
  // Weft first tries the caller's org (the rule; the same org as the
  // gateway's whenever clients use their own org's gateway, as they usually do).
  ::msp::SerializedIdentity creator;
  const std::string caller_msp =
      creator.ParseFromString(opened->creator()) ? creator.mspid() : std::string();
  auto by_org = PeersByOrg(*config);
  std::vector<Peer> candidates;
  auto wanted = [&](const std::string& org) {
    return targets.empty() || std::find(targets.begin(), targets.end(), org) != targets.end();
  };
  std::vector<std::string> order;
  if (!caller_msp.empty()) order.push_back(caller_msp);
  if (caller_msp != options_.local_msp_id) order.push_back(options_.local_msp_id);
  for (const auto& [org, peers] : by_org) {
    if (std::find(order.begin(), order.end(), org) == order.end()) order.push_back(org);
  }
  for (const auto& org : order) {
    if (!wanted(org)) continue;
    auto found = by_org.find(org);
    if (found == by_org.end()) continue;
    candidates.insert(candidates.end(), found->second.begin(), found->second.end());
  }
  if (candidates.empty()) {
    const std::string reason = fmt::format(
        "no peers available to evaluate chaincode {} in channel {}", chaincode, channel);
    if (transient_protected) {
      return Error(absl::StatusCode::kFailedPrecondition,
                   "no endorsers found in the gateway's organization; retry specifying target "
                   "organization(s) to protect transient data: " +
                       reason);
    }
    return Error(absl::StatusCode::kFailedPrecondition, reason);
  }

  std::vector<::gateway::ErrorDetail> details;
  absl::StatusCode last = absl::StatusCode::kUnavailable;
  for (const auto& peer : candidates) {
    if (Expired(deadline)) {
      return Error(absl::StatusCode::kDeadlineExceeded, "evaluate timeout expired");
    }
    ProposalOutcome outcome;
    auto endorser = EndorserFor(peer);
    if (endorser.ok()) {
      outcome = (*endorser)->ProcessProposal(request.proposed_transaction(),
                                             CallTimeout(options_.endorsement_timeout, deadline));
    } else {
      outcome.error = endorser.status();
    }
    const Judgement judgement = Judge(outcome);
    if (judgement.code == absl::StatusCode::kOk) {
      *response->mutable_result() = outcome.response->response();
      if (auto result = ResultOf(*outcome.response)) {
        response->mutable_result()->set_payload(*result);
      }
      return {};
    }
    details.push_back(Detail(peer, judgement.message));
    if (!outcome.response) Forget(peer.address);
    last = judgement.code;
    if (!judgement.retry) {
      return Error(judgement.code, "evaluate call to endorser returned error: " + judgement.message,
                   std::move(details));
    }
  }
  return Error(last, "failed to evaluate transaction, see attached details for more info",
               std::move(details));
}

GatewayStatus Gateway::Endorse(const ::gateway::EndorseRequest& request, Deadline deadline,
                               ::gateway::EndorseResponse* response) {
  const ::protos::SignedProposal& signed_proposal = request.proposed_transaction();
  if (signed_proposal.proposal_bytes().empty()) {
    return Error(absl::StatusCode::kInvalidArgument,
                 "the proposed transaction must contain a signed proposal");
  }
  auto opened = common::protoutil::OpenSignedProposal(signed_proposal);
  if (!opened.ok()) {
    return Error(absl::StatusCode::kInvalidArgument, std::string(opened.status().message()));
  }
  const std::string& channel = opened->channel_header.channel_id();
  const std::string& chaincode = opened->chaincode_spec().chaincode_id().name();
  auto config = options_.channels->Config(channel);
  if (!config) {
    return Error(absl::StatusCode::kUnavailable,
                 fmt::format("failed to get config for channel [{}]: channel not found", channel));
  }
  auto by_org = PeersByOrg(*config);

  std::vector<::gateway::ErrorDetail> details;
  std::map<std::string, std::vector<::protos::ProposalResponse>> collected;  // by org
  std::set<std::string> spent;  // addresses already asked
  std::optional<std::string> first_payload;

  // Asks the next unasked peer of `org`; true when it endorsed and matched.
  auto endorse_once = [&](const std::string& org, bool* exhausted) -> bool {
    *exhausted = false;
    const Peer* next = nullptr;
    for (const auto& peer : by_org[org]) {
      if (!spent.contains(peer.address)) {
        next = &peer;
        break;
      }
    }
    if (next == nullptr) {
      *exhausted = true;
      return false;
    }
    spent.insert(next->address);
    ProposalOutcome outcome;
    auto endorser = EndorserFor(*next);
    if (endorser.ok()) {
      outcome = (*endorser)->ProcessProposal(signed_proposal,
                                             CallTimeout(options_.endorsement_timeout, deadline));
    } else {
      outcome.error = endorser.status();
    }
    const Judgement judgement = Judge(outcome);
    if (judgement.code != absl::StatusCode::kOk) {
      if (options_.logger) {
        options_.logger->Warn("Endorse call to endorser failed: endpoint {} (MSP {}): {}",
                              next->address, next->msp_id, judgement.message);
      }
      details.push_back(Detail(*next, judgement.message));
      if (!outcome.response) Forget(next->address);
      return false;
    }
    // Fabric's plan.processEndorsement: every endorsement must carry the first one's
    // proposal response payload, byte for byte.
    if (!first_payload) {
      first_payload = outcome.response->payload();
    } else if (*first_payload != outcome.response->payload()) {
      details.push_back(Detail(*next, "ProposalResponsePayloads do not match"));
      return false;
    }
    collected[org].push_back(*std::move(outcome.response));
    return true;
  };

  std::vector<Layout> layouts;
  if (!request.endorsing_organizations().empty()) {
    // Fabric's registry.planForOrgs: one peer of each named org, no policy check.
    Layout layout;
    std::vector<std::string> missing;
    for (const auto& org : request.endorsing_organizations()) {
      if (by_org[org].empty()) missing.push_back(org);
      layout[org] = 1;
    }
    if (!missing.empty()) {
      return Error(absl::StatusCode::kUnavailable,
                   fmt::format("failed to find any endorsing peers for org(s): {}",
                               fmt::join(missing, ", ")));
    }
    layouts.push_back(std::move(layout));
  } else {
    // Fabric's planFromFirstEndorser: one endorsement from the gateway's own org
    // first, then the plan for the rest.
    bool endorsed = false;
    bool exhausted = false;
    while (!endorsed && !exhausted) {
      if (Expired(deadline)) {
        return Error(absl::StatusCode::kDeadlineExceeded,
                     "endorsement timeout expired while collecting first endorsement");
      }
      endorsed = endorse_once(options_.local_msp_id, &exhausted);
    }
    if (!endorsed) {
      return Error(absl::StatusCode::kAborted,
                   "failed to endorse transaction, see attached details for more info",
                   std::move(details));
    }
    StatusOr<std::vector<Layout>> planned =
        PlanFor(*config, chaincode, collected[options_.local_msp_id].front());
    if (!planned.ok()) {
      return Error(absl::StatusCode::kFailedPrecondition,
                   fmt::format("failed to compute an endorsement plan for chaincode {} on "
                               "channel {}: {}",
                               chaincode, channel, std::string(planned.status().message())));
    }
    if (planned->empty()) {
      return Error(absl::StatusCode::kFailedPrecondition,
                   fmt::format("no combination of peers can satisfy the endorsement policy of "
                               "chaincode {} on channel {}",
                               chaincode, channel));
    }
    layouts = *std::move(planned);
    // Fabric prefers layouts that include the first endorser's org.
    std::stable_partition(layouts.begin(), layouts.end(), [&](const Layout& layout) {
      return layout.contains(options_.local_msp_id);
    });
  }

  const Layout* completed = nullptr;
  for (const auto& layout : layouts) {
    bool satisfied = true;
    for (const auto& [org, count] : layout) {
      while (static_cast<int>(collected[org].size()) < count) {
        if (Expired(deadline)) {
          return Error(absl::StatusCode::kDeadlineExceeded,
                       "endorsement timeout expired while collecting endorsements");
        }
        bool exhausted = false;
        (void)endorse_once(org, &exhausted);
        if (exhausted) {
          satisfied = false;
          break;
        }
      }
      if (!satisfied) break;
    }
    if (satisfied) {
      completed = &layout;
      break;
    }
  }
  if (completed == nullptr) {
    return Error(absl::StatusCode::kAborted,
                 "failed to collect enough transaction endorsements, see attached details for "
                 "more info",
                 std::move(details));
  }

  // The completed layout's endorsements, one per endorser (Fabric's uniqueEndorsements).
  std::vector<::protos::ProposalResponse> responses;
  std::set<std::string> endorsers;
  for (const auto& [org, count] : *completed) {
    for (int i = 0; i < count; ++i) {
      const auto& endorsed = collected[org][i];
      if (endorsers.insert(endorsed.endorsement().endorser()).second) {
        responses.push_back(endorsed);
      }
    }
  }
  auto envelope = common::protoutil::CreateEndorserTransaction(*opened, responses, nullptr);
  if (!envelope.ok()) {
    return Error(absl::StatusCode::kAborted, fmt::format("failed to assemble transaction: {}",
                                                         std::string(envelope.status().message())));
  }
  *response->mutable_prepared_transaction() = *std::move(envelope);
  return {};
}

GatewayStatus Gateway::Submit(const ::gateway::SubmitRequest& request, Deadline deadline,
                              ::gateway::SubmitResponse* /*response*/) {
  if (!request.has_prepared_transaction()) {
    return Error(absl::StatusCode::kInvalidArgument, "a prepared transaction is required");
  }
  const ::common::Envelope& envelope = request.prepared_transaction();
  if (envelope.signature().empty()) {
    return Error(absl::StatusCode::kInvalidArgument, "prepared transaction must be signed");
  }
  auto config = options_.channels->Config(request.channel_id());
  if (!config) {
    return Error(absl::StatusCode::kFailedPrecondition,
                 fmt::format("failed to get config for channel [{}]: channel not found",
                             request.channel_id()));
  }
  std::vector<Peer> orderers = Orderers(*config);
  if (orderers.empty()) {
    return Error(absl::StatusCode::kUnavailable, "no orderer nodes available");
  }
  // Fabric tries the orderers in random order, spreading the load.
  {
    std::lock_guard lock(mu_);
    std::shuffle(orderers.begin(), orderers.end(), shuffle_);
  }
  std::vector<::gateway::ErrorDetail> details;
  for (const auto& orderer : orderers) {
    if (Expired(deadline)) {
      return Error(absl::StatusCode::kDeadlineExceeded,
                   "submit timeout expired while broadcasting to ordering service");
    }
    auto node = OrdererFor(orderer);
    StatusOr<::orderer::BroadcastResponse> answer =
        node.ok() ? (*node)->Broadcast(envelope, CallTimeout(options_.broadcast_timeout, deadline))
                  : StatusOr<::orderer::BroadcastResponse>(node.status());
    if (!answer.ok()) {
      if (options_.logger) {
        options_.logger->Warn("Error sending transaction {} to orderer {}: {}",
                              request.transaction_id(), orderer.address,
                              std::string(answer.status().message()));
      }
      details.push_back(Detail(orderer, std::string(answer.status().message())));
      Forget(orderer.address);
      continue;
    }
    const ::common::Status status = answer->status();
    if (status == ::common::SUCCESS) return {};
    if (status >= 400 && status < 500) {
      return Error(absl::StatusCode::kAborted,
                   fmt::format("received unsuccessful response from orderer: status={}, info={}",
                               ::common::Status_Name(status), answer->info()));
    }
  }
  return Error(absl::StatusCode::kUnavailable, "no orderers could successfully process transaction",
               std::move(details));
}

GatewayStatus Gateway::CommitStatus(const ::gateway::SignedCommitStatusRequest& signed_request,
                                    Deadline deadline, std::stop_token stop,
                                    ::gateway::CommitStatusResponse* response) {
  ::gateway::CommitStatusRequest request;
  if (GatewayStatus opened =
          OpenSignedRequest(*options_.acl, kCommitStatusResource, signed_request.request(),
                            signed_request.signature(), "commit status", "status", request);
      !opened.ok()) {
    return opened;
  }
  auto blocks = options_.channels->Blocks(request.channel_id());
  if (!blocks) {
    return Error(absl::StatusCode::kAborted,
                 fmt::format("channel [{}] not found", request.channel_id()));
  }
  while (true) {
    // The height is read before the lookup, so a commit in between is waited for
    // no longer than it takes WaitForBlock to see it.
    const uint64_t height = blocks->GetInfo().height;
    auto found = blocks->RetrieveTxValidationCode(request.transaction_id());
    if (found.ok()) {
      options_.channels->AwaitState(request.channel_id());
      response->set_result(static_cast<::protos::TxValidationCode>(found->validation_code));
      response->set_block_number(found->block_number);
      return {};
    }
    if (!absl::IsNotFound(found.status())) {
      return Error(absl::StatusCode::kAborted, std::string(found.status().message()));
    }
    if (Status waited = blocks->WaitForBlock(height, stop, deadline); !waited.ok()) {
      return FromWait(waited);
    }
  }
}

GatewayStatus Gateway::ChaincodeEvents(
    const ::gateway::SignedChaincodeEventsRequest& signed_request, Deadline deadline,
    std::stop_token stop, const ChaincodeEventsSink& sink) {
  ::gateway::ChaincodeEventsRequest request;
  if (GatewayStatus opened = OpenSignedRequest(*options_.acl, kChaincodeEventsResource,
                                               signed_request.request(), signed_request.signature(),
                                               "chaincode events", "chaincode events", request);
      !opened.ok()) {
    return opened;
  }
  auto blocks = options_.channels->Blocks(request.channel_id());
  if (!blocks) {
    return Error(absl::StatusCode::kNotFound,
                 fmt::format("channel [{}] not found", request.channel_id()));
  }
  // Fabric's chaincodeEventsStartBlock: the checkpointed transaction's block when
  // the ledger has it, else the start position (next commit when unset).
  std::optional<uint64_t> start;
  const std::string& after = request.after_transaction_id();
  if (!after.empty()) {
    if (auto found = blocks->RetrieveTxValidationCode(after); found.ok()) {
      start = found->block_number;
    }
  }
  if (!start) {
    const auto& position = request.start_position();
    switch (position.Type_case()) {
      case ::orderer::SeekPosition::TYPE_NOT_SET:
      case ::orderer::SeekPosition::kNextCommit:
        start = blocks->GetInfo().height;
        break;
      case ::orderer::SeekPosition::kSpecified:
        start = position.specified().number();
        break;
      case ::orderer::SeekPosition::kOldest:
        return Error(absl::StatusCode::kInvalidArgument,
                     "invalid start position type: *orderer.SeekPosition_Oldest");
      case ::orderer::SeekPosition::kNewest:
        return Error(absl::StatusCode::kInvalidArgument,
                     "invalid start position type: *orderer.SeekPosition_Newest");
    }
  }
  // Fabric's chaincodeEventMatcher: with a checkpoint, events up to and including
  // the checkpointed transaction's are skipped.
  bool passed = after.empty();
  for (uint64_t number = *start;; ++number) {
    if (Status waited = blocks->WaitForBlock(number, stop, deadline); !waited.ok()) {
      return FromWait(waited);
    }
    auto block = blocks->RetrieveBlockByNumber(number);
    if (!block.ok())
      return Error(absl::StatusCode::kAborted, std::string(block.status().message()));
    ::gateway::ChaincodeEventsResponse events;
    events.set_block_number(number);
    for (auto& tx : TransactionsOf(*block)) {
      if (passed && tx.valid) {
        for (auto& event : tx.events) {
          if (event.chaincode_id() == request.chaincode_id()) {
            *events.add_events() = std::move(event);
          }
        }
      }
      if (!passed && tx.tx_id == after) passed = true;
    }
    if (events.events().empty()) continue;
    if (!sink(events)) return Error(absl::StatusCode::kCancelled, "client went away");
  }
}

}  // namespace weft::peer::gateway
