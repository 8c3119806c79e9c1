// The orderer as a real process on 127.0.0.1 with a private network (identities
// from cryptogen, a genesis block from configtxgen, channel join through osnadmin):
// restart and channel removal, and settings of its own (the admin endpoint's body limit),
// which a shared network cannot go through.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>

#include "client-sdk/orderer_client.h"
#include "tests/integration/orderer/orderer_test_util.h"
#include "tests/integration/orderer/solo_network.h"

namespace it = weft::testing::orderer_it;

TEST_CASE(
    "An orderer joined by osnadmin keeps its channels across a restart and forgets a removed "
    "one") {
  it::SoloNetwork network;
  it::Endpoints first = network.Start();
  auto joined = network.Osnadmin({"channel", "join", "--channelID", it::kChannel, "--config-block",
                                  it::GenesisPath(network.dir()).string()});
  INFO(joined.output());
  REQUIRE(joined.exit_code == 0);
  CHECK_THAT(joined.output(), Catch::Contains("Status: 201") && Catch::Contains("\"height\": 1"));

  auto user = it::LoadUser(it::UserMsp(network.dir(), "org2"), "Org2MSP");
  {
    auto client = weft::client::OrdererClient::Connect(first.grpc, {});
    REQUIRE(client.ok());
    auto responses =
        (*client)->Broadcast({it::Envelope(user, "before"), it::Envelope(user, "restart")});
    REQUIRE(responses.ok());
    REQUIRE(responses->size() == 2);
    it::DeliverVerified(**client, user, it::GenesisPath(network.dir()), 1);
  }
  REQUIRE(network.Stop() == 0);  // SIGTERM ends the process cleanly

  it::Endpoints second = network.Start();
  CHECK_THAT(network.Osnadmin({"channel", "list", "--channelID", it::kChannel}).output(),
             Catch::Contains("\"height\": 2"));
  auto client = weft::client::OrdererClient::Connect(second.grpc, {});
  REQUIRE(client.ok());
  CHECK(it::BroadcastOne(**client, it::Envelope(user, "after restart")).status() ==
        ::common::SUCCESS);
  auto blocks = it::DeliverVerified(**client, user, it::GenesisPath(network.dir()), 2);
  CHECK(blocks[2].data().data_size() == 1);

  auto removed = network.Osnadmin({"channel", "remove", "--channelID", it::kChannel});
  CHECK_THAT(removed.output(), Catch::Contains("Status: 204"));
  // Fabric 2.5 without a system channel: Broadcast to an unknown channel is BAD_REQUEST.
  CHECK(it::BroadcastOne(**client, it::Envelope(user, "too late")).status() ==
        ::common::BAD_REQUEST);
  auto listed = network.Osnadmin({"channel", "list"});
  CHECK_THAT(listed.output(),
             Catch::Contains("Status: 200") && Catch::Contains("\"channels\": []"));
  auto unknown = network.Osnadmin({"channel", "list", "--channelID", it::kChannel});
  CHECK_THAT(unknown.output(), Catch::Contains("Status: 404"));
  CHECK(network.Stop() == 0);
}

TEST_CASE("The admin endpoint refuses a body above ChannelParticipation.MaxRequestBodySize") {
  it::SoloNetwork network;
  constexpr size_t kLimit = 64 * 1024;
  it::Endpoints endpoints =
      network.Start({{"ORDERER_CHANNELPARTICIPATION_MAXREQUESTBODYSIZE", "64 KB"}});
  const std::string genesis = it::ReadFile(it::GenesisPath(network.dir()));
  REQUIRE(genesis.size() + 1024 < kLimit);  // the form around the block fits as well

  httplib::Client admin("http://" + endpoints.admin);
  auto too_large =
      admin.Post("/participation/v1/channels",
                 httplib::MultipartFormDataItems{{"config-block", std::string(kLimit + 1, 'x'),
                                                  "big.block", "application/octet-stream"}});
  REQUIRE(too_large);
  CHECK(too_large->status == 413);
  CHECK(too_large->get_header_value("Content-Type") == "application/json");
  CHECK_THAT(too_large->body,
             Catch::StartsWith("{\"error\":") && Catch::Contains("larger than 65536 bytes"));

  auto joined =
      admin.Post("/participation/v1/channels",
                 httplib::MultipartFormDataItems{
                     {"config-block", genesis, "genesis.block", "application/octet-stream"}});
  REQUIRE(joined);
  INFO(joined->body);
  CHECK(joined->status == 201);
  CHECK(network.Stop() == 0);
}
