// The Endorser and peer Deliver clients against fakes on 127.0.0.1: a fake
// Endorser that checks proposals as Fabric's endorser does (tests/support), and a
// fake protos.Deliver service here that records the seek request and plays a
// scripted stream. Fakes record on gRPC threads; assertions run on the test thread.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"
#include "client-sdk/peer_deliver_client.h"
#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "client-sdk/transaction_builder.h"
#include "common/grpc/server.h"
#include "common/protoutil/envelope.h"
#include "orderer/ab.grpc.pb.h"
#include "peer/events.grpc.pb.h"
#include "peer/transaction.pb.h"
#include "tests/support/fake_endorser.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"
#include "tests/support/wait_until.h"

namespace {

namespace client = weft::client;
namespace protoutil = weft::common::protoutil;
namespace settings = weft::common::settings;
namespace testing = weft::testing;

struct Org {
  testing::TestIdentity ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  testing::TestIdentity user = testing::IssueLeaf(ca, "User1@org1.example.com", {"client"});
  testing::TestIdentity peer0 = testing::IssueLeaf(ca, "peer0.org1.example.com", {"peer"});
  testing::TestIdentity peer1 = testing::IssueLeaf(ca, "peer1.org1.example.com", {"peer"});
  weft::msp::SigningIdentity user_signer = testing::MakeSigner(user, "Org1MSP");

  std::map<std::string, weft::common::crypto::Certificate> Trusted() const {
    return {{"Org1MSP", ca.cert}};
  }
};

client::ProposalRequest Request() {
  client::ProposalRequest request;
  request.channel_id = "mychannel";
  request.chaincode_name = "basic";
  request.function = "ReadAsset";
  request.args = {"asset1"};
  request.transient = {{"k", "v"}};
  return request;
}

std::unique_ptr<client::EndorserClient> ConnectEndorser(
    const std::string& address, const settings::GrpcClientSettings& s = {}) {
  auto connected = client::EndorserClient::Connect(address, s);
  REQUIRE(connected.ok());
  return *std::move(connected);
}

}  // namespace

TEST_CASE("the endorser client gets endorsements a fake Fabric endorser checked", "[client-sdk]") {
  Org org;
  testing::FakeEndorser peer0(testing::MakeSigner(org.peer0, "Org1MSP"), org.Trusted());
  testing::FakeEndorser peer1(testing::MakeSigner(org.peer1, "Org1MSP"), org.Trusted());
  auto client0 = ConnectEndorser(peer0.address());
  auto client1 = ConnectEndorser(peer1.address());
  auto proposal = client::CreateSignedProposal(Request(), org.user_signer);
  REQUIRE(proposal.ok());

  const std::vector<const client::EndorserClient*> endorsers = {client0.get(), client1.get()};
  auto responses = client::Endorse(endorsers, proposal->signed_proposal);
  REQUIRE(responses.ok());
  REQUIRE(responses->size() == 2);
  CHECK(responses->at(0).response().status() == 200);
  CHECK(responses->at(0).response().payload() == "fake result");
  CHECK(responses->at(0).endorsement().endorser() ==
        testing::MakeSigner(org.peer0, "Org1MSP").SerializedIdentity());
  CHECK(responses->at(1).endorsement().endorser() ==
        testing::MakeSigner(org.peer1, "Org1MSP").SerializedIdentity());

  for (auto* fake : {&peer0, &peer1}) {
    const auto calls = fake->calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].refusal.empty());
    CHECK(calls[0].tx_id == proposal->tx_id);
    CHECK(calls[0].creator == org.user_signer.SerializedIdentity());
    CHECK(calls[0].args == std::vector<std::string>{"ReadAsset", "asset1"});
    CHECK(calls[0].transient.at("k") == "v");
  }

  // The two endorsements make one transaction.
  auto envelope = client::CreateSignedTransaction(proposal->proposal, *responses, org.user_signer);
  REQUIRE(envelope.ok());
  ::common::Payload payload;
  REQUIRE(payload.ParseFromString(envelope->payload()));
  ::protos::Transaction transaction;
  REQUIRE(transaction.ParseFromString(payload.data()));
  ::protos::ChaincodeActionPayload action;
  REQUIRE(action.ParseFromString(transaction.actions(0).payload()));
  CHECK(action.action().endorsements_size() == 2);
}

