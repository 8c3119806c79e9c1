// The Gateway service of a real `peer` (peer0.org1) in a two-org network with a real
// solo `orderer`, TLS on, driven over gRPC as fabric-gateway drives it
// (fabric-interop.md C.3): Evaluate and Endorse of qscc GetChainInfo, Submit of a
// signed transaction envelope, CommitStatus (committed before the call, waited for,
// unknown until the deadline), ChaincodeEvents replayed and live; and the faults:
// the orderer stopped (UNAVAILABLE with a gateway.ErrorDetail naming it, then
// restarted and used again), the orderer hung (peer.gateway.broadcastTimeout ends
// the attempt), the other org's peer down or hung (Endorse names it; endorsementTimeout
// ends the call to a hung one; works again once it is back), a chaincode error
// reaching the client (Evaluate and Endorse).
// Expected codes and messages: Fabric release-2.5 internal/pkg/gateway (evaluate.go,
// endorse.go, submit.go, commitstatus.go, chaincodeevents.go, apiutils.go
// responseStatus / newRpcError).
// Transactions are endorsed in the test by the peers' own keys (no application
// chaincode runs here), after TwoOrgScenario defined chaincode "basic".
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "common/grpc/channel.h"
#include "common/ledger.pb.h"
#include "common/protoutil/proposal.h"
#include "gateway/gateway.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "peer/transaction.pb.h"
#include "tests/integration/peer_network/two_org_scenario.h"
#include "tests/support/gateway_network.h"
#include "tests/support/wait_until.h"

namespace {

namespace fs = std::filesystem;
namespace protoutil = weft::common::protoutil;
using weft::testing::PeerNetwork;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;

// A qscc proposal: GetChainInfo of the channel by default.
::protos::SignedProposal QsccProposal(const weft::msp::SigningIdentity& signer,
                                      const std::string& channel,
                                      std::vector<std::string> args = {}) {
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = channel;
  spec.chaincode_name = "qscc";
  spec.args = args.empty() ? std::vector<std::string>{"GetChainInfo", channel} : std::move(args);
  auto created = protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity());
  REQUIRE(created.ok());
  auto signed_proposal = protoutil::SignProposal(created->proposal, signer);
  REQUIRE(signed_proposal.ok());
  return *signed_proposal;
}

std::chrono::system_clock::time_point In(std::chrono::milliseconds time) {
  return std::chrono::system_clock::now() + time;
}

// The gateway.ErrorDetail entries of a failed call's grpc-status-details-bin.
std::vector<::gateway::ErrorDetail> Details(const ::grpc::Status& status) {
  ::google::rpc::Status rich;
  REQUIRE(rich.ParseFromString(status.error_details()));
  std::vector<::gateway::ErrorDetail> details;
  for (const auto& any : rich.details()) {
    CHECK(any.type_url() == "type.googleapis.com/gateway.ErrorDetail");
    ::gateway::ErrorDetail detail;
    REQUIRE(detail.ParseFromString(any.value()));
    details.push_back(detail);
  }
  return details;
}

// A failed call: `code`, a message starting with `message`, and one detail naming
// `address` and `msp_id` whose message starts with `detail` (and is not empty).
void CheckOneDetail(const ::grpc::Status& status, ::grpc::StatusCode code,
                    const std::string& message, const std::string& address,
                    const std::string& msp_id, const std::string& detail = "") {
  INFO(status.error_message());
  CHECK(status.error_code() == code);
  CHECK(status.error_message().rfind(message, 0) == 0);
  const auto details = Details(status);
  REQUIRE(details.size() == 1);
  CHECK(details[0].address() == address);
  CHECK(details[0].msp_id() == msp_id);
  CHECK(!details[0].message().empty());
  CHECK(details[0].message().rfind(detail, 0) == 0);
}

struct Client {
  std::unique_ptr<::gateway::Gateway::Stub> stub;
  std::string channel;
  const weft::msp::SigningIdentity* user = nullptr;

