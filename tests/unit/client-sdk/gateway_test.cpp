// client-sdk/gateway.h without a network: the GatewayError carried by a Status,
// the decoding of the gateway's grpc-status-details-bin trailer (every Any read as
// gateway.ErrorDetail, as fabric-gateway does: fabric-interop.md C.4), argument
// checks, and what Evaluate / Endorse send (fabric-gateway contract.go: a named
// contract's function is "<contract>:<function>"; transient data goes in the
// ChaincodeProposalPayload; organisations in target_/endorsing_organizations),
// recorded by a fake Gateway service.
#include "client-sdk/gateway.h"

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <mutex>

#include "common/grpc/server.h"
#include "gateway/gateway.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace {

namespace client = weft::client;
namespace settings = weft::common::settings;
namespace testing = weft::testing;

weft::msp::SigningIdentity User() {
  const testing::TestIdentity ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  return testing::MakeSigner(testing::IssueLeaf(ca, "User1@org1.example.com", {"client"}),
                             "Org1MSP");
}

::gateway::ErrorDetail Detail(const std::string& address, const std::string& msp,
                              const std::string& message) {
  ::gateway::ErrorDetail detail;
  detail.set_address(address);
  detail.set_msp_id(msp);
  detail.set_message(message);
  return detail;
}

std::string Trailer(const std::vector<::gateway::ErrorDetail>& details) {
  ::google::rpc::Status rich;
  rich.set_code(10);
  rich.set_message("failed to endorse transaction, see attached details for more info");
  for (const auto& detail : details) {
    auto* any = rich.add_details();
    any->set_type_url("type.googleapis.com/gateway.ErrorDetail");
    any->set_value(detail.SerializeAsString());
  }
  return rich.SerializeAsString();
}

// An unsigned prepared transaction whose one action's ChaincodeAction.response
// carries `result` (where fabric-gateway reads the result).
::common::Envelope Prepared(const std::string& result) {
  ::protos::ChaincodeAction action;
  action.mutable_response()->set_status(200);
  action.mutable_response()->set_payload(result);
  ::protos::ProposalResponsePayload response_payload;
  response_payload.set_extension(action.SerializeAsString());
  ::protos::ChaincodeActionPayload action_payload;
  action_payload.mutable_action()->set_proposal_response_payload(
      response_payload.SerializeAsString());
  ::protos::Transaction transaction;
  transaction.add_actions()->set_payload(action_payload.SerializeAsString());
  ::common::Payload payload;
  payload.set_data(transaction.SerializeAsString());
  ::common::Envelope envelope;
  envelope.set_payload(payload.SerializeAsString());
  return envelope;
}

