// The endorser with application chaincode run through chaincode support: a scripted
// chaincode registered over gRPC, definitions stored in a real LevelDB state as
// _lifecycle stores them.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>

#include "common/channelconfig/config_builder.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "msp/identities.pb.h"
#include "peer/chaincode_support/chaincode_listener.h"
#include "peer/chaincode_support/chaincode_support.h"
#include "peer/endorser/endorser.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/lifecycle_state.h"
#include "tests/support/scripted_chaincode.h"
#include "tests/support/test_network.h"

namespace {

namespace ccs = weft::peer::chaincode_support;
namespace ledger = weft::peer::ledger;
namespace protoutil = weft::common::protoutil;
using weft::common::channelconfig::ChannelConfig;
using weft::peer::endorser::Endorser;
using weft::peer::endorser::ProposalResult;
using weft::testing::ScriptedCall;
using weft::testing::ScriptedOutcome;

constexpr char kChannel[] = "mychannel";

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(std::string(value.status().message()));
  return *std::move(value);
}

class LedgerChannels final : public weft::peer::endorser::Channels {
 public:
  std::shared_ptr<const ChannelConfig> config;
  std::shared_ptr<ledger::statedb::StateDb> state = weft::testing::OpenTempStateDb();

  std::shared_ptr<const ChannelConfig> Config(std::string_view channel_id) const override {
    return channel_id == kChannel ? config : nullptr;
  }
  [[nodiscard]] weft::StatusOr<bool> TxIdExists(std::string_view,
                                                const std::string&) const override {
    return false;
  }
  [[nodiscard]] weft::StatusOr<std::unique_ptr<ledger::TxSimulator>> NewTxSimulator(
      std::string_view channel_id) const override {
    if (channel_id != kChannel) return absl::NotFoundError("no such ledger");
    return ledger::NewTxSimulator(*state);
  }
};

// One endorsing peer: ledger, chaincode support with a scripted runtime, endorser.
struct Peer {
  weft::testing::TestNetwork& network;
  LedgerChannels channels;
  weft::peer::aclmgmt::ChannelAclProvider acl{
      [this](std::string_view channel_id) { return channels.Config(channel_id); }};
  weft::testing::ScriptedRuntime runtime;
  std::unique_ptr<ccs::Lifecycle> lifecycle = ccs::NewDefinitionLifecycle(
      [](std::string_view, std::string_view name, const std::string& version, int64_t)
          -> std::optional<std::string> { return fmt::format("{}_{}:cafe", name, version); },
      [this](std::string_view) -> weft::StatusOr<std::unique_ptr<ledger::QueryExecutor>> {
        return ledger::NewQueryExecutor(*channels.state);
      });
  std::unique_ptr<ccs::ChaincodeSupport> support;
  std::unique_ptr<ccs::ChaincodeListener> listener;
  std::unique_ptr<Endorser> endorser;
  std::vector<std::string> lifecycle_calls;
  // What the endorser handed to the (fake) transient store.
  bool private_store_available = true;
  std::vector<std::pair<std::string, ::rwset::TxPvtReadWriteSet>> distributed;