  ::gateway::SignedCommitStatusRequest CommitStatusRequest(const std::string& tx_id) const {
    ::gateway::CommitStatusRequest request;
    request.set_channel_id(channel);
    request.set_transaction_id(tx_id);
    request.set_identity(user->SerializedIdentity());
    ::gateway::SignedCommitStatusRequest signed_request;
    signed_request.set_request(request.SerializeAsString());
    auto signature = user->Sign(signed_request.request());
    REQUIRE(signature.ok());
    signed_request.set_signature(*signature);
    return signed_request;
  }

  ::gateway::SignedChaincodeEventsRequest EventsRequest(::orderer::SeekPosition start) const {
    ::gateway::ChaincodeEventsRequest request;
    request.set_channel_id(channel);
    request.set_chaincode_id(weft::testing::peer_network::kChaincode);
    request.set_identity(user->SerializedIdentity());
    *request.mutable_start_position() = std::move(start);
    ::gateway::SignedChaincodeEventsRequest signed_request;
    signed_request.set_request(request.SerializeAsString());
    auto signature = user->Sign(signed_request.request());
    REQUIRE(signature.ok());
    signed_request.set_signature(*signature);
    return signed_request;
  }

  ::grpc::Status Evaluate(const ::protos::SignedProposal& proposal,
                          ::gateway::EvaluateResponse* response) const {
    ::gateway::EvaluateRequest request;
    *request.mutable_proposed_transaction() = proposal;
    ::grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(30)));
    return stub->Evaluate(&context, request, response);
  }

  // `orgs`: the request's endorsing_organizations (none: the gateway's plan).
  ::grpc::Status Endorse(const ::protos::SignedProposal& proposal,
                         ::gateway::EndorseResponse* response,
                         const std::vector<std::string>& orgs = {}) const {
    ::gateway::EndorseRequest request;
    *request.mutable_proposed_transaction() = proposal;
    for (const auto& org : orgs) request.add_endorsing_organizations(org);
    ::grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(30)));
    return stub->Endorse(&context, request, response);
  }

  ::grpc::Status Submit(const weft::testing::EndorserTx& tx, ::gateway::SubmitResponse* response) {
    ::gateway::SubmitRequest request;
    request.set_transaction_id(tx.tx_id);
    request.set_channel_id(channel);
    *request.mutable_prepared_transaction() = tx.envelope;
    ::grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(60)));
    return stub->Submit(&context, request, response);
  }
};

// The User1 client of peer0.org1's Gateway service.
Client Connect(weft::testing::GatewayNetwork& gateway_network) {
  PeerNetwork& network = gateway_network.network();
  auto channel = weft::common::grpc::MakeChannel(
      weft::testing::LoggedPeerAddress(network.PeerLog(1)), network.PeerClientSettings(1));
  REQUIRE(channel.ok());
  return Client{::gateway::Gateway::NewStub(*channel), network.channel(), &gateway_network.user()};
}

// The commit status of `tx_id`, waited for.
::gateway::CommitStatusResponse WaitForCommit(const Client& client, const std::string& tx_id) {
  ::grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(120)));
  ::gateway::CommitStatusResponse committed;
  const auto status =
      client.stub->CommitStatus(&context, client.CommitStatusRequest(tx_id), &committed);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return committed;
}

// Both peers joined, "basic" defined, User1's client of peer0.org1's gateway.
struct Setup {
  weft::testing::GatewayNetwork gateway_network;
  weft::testing::peer_network::TwoOrgScenario scenario;
  Client client;

  explicit Setup(weft::testing::PeerNetworkOptions options = {})
      : gateway_network(kBin, kSource, std::move(options)), scenario(gateway_network.network()) {
    scenario.StartAndJoinPeers();
    scenario.DefineChaincode();
    client = Connect(gateway_network);
  }
};

