#include "orderer/broadcast/broadcast_handler.h"

#include <catch2/catch.hpp>

#include "common/channelconfig/config_builder.h"
#include "common/configtx/update.h"
#include "common/metrics/metrics.h"
#include "orderer/configuration.pb.h"
#include "tests/support/orderer_fixture.h"
#include "tests/support/test_orgs.h"

using weft::orderer::broadcast::BroadcastHandler;
using weft::testing::OrdererFixture;
using weft::testing::WaitForBlock;

namespace {

struct BroadcastFixture : OrdererFixture {
  weft::common::metrics::MetricsRegistry metrics;
  std::unique_ptr<weft::orderer::multichannel::Registrar> registrar;
  std::unique_ptr<BroadcastHandler> handler;

  BroadcastFixture() {
    network.batch_size = {1, 64 * 1024, 32 * 1024};
    registrar = NewRegistrar();
    REQUIRE(registrar->Initialize().ok());
    REQUIRE(registrar->JoinChannel(network.Genesis("mychannel")).ok());
    handler = std::make_unique<BroadcastHandler>(*registrar, &metrics);
  }

  ::orderer::BroadcastResponse Send(const ::common::Envelope& envelope) {
    auto response = handler->Handle(envelope);
    CHECK_FALSE(response.info().empty());
    UNSCOPED_INFO("broadcast info: " << response.info());
    return response;
  }
};

}  // namespace

TEST_CASE("Broadcast accepts a well-signed transaction from a writer and orders it") {
  BroadcastFixture fixture;
  auto envelope = OrdererFixture::Transaction("mychannel", fixture.network.client);
  CHECK(fixture.Send(envelope).status() == ::common::SUCCESS);
  auto block = WaitForBlock(*fixture.registrar->GetChain("mychannel"), 1);
  REQUIRE(block.data().data_size() == 1);
  CHECK(block.data().data(0) == envelope.SerializeAsString());
  CHECK(fixture.metrics.Expose().find(
            "broadcast_processed_count{channel=\"mychannel\",type=\"ENDORSER_TRANSACTION\","
            "status=\"SUCCESS\"} 1") != std::string::npos);
}

TEST_CASE("Broadcast forbids an envelope whose signature does not verify") {
  BroadcastFixture fixture;
  auto envelope = OrdererFixture::Transaction("mychannel", fixture.network.client);
  auto other = OrdererFixture::Transaction("mychannel", fixture.network.client, "other");
  envelope.set_signature(other.signature());
  CHECK(fixture.Send(envelope).status() == ::common::FORBIDDEN);
}

TEST_CASE("Broadcast forbids creators of unknown MSPs and identities their MSP did not issue") {
  BroadcastFixture fixture;
  CHECK(fixture.Send(OrdererFixture::Transaction("mychannel", fixture.network.stranger)).status() ==
        ::common::FORBIDDEN);
  CHECK(fixture.Send(OrdererFixture::Transaction("mychannel", fixture.network.impostor)).status() ==
        ::common::FORBIDDEN);
}

TEST_CASE("Broadcast forbids a valid member that the Writers policy does not admit") {
  BroadcastFixture fixture;
  auto response = fixture.Send(OrdererFixture::Transaction("mychannel", fixture.network.peer));
  CHECK(response.status() == ::common::FORBIDDEN);
  CHECK(response.info().find("/Channel/Writers") != std::string::npos);
}

TEST_CASE("Broadcast refuses an envelope larger than AbsoluteMaxBytes as a bad request") {
  BroadcastFixture fixture;
  auto response = fixture.Send(
      OrdererFixture::Transaction("mychannel", fixture.network.client, std::string(70000, 'x')));
  CHECK(response.status() == ::common::BAD_REQUEST);
  CHECK(response.info().find("65536") != std::string::npos);
}

// Fabric 2.5's Registrar.BroadcastChannelSupport: an unknown channel would be a
// channel creation request, refused (BAD_REQUEST) when there is no system channel.
TEST_CASE("Broadcast answers BAD_REQUEST for a channel the orderer has not joined") {
  BroadcastFixture fixture;
  auto response = fixture.Send(OrdererFixture::Transaction("otherchannel", fixture.network.client));
  CHECK(response.status() == ::common::BAD_REQUEST);
  CHECK(response.info() ==
        "channel creation request not allowed because the orderer system channel is not "
        "defined");
}

