#include "orderer/broadcast/broadcast_handler.h"

#include <catch2/catch.hpp>

#include "common/configtx/update.h"
#include "common/metrics/metrics.h"
#include "tests/support/orderer_fixture.h"

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

TEST_CASE("Broadcast answers NOT_FOUND for a channel the orderer has not joined") {
  BroadcastFixture fixture;
  CHECK(
      fixture.Send(OrdererFixture::Transaction("otherchannel", fixture.network.client)).status() ==
      ::common::NOT_FOUND);
}

TEST_CASE("Broadcast refuses malformed envelopes and unsupported header types") {
  BroadcastFixture fixture;
  ::common::Envelope garbage;
  garbage.set_payload("\xff\xff not a payload");
  CHECK(fixture.Send(garbage).status() == ::common::BAD_REQUEST);

  ::common::Payload headerless;
  headerless.set_data("data");
  ::common::Envelope no_header;
  no_header.set_payload(headerless.SerializeAsString());
  CHECK(fixture.Send(no_header).status() == ::common::BAD_REQUEST);

  auto config = weft::common::protoutil::CreateSignedEnvelope(::common::CONFIG, "mychannel",
                                                              fixture.network.client, "x");
  REQUIRE(config.ok());
  CHECK(fixture.Send(*config).status() == ::common::BAD_REQUEST);
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
  const weft::common::protoutil::Signer* client[] = {&fixture.network.client};
  auto unsigned_update = weft::common::configtx::CreateSignedConfigUpdateEnvelope(
      *update, client, fixture.network.client);
  REQUIRE(unsigned_update.ok());
  CHECK(fixture.Send(*unsigned_update).status() == ::common::FORBIDDEN);

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
