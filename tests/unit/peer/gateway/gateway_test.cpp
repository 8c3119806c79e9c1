// The Gateway's calls against in-process fakes of the peer's parts (a scripted
// endorser per peer address, scripted orderers, a real block store and the real
// channel ACLs). Expected codes, messages and ErrorDetail entries are Fabric's,
// release-2.5 internal/pkg/gateway: evaluate.go, endorse.go (planFromFirstEndorser,
// the collection loop), endorsement.go (processEndorsement: "ProposalResponsePayloads
// do not match"), registry.go (planForOrgs, evaluator), submit.go, commitstatus.go,
// chaincodeevents.go and apiutils.go (responseStatus, errorDetail).
#include "peer/gateway/gateway.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <deque>
#include <future>

#include "common/channelconfig/config_builder.h"
#include "common/ledger/blockstore/file_block_store.h"
#include "common/policies/policy_dsl.h"
#include "common/protoutil/block.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/txid.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/policy.pb.h"
#include "peer/transaction.pb.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_network.h"
#include "tests/support/test_orgs.h"
#include "tests/support/value_or_throw.h"
#include "tests/support/wait_until.h"

namespace weft::peer::gateway {
namespace {

using std::chrono::milliseconds;
using testing::ValueOrThrow;

constexpr char kChannel[] = "mychannel";
constexpr char kLocal[] = "peer0.org1:7051";
constexpr char kLocal2[] = "peer1.org1:7051";
constexpr char kOrg2Peer0[] = "peer0.org2:9051";
constexpr char kOrg2Peer1[] = "peer1.org2:9051";

Deadline Soon() { return std::chrono::steady_clock::now() + testing::kHangGuard; }

// A chaincode's answer as an endorser sends it: ProposalResponsePayload whose
// ChaincodeAction carries `result`, endorsed by `endorser`.
::protos::ProposalResponse Endorsed(const std::string& result, const std::string& endorser,
                                    int status = 200, const std::string& message = "") {
  ::protos::ChaincodeAction action;
  action.mutable_response()->set_status(status);
  action.mutable_response()->set_message(message);
  action.mutable_response()->set_payload(result);
  action.mutable_chaincode_id()->set_name("basic");
  ::protos::ProposalResponsePayload payload;
  payload.set_proposal_hash("hash");
  payload.set_extension(action.SerializeAsString());
  ::protos::ProposalResponse response;
  response.set_version(1);
  response.mutable_response()->set_status(status);
  response.mutable_response()->set_message(message);
  response.mutable_response()->set_payload("response copy of " + result);
  response.set_payload(payload.SerializeAsString());
  if (status < 400) {
    response.mutable_endorsement()->set_endorser(endorser);
    response.mutable_endorsement()->set_signature("signature of " + endorser);
  }
  return response;
}

// The same with an rwset writing `keys` of namespace "basic".
::protos::ProposalResponse EndorsedWrites(const std::string& endorser,
                                          const std::vector<std::string>& keys) {
  ::protos::ProposalResponse response = Endorsed("result", endorser);
  ::protos::ProposalResponsePayload payload;
  ::protos::ChaincodeAction action;
  if (!payload.ParseFromString(response.payload()) ||
      !action.ParseFromString(payload.extension())) {
    throw std::runtime_error("the scripted response does not parse");
  }
  ::kvrwset::KVRWSet kv;
  for (const auto& key : keys) {
    auto* write = kv.add_writes();
    write->set_key(key);
    write->set_value("value of " + key);
  }
  ::rwset::TxReadWriteSet results;
  results.set_data_model(::rwset::TxReadWriteSet::KV);
  auto* ns = results.add_ns_rwset();
  ns->set_namespace_("basic");
  ns->set_rwset(kv.SerializeAsString());
  action.set_results(results.SerializeAsString());
  payload.set_extension(action.SerializeAsString());
  response.set_payload(payload.SerializeAsString());
  return response;
}

// A peer that gives scripted answers (the same one every time) and counts calls.
class ScriptedPeer final : public EndorsingPeer {
 public:
  explicit ScriptedPeer(ProposalOutcome answer) : answer_(std::move(answer)) {}
  ProposalOutcome ProcessProposal(const ::protos::SignedProposal& /*proposal*/,
                                  milliseconds /*timeout*/) const override {
    std::lock_guard lock(mu_);
    ++calls_;
    return answer_;
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  const ProposalOutcome answer_;
  mutable std::mutex mu_;
  mutable int calls_ = 0;
};

ProposalOutcome Answer(::protos::ProposalResponse response) {
  ProposalOutcome outcome;
  outcome.response = std::move(response);
  return outcome;
}
ProposalOutcome Down(const std::string& address) {
  ProposalOutcome outcome;
  outcome.error = absl::UnavailableError("endorser " + address + ": connection refused");
  return outcome;
}

class ScriptedOrderer final : public OrderingNode {
 public:
  explicit ScriptedOrderer(StatusOr<::orderer::BroadcastResponse> answer)
      : answer_(std::move(answer)) {}
  [[nodiscard]] StatusOr<::orderer::BroadcastResponse> Broadcast(
      const ::common::Envelope& envelope, milliseconds /*timeout*/) const override {
    std::lock_guard lock(mu_);
    received_.push_back(envelope);
    return answer_;
  }
  std::vector<::common::Envelope> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  const StatusOr<::orderer::BroadcastResponse> answer_;
  mutable std::mutex mu_;
  mutable std::vector<::common::Envelope> received_;
};

::orderer::BroadcastResponse Broadcasted(::common::Status status, std::string info = "") {
  ::orderer::BroadcastResponse response;
  response.set_status(status);
  response.set_info(std::move(info));
  return response;
}

// A two-org channel: Org1MSP (the gateway's) with anchor peers kLocal and kLocal2,
// Org2MSP with kOrg2Peer0 and kOrg2Peer1, Endorsement MAJORITY, two orderers.
struct World : public gateway::GatewayChannels {
  testing::TestNetwork network;
  testing::TestIdentity org2_ca = testing::MakeTestCa("ca.org2.example.com", "Org2");
  std::shared_ptr<const common::channelconfig::ChannelConfig> config;
  testing::TempDir dir{"weft-gateway-test"};
  std::shared_ptr<common::ledger::blockstore::FileBlockStore> blocks;
  std::optional<std::string> policy;                // the chaincode's ValidationParameter
  std::map<std::string, std::string> key_policies;  // "<ns>/<key>" -> SignaturePolicyEnvelope
  std::map<std::string, std::shared_ptr<ScriptedPeer>> peers;
  std::map<std::string, std::shared_ptr<ScriptedOrderer>> orderers;
  aclmgmt::ChannelAclProvider acl{[this](std::string_view id) { return Config(id); }};
  std::unique_ptr<Gateway> gateway;

