// The client layer end to end against the shared solo orderer network (CTest
// fixture orderer_solo_network, started by integration:orderer-network-up): a
// cryptogen user signs a proposal, fake endorsers signing with cryptogen's peer
// identities check and endorse it, the transaction built from their responses is
// broadcast (failing over from a dead orderer endpoint) and read back with Deliver.
// Tests only add transactions and look for their own, so they may run in any order.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"
#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "client-sdk/transaction_builder.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/transaction.h"
#include "msp/local_msp.h"
#include "tests/integration/orderer/solo_network.h"
#include "tests/support/child_process.h"
#include "tests/support/fake_endorser.h"

namespace {

namespace client = weft::client;
namespace it = weft::testing::orderer_it;
namespace protoutil = weft::common::protoutil;

weft::msp::SigningIdentity Load(const std::filesystem::path& msp_dir, const std::string& msp_id) {
  auto signer = client::LoadSigner(msp_dir, msp_id);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  return *std::move(signer);
}

std::filesystem::path PeerMsp(const std::filesystem::path& dir, const std::string& org) {
  const std::string domain = org + ".example.com";
  return dir / "crypto-config/peerOrganizations" / domain / "peers" / ("peer0." + domain) / "msp";
}

weft::common::crypto::Certificate OrgCa(const std::filesystem::path& dir, const std::string& org,
                                        const std::string& msp_id) {
  auto config = weft::msp::LoadMspConfig(
      dir / "crypto-config/peerOrganizations" / (org + ".example.com") / "msp", msp_id);
  REQUIRE(config.ok());
  REQUIRE_FALSE(config->root_certs.empty());
  return config->root_certs.front();
}

// An address on 127.0.0.1 where nothing listens.
std::string DeadEndpoint() { return "127.0.0.1:" + std::to_string(weft::testing::FreePort()); }

struct Fixture {
  it::SharedNetwork network = it::SharedNetwork::Load(WEFT_ORDERER_NETWORK_STATE);
  weft::msp::SigningIdentity user = Load(it::UserMsp(network.dir, "org1"), "Org1MSP");
  std::map<std::string, weft::common::crypto::Certificate> trusted = {
      {"Org1MSP", OrgCa(network.dir, "org1", "Org1MSP")},
      {"Org2MSP", OrgCa(network.dir, "org2", "Org2MSP")}};
  weft::testing::FakeEndorser peer1{Load(PeerMsp(network.dir, "org1"), "Org1MSP"), trusted};
  weft::testing::FakeEndorser peer2{Load(PeerMsp(network.dir, "org2"), "Org2MSP"), trusted};

  // A transaction endorsed by both organisations' peers.
  std::pair<::common::Envelope, std::string> EndorsedTransaction(const std::string& channel) {
    client::ProposalRequest request;
    request.channel_id = channel;
    request.chaincode_name = "basic";
    request.function = "CreateAsset";
    request.args = {"asset-" + std::to_string(weft::testing::FreePort()), "blue"};
    auto proposal = client::CreateSignedProposal(request, user);
    REQUIRE(proposal.ok());
    auto endorser1 = client::EndorserClient::Connect(peer1.address(), {});
    auto endorser2 = client::EndorserClient::Connect(peer2.address(), {});
    REQUIRE(endorser1.ok());
    REQUIRE(endorser2.ok());
    const std::vector<const client::EndorserClient*> endorsers = {endorser1->get(),
                                                                  endorser2->get()};
    auto responses = client::Endorse(endorsers, proposal->signed_proposal);
    INFO(responses.status().ToString());
    REQUIRE(responses.ok());
    auto envelope = client::CreateSignedTransaction(proposal->proposal, *responses, user);
    REQUIRE(envelope.ok());
    return {*envelope, proposal->tx_id};
  }
};

}  // namespace