  explicit Peer(weft::testing::TestNetwork& net,
                std::chrono::milliseconds execute_timeout = std::chrono::seconds(20))
      : network(net) {
    channels.config = Must(ChannelConfig::FromConfig(
        kChannel, Must(weft::common::channelconfig::BuildConfig(network.Spec()))));
    ccs::ChaincodeSupportOptions support_options;
    support_options.runtime = &runtime;
    support_options.lifecycle = lifecycle.get();
    support_options.execute_timeout = execute_timeout;
    support = std::make_unique<ccs::ChaincodeSupport>(std::move(support_options));
    ccs::ChaincodeListenerOptions listener_options;
    listener_options.server.listen_address = "127.0.0.1:0";
    listener = Must(ccs::ChaincodeListener::Start(std::move(listener_options), *support));
    support->SetPeerAddress(fmt::format("127.0.0.1:{}", listener->port()));

    weft::peer::endorser::EndorserOptions options;
    options.channels = &channels;
    options.local_msp =
        [](std::string_view) -> weft::StatusOr<std::shared_ptr<const weft::msp::Identity>> {
      return absl::InvalidArgumentError("no local MSP in this test");
    };
    options.acl = &acl;
    options.signer = &network.peer;
    options.lifecycle = lifecycle.get();
    options.chaincode_support = support.get();
    options.channel_system_chaincodes["_lifecycle"] = [this](const std::vector<std::string>& args,
                                                             const ::protos::SignedProposal&,
                                                             ledger::TxSimulator* simulator) {
      lifecycle_calls.push_back(args.empty() ? "" : args[0]);
      ::protos::Response response;
      if (simulator == nullptr) {
        response.set_status(500);
        response.set_message("no simulator");
        return response;
      }
      if (!args.empty() && args[0] == "ApprovePrivately") {
        auto kept = simulator->PutPrivateData("_lifecycle", "_implicit_org_Org1MSP", "approval",
                                              args.size() > 1 ? args[1] : "");
        response.set_status(kept.ok() ? 200 : 500);
        return response;
      }
      auto read = simulator->GetState("_lifecycle", "namespaces/fields/basic/Sequence");
      auto written = simulator->PutState("_lifecycle", "approval", args.size() > 1 ? args[1] : "");
      response.set_status(read.ok() && written.ok() ? 200 : 500);
      return response;
    };
    options.distribute_private_data =
        [this](std::string_view, std::string_view tx_id,
               const ::rwset::TxPvtReadWriteSet& private_rwset) -> weft::Status {
      if (!private_store_available) return absl::UnavailableError("transient store closed");
      distributed.emplace_back(std::string(tx_id), private_rwset);
      return absl::OkStatus();
    };
    endorser = std::make_unique<Endorser>(std::move(options));
  }
  ~Peer() {
    listener->Stop();
    support->Stop();
  }

  // Commits a definition of `name` (sequence, version) at block `block`.
  void Define(const std::string& name, int64_t sequence, const std::string& version,
              uint64_t block = 1) {
    weft::peer::lifecycle::ChaincodeDefinition definition;
    definition.sequence = sequence;
    definition.endorsement_info.set_version(version);
    definition.endorsement_info.set_endorsement_plugin("escc");
    weft::testing::StoreChaincodeDefinition(*channels.state, name, definition, block);
  }
  void Commit(const std::string& ns, const std::string& key, const std::string& value,
              uint64_t block) {
    ledger::statedb::UpdateBatch batch;
    batch.Put(ns, key, {value, {}, {block, 0}});
    if (!channels.state->ApplyUpdates(batch, block).ok()) throw std::runtime_error("commit");
  }
};

::protos::SignedProposal Propose(const weft::msp::SigningIdentity& signer,
                                 const std::string& chaincode, std::vector<std::string> args) {
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = kChannel;
  spec.chaincode_name = chaincode;
  spec.args = std::move(args);
  auto created = Must(protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity()));
  return Must(protoutil::SignProposal(created.proposal, signer));
}

// The basic asset chaincode: CreateAsset reads and writes, emits an event.
ScriptedOutcome Basic(ScriptedCall& call) {
  const std::string function = call.Arg(0);
  if (function == "CreateAsset") {
    if (!call.GetState(call.Arg(1)).empty()) {
      return ScriptedOutcome::Fail(500, fmt::format("the asset {} already exists", call.Arg(1)));
    }
    call.PutState(call.Arg(1), call.Arg(2));
    ScriptedOutcome outcome = ScriptedOutcome::Ok("created " + call.Arg(1));
    ::protos::ChaincodeEvent event;
    event.set_event_name("AssetCreated");
    event.set_payload(call.Arg(1));
    outcome.event = event;
    return outcome;
  }
  if (function == "Forbidden") return ScriptedOutcome::Fail(403, "not allowed");
  if (function == "Hang") {
    ScriptedOutcome outcome;
    outcome.ending = ScriptedOutcome::Ending::kNoAnswer;
    return outcome;
  }
  return ScriptedOutcome::Fail(500, "unknown function " + function);
}

::kvrwset::KVRWSet NamespaceSet(const std::string& results, const std::string& ns) {
  ::rwset::TxReadWriteSet rwset;
  if (!rwset.ParseFromString(results)) throw std::runtime_error("bad rwset");
  for (const auto& set : rwset.ns_rwset()) {
    if (set.namespace_() == ns) {
      ::kvrwset::KVRWSet kv;
      if (!kv.ParseFromString(set.rwset())) throw std::runtime_error("bad KVRWSet");
      return kv;
    }
  }
  return {};
}

}  // namespace