TEST_CASE("endorsement failures name the peer and its answer", "[client-sdk]") {
  Org org;
  testing::FakeEndorser good(testing::MakeSigner(org.peer0, "Org1MSP"), org.Trusted());
  testing::FakeEndorser bad(testing::MakeSigner(org.peer1, "Org1MSP"), org.Trusted());
  bad.Answer(500, "chaincode failed: asset1 does not exist", "");
  auto good_client = ConnectEndorser(good.address());
  auto bad_client = ConnectEndorser(bad.address());
  auto proposal = client::CreateSignedProposal(Request(), org.user_signer);
  REQUIRE(proposal.ok());

  SECTION("a response status of 500") {
    // Fabric's endorser sends a failed chaincode's status without payload or
    // endorsement; the client reports it, naming the peer.
    auto single = bad_client->ProcessProposal(proposal->signed_proposal);
    REQUIRE(single.ok());
    CHECK(single->response().status() == 500);
    CHECK_FALSE(single->has_endorsement());
    const std::vector<const client::EndorserClient*> endorsers = {good_client.get(),
                                                                  bad_client.get()};
    auto responses = client::Endorse(endorsers, proposal->signed_proposal);
    REQUIRE_FALSE(responses.ok());
    CHECK(responses.status().code() == absl::StatusCode::kAborted);
    CHECK(std::string(responses.status().message()) ==
          "endorsement failed on 1 of 2 peers: " + bad.address() +
              ": status 500: chaincode failed: asset1 does not exist");
  }

  SECTION("a signature by someone else than the creator") {
    // Fabric's UnpackedProposal.Validate: "access denied: channel [<ch>] creator
    // org [<msp>]" as the gRPC error of ProcessProposal.
    auto tampered = proposal->signed_proposal;
    auto other = testing::MakeSigner(org.peer0, "Org1MSP").Sign(tampered.proposal_bytes());
    REQUIRE(other.ok());
    tampered.set_signature(*other);
    auto response = good_client->ProcessProposal(tampered);
    REQUIRE_FALSE(response.ok());
    CHECK(response.status().code() == absl::StatusCode::kUnknown);
    CHECK(std::string(response.status().message()) ==
          "endorser " + good.address() +
              ": access denied: channel [mychannel] creator org [Org1MSP]");
    REQUIRE(good.calls().size() == 1);
    CHECK(good.calls()[0].refusal == "access denied: channel [mychannel] creator org [Org1MSP]");
  }

  SECTION("a creator from an unknown MSP") {
    auto stranger = testing::MakeSigner(org.user, "Org2MSP");
    auto foreign = client::CreateSignedProposal(Request(), stranger);
    REQUIRE(foreign.ok());
    auto response = good_client->ProcessProposal(foreign->signed_proposal);
    REQUIRE_FALSE(response.ok());
    CHECK_THAT(std::string(response.status().message()),
               Catch::EndsWith("access denied: channel [mychannel] creator org unknown, creator "
                               "is malformed"));
  }

  SECTION("an unreachable peer") {
    // A port nobody listens on: the fake's, after it stopped.
    std::string address;
    {
      testing::FakeEndorser gone(testing::MakeSigner(org.peer0, "Org1MSP"), org.Trusted());
      address = gone.address();
    }
    auto gone_client = ConnectEndorser(address);
    const std::vector<const client::EndorserClient*> endorsers = {gone_client.get()};
    auto responses = client::Endorse(endorsers, proposal->signed_proposal);
    REQUIRE_FALSE(responses.ok());
    CHECK(responses.status().code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(std::string(responses.status().message()),
               Catch::StartsWith("endorsement failed on 1 of 1 peers: " + address + ": endorser " +
                                 address + ": "));
  }
}

TEST_CASE("over mutual TLS the proposal is bound to the client certificate", "[client-sdk]") {
  Org org;
  auto server_cert = testing::IssueLeaf(org.ca, "peer0.org1.example.com", {}, {"127.0.0.1"});
  auto client_cert = testing::IssueLeaf(org.ca, "User1-tls", {}, {});
  settings::GrpcServerSettings server;
  server.listen_address = "127.0.0.1:0";
  server.tls.enabled = true;
  server.tls.client_auth_required = true;
  server.tls.certificate_pem = server_cert.CertPem();
  server.tls.private_key_pem = server_cert.KeyPem();
  server.tls.client_root_ca_pems = {org.ca.CertPem()};
  testing::FakeEndorser peer(testing::MakeSigner(org.peer0, "Org1MSP"), org.Trusted(), server);

  settings::GrpcClientSettings tls_client;
  tls_client.tls.enabled = true;
  tls_client.tls.root_ca_pems = {org.ca.CertPem()};
  tls_client.tls.certificate_pem = client_cert.CertPem();
  tls_client.tls.private_key_pem = client_cert.KeyPem();
  auto hash = client::ClientTlsCertHash(tls_client.tls);
  REQUIRE(hash.ok());
  client::ProposalRequest request = Request();
  request.tls_cert_hash = *hash;
  auto proposal = client::CreateSignedProposal(request, org.user_signer);
  REQUIRE(proposal.ok());

  auto endorser = ConnectEndorser(peer.address(), tls_client);
  auto response = endorser->ProcessProposal(proposal->signed_proposal);
  REQUIRE(response.ok());
  CHECK(response->response().status() == 200);
  const auto calls = peer.calls();
  REQUIRE(calls.size() == 1);
  CHECK_FALSE(calls[0].client_cert_hash.empty());
  CHECK(calls[0].tls_cert_hash == calls[0].client_cert_hash);

  // Without a client certificate the server refuses the handshake.
  settings::GrpcClientSettings anonymous;
  anonymous.tls.enabled = true;
  anonymous.tls.root_ca_pems = {org.ca.CertPem()};
  auto refused = ConnectEndorser(peer.address(), anonymous)
                     ->ProcessProposal(proposal->signed_proposal, std::chrono::seconds(5));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
}

namespace {

// A scripted protos.Deliver: records each seek envelope, then sends `blocks`
// (full or filtered as the method asks, or `wrong_kind` of the other kind) and
// `final_status`.
class FakeDeliver final : public ::protos::Deliver::Service {
 public:
  uint64_t blocks = 3;
  ::common::Status final_status = ::common::SUCCESS;
  bool wrong_kind = false;

  ::grpc::Status Deliver(
      ::grpc::ServerContext* context,
      ::grpc::ServerReaderWriter<::protos::DeliverResponse, ::common::Envelope>* stream) override {
    return Serve(stream, false);
  }
  ::grpc::Status DeliverFiltered(
      ::grpc::ServerContext* context,
      ::grpc::ServerReaderWriter<::protos::DeliverResponse, ::common::Envelope>* stream) override {
    return Serve(stream, true);
  }

  std::vector<::common::Envelope> seeks() const {
    std::lock_guard lock(mu_);
    return seeks_;
  }

 private:
  ::grpc::Status Serve(
      ::grpc::ServerReaderWriter<::protos::DeliverResponse, ::common::Envelope>* stream,
      bool filtered) {
    ::common::Envelope seek;
    if (!stream->Read(&seek)) return ::grpc::Status::OK;
    {
      std::lock_guard lock(mu_);
      seeks_.push_back(seek);
    }
    for (uint64_t n = 0; n < blocks; ++n) {
      ::protos::DeliverResponse response;
      if (filtered != wrong_kind) {
        auto* block = response.mutable_filtered_block();
        block->set_channel_id("mychannel");
        block->set_number(n);
      } else {
        response.mutable_block()->mutable_header()->set_number(n);
      }
      if (!stream->Write(response)) return ::grpc::Status::OK;
    }
    ::protos::DeliverResponse status;
    status.set_status(final_status);
    stream->Write(status);
    return ::grpc::Status::OK;
  }

  mutable std::mutex mu_;
  std::vector<::common::Envelope> seeks_;
};

struct DeliverServer {
  FakeDeliver service;
  weft::common::grpc::BuiltServer built;
  std::unique_ptr<client::PeerDeliverClient> client;

  DeliverServer() {
    auto started =
        weft::common::grpc::BuildServer(settings::GrpcServerAt("127.0.0.1:0"), {&service});
    REQUIRE(started.ok());
    built = *std::move(started);
    auto connected =
        client::PeerDeliverClient::Connect("127.0.0.1:" + std::to_string(built.port), {});
    REQUIRE(connected.ok());
    client = *std::move(connected);
  }
  ~DeliverServer() { built.server->Shutdown(); }
};

}  // namespace

TEST_CASE("the peer deliver client streams blocks and filtered blocks to the final status",
          "[client-sdk]") {
  Org org;
  DeliverServer server;
  const auto seek_info =
      protoutil::MakeSeekInfo(protoutil::SeekSpecified(0), protoutil::SeekSpecified(2));
  auto seek =
      client::CreateSeekEnvelope("mychannel", seek_info, org.user_signer, std::string(32, '\x01'));
  REQUIRE(seek.ok());

  // The seek request is Fabric's signed DELIVER_SEEK_INFO envelope.
  auto opened = protoutil::OpenEnvelope(*seek);
  REQUIRE(opened.ok());
  CHECK(opened->channel_header.type() == ::common::DELIVER_SEEK_INFO);
  CHECK(opened->channel_header.channel_id() == "mychannel");
  CHECK(opened->channel_header.tls_cert_hash() == std::string(32, '\x01'));
  CHECK(opened->creator() == org.user_signer.SerializedIdentity());
  ::orderer::SeekInfo parsed;
  REQUIRE(parsed.ParseFromString(opened->data()));
  CHECK(parsed.start().specified().number() == 0);
  CHECK(parsed.stop().specified().number() == 2);
  auto key = org.user.cert.public_key();
  REQUIRE(key.ok());
  CHECK(key->Verify(seek->payload(), seek->signature()).ok());

  std::vector<uint64_t> numbers;
  auto status = server.client->Deliver(*seek, [&](const ::common::Block& block) {
    numbers.push_back(block.header().number());
    return true;
  });
  REQUIRE(status.ok());
  CHECK(*status == ::common::SUCCESS);
  CHECK(numbers == std::vector<uint64_t>{0, 1, 2});
  REQUIRE(server.service.seeks().size() == 1);
  CHECK(server.service.seeks()[0].SerializeAsString() == seek->SerializeAsString());

  numbers.clear();
  status = server.client->DeliverFiltered(*seek, [&](const ::protos::FilteredBlock& block) {
    numbers.push_back(block.number());
    return true;
  });
  REQUIRE(status.ok());
  CHECK(*status == ::common::SUCCESS);
  CHECK(numbers == std::vector<uint64_t>{0, 1, 2});

  SECTION("the callback stops the stream") {
    numbers.clear();
    status = server.client->Deliver(*seek, [&](const ::common::Block& block) {
      numbers.push_back(block.header().number());
      return numbers.size() < 2;
    });
    REQUIRE(status.ok());
    CHECK(numbers == std::vector<uint64_t>{0, 1});
  }
  SECTION("the peer's failure status comes back") {
    server.service.blocks = 0;
    server.service.final_status = ::common::FORBIDDEN;
    status = server.client->Deliver(*seek, [&](const ::common::Block&) { return true; });
    REQUIRE(status.ok());
    CHECK(*status == ::common::FORBIDDEN);
  }
  SECTION("a response of the other kind is an error naming the peer") {
    server.service.wrong_kind = true;
    status =
        server.client->DeliverFiltered(*seek, [&](const ::protos::FilteredBlock&) { return true; });
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(std::string(status.status().message()),
               Catch::StartsWith("filtered deliver from peer " + server.client->address()));
  }
}

namespace {

// An AtomicBroadcast that answers every broadcast envelope with `status` and
// records what it got; a silent one records and answers nothing until the client
// gives up (a hung orderer).
class FakeOrderer final : public ::orderer::AtomicBroadcast::Service {
 public:
  explicit FakeOrderer(::common::Status status, bool silent = false)
      : status_(status), silent_(silent) {
    auto started = weft::common::grpc::BuildServer(settings::GrpcServerAt("127.0.0.1:0"), {this});
    if (!started.ok()) throw std::runtime_error("fake orderer: " + started.status().ToString());
    built_ = *std::move(started);
  }
  ~FakeOrderer() override { built_.server->Shutdown(); }

  std::string address() const { return "127.0.0.1:" + std::to_string(built_.port); }

  ::grpc::Status Broadcast(::grpc::ServerContext* context,
                           ::grpc::ServerReaderWriter<::orderer::BroadcastResponse,
                                                      ::common::Envelope>* stream) override {
    ::common::Envelope envelope;
    while (stream->Read(&envelope)) {
      {
        std::lock_guard lock(mu_);
        received_.push_back(envelope);
      }
      if (silent_) {
        // Bounded by the hang guard so a client without a deadline cannot hang the test.
        (void)weft::testing::WaitUntil([&] { return context->IsCancelled(); });
        return ::grpc::Status::CANCELLED;
      }
      ::orderer::BroadcastResponse response;
      response.set_status(status_);
      response.set_info("fake info");
      if (!stream->Write(response)) break;
    }
    return ::grpc::Status::OK;
  }

  std::vector<::common::Envelope> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  const ::common::Status status_;
  const bool silent_;
  weft::common::grpc::BuiltServer built_;
  mutable std::mutex mu_;
  std::vector<::common::Envelope> received_;
};

}  // namespace

TEST_CASE("the broadcast client follows the gateway's failover rules", "[client-sdk]") {
  Org org;
  auto envelope =
      protoutil::CreateSignedEnvelope(::common::MESSAGE, "mychannel", org.user_signer, "data");
  REQUIRE(envelope.ok());
  // Fabric's gateway Submit (internal/pkg/gateway/submit.go): a 5xx answer moves on.
  FakeOrderer unavailable(::common::SERVICE_UNAVAILABLE);
  FakeOrderer ok(::common::SUCCESS);
  FakeOrderer bad_request(::common::BAD_REQUEST);

  SECTION("past a 5xx answer to a SUCCESS") {
    auto broadcast = client::BroadcastClient::Connect({unavailable.address(), ok.address()}, {});
    REQUIRE(broadcast.ok());
    CHECK((*broadcast)->Submit(*envelope).ok());
    REQUIRE(unavailable.received().size() == 1);
    REQUIRE(ok.received().size() == 1);
    CHECK(ok.received()[0].SerializeAsString() == envelope->SerializeAsString());
  }
  SECTION("a 4xx answer ends it") {
    auto broadcast = client::BroadcastClient::Connect({bad_request.address(), ok.address()}, {});
    REQUIRE(broadcast.ok());
    const auto submitted = (*broadcast)->Submit(*envelope);
    CHECK(submitted.code() == absl::StatusCode::kAborted);
    CHECK(std::string(submitted.message()) ==
          "received unsuccessful response from orderer: status=BAD_REQUEST, info=fake info");
    CHECK(ok.received().empty());
  }
  SECTION("every orderer answered 5xx") {
    auto broadcast = client::BroadcastClient::Connect({unavailable.address()}, {});
    REQUIRE(broadcast.ok());
    const auto submitted = (*broadcast)->Submit(*envelope);
    CHECK(submitted.code() == absl::StatusCode::kUnavailable);
    CHECK(std::string(submitted.message()) ==
          "no orderers could successfully process transaction: " + unavailable.address() +
              ": status=SERVICE_UNAVAILABLE, info=fake info");
  }
  SECTION("the single-envelope Submit returns the answer") {
    auto orderer = client::OrdererClient::Connect(bad_request.address(), {});
    REQUIRE(orderer.ok());
    auto response = (*orderer)->Submit(*envelope);
    REQUIRE(response.ok());
    CHECK(response->status() == ::common::BAD_REQUEST);
    CHECK(response->info() == "fake info");
  }
  CHECK(client::BroadcastClient::Connect({}, {}).status().message() ==
        "no orderer endpoints given");
}

TEST_CASE("a broadcast to an orderer that never answers ends at its timeout", "[client-sdk]") {
  // The gateway's per-orderer broadcastTimeout (Fabric internal/pkg/gateway/submit.go:
  // context.WithTimeout(ctx, BroadcastTimeout) around each orderer's Broadcast).
  Org org;
  auto envelope =
      protoutil::CreateSignedEnvelope(::common::MESSAGE, "mychannel", org.user_signer, "data");
  REQUIRE(envelope.ok());
  FakeOrderer hung(::common::SUCCESS, /*silent=*/true);
  auto orderer = client::OrdererClient::Connect(hung.address(), {});
  REQUIRE(orderer.ok());
  const auto response = (*orderer)->Submit(*envelope, std::chrono::milliseconds(300));
  CHECK(response.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(weft::testing::WaitUntil([&] { return hung.received().size() == 1; }));
}