TEST_CASE("a transaction built with the client layer is ordered and delivered", "[client-sdk]") {
  Fixture fixture;
  auto [envelope, tx_id] = fixture.EndorsedTransaction(it::kChannel);
  for (auto* peer : {&fixture.peer1, &fixture.peer2}) {
    REQUIRE(peer->calls().size() == 1);
    CHECK(peer->calls()[0].refusal.empty());
  }

  // The first endpoint is dead: the gateway's rule moves on to the next orderer.
  auto broadcast =
      client::BroadcastClient::Connect({DeadEndpoint(), fixture.network.endpoints.grpc}, {});
  REQUIRE(broadcast.ok());
  const auto submitted = (*broadcast)->Submit(envelope);
  INFO(submitted.ToString());
  REQUIRE(submitted.ok());

  // Read the channel from its start until our transaction shows up; blocks are
  // awaited (the orderer cuts the batch after its timeout).
  auto orderer = client::OrdererClient::Connect(fixture.network.endpoints.grpc, {});
  REQUIRE(orderer.ok());
  std::optional<::common::Envelope> found;
  uint64_t found_in = 0;
  auto status =
      (*orderer)->Deliver(it::kChannel, 0, std::numeric_limits<uint64_t>::max(), fixture.user, true,
                          [&](const ::common::Block& block) {
                            for (const std::string& data : block.data().data()) {
                              auto opened = protoutil::OpenEnvelope(std::string_view(data));
                              if (opened.ok() && opened->channel_header.tx_id() == tx_id) {
                                found = opened->envelope;
                                found_in = block.header().number();
                                return false;
                              }
                            }
                            return true;
                          });
  REQUIRE(status.ok());
  REQUIRE(found.has_value());
  CHECK(found_in > 0);
  // The orderer carries the envelope unchanged: payload and signature.
  CHECK(found->payload() == envelope.payload());
  CHECK(found->signature() == envelope.signature());
  auto opened = protoutil::OpenEnvelope(*found);
  REQUIRE(opened.ok());
  CHECK(opened->channel_header.type() == ::common::ENDORSER_TRANSACTION);
  auto transaction = protoutil::OpenEndorserTransaction(opened->data());
  REQUIRE(transaction.ok());
  CHECK(transaction->endorsed_action().endorsements_size() == 2);
  CHECK(transaction->invocation_spec.chaincode_spec().input().args(0) == "CreateAsset");
}

TEST_CASE("the broadcast client stops at a client error and reports every failed orderer",
          "[client-sdk]") {
  Fixture fixture;
  SECTION("a 4xx answer is not retried") {
    // The orderer refuses a channel it does not have: BAD_REQUEST (Fabric's
    // broadcast.go Handler.ProcessMessage) with registrar.go
    // BroadcastChannelSupport's message. Gateway Submit then fails at once with
    // Aborted, so the dead endpoint after it is never tried.
    auto [envelope, tx_id] = fixture.EndorsedTransaction("nosuchchannel");
    auto broadcast =
        client::BroadcastClient::Connect({fixture.network.endpoints.grpc, DeadEndpoint()}, {});
    REQUIRE(broadcast.ok());
    const auto submitted = (*broadcast)->Submit(envelope);
    INFO(submitted.ToString());
    CHECK(submitted.code() == absl::StatusCode::kAborted);
    CHECK_THAT(std::string(submitted.message()),
               Catch::Equals("received unsuccessful response from orderer: status=BAD_REQUEST, "
                             "info=channel creation request not allowed because the orderer "
                             "system channel is not defined"));
  }
  SECTION("no orderer answers") {
    auto [envelope, tx_id] = fixture.EndorsedTransaction(it::kChannel);
    const std::string dead1 = DeadEndpoint();
    const std::string dead2 = DeadEndpoint();
    auto broadcast = client::BroadcastClient::Connect({dead1, dead2}, {});
    REQUIRE(broadcast.ok());
    const auto submitted = (*broadcast)->Submit(envelope);
    CHECK(submitted.code() == absl::StatusCode::kUnavailable);
    const std::string message(submitted.message());
    CHECK_THAT(message, Catch::StartsWith(
                            "no orderers could successfully process transaction: " + dead1 + ": "));
    CHECK_THAT(message, Catch::Contains("; " + dead2 + ": "));
  }
}