TEST_CASE("Broadcast refuses malformed envelopes and CONFIG / ORDERER_TRANSACTION envelopes") {
  BroadcastFixture fixture;
  ::common::Envelope garbage;
  garbage.set_payload("\xff\xff not a payload");
  CHECK(fixture.Send(garbage).status() == ::common::BAD_REQUEST);

  ::common::Payload headerless;
  headerless.set_data("data");
  ::common::Envelope no_header;
  no_header.set_payload(headerless.SerializeAsString());
  CHECK(fixture.Send(no_header).status() == ::common::BAD_REQUEST);

  // Fabric's ClassifyMsg makes both ConfigMsg, which BroadcastChannelSupport refuses.
  for (auto type : {::common::CONFIG, ::common::ORDERER_TRANSACTION}) {
    auto config = weft::common::protoutil::CreateSignedEnvelope(type, "mychannel",
                                                                fixture.network.orderer, "x");
    REQUIRE(config.ok());
    auto response = fixture.Send(*config);
    CHECK(response.status() == ::common::BAD_REQUEST);
    CHECK(response.info() == "message is of type that cannot be processed directly");
  }
}

// Fabric's ClassifyMsg default: every other header type, numbers without a name
// included, is a normal message and goes through the normal filters.
TEST_CASE("Broadcast orders envelopes of other and unknown header types as normal messages") {
  BroadcastFixture fixture;
  auto unknown = weft::common::protoutil::CreateSignedEnvelope(
      static_cast<::common::HeaderType>(4242), "mychannel", fixture.network.client, "x");
  REQUIRE(unknown.ok());
  CHECK(fixture.Send(*unknown).status() == ::common::SUCCESS);
  WaitForBlock(*fixture.registrar->GetChain("mychannel"), 1);
  // ... and a normal message from a non-writer is still FORBIDDEN.
  auto from_peer = weft::common::protoutil::CreateSignedEnvelope(
      ::common::PEER_ADMIN_OPERATION, "mychannel", fixture.network.peer, "x");
  REQUIRE(from_peer.ok());
  CHECK(fixture.Send(*from_peer).status() == ::common::FORBIDDEN);
}

// Fabric's expirationRejectRule error is not ErrPermissionDenied: BAD_REQUEST.
TEST_CASE("Broadcast refuses an expired creator as a bad request") {
  BroadcastFixture fixture;
  const auto now = std::chrono::system_clock::now();
  auto expired = weft::testing::MakeSigner(
      weft::testing::IssueLeaf(fixture.network.org1_ca, "Expired", {"client"}, {},
                               {now - std::chrono::minutes(30), now - std::chrono::minutes(1)}),
      "Org1MSP");
  auto response = fixture.Send(OrdererFixture::Transaction("mychannel", expired));
  CHECK(response.status() == ::common::BAD_REQUEST);
  CHECK(response.info() == "broadcast client identity expired");
}

// Fabric's ErrMaintenanceMode is SERVICE_UNAVAILABLE (ClassifyError).
TEST_CASE("Broadcast answers SERVICE_UNAVAILABLE to normal messages in maintenance mode") {
  BroadcastFixture fixture;
  ::common::Config config = fixture.network.Config();
  auto& consensus_value =
      (*config.mutable_channel_group()->mutable_groups())["Orderer"].mutable_values()->at(
          "ConsensusType");
  ::orderer::ConsensusType consensus;
  REQUIRE(consensus.ParseFromString(consensus_value.value()));
  consensus.set_state(::orderer::ConsensusType::STATE_MAINTENANCE);
  consensus_value.set_value(consensus.SerializeAsString());
  auto genesis = weft::common::channelconfig::BuildGenesisBlock("maintained", config);
  REQUIRE(genesis.ok());
  REQUIRE(fixture.registrar->JoinChannel(*genesis).ok());
  auto response = fixture.Send(OrdererFixture::Transaction("maintained", fixture.network.client));
  CHECK(response.status() == ::common::SERVICE_UNAVAILABLE);
  CHECK(response.info() == "normal transactions are rejected: maintenance mode");
}