TEST_CASE(
    "an application chaincode's success is endorsed over Fabric's payload, byte-identical "
    "on two peers") {
  weft::testing::TestNetwork network;
  Peer peer1(network);
  Peer peer2(network);
  for (Peer* peer : {&peer1, &peer2}) {
    peer->Define("basic", 1, "1.0", 4);
    peer->Commit("basic", "other", "x", 5);
    peer->runtime.SetScript("basic_1.0:cafe", Basic);
  }
  auto proposal = Propose(network.client, "basic", {"CreateAsset", "asset1", "blue"});
  ProposalResult first = peer1.endorser->ProcessProposal(proposal);
  ProposalResult second = peer2.endorser->ProcessProposal(proposal);
  REQUIRE(first.error.ok());
  REQUIRE(second.error.ok());
  REQUIRE(first.response.response().status() == 200);
  CHECK(first.response.response().payload() == "created asset1");
  CHECK(first.response.version() == 1);
  // The gateway requires every endorser's payload to be the same bytes.
  CHECK(first.response.payload() == second.response.payload());

  auto opened = Must(protoutil::OpenProposalResponse(first.response));
  auto proposal_opened = Must(protoutil::OpenSignedProposal(proposal));
  CHECK(opened.proposal_hash() == proposal_opened.ProposalHash());
  // ChaincodeAction{results, events, response, chaincode_id{name, definition version}}.
  CHECK(opened.action.chaincode_id().name() == "basic");
  CHECK(opened.action.chaincode_id().version() == "1.0");
  CHECK(opened.action.response().payload() == "created asset1");
  ::protos::ChaincodeEvent event;
  REQUIRE(event.ParseFromString(opened.action.events()));
  CHECK(event.chaincode_id() == "basic");
  CHECK(event.tx_id() == proposal_opened.tx_id());
  CHECK(event.event_name() == "AssetCreated");
  auto basic = NamespaceSet(opened.action.results(), "basic");
  REQUIRE(basic.writes_size() == 1);
  CHECK(basic.writes(0).key() == "asset1");
  CHECK(basic.writes(0).value() == "blue");
  // The definition's Sequence is read in the simulation (so a new definition
  // committed meanwhile makes the transaction an MVCC conflict).
  // It is the one read of _lifecycle, as in Fabric's rwset.
  auto lifecycle = NamespaceSet(opened.action.results(), "_lifecycle");
  REQUIRE(lifecycle.reads_size() == 1);
  CHECK(lifecycle.reads(0).key() == "namespaces/fields/basic/Sequence");
  CHECK(lifecycle.reads(0).version().block_num() == 4);
  // escc: the peer signs payload || its identity.
  CHECK(first.response.endorsement().endorser() == network.peer.SerializedIdentity());
  auto peer_key = Must(network.peer.certificate().public_key());
  CHECK(peer_key
            .Verify(protoutil::EndorsementSignedBytes(first.response.payload(),
                                                      first.response.endorsement().endorser()),
                    first.response.endorsement().signature())
            .ok());
  // The chaincode got the client's signed proposal.
  auto received = peer1.runtime.Received("basic_1.0:cafe");
  bool transaction_seen = false;
  for (const auto& message : received) {
    if (message.type() != ::protos::ChaincodeMessage::TRANSACTION) continue;
    transaction_seen = true;
    CHECK(message.proposal().proposal_bytes() == proposal.proposal_bytes());
    CHECK(message.proposal().signature() == proposal.signature());
  }
  CHECK(transaction_seen);
  CHECK(peer1.runtime.Failures().empty());
}

