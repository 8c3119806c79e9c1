// The Gateway service of a real `peer` (peer0.org1) in a two-org network with a real
// solo `orderer`, TLS on, driven over gRPC as fabric-gateway drives it
// (fabric-interop.md C.3): Evaluate and Endorse of qscc GetChainInfo, Submit of a
// signed transaction envelope, CommitStatus (committed before the call, waited for,
// unknown until the deadline), ChaincodeEvents replayed and live, and, with the
// orderer stopped, Submit's UNAVAILABLE with a gateway.ErrorDetail naming it.
// Expected codes and messages: Fabric release-2.5 internal/pkg/gateway (submit.go,
// commitstatus.go, chaincodeevents.go, apiutils.go newRpcError).
// Transactions are endorsed in the test by the peers' own keys (no application
// chaincode runs here), after TwoOrgScenario defined chaincode "basic".
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <regex>

#include "client-sdk/signer.h"
#include "common/grpc/channel.h"
#include "common/ledger.pb.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/txid.h"
#include "gateway/gateway.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/transaction.pb.h"
#include "tests/integration/peer_network/two_org_scenario.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/peer_network.h"

namespace {

namespace fs = std::filesystem;
namespace protoutil = weft::common::protoutil;
using weft::testing::PeerNetwork;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;

weft::msp::SigningIdentity Load(const fs::path& msp_dir, const std::string& msp_id) {
  auto signer = weft::client::LoadSigner(msp_dir, msp_id);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  return *std::move(signer);
}

// The gRPC address peer0.org1 logged when it started ("... serving on <address> (MSP ...").
std::string PeerAddress(const fs::path& log) {
  std::ifstream in(log);
  std::string line, address;
  const std::regex started("serving on (\\S+) \\(MSP");
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_search(line, match, started)) address = match[1];
  }
  REQUIRE(!address.empty());
  return address;
}

::protos::SignedProposal QsccProposal(const weft::msp::SigningIdentity& signer,
                                      const std::string& channel) {
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = channel;
  spec.chaincode_name = "qscc";
  spec.args = {"GetChainInfo", channel};
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

TEST_CASE("the peer's Gateway evaluates, endorses, submits, reports commits and events") {
  weft::testing::PeerNetworkOptions options;
  options.bin_dir = kBin;
  options.source_dir = kSource;
  PeerNetwork network(options);
  weft::testing::peer_network::TwoOrgScenario scenario(network);
  scenario.StartAndJoinPeers();
  scenario.DefineChaincode();

  const auto user = Load(network.UserMsp(1, "User1"), "Org1MSP");
  const auto peer1 = Load(network.PeerMsp(1), "Org1MSP");
  const auto peer2 = Load(network.PeerMsp(2), "Org2MSP");
  auto channel = weft::common::grpc::MakeChannel(PeerAddress(network.PeerLog(1)),
                                                 network.PeerClientSettings(1));
  REQUIRE(channel.ok());
  Client client{::gateway::Gateway::NewStub(*channel), network.channel(), &user};

  {  // Evaluate of qscc GetChainInfo returns the chain info
    ::gateway::EvaluateRequest request;
    *request.mutable_proposed_transaction() = QsccProposal(user, network.channel());
    ::gateway::EvaluateResponse response;
    ::grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(30)));
    const auto status = client.stub->Evaluate(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    CHECK(response.result().status() == 200);
    ::common::BlockchainInfo info;
    REQUIRE(info.ParseFromString(response.result().payload()));
    CHECK(info.height() >= 2);  // genesis and the chaincode definitions
  }

  {  // Endorse of qscc returns the unsigned prepared transaction with the result
    ::gateway::EndorseRequest request;
    *request.mutable_proposed_transaction() = QsccProposal(user, network.channel());
    ::gateway::EndorseResponse response;
    ::grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(30)));
    const auto status = client.stub->Endorse(&context, request, &response);
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
      weft::testing::EndorserTxSpec spec;
      spec.channel_id = network.channel();
      spec.chaincode = weft::testing::peer_network::kChaincode;
      spec.creator = &user;
      spec.endorsers = {&peer1, &peer2};
      spec.nonce = "gateway-nonce-" + key + "-0123456789";
      const std::string tx_id = protoutil::ComputeTxId(*spec.nonce, user.SerializedIdentity());
      weft::peer::ledger::rwset::RwSetBuilder builder;
      builder.AddWrite(spec.chaincode, key, "value of " + key);
      spec.results = builder.Build();
      ::protos::ChaincodeEvent event;
      event.set_chaincode_id(spec.chaincode);
      event.set_tx_id(tx_id);
      event.set_event_name("created " + key);
      event.set_payload(key);
      spec.events = event.SerializeAsString();
      return weft::testing::BuildEndorserTx(spec);
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
    CHECK(status.error_code() == ::grpc::StatusCode::UNAVAILABLE);
    CHECK(status.error_message() == "no orderers could successfully process transaction");
    const auto details = Details(status);
    REQUIRE(details.size() == 1);
    CHECK(details[0].address() == network.orderer_address(0));
    CHECK(details[0].msp_id() == "OrdererMSP");
    CHECK(!details[0].message().empty());
  }
}

}  // namespace