TEST_CASE("Broadcast answers SERVICE_UNAVAILABLE when the chain is halted") {
  BroadcastFixture fixture;
  fixture.registrar->HaltAll();
  CHECK(fixture.Send(OrdererFixture::Transaction("mychannel", fixture.network.client)).status() ==
        ::common::SERVICE_UNAVAILABLE);
}

TEST_CASE("Broadcast orders a config update signed by the required admins") {
  BroadcastFixture fixture;
  const ::common::Config original = fixture.network.Config();
  fixture.network.batch_timeout = "1s";
  auto update =
      weft::common::configtx::ComputeUpdate("mychannel", original, fixture.network.Config());
  REQUIRE(update.ok());

  // Signed by an application client only: the Orderer's Admins policy is not met.
  // Fabric's configtx errors are not ErrPermissionDenied, so this is BAD_REQUEST.
  const weft::common::protoutil::Signer* client[] = {&fixture.network.client};
  auto unsigned_update = weft::common::configtx::CreateSignedConfigUpdateEnvelope(
      *update, client, fixture.network.client);
  REQUIRE(unsigned_update.ok());
  auto refused = fixture.Send(*unsigned_update);
  CHECK(refused.status() == ::common::BAD_REQUEST);
  CHECK(refused.info().rfind("error applying config update to existing channel 'mychannel': ", 0) ==
        0);

  const weft::common::protoutil::Signer* admins[] = {&fixture.network.orderer_admin};
  auto signed_update = weft::common::configtx::CreateSignedConfigUpdateEnvelope(
      *update, admins, fixture.network.orderer_admin);
  REQUIRE(signed_update.ok());
  CHECK(fixture.Send(*signed_update).status() == ::common::SUCCESS);
  WaitForBlock(*fixture.registrar->GetChain("mychannel"), 1);
  auto config = fixture.registrar->GetChain("mychannel")->ChannelConfig();
  CHECK(config->sequence() == 1);
  CHECK(config->orderer()->batch_timeout == std::chrono::seconds(1));
}

TEST_CASE(
    "Broadcast orders a config update adding an application organisation, whose members "
    "may then write") {
  BroadcastFixture fixture;
  auto org2_ca = weft::testing::MakeTestCa("ca.org2.example.com", "Org2");
  auto org2_client =
      weft::testing::MakeSigner(weft::testing::IssueLeaf(org2_ca, "User1", {"client"}), "Org2MSP");
  CHECK(fixture.Send(OrdererFixture::Transaction("mychannel", org2_client)).status() ==
        ::common::FORBIDDEN);

  auto spec = fixture.network.Spec();
  spec.application->organizations.push_back(weft::testing::NodeOuOrg("Org2MSP", org2_ca));
  auto updated = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(updated.ok());
  auto update =
      weft::common::configtx::ComputeUpdate("mychannel", fixture.network.Config(), *updated);
  REQUIRE(update.ok());
  // /Channel/Application/Admins is MAJORITY Admins of its one organisation.
  const weft::common::protoutil::Signer* admins[] = {&fixture.network.admin};
  auto envelope = weft::common::configtx::CreateSignedConfigUpdateEnvelope(*update, admins,
                                                                           fixture.network.admin);
  REQUIRE(envelope.ok());
  CHECK(fixture.Send(*envelope).status() == ::common::SUCCESS);
  WaitForBlock(*fixture.registrar->GetChain("mychannel"), 1);

  auto config = fixture.registrar->GetChain("mychannel")->ChannelConfig();
  CHECK(config->sequence() == 1);
  CHECK(config->application()->organizations.count("Org2MSP") == 1);
  CHECK(fixture.Send(OrdererFixture::Transaction("mychannel", org2_client)).status() ==
        ::common::SUCCESS);
  WaitForBlock(*fixture.registrar->GetChain("mychannel"), 2);
}