// Records Evaluate, Endorse and Submit requests; Evaluate answers with a fixed payload,
// Endorse fails as Fabric's gateway does when its endorsers fail (ABORTED + details).
class RecordingGateway final : public ::gateway::Gateway::Service {
 public:
  ::grpc::Status Evaluate(::grpc::ServerContext*, const ::gateway::EvaluateRequest* request,
                          ::gateway::EvaluateResponse* response) override {
    std::lock_guard lock(mu_);
    evaluated_.push_back(*request);
    response->mutable_result()->set_status(200);
    response->mutable_result()->set_payload("the result");
    return ::grpc::Status::OK;
  }
  ::grpc::Status Endorse(::grpc::ServerContext*, const ::gateway::EndorseRequest* request,
                         ::gateway::EndorseResponse* response) override {
    std::lock_guard lock(mu_);
    endorsed_.push_back(*request);
    if (endorse_ok) {
      *response->mutable_prepared_transaction() = Prepared("the endorsed result");
      return ::grpc::Status::OK;
    }
    return ::grpc::Status(
        ::grpc::StatusCode::ABORTED,
        "failed to endorse transaction, see attached details for more info",
        Trailer({Detail("peer0.org1:7051", "Org1MSP", "chaincode response 500, boom")}));
  }
  ::grpc::Status Submit(::grpc::ServerContext*, const ::gateway::SubmitRequest* request,
                        ::gateway::SubmitResponse*) override {
    std::lock_guard lock(mu_);
    submitted_.push_back(*request);
    return ::grpc::Status::OK;
  }
  // As Fabric's gateway answers a caller that is not a channel reader.
  ::grpc::Status CommitStatus(::grpc::ServerContext*, const ::gateway::SignedCommitStatusRequest*,
                              ::gateway::CommitStatusResponse*) override {
    return ::grpc::Status(::grpc::StatusCode::PERMISSION_DENIED, "access denied");
  }
  std::vector<::gateway::SubmitRequest> submitted() const {
    std::lock_guard lock(mu_);
    return submitted_;
  }
  std::vector<::gateway::EvaluateRequest> evaluated() const {
    std::lock_guard lock(mu_);
    return evaluated_;
  }
  std::vector<::gateway::EndorseRequest> endorsed() const {
    std::lock_guard lock(mu_);
    return endorsed_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<::gateway::EvaluateRequest> evaluated_;
  std::vector<::gateway::EndorseRequest> endorsed_;
  std::vector<::gateway::SubmitRequest> submitted_;

 public:
  bool endorse_ok = false;  // set before the first call
};

// The ChaincodeProposalPayload of a signed proposal.
::protos::ChaincodeProposalPayload ProposalPayload(
    const ::protos::SignedProposal& signed_proposal) {
  ::protos::Proposal proposal;
  REQUIRE(proposal.ParseFromString(signed_proposal.proposal_bytes()));
  ::protos::ChaincodeProposalPayload payload;
  REQUIRE(payload.ParseFromString(proposal.payload()));
  return payload;
}

TEST_CASE("gateway error details decode from the trailer, whatever their type URL") {
  auto rich = ::google::rpc::Status();
  REQUIRE(rich.ParseFromString(Trailer({Detail("a:1", "Org1MSP", "one")})));
  auto* odd = rich.add_details();
  odd->set_type_url("type.example.com/other");
  odd->set_value(Detail("b:2", "Org2MSP", "two").SerializeAsString());
  const auto details = client::ParseErrorDetails(rich.SerializeAsString());
  REQUIRE(details.ok());
  REQUIRE(details->size() == 2);
  CHECK((*details)[1].address == "b:2");
  CHECK((*details)[1].msp_id == "Org2MSP");
  CHECK((*details)[1].message == "two");

  CHECK(client::ParseErrorDetails("")->empty());  // no trailer: no details
  CHECK(client::ParseErrorDetails("\xff\xff\xff").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a GatewayError travels with its Status and is named in the message") {
  client::GatewayError error;
  error.kind = client::GatewayError::Kind::kCommit;
  error.transaction_id = "tx1";
  error.details = {{"a:1", "Org1MSP", "one"}, {"b:2", "Org2MSP", "two"}};
  error.validation_code = ::protos::MVCC_READ_CONFLICT;
  error.block_number = 7;
  const auto status =
      client::MakeGatewayStatus(absl::StatusCode::kFailedPrecondition, "it failed", error);
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message() == "it failed (a:1 Org1MSP: one; b:2 Org2MSP: two)");
  const auto back = client::GetGatewayError(status);
  REQUIRE(back.has_value());
  CHECK(back->kind == client::GatewayError::Kind::kCommit);
  CHECK(back->transaction_id == "tx1");
  REQUIRE(back->details.size() == 2);
  CHECK(back->details[0].message == "one");
  CHECK(back->validation_code == ::protos::MVCC_READ_CONFLICT);
  CHECK(back->block_number == 7);

  CHECK(!client::GetGatewayError(absl::InternalError("plain")).has_value());
}

TEST_CASE("Gateway and Network refuse bad arguments") {
  CHECK(client::Gateway::Connect({}, User()).status().code() ==
        absl::StatusCode::kInvalidArgument);  // no endpoint

  client::GatewayOptions options;
  options.endpoint = "127.0.0.1:1";  // never dialled: the checks come first
  // An MSP folder that is not there: LoadSigner's error, naming it.
  const auto no_msp = client::Gateway::Connect(options, "/nonexistent/msp", "Org1MSP");
  CHECK(!no_msp.ok());
  CHECK_THAT(std::string(no_msp.status().message()), Catch::Contains("/nonexistent/msp"));
  auto gateway = client::Gateway::Connect(options, User());
  REQUIRE(gateway.ok());
  const auto network = (*gateway)->GetNetwork("mychannel");
  CHECK(network.name() == "mychannel");
  CHECK(network.ChaincodeEvents("").status().code() == absl::StatusCode::kInvalidArgument);
  client::ChaincodeEventsOptions checkpoint_without_block;
  checkpoint_without_block.after_transaction_id = "tx1";
  CHECK(network.ChaincodeEvents("basic", checkpoint_without_block).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Evaluate and Endorse carry the contract name, transient data and organisations") {
  RecordingGateway service;
  auto started = weft::common::grpc::BuildServer(settings::GrpcServerAt("127.0.0.1:0"), {&service});
  REQUIRE(started.ok());
  client::GatewayOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(started->port);
  const auto user = User();
  auto gateway = client::Gateway::Connect(options, user);
  REQUIRE(gateway.ok());
  const auto contract = (*gateway)->GetNetwork("mychannel").GetContract("basic", "assets");
  CHECK(contract.chaincode_name() == "basic");
  CHECK(contract.contract_name() == "assets");

  client::ProposalOptions proposal;
  proposal.args = {"k1", "v1"};
  proposal.transient = {{"secret", "s3cr3t"}};
  proposal.endorsing_organizations = {"Org2MSP"};

  const auto result = contract.Evaluate("Read", proposal);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(*result == "the result");
  const auto evaluated = service.evaluated();
  REQUIRE(evaluated.size() == 1);
  CHECK(evaluated[0].channel_id() == "mychannel");
  CHECK(!evaluated[0].transaction_id().empty());
  REQUIRE(evaluated[0].target_organizations_size() == 1);
  CHECK(evaluated[0].target_organizations(0) == "Org2MSP");
  const auto payload = ProposalPayload(evaluated[0].proposed_transaction());
  CHECK(payload.transientmap().at("secret") == "s3cr3t");
  ::protos::ChaincodeInvocationSpec invocation;
  REQUIRE(invocation.ParseFromString(payload.input()));
  CHECK(invocation.chaincode_spec().chaincode_id().name() == "basic");
  REQUIRE(invocation.chaincode_spec().input().args_size() == 3);
  CHECK(invocation.chaincode_spec().input().args(0) == "assets:Read");
  CHECK(invocation.chaincode_spec().input().args(1) == "k1");

  const auto submitted = contract.Submit("Create", proposal);
  REQUIRE(!submitted.ok());
  CHECK(submitted.status().code() == absl::StatusCode::kAborted);
  const auto error = client::GetGatewayError(submitted.status());
  REQUIRE(error.has_value());
  CHECK(error->kind == client::GatewayError::Kind::kEndorse);
  const auto endorsed = service.endorsed();
  REQUIRE(endorsed.size() == 1);
  CHECK(error->transaction_id == endorsed[0].transaction_id());
  REQUIRE(endorsed[0].endorsing_organizations_size() == 1);
  CHECK(endorsed[0].endorsing_organizations(0) == "Org2MSP");
  REQUIRE(error->details.size() == 1);
  CHECK(error->details[0].address == "peer0.org1:7051");
  CHECK(std::string(submitted.status().message())
            .find("(peer0.org1:7051 Org1MSP: chaincode response 500, boom)") != std::string::npos);
  started->server->Shutdown();
}

TEST_CASE("SubmitAsync returns the endorsed result and signs the prepared transaction unchanged") {
  RecordingGateway service;
  service.endorse_ok = true;
  auto started = weft::common::grpc::BuildServer(settings::GrpcServerAt("127.0.0.1:0"), {&service});
  REQUIRE(started.ok());
  client::GatewayOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(started->port);
  const testing::TestIdentity ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  const testing::TestIdentity leaf = testing::IssueLeaf(ca, "User1@org1.example.com", {"client"});
  const auto user = testing::MakeSigner(leaf, "Org1MSP");
  auto gateway = client::Gateway::Connect(options, user);
  REQUIRE(gateway.ok());
  const auto contract = (*gateway)->GetNetwork("mychannel").GetContract("basic");

  auto submitted = contract.SubmitAsync("Create", {});
  INFO(submitted.status().ToString());
  REQUIRE(submitted.ok());
  CHECK(submitted->result == "the endorsed result");
  const auto sent = service.submitted();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].transaction_id() == submitted->commit.transaction_id());
  CHECK(sent[0].channel_id() == "mychannel");
  CHECK(sent[0].prepared_transaction().payload() == Prepared("the endorsed result").payload());
  auto key = leaf.cert.public_key();
  REQUIRE(key.ok());
  CHECK(key->Verify(sent[0].prepared_transaction().payload(),
                    sent[0].prepared_transaction().signature())
            .ok());

  // The commit status call fails: fabric-gateway's CommitStatusError, with the ID.
  const auto status = submitted->commit.Status();
  REQUIRE(!status.ok());
  CHECK(status.status().code() == absl::StatusCode::kPermissionDenied);
  const auto error = client::GetGatewayError(status.status());
  REQUIRE(error.has_value());
  CHECK(error->kind == client::GatewayError::Kind::kCommitStatus);
  CHECK(error->transaction_id == submitted->commit.transaction_id());
  CHECK(error->details.empty());
  started->server->Shutdown();
}

}  // namespace