TEST_CASE("chaincode errors are answered as Fabric's endorser answers them") {
  weft::testing::TestNetwork network;
  Peer peer(network, std::chrono::milliseconds(300));
  peer.Define("basic", 1, "1.0");
  peer.Commit("basic", "asset1", "red", 2);
  peer.runtime.SetScript("basic_1.0:cafe", Basic);

  SECTION("status 500: the response and the payload, no endorsement, gRPC OK") {
    auto result =
        peer.endorser->ProcessProposal(Propose(network.client, "basic", {"CreateAsset", "asset1"}));
    REQUIRE(result.error.ok());
    CHECK(result.response.response().status() == 500);
    CHECK(result.response.response().message() == "the asset asset1 already exists");
    CHECK_FALSE(result.response.has_endorsement());
    auto opened = Must(protoutil::OpenProposalResponse(result.response));
    CHECK(opened.action.events().empty());  // callChaincode drops the event of an error
    CHECK(NamespaceSet(opened.action.results(), "basic").reads_size() == 1);
  }
  SECTION("status 400..499: the response only") {
    auto result = peer.endorser->ProcessProposal(Propose(network.client, "basic", {"Forbidden"}));
    REQUIRE(result.error.ok());
    CHECK(result.response.response().status() == 403);
    CHECK(result.response.response().message() == "not allowed");
    CHECK(result.response.payload().empty());
    CHECK_FALSE(result.response.has_endorsement());
  }
  SECTION("a chaincode that never answers: 500 error in simulation") {
    auto result = peer.endorser->ProcessProposal(Propose(network.client, "basic", {"Hang"}));
    REQUIRE(result.error.ok());
    CHECK(result.response.response().status() == 500);
    CHECK_THAT(result.response.response().message(),
               Catch::StartsWith("error in simulation: failed to execute transaction ") &&
                   Catch::EndsWith("timeout expired while executing transaction"));
  }
  SECTION("an undefined chaincode: Fabric's message, unchanged") {
    auto result = peer.endorser->ProcessProposal(Propose(network.client, "nobody", {"Get"}));
    REQUIRE(result.error.ok());
    CHECK(result.response.response().status() == 500);
    CHECK(result.response.response().message() ==
          "make sure the chaincode nobody has been successfully defined on channel mychannel and "
          "try again: chaincode nobody not found");
    CHECK(peer.runtime.starts("nobody_1.0:cafe") == 0);
  }
}

TEST_CASE("a channel system chaincode works on a simulator and its rwset is endorsed") {
  weft::testing::TestNetwork network;
  Peer peer(network);
  peer.Define("basic", 2, "2.0", 3);
  auto result = peer.endorser->ProcessProposal(
      Propose(network.admin, "_lifecycle", {"ApproveChaincodeDefinitionForMyOrg", "yes"}));
  REQUIRE(result.error.ok());
  REQUIRE(result.response.response().status() == 200);
  CHECK(peer.lifecycle_calls == std::vector<std::string>{"ApproveChaincodeDefinitionForMyOrg"});
  CHECK(result.response.has_endorsement());
  auto opened = Must(protoutil::OpenProposalResponse(result.response));
  CHECK(opened.action.chaincode_id().name() == "_lifecycle");
  CHECK(opened.action.chaincode_id().version() == "syscc");
  auto set = NamespaceSet(opened.action.results(), "_lifecycle");
  REQUIRE(set.reads_size() == 1);
  CHECK(set.reads(0).version().block_num() == 3);
  REQUIRE(set.writes_size() == 1);
  CHECK(set.writes(0).key() == "approval");
  CHECK(set.writes(0).value() == "yes");
}

// Fabric's simulateProposal: the private writes go to the PrivateDataDistributor (here
// the transient store) before endorsement; the endorsed rwset carries only their hashes.
TEST_CASE("private writes of a simulation are kept aside and only their hashes are endorsed") {
  weft::testing::TestNetwork network;
  Peer peer(network);
  const auto proposal = Propose(network.admin, "_lifecycle", {"ApprovePrivately", "secret"});
  auto result = peer.endorser->ProcessProposal(proposal);
  REQUIRE(result.error.ok());
  INFO(result.response.response().message());
  REQUIRE(result.response.response().status() == 200);
  auto opened = Must(protoutil::OpenProposalResponse(result.response));
  ::rwset::TxReadWriteSet endorsed;
  REQUIRE(endorsed.ParseFromString(opened.action.results()));
  CHECK(endorsed.SerializeAsString().find("secret") == std::string::npos);
  bool hashed = false;
  for (const auto& ns : endorsed.ns_rwset()) {
    for (const auto& collection : ns.collection_hashed_rwset()) {
      hashed = hashed || collection.collection_name() == "_implicit_org_Org1MSP";
    }
  }
  CHECK(hashed);
  REQUIRE(peer.distributed.size() == 1);
  const auto tx_id = Must(protoutil::OpenSignedProposal(proposal)).tx_id();
  CHECK(peer.distributed[0].first == tx_id);
  CHECK(peer.distributed[0].second.SerializeAsString().find("secret") != std::string::npos);

  SECTION("a simulation whose private writes cannot be kept is not endorsed") {
    peer.private_store_available = false;
    auto refused = peer.endorser->ProcessProposal(
        Propose(network.admin, "_lifecycle", {"ApprovePrivately", "other"}));
    REQUIRE(refused.error.ok());
    CHECK(refused.response.response().status() == 500);
    CHECK_THAT(refused.response.response().message(),
               Catch::Contains("error in simulation: transient store closed"));
    CHECK_FALSE(refused.response.has_endorsement());
  }
}