  World() {
    auto spec = network.Spec();
    auto& orgs = spec.application->organizations;
    orgs[0].anchor_peers = {{"peer0.org1", 7051}, {"peer1.org1", 7051}};
    auto org2 = testing::NodeOuOrg("Org2MSP", org2_ca);
    org2.anchor_peers = {{"peer0.org2", 9051}, {"peer1.org2", 9051}};
    orgs.push_back(org2);
    spec.application->policies["Endorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    spec.orderer->organizations[0].orderer_endpoints = {"orderer0:7050", "orderer1:7050"};
    config = ValueOrThrow(common::channelconfig::ChannelConfig::FromConfig(
                              kChannel, ValueOrThrow(common::channelconfig::BuildConfig(spec),
                                                     "building the channel config")),
                          "the channel config");
    common::ledger::blockstore::FileBlockStoreOptions store;
    store.dir = dir / "chain";
    blocks = ValueOrThrow(common::ledger::blockstore::FileBlockStore::Open(store),
                          "opening the block store");
    ::protos::ApplicationPolicy reference;
    reference.set_channel_config_policy_reference("/Channel/Application/Endorsement");
    policy = reference.SerializeAsString();
    for (const char* address : {kLocal, kLocal2, kOrg2Peer0, kOrg2Peer1}) {
      SetPeer(address, Answer(Endorsed("result", std::string("id of ") + address)));
    }
    SetOrderer("orderer0:7050", Broadcasted(::common::SUCCESS));
    SetOrderer("orderer1:7050", Broadcasted(::common::SUCCESS));
  }

  void SetPeer(const std::string& address, ProposalOutcome answer) {
    peers[address] = std::make_shared<ScriptedPeer>(std::move(answer));
  }
  void SetOrderer(const std::string& address, StatusOr<::orderer::BroadcastResponse> answer) {
    orderers[address] = std::make_shared<ScriptedOrderer>(std::move(answer));
  }
  int Calls(const std::string& address) const { return peers.at(address)->calls(); }

  Gateway& Make() {
    GatewayOptions options;
    options.channels = this;
    options.acl = &acl;
    options.local_msp_id = "Org1MSP";
    options.local_address = kLocal;
    options.local_endorser = peers.at(kLocal).get();
    options.dial_peer =
        [this](const std::string& address,
               const std::vector<std::string>&) -> StatusOr<std::shared_ptr<const EndorsingPeer>> {
      auto found = peers.find(address);
      if (found == peers.end()) return absl::UnavailableError("no such peer " + address);
      return std::shared_ptr<const EndorsingPeer>(found->second);
    };
    options.dial_orderer =
        [this](const std::string& address,
               const std::vector<std::string>&) -> StatusOr<std::shared_ptr<const OrderingNode>> {
      auto found = orderers.find(address);
      if (found == orderers.end()) return absl::UnavailableError("no such orderer " + address);
      return std::shared_ptr<const OrderingNode>(found->second);
    };
    gateway = std::make_unique<Gateway>(std::move(options));
    return *gateway;
  }

  // GatewayChannels
  std::shared_ptr<const common::channelconfig::ChannelConfig> Config(
      std::string_view channel_id) const override {
    return channel_id == kChannel ? config : nullptr;
  }
  std::shared_ptr<const common::ledger::blockstore::BlockStore> Blocks(
      std::string_view channel_id) const override {
    return channel_id == kChannel ? blocks : nullptr;
  }
  [[nodiscard]] StatusOr<std::optional<std::string>> EndorsementPolicy(
      std::string_view /*channel_id*/, std::string_view /*chaincode*/) const override {
    return policy;
  }
  void AwaitState(std::string_view /*channel_id*/) const override { ++state_awaited; }
  [[nodiscard]] StatusOr<std::optional<std::string>> KeyEndorsementPolicy(
      std::string_view /*channel_id*/, std::string_view ns, std::string_view key) const override {
    auto found = key_policies.find(std::string(ns) + "/" + std::string(key));
    if (found == key_policies.end()) return std::optional<std::string>();
    return std::optional<std::string>(found->second);
  }

  ::protos::SignedProposal Proposal(std::map<std::string, std::string> transient = {}) const {
    return ProposalBy(network.client, std::move(transient));
  }
  ::protos::SignedProposal ProposalBy(const msp::SigningIdentity& creator,
                                      std::map<std::string, std::string> transient = {}) const {
    common::protoutil::ChaincodeProposalSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode_name = "basic";
    spec.args = {"ReadAsset", "asset1"};
    spec.transient = std::move(transient);
    auto created = ValueOrThrow(
        common::protoutil::CreateChaincodeProposal(spec, creator.SerializedIdentity()), "proposal");
    return ValueOrThrow(common::protoutil::SignProposal(created.proposal, creator),
                        "signing the proposal");
  }

  // Appends the next block holding `envelopes` with validation codes `codes`.
  void Commit(const std::vector<::common::Envelope>& envelopes,
              const std::vector<::protos::TxValidationCode>& codes) {
    const auto info = blocks->GetInfo();
    ::common::Block block = common::protoutil::NewBlock(info.height, info.current_block_hash);
    std::string filter;
    for (size_t i = 0; i < envelopes.size(); ++i) {
      *block.mutable_data()->add_data() = envelopes[i].SerializeAsString();
      filter.push_back(static_cast<char>(codes[i]));
    }
    block.mutable_header()->set_data_hash(common::protoutil::BlockDataHash(block.data()));
    block.mutable_metadata()->set_metadata(::common::TRANSACTIONS_FILTER, filter);
    const Status added = blocks->AddBlock(block);
    if (!added.ok()) throw std::runtime_error(std::string(added.message()));
  }

  // An endorser transaction of `chaincode` emitting event `name` (none when empty).
  testing::EndorserTx Tx(const std::string& chaincode, const std::string& name) const {
    testing::EndorserTxSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode = chaincode;
    spec.creator = &network.client;
    spec.endorsers = {&network.peer};
    spec.nonce = common::protoutil::ComputeTxId(std::to_string(nonce_++), "n");
    const std::string tx_id =
        common::protoutil::ComputeTxId(*spec.nonce, network.client.SerializedIdentity());
    if (!name.empty()) {
      ::protos::ChaincodeEvent event;
      event.set_chaincode_id(chaincode);
      event.set_tx_id(tx_id);
      event.set_event_name(name);
      event.set_payload("payload of " + name);
      spec.events = event.SerializeAsString();
    }
    return testing::BuildEndorserTx(spec);
  }

  ::gateway::SignedCommitStatusRequest CommitStatusRequest(
      const std::string& tx_id, const msp::SigningIdentity& signer) const {
    ::gateway::CommitStatusRequest request;
    request.set_channel_id(kChannel);
    request.set_transaction_id(tx_id);
    request.set_identity(signer.SerializedIdentity());
    ::gateway::SignedCommitStatusRequest signed_request;
    signed_request.set_request(request.SerializeAsString());
    signed_request.set_signature(ValueOrThrow(signer.Sign(signed_request.request()), "signing"));
    return signed_request;
  }

  ::gateway::SignedChaincodeEventsRequest EventsRequest(const std::string& chaincode,
                                                        ::orderer::SeekPosition start,
                                                        const std::string& after = "") const {
    ::gateway::ChaincodeEventsRequest request;
    request.set_channel_id(kChannel);
    request.set_chaincode_id(chaincode);
    request.set_identity(network.client.SerializedIdentity());
    *request.mutable_start_position() = std::move(start);
    request.set_after_transaction_id(after);
    ::gateway::SignedChaincodeEventsRequest signed_request;
    signed_request.set_request(request.SerializeAsString());
    signed_request.set_signature(
        ValueOrThrow(network.client.Sign(signed_request.request()), "signing"));
    return signed_request;
  }

  mutable int nonce_ = 0;
  mutable std::atomic<int> state_awaited{0};
};

void CheckDetail(const ::gateway::ErrorDetail& detail, const std::string& address,
                 const std::string& msp_id, const std::string& message) {
  CHECK(detail.address() == address);
  CHECK(detail.msp_id() == msp_id);
  CHECK(detail.message() == message);
}

// ---- Evaluate ----

TEST_CASE("Evaluate runs on the local peer and returns the chaincode action's payload") {
  World world;
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EvaluateResponse response;
  auto status = world.Make().Evaluate(request, Soon(), &response);
  REQUIRE(status.ok());
  CHECK(response.result().status() == 200);
  // evaluate.go: Response.payload replaced by ChaincodeAction.response.payload.
  CHECK(response.result().payload() == "result");
  CHECK(world.Calls(kLocal) == 1);
  CHECK(world.Calls(kOrg2Peer0) == 0);
}

TEST_CASE("Evaluate runs on a peer of the caller's org when the caller is of another org") {
  World world;
  const auto org2_client =
      testing::MakeSigner(testing::IssueLeaf(world.org2_ca, "User1", {"client"}), "Org2MSP");
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.ProposalBy(org2_client);
  ::gateway::EvaluateResponse response;
  REQUIRE(world.Make().Evaluate(request, Soon(), &response).ok());
  CHECK(world.Calls(kOrg2Peer0) == 1);
  CHECK(world.Calls(kLocal) == 0);
}

TEST_CASE("Evaluate turns a chaincode error into UNKNOWN with a detail naming the peer") {
  World world;
  world.SetPeer(kLocal, Answer(Endorsed("", "local", 404, "asset1 does not exist")));
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EvaluateResponse response;
  auto status = world.Make().Evaluate(request, Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kUnknown);
  CHECK(status.status.message() ==
        "evaluate call to endorser returned error: chaincode response 404, asset1 does not exist");
  REQUIRE(status.details.size() == 1);
  CheckDetail(status.details[0], kLocal, "Org1MSP",
              "chaincode response 404, asset1 does not exist");
  CHECK(world.Calls(kLocal2) == 0);  // a chaincode error is not retried elsewhere
}

TEST_CASE("Evaluate: a proposal the local endorser refuses is FAILED_PRECONDITION") {
  World world;
  ProposalOutcome refused = Answer(Endorsed("", "local", 500, "access denied"));
  refused.error = absl::PermissionDeniedError("access denied for [propose]");
  world.SetPeer(kLocal, refused);
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EvaluateResponse response;
  auto status = world.Make().Evaluate(request, Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.status.message() ==
        "evaluate call to endorser returned error: access denied for [propose]");
  REQUIRE(status.details.size() == 1);
  CheckDetail(status.details[0], kLocal, "Org1MSP", "access denied for [propose]");
}

TEST_CASE("Evaluate on target organizations moves past a peer that is down") {
  World world;
  world.SetPeer(kOrg2Peer0, Down(kOrg2Peer0));
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  request.add_target_organizations("Org2MSP");
  ::gateway::EvaluateResponse response;
  auto status = world.Make().Evaluate(request, Soon(), &response);
  REQUIRE(status.ok());
  CHECK(response.result().payload() == "result");
  CHECK(world.Calls(kLocal) == 0);
  CHECK(world.Calls(kOrg2Peer0) == 1);
  CHECK(world.Calls(kOrg2Peer1) == 1);
}

TEST_CASE("Evaluate with every target peer down is UNAVAILABLE with one detail each") {
  World world;
  world.SetPeer(kOrg2Peer0, Down(kOrg2Peer0));
  world.SetPeer(kOrg2Peer1, Down(kOrg2Peer1));
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  request.add_target_organizations("Org2MSP");
  ::gateway::EvaluateResponse response;
  auto status = world.Make().Evaluate(request, Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kUnavailable);
  CHECK(status.status.message() ==
        "failed to evaluate transaction, see attached details for more info");
  REQUIRE(status.details.size() == 2);
  CheckDetail(status.details[0], kOrg2Peer0, "Org2MSP",
              "endorser peer0.org2:9051: connection refused");
  CheckDetail(status.details[1], kOrg2Peer1, "Org2MSP",
              "endorser peer1.org2:9051: connection refused");
}

TEST_CASE("Evaluate refuses a request without a proposal or of an unknown channel") {
  World world;
  ::gateway::EvaluateResponse response;
  auto empty = world.Make().Evaluate(::gateway::EvaluateRequest(), Soon(), &response);
  CHECK(empty.status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(empty.status.message() ==
        "failed to unpack transaction proposal: a signed proposal is required");

  world.config = nullptr;
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  CHECK(world.gateway->Evaluate(request, Soon(), &response).status.code() ==
        absl::StatusCode::kUnavailable);
}

TEST_CASE("Evaluate with transient data and no targets stays in the gateway's org") {
  World world;
  world.SetPeer(kLocal, Down(kLocal));
  world.SetPeer(kLocal2, Down(kLocal2));
  ::gateway::EvaluateRequest request;
  *request.mutable_proposed_transaction() = world.Proposal({{"secret", "value"}});
  ::gateway::EvaluateResponse response;
  auto status = world.Make().Evaluate(request, Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kUnavailable);
  CHECK(status.details.size() == 2);
  CHECK(world.Calls(kOrg2Peer0) == 0);
  CHECK(world.Calls(kOrg2Peer1) == 0);
}

// ---- Endorse ----

// The endorsers of the prepared transaction's single action.
std::vector<std::string> EndorsersOf(const ::common::Envelope& envelope) {
  ::common::Payload payload;
  ::protos::Transaction transaction;
  ::protos::ChaincodeActionPayload action;
  if (!payload.ParseFromString(envelope.payload()) ||
      !transaction.ParseFromString(payload.data()) || transaction.actions_size() != 1 ||
      !action.ParseFromString(transaction.actions(0).payload())) {
    throw std::runtime_error("the prepared transaction does not parse");
  }
  std::vector<std::string> endorsers;
  for (const auto& endorsement : action.action().endorsements()) {
    endorsers.push_back(endorsement.endorser());
  }
  return endorsers;
}

TEST_CASE("Endorse collects the local and another org's endorsement for MAJORITY") {
  World world;
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  auto status = world.Make().Endorse(request, Soon(), &response);
  REQUIRE(status.ok());
  CHECK(response.prepared_transaction().signature().empty());  // the client signs it
  CHECK(EndorsersOf(response.prepared_transaction()) ==
        std::vector<std::string>{"id of peer0.org1:7051", "id of peer0.org2:9051"});
}

TEST_CASE("Endorse tries another peer of an org when one is down") {
  World world;
  world.SetPeer(kOrg2Peer0, Down(kOrg2Peer0));
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  auto status = world.Make().Endorse(request, Soon(), &response);
  REQUIRE(status.ok());
  CHECK(EndorsersOf(response.prepared_transaction()) ==
        std::vector<std::string>{"id of peer0.org1:7051", "id of peer1.org2:9051"});
}

TEST_CASE("Endorse with the other org's peers down is ABORTED with details naming them") {
  World world;
  world.SetPeer(kOrg2Peer0, Down(kOrg2Peer0));
  world.SetPeer(kOrg2Peer1, Down(kOrg2Peer1));
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  auto status = world.Make().Endorse(request, Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kAborted);
  CHECK(status.status.message() ==
        "failed to collect enough transaction endorsements, see attached details for more info");
  REQUIRE(status.details.size() == 2);
  CheckDetail(status.details[0], kOrg2Peer0, "Org2MSP",
              "endorser peer0.org2:9051: connection refused");
  CheckDetail(status.details[1], kOrg2Peer1, "Org2MSP",
              "endorser peer1.org2:9051: connection refused");

  // Works again once a peer is back: the gateway dropped the failed connections and
  // dials afresh (the fake dialer hands out the peer now in the map).
  world.SetPeer(kOrg2Peer1, Answer(Endorsed("result", "id of peer1.org2:9051")));
  REQUIRE(world.gateway->Endorse(request, Soon(), &response).ok());
  CHECK(EndorsersOf(response.prepared_transaction()) ==
        std::vector<std::string>{"id of peer0.org1:7051", "id of peer1.org2:9051"});
}

TEST_CASE("Endorse refuses endorsements whose payloads differ from the first") {
  World world;
  world.SetPeer(kOrg2Peer0, Answer(Endorsed("another result", "id of peer0.org2:9051")));
  world.SetPeer(kOrg2Peer1, Answer(Endorsed("another result", "id of peer1.org2:9051")));
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  auto status = world.Make().Endorse(request, Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kAborted);
  REQUIRE(status.details.size() == 2);
  CheckDetail(status.details[0], kOrg2Peer0, "Org2MSP", "ProposalResponsePayloads do not match");
  CheckDetail(status.details[1], kOrg2Peer1, "Org2MSP", "ProposalResponsePayloads do not match");
}

TEST_CASE("Endorse: a chaincode error on the gateway's org fails the first endorsement") {
  World world;
  world.SetPeer(kLocal, Answer(Endorsed("", "local", 500, "asset1 already exists")));
  world.SetPeer(kLocal2, Answer(Endorsed("", "local2", 500, "asset1 already exists")));
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  auto status = world.Make().Endorse(request, Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kAborted);
  CHECK(status.status.message() ==
        "failed to endorse transaction, see attached details for more info");
  REQUIRE(status.details.size() == 2);
  CheckDetail(status.details[0], kLocal, "Org1MSP",
              "chaincode response 500, asset1 already exists");
  CHECK(world.Calls(kOrg2Peer0) == 0);
}

TEST_CASE("Endorse honours endorsing_organizations") {
  World world;
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  request.add_endorsing_organizations("Org2MSP");
  ::gateway::EndorseResponse response;
  auto status = world.Make().Endorse(request, Soon(), &response);
  REQUIRE(status.ok());
  CHECK(EndorsersOf(response.prepared_transaction()) ==
        std::vector<std::string>{"id of peer0.org2:9051"});
  CHECK(world.Calls(kLocal) == 0);

  request.add_endorsing_organizations("Org9MSP");
  auto unknown = world.gateway->Endorse(request, Soon(), &response);
  CHECK(unknown.status.code() == absl::StatusCode::kUnavailable);
  CHECK(unknown.status.message() == "failed to find any endorsing peers for org(s): Org9MSP");
}

TEST_CASE("Endorse of a chaincode whose policy only the local org satisfies asks no one else") {
  World world;
  ::protos::ApplicationPolicy policy;
  policy.mutable_signature_policy()->mutable_rule()->set_signed_by(0);
  ::common::MSPRole role;
  role.set_msp_identifier("Org1MSP");
  role.set_role(::common::MSPRole::PEER);
  auto* principal = policy.mutable_signature_policy()->add_identities();
  principal->set_principal_classification(::common::MSPPrincipal::ROLE);
  principal->set_principal(role.SerializeAsString());
  world.policy = policy.SerializeAsString();
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  REQUIRE(world.Make().Endorse(request, Soon(), &response).ok());
  CHECK(EndorsersOf(response.prepared_transaction()) ==
        std::vector<std::string>{"id of peer0.org1:7051"});
  CHECK(world.Calls(kOrg2Peer0) == 0);
}

// Key-level policies as Fabric's endorser puts them in the ChaincodeInterest
// (core/endorser/endorser.go buildChaincodeInterest): the chaincode's policy is
// disregarded when every written key has its own.
TEST_CASE("Endorse follows the key-level policy of every key the first endorsement writes") {
  World world;
  world.policy = std::nullopt;  // no definition: the chaincode policy would be local only
  world.key_policies["basic/k1"] =
      ValueOrThrow(common::policies::ParsePolicy("OR('Org2MSP.peer')"), "policy")
          .SerializeAsString();
  for (const char* address : {kLocal, kLocal2, kOrg2Peer0, kOrg2Peer1}) {
    world.SetPeer(address, Answer(EndorsedWrites(std::string("id of ") + address, {"k1"})));
  }
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  REQUIRE(world.Make().Endorse(request, Soon(), &response).ok());
  // Fabric's envelope carries the completed layout's endorsements only.
  CHECK(EndorsersOf(response.prepared_transaction()) ==
        std::vector<std::string>{"id of peer0.org2:9051"});
}

TEST_CASE("Endorse needs the chaincode policy too when a written key has no key-level policy") {
  World world;
  ::protos::ApplicationPolicy org1_only;
  *org1_only.mutable_signature_policy() =
      ValueOrThrow(common::policies::ParsePolicy("OR('Org1MSP.peer')"), "policy");
  world.policy = org1_only.SerializeAsString();
  world.key_policies["basic/k1"] =
      ValueOrThrow(common::policies::ParsePolicy("OR('Org2MSP.peer')"), "policy")
          .SerializeAsString();
  for (const char* address : {kLocal, kLocal2, kOrg2Peer0, kOrg2Peer1}) {
    world.SetPeer(address, Answer(EndorsedWrites(std::string("id of ") + address, {"k1", "k2"})));
  }
  ::gateway::EndorseRequest request;
  *request.mutable_proposed_transaction() = world.Proposal();
  ::gateway::EndorseResponse response;
  REQUIRE(world.Make().Endorse(request, Soon(), &response).ok());
  CHECK(EndorsersOf(response.prepared_transaction()) ==
        std::vector<std::string>{"id of peer0.org1:7051", "id of peer0.org2:9051"});
}

TEST_CASE("Endorse without a proposal is INVALID_ARGUMENT") {
  World world;
  ::gateway::EndorseResponse response;
  auto status = world.Make().Endorse(::gateway::EndorseRequest(), Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(status.status.message() == "the proposed transaction must contain a signed proposal");
}

// ---- Submit ----

::gateway::SubmitRequest SignedSubmit() {
  ::gateway::SubmitRequest request;
  request.set_channel_id(kChannel);
  request.set_transaction_id("tx1");
  request.mutable_prepared_transaction()->set_payload("payload");
  request.mutable_prepared_transaction()->set_signature("signature");
  return request;
}

TEST_CASE("Submit refuses an unsigned or missing transaction") {
  World world;
  ::gateway::SubmitResponse response;
  world.Make();
  auto missing = world.gateway->Submit(::gateway::SubmitRequest(), Soon(), &response);
  CHECK(missing.status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(missing.status.message() == "a prepared transaction is required");
  auto request = SignedSubmit();
  request.mutable_prepared_transaction()->clear_signature();
  auto unsigned_tx = world.gateway->Submit(request, Soon(), &response);
  CHECK(unsigned_tx.status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(unsigned_tx.status.message() == "prepared transaction must be signed");
}

TEST_CASE("Submit fails over to another orderer and forwards the envelope unchanged") {
  World world;
  // Whichever the random order tries first, the envelope reaches orderer1.
  world.SetOrderer("orderer0:7050", absl::UnavailableError("orderer0:7050: connection refused"));
  ::gateway::SubmitResponse response;
  auto request = SignedSubmit();
  world.Make();
  REQUIRE(world.gateway->Submit(request, Soon(), &response).ok());
  const auto received = world.orderers.at("orderer1:7050")->received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].SerializeAsString() == request.prepared_transaction().SerializeAsString());
}

TEST_CASE("Submit with every orderer down is UNAVAILABLE with one detail each") {
  World world;
  world.SetOrderer("orderer0:7050", absl::UnavailableError("orderer0:7050: connection refused"));
  world.SetOrderer("orderer1:7050", absl::UnavailableError("orderer1:7050: connection refused"));
  ::gateway::SubmitResponse response;
  world.Make();
  auto status = world.gateway->Submit(SignedSubmit(), Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kUnavailable);
  CHECK(status.status.message() == "no orderers could successfully process transaction");
  REQUIRE(status.details.size() == 2);
  for (const auto& detail : status.details) {
    CHECK(detail.msp_id() == "OrdererMSP");
    CHECK(detail.message() == detail.address() + ": connection refused");
  }
}

TEST_CASE("Submit: an orderer's 4xx answer is ABORTED at once") {
  World world;
  world.SetOrderer("orderer0:7050", Broadcasted(::common::BAD_REQUEST, "bad envelope"));
  world.SetOrderer("orderer1:7050", Broadcasted(::common::BAD_REQUEST, "bad envelope"));
  ::gateway::SubmitResponse response;
  world.Make();
  auto status = world.gateway->Submit(SignedSubmit(), Soon(), &response);
  CHECK(status.status.code() == absl::StatusCode::kAborted);
  CHECK(status.status.message() ==
        "received unsuccessful response from orderer: status=BAD_REQUEST, info=bad envelope");
  CHECK(world.orderers.at("orderer0:7050")->received().size() +
            world.orderers.at("orderer1:7050")->received().size() ==
        1);
}

// ---- CommitStatus ----

TEST_CASE("CommitStatus answers for a transaction committed before the call") {
  World world;
  auto valid = world.Tx("basic", "");
  auto invalid = world.Tx("basic", "");
  world.Commit({valid.envelope, invalid.envelope}, {::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  ::gateway::CommitStatusResponse response;
  REQUIRE(world.Make()
              .CommitStatus(world.CommitStatusRequest(invalid.tx_id, world.network.client), Soon(),
                            {}, &response)
              .ok());
  CHECK(response.result() == ::protos::MVCC_READ_CONFLICT);
  CHECK(response.block_number() == 0);
  // The answer waits for the block's state writes (AwaitState).
  CHECK(world.state_awaited == 1);
}

TEST_CASE("CommitStatus waits for a transaction committed during the call") {
  World world;
  world.Commit({world.Tx("basic", "").envelope}, {::protos::VALID});
  auto later = world.Tx("basic", "");
  Gateway& gateway = world.Make();
  auto answer = std::async(std::launch::async, [&] {
    ::gateway::CommitStatusResponse response;
    auto status = gateway.CommitStatus(world.CommitStatusRequest(later.tx_id, world.network.client),
                                       Soon(), {}, &response);
    return std::make_pair(status, response);
  });
  CHECK(answer.wait_for(milliseconds(200)) == std::future_status::timeout);
  world.Commit({later.envelope}, {::protos::VALID});
  auto [status, response] = answer.get();
  REQUIRE(status.ok());
  CHECK(response.result() == ::protos::VALID);
  CHECK(response.block_number() == 1);
}

TEST_CASE("CommitStatus of an unknown transaction waits until the deadline") {
  World world;
  ::gateway::CommitStatusResponse response;
  auto status = world.Make().CommitStatus(
      world.CommitStatusRequest("unknown", world.network.client),
      std::chrono::steady_clock::now() + milliseconds(100), {}, &response);
  CHECK(status.status.code() == absl::StatusCode::kDeadlineExceeded);
}

TEST_CASE("CommitStatus checks the request's signature and the channel's Readers") {
  World world;
  ::gateway::CommitStatusResponse response;
  auto forged = world.CommitStatusRequest("tx", world.network.client);
  forged.set_signature(
      ValueOrThrow(world.network.client.Sign("something else"), "signing another message"));
  CHECK(world.Make().CommitStatus(forged, Soon(), {}, &response).status.code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(world.gateway
            ->CommitStatus(world.CommitStatusRequest("tx", world.network.stranger), Soon(), {},
                           &response)
            .status.code() == absl::StatusCode::kPermissionDenied);
  auto empty =
      world.gateway->CommitStatus(::gateway::SignedCommitStatusRequest(), Soon(), {}, &response);
  CHECK(empty.status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(empty.status.message() == "a commit status request is required");
}

// ---- ChaincodeEvents ----

::orderer::SeekPosition Specified(uint64_t number) {
  ::orderer::SeekPosition position;
  position.mutable_specified()->set_number(number);
  return position;
}

// Collects responses until `want` arrived, then stops the stream.
struct Collector {
  explicit Collector(size_t want) : want(want) {}
  std::vector<::gateway::ChaincodeEventsResponse> responses;
  size_t want;
  bool operator()(const ::gateway::ChaincodeEventsResponse& response) {
    responses.push_back(response);
    return responses.size() < want;
  }
};

std::vector<std::string> Names(const ::gateway::ChaincodeEventsResponse& response) {
  std::vector<std::string> names;
  for (const auto& event : response.events()) names.push_back(event.event_name());
  return names;
}

TEST_CASE("ChaincodeEvents replays valid transactions' events of the chaincode per block") {
  World world;
  world.Commit({world.Tx("basic", "a1").envelope, world.Tx("other", "o1").envelope,
                world.Tx("basic", "bad").envelope},
               {::protos::VALID, ::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  world.Commit({world.Tx("other", "o2").envelope}, {::protos::VALID});
  world.Commit({world.Tx("basic", "a2").envelope, world.Tx("basic", "a3").envelope},
               {::protos::VALID, ::protos::VALID});
  Collector collector(2);
  auto status = world.Make().ChaincodeEvents(world.EventsRequest("basic", Specified(0)), Soon(), {},
                                             std::ref(collector));
  CHECK(status.status.code() == absl::StatusCode::kCancelled);  // the sink stopped it
  REQUIRE(collector.responses.size() == 2);
  CHECK(collector.responses[0].block_number() == 0);
  CHECK(Names(collector.responses[0]) == std::vector<std::string>{"a1"});
  CHECK(collector.responses[1].block_number() == 2);
  CHECK(Names(collector.responses[1]) == std::vector<std::string>{"a2", "a3"});
  CHECK(collector.responses[1].events(0).payload() == "payload of a2");
}

TEST_CASE("ChaincodeEvents after a checkpointed transaction skips it and those before it") {
  World world;
  auto first = world.Tx("basic", "a1");
  auto checkpoint = world.Tx("basic", "a2");
  world.Commit({first.envelope, checkpoint.envelope, world.Tx("basic", "a3").envelope},
               {::protos::VALID, ::protos::VALID, ::protos::VALID});
  Collector collector(1);
  // The checkpoint's block wins over the start position (chaincodeEventsStartBlock).
  (void)world.Make().ChaincodeEvents(world.EventsRequest("basic", Specified(7), checkpoint.tx_id),
                                     Soon(), {}, std::ref(collector));
  REQUIRE(collector.responses.size() == 1);
  CHECK(Names(collector.responses[0]) == std::vector<std::string>{"a3"});
}

TEST_CASE("ChaincodeEvents from the next commit streams live blocks") {
  World world;
  world.Commit({world.Tx("basic", "old").envelope}, {::protos::VALID});
  Gateway& gateway = world.Make();
  auto streamed = std::async(std::launch::async, [&] {
    Collector collector(1);
    auto status = gateway.ChaincodeEvents(world.EventsRequest("basic", ::orderer::SeekPosition()),
                                          Soon(), {}, std::ref(collector));
    return std::make_pair(status, collector.responses);
  });
  CHECK(streamed.wait_for(milliseconds(200)) == std::future_status::timeout);
  world.Commit({world.Tx("basic", "new").envelope}, {::protos::VALID});
  auto [status, responses] = streamed.get();
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].block_number() == 1);
  CHECK(Names(responses[0]) == std::vector<std::string>{"new"});
}

TEST_CASE("ChaincodeEvents refuses oldest/newest, strangers and unknown channels") {
  World world;
  Collector collector(1);
  ::orderer::SeekPosition oldest;
  oldest.mutable_oldest();
  auto refused = world.Make().ChaincodeEvents(world.EventsRequest("basic", oldest), Soon(), {},
                                              std::ref(collector));
  CHECK(refused.status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(refused.status.message() == "invalid start position type: *orderer.SeekPosition_Oldest");

  auto forged = world.EventsRequest("basic", Specified(0));
  forged.set_signature("not a signature");
  CHECK(world.gateway->ChaincodeEvents(forged, Soon(), {}, std::ref(collector)).status.code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(collector.responses.empty());
}

}  // namespace
}  // namespace weft::peer::gateway