TEST_CASE("the peer's Gateway evaluates, endorses, submits, reports commits and events") {
  Setup setup;
  weft::testing::GatewayNetwork& gateway_network = setup.gateway_network;
  PeerNetwork& network = gateway_network.network();
  const auto& user = gateway_network.user();
  Client& client = setup.client;

  {  // Evaluate of qscc GetChainInfo returns the chain info
    ::gateway::EvaluateResponse response;
    const auto status = client.Evaluate(QsccProposal(user, network.channel()), &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    CHECK(response.result().status() == 200);
    ::common::BlockchainInfo info;
    REQUIRE(info.ParseFromString(response.result().payload()));
    CHECK(info.height() >= 2);  // genesis and the chaincode definitions
  }

  {  // Endorse of qscc returns the unsigned prepared transaction with the result
    ::gateway::EndorseResponse response;
    const auto status = client.Endorse(QsccProposal(user, network.channel()), &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    const auto& envelope = response.prepared_transaction();
    CHECK(envelope.signature().empty());
    // Where fabric-gateway reads the result (C.3 step 2).
    ::common::Payload payload;
    ::protos::Transaction transaction;
    ::protos::ChaincodeActionPayload action_payload;
    ::protos::ProposalResponsePayload response_payload;
    ::protos::ChaincodeAction action;
    REQUIRE(payload.ParseFromString(envelope.payload()));
    REQUIRE(transaction.ParseFromString(payload.data()));
    REQUIRE(transaction.actions_size() == 1);
    REQUIRE(action_payload.ParseFromString(transaction.actions(0).payload()));
    CHECK(action_payload.action().endorsements_size() == 1);
    REQUIRE(response_payload.ParseFromString(action_payload.action().proposal_response_payload()));
    REQUIRE(action.ParseFromString(response_payload.extension()));
    ::common::BlockchainInfo info;
    REQUIRE(info.ParseFromString(action.response().payload()));
    CHECK(info.height() >= 2);
  }

  {  // Submit, CommitStatus and ChaincodeEvents of a transaction
    // A transaction of "basic" endorsed by both orgs' peers (MAJORITY of two).
    auto make_tx = [&](const std::string& key) {
      return gateway_network.EventTx(weft::testing::peer_network::kChaincode, key, "gateway-nonce");
    };
    const auto first = make_tx("gw1");
    ::gateway::SubmitResponse submitted;
    const auto sent = client.Submit(first, &submitted);
    INFO(sent.error_message());
    REQUIRE(sent.ok());

    // CommitStatus waits for the commit.
    ::gateway::CommitStatusResponse committed;
    {
      ::grpc::ClientContext context;
      context.set_deadline(In(std::chrono::seconds(120)));
      const auto status =
          client.stub->CommitStatus(&context, client.CommitStatusRequest(first.tx_id), &committed);
      INFO(status.error_message());
      REQUIRE(status.ok());
      CHECK(committed.result() == ::protos::VALID);
      CHECK(committed.block_number() >= 2);
    }
    // Committed before the call: answered at once, the same.
    {
      ::grpc::ClientContext context;
      context.set_deadline(In(std::chrono::seconds(10)));
      ::gateway::CommitStatusResponse again;
      REQUIRE(client.stub->CommitStatus(&context, client.CommitStatusRequest(first.tx_id), &again)
                  .ok());
      CHECK(again.block_number() == committed.block_number());
    }
    // Unknown: waits until the client's deadline.
    {
      ::grpc::ClientContext context;
      context.set_deadline(In(std::chrono::milliseconds(1500)));
      ::gateway::CommitStatusResponse unknown;
      const auto status =
          client.stub->CommitStatus(&context, client.CommitStatusRequest("no-such-tx"), &unknown);
      CHECK(status.error_code() == ::grpc::StatusCode::DEADLINE_EXCEEDED);
    }

    // Replayed from the ledger: the event of the committed transaction.
    {
      ::orderer::SeekPosition start;
      start.mutable_specified()->set_number(0);
      ::grpc::ClientContext context;
      context.set_deadline(In(std::chrono::seconds(30)));
      auto reader = client.stub->ChaincodeEvents(&context, client.EventsRequest(start));
      ::gateway::ChaincodeEventsResponse events;
      REQUIRE(reader->Read(&events));
      CHECK(events.block_number() == committed.block_number());
      REQUIRE(events.events_size() == 1);
      CHECK(events.events(0).event_name() == "created gw1");
      CHECK(events.events(0).tx_id() == first.tx_id);
      context.TryCancel();
      (void)reader->Finish();
    }
    // Live: a stream from the block after it sees the next transaction when it
    // commits (a specified start, so a commit racing the call is not missed).
    {
      ::orderer::SeekPosition next;
      next.mutable_specified()->set_number(committed.block_number() + 1);
      ::grpc::ClientContext context;
      context.set_deadline(In(std::chrono::seconds(120)));
      auto reader = client.stub->ChaincodeEvents(&context, client.EventsRequest(next));
      const auto second = make_tx("gw2");
      REQUIRE(client.Submit(second, &submitted).ok());
      ::gateway::ChaincodeEventsResponse events;
      REQUIRE(reader->Read(&events));
      REQUIRE(events.events_size() == 1);
      CHECK(events.events(0).event_name() == "created gw2");
      CHECK(events.events(0).tx_id() == second.tx_id);
      context.TryCancel();
      (void)reader->Finish();
    }

    // Unsigned: refused before any orderer sees it.
    {
      auto unsigned_tx = make_tx("gw3");
      unsigned_tx.envelope.clear_signature();
      const auto status = client.Submit(unsigned_tx, &submitted);
      CHECK(status.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(status.error_message() == "prepared transaction must be signed");
    }

    // The orderer down: UNAVAILABLE, one detail naming it.
    network.StopOrderer(0, SIGTERM);
    const auto status = client.Submit(make_tx("gw4"), &submitted);
    CheckOneDetail(status, ::grpc::StatusCode::UNAVAILABLE,
                   "no orderers could successfully process transaction", network.orderer_address(0),
                   "OrdererMSP");

    // Back again: the gateway dials it afresh and the transaction commits.
    network.RestartOrderer(0);
    const auto after_restart = make_tx("gw5");
    REQUIRE(weft::testing::WaitUntil([&] { return client.Submit(after_restart, &submitted).ok(); },
                                     std::chrono::seconds(60)));
    CHECK(WaitForCommit(client, after_restart.tx_id).result() == ::protos::VALID);
  }
}

// Faults with anchor peers published (so peer0.org1's gateway reaches peer0.org2)
// and short broadcast and endorsement timeouts.
TEST_CASE("the peer's Gateway reports down and hung peers, a hung orderer and chaincode errors",
          "[slow]") {
  weft::testing::PeerNetworkOptions options;
  options.anchor_peers = true;
  options.peer_env = {{"CORE_PEER_GATEWAY_BROADCASTTIMEOUT", "2s"},
                      {"CORE_PEER_GATEWAY_ENDORSEMENTTIMEOUT", "2s"}};
  Setup setup(options);
  weft::testing::GatewayNetwork& gateway_network = setup.gateway_network;
  PeerNetwork& network = gateway_network.network();
  const auto& user = gateway_network.user();
  Client& client = setup.client;

  // Endorse on both orgs (endorsing_organizations: Fabric registry.planForOrgs, one
  // peer of each named org).
  auto endorse_on_both = [&](::gateway::EndorseResponse* response) {
    return client.Endorse(QsccProposal(user, network.channel()), response, {"Org1MSP", "Org2MSP"});
  };
  auto endorsements_of = [](const ::gateway::EndorseResponse& response) {
    ::common::Payload payload;
    ::protos::Transaction transaction;
    ::protos::ChaincodeActionPayload action_payload;
    REQUIRE(payload.ParseFromString(response.prepared_transaction().payload()));
    REQUIRE(transaction.ParseFromString(payload.data()));
    REQUIRE(transaction.actions_size() == 1);
    REQUIRE(action_payload.ParseFromString(transaction.actions(0).payload()));
    return action_payload.action().endorsements_size();
  };

  // Endorses on both orgs until it works (a restarted or resumed peer is back) and
  // returns how many endorsements the prepared transaction carries.
  auto endorsed_by_both_eventually = [&] {
    ::gateway::EndorseResponse response;
    std::string last_error;
    const bool endorsed = weft::testing::WaitUntil(
        [&] {
          response.Clear();
          const auto status = endorse_on_both(&response);
          last_error = status.error_message();
          return status.ok();
        },
        std::chrono::seconds(60));
    INFO(last_error);
    REQUIRE(endorsed);
    return endorsements_of(response);
  };
  // endorse.go: "failed to collect enough transaction endorsements, see attached
  // details for more info", one detail naming peer0.org2.
  auto check_org2_failed = [&](const ::grpc::Status& status) {
    CheckOneDetail(
        status, ::grpc::StatusCode::ABORTED,
        "failed to collect enough transaction endorsements, see attached details for more info",
        network.AnchorAddress(2), "Org2MSP");
  };

  // Both peers up: one endorsement from each org.
  CHECK(endorsed_by_both_eventually() == 2);

  {  // peer0.org2 down: a gRPC failure without a response (apiutils.go responseStatus).
    network.StopPeer(2);
    ::gateway::EndorseResponse response;
    check_org2_failed(endorse_on_both(&response));
  }
  // Back again: endorsed by both (the gateway dropped the failed connection).
  network.StartPeer(2);
  CHECK(endorsed_by_both_eventually() == 2);

  {  // peer0.org2 hung (SIGSTOP): the call to it ends at endorsementTimeout (2s here),
     // well before the client's deadline, so the client gets the same ABORTED
     // (endorse.go processProposal: context.WithTimeout(ctx, EndorsementTimeout)),
     // not its own DEADLINE_EXCEEDED.
    network.PausePeer(2);
    ::gateway::EndorseResponse response;
    const auto status = endorse_on_both(&response);
    network.ResumePeer(2);
    check_org2_failed(status);
  }
  // Resumed: endorsed by both again.
  CHECK(endorsed_by_both_eventually() == 2);

  // qscc refuses a block number that is not a number: a chaincode error (status 500
  // with a payload: release-2.5 core/endorser/endorser.go simulateProposal returns
  // it with its proposal response payload), which apiutils.go responseStatus makes
  // UNKNOWN "chaincode response 500, <message>", not retried on another peer.
  const auto bad_block = QsccProposal(user, network.channel(),
                                      {"GetBlockByNumber", network.channel(), "not-a-number"});
  const std::string chaincode_message = "chaincode response 500, Failed to parse block number";
  {  // Evaluate: evaluate.go "evaluate call to endorser returned error: <message>".
    ::gateway::EvaluateResponse response;
    const auto status = client.Evaluate(bad_block, &response);
    CheckOneDetail(status, ::grpc::StatusCode::UNKNOWN,
                   "evaluate call to endorser returned error: " + chaincode_message,
                   network.AnchorAddress(1), "Org1MSP", chaincode_message);
  }
  {  // Endorse: endorse.go planFromFirstEndorser, ABORTED "failed to endorse
     // transaction, see attached details for more info" with the chaincode's message.
    ::gateway::EndorseResponse response;
    const auto status = client.Endorse(bad_block, &response);
    CheckOneDetail(status, ::grpc::StatusCode::ABORTED,
                   "failed to endorse transaction, see attached details for more info",
                   network.AnchorAddress(1), "Org1MSP", chaincode_message);
  }

  {  // The orderer hung (SIGSTOP): each attempt ends at broadcastTimeout (2s here),
     // well before the client's deadline, so the client gets submit.go's UNAVAILABLE
     // with a detail naming the orderer, not its own DEADLINE_EXCEEDED.
    const auto hung =
        gateway_network.EventTx(weft::testing::peer_network::kChaincode, "hung", "gateway-faults");
    network.PauseOrderer(0);
    ::gateway::SubmitResponse submitted;
    const auto status = client.Submit(hung, &submitted);
    network.ResumeOrderer(0);
    CheckOneDetail(status, ::grpc::StatusCode::UNAVAILABLE,
                   "no orderers could successfully process transaction", network.orderer_address(0),
                   "OrdererMSP");

    // Resumed: the next transaction is ordered and commits.
    const auto resumed = gateway_network.EventTx(weft::testing::peer_network::kChaincode, "resumed",
                                                 "gateway-faults");
    REQUIRE(weft::testing::WaitUntil([&] { return client.Submit(resumed, &submitted).ok(); },
                                     std::chrono::seconds(60)));
    CHECK(WaitForCommit(client, resumed.tx_id).result() == ::protos::VALID);
  }
}

}  // namespace
