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
  // Fabric's registrar lists no channels as a nil slice, JSON null.
  CHECK_THAT(listed.output(),
             Catch::Contains("Status: 200") && Catch::Contains("\"channels\": null"));
  auto unknown = network.Osnadmin({"channel", "list", "--channelID", it::kChannel});
  CHECK_THAT(unknown.output(), Catch::Contains("Status: 404"));
  CHECK(network.Stop() == 0);
}

TEST_CASE("The admin endpoint answers as Fabric's channel participation API, body limit included") {
  // Statuses, headers and texts from Fabric 2.5 orderer/common/channelparticipation/restapi.go.
  it::SoloNetwork network;
  constexpr size_t kLimit = 64 * 1024;
  it::Endpoints endpoints =
      network.Start({{"ORDERER_CHANNELPARTICIPATION_MAXREQUESTBODYSIZE", "64 KB"}});
  const std::string genesis = it::ReadFile(it::GenesisPath(network.dir()));
  REQUIRE(genesis.size() + 1024 < kLimit);  // the form around the block fits as well
  const httplib::MultipartFormDataItems join_form{
      {"config-block", genesis, "genesis.block", "application/octet-stream"}};
  const std::string channel_url = std::string("/participation/v1/channels/") + it::kChannel;

  httplib::Client admin("http://" + endpoints.admin);
  // A body above the limit is refused before the form is read; Fabric's MaxBytesReader
  // error is answered with 400 "cannot read form from request body: ...".
  auto too_large =
      admin.Post("/participation/v1/channels",
                 httplib::MultipartFormDataItems{{"config-block", std::string(kLimit + 1, 'x'),
                                                  "big.block", "application/octet-stream"}});
  REQUIRE(too_large);
  CHECK(too_large->status == 400);
  CHECK(too_large->get_header_value("Content-Type") == "application/json");
  CHECK_THAT(too_large->body,
             Catch::StartsWith(
                 R"({"error":"cannot read form from request body: http: request body too large)") &&
                 Catch::Contains("65536 bytes"));

  auto not_a_form = admin.Post("/participation/v1/channels", genesis, "text/plain");
  REQUIRE(not_a_form);
  CHECK(not_a_form->status == 400);
  CHECK(not_a_form->body == R"({"error":"unsupported Content-Type: [text/plain]"})");

  httplib::MultipartFormDataItems two_parts = join_form;
  two_parts.push_back({"not-wanted", "something", "", ""});
  auto too_many = admin.Post("/participation/v1/channels", two_parts);
  REQUIRE(too_many);
  CHECK(too_many->status == 400);
  CHECK(too_many->body == R"({"error":"form contains too many parts"})");

  auto joined = admin.Post("/participation/v1/channels", join_form);
  REQUIRE(joined);
  INFO(joined->body);
  CHECK(joined->status == 201);
  CHECK(joined->get_header_value("Location") == channel_url);
  CHECK(joined->get_header_value("Content-Type") == "application/json");
  CHECK_THAT(joined->body, Catch::Contains(R"("consensusRelation":"other","status":"active")"));

  auto again = admin.Post("/participation/v1/channels", join_form);
  REQUIRE(again);
  CHECK(again->status == 405);
  CHECK(again->get_header_value("Allow") == "GET, DELETE");
  CHECK(again->body == R"({"error":"cannot join: channel already exists"})");

  auto shown = admin.Get(channel_url);
  REQUIRE(shown);
  CHECK(shown->status == 200);
  CHECK(shown->get_header_value("Cache-Control") == "no-store");
  auto html_only = admin.Get(channel_url, {{"Accept", "text/html"}});
  REQUIRE(html_only);
  CHECK(html_only->status == 406);
  CHECK(html_only->body == R"({"error":"response Content-Type is application/json only"})");
  auto bad_name = admin.Get("/participation/v1/channels/Oops");
  REQUIRE(bad_name);
  CHECK(bad_name->status == 400);
  CHECK(bad_name->body == R"({"error":"invalid channel ID: 'Oops' contains illegal characters"})");

  auto put = admin.Put("/participation/v1/channels", "", "application/json");
  REQUIRE(put);
  CHECK(put->status == 405);
  CHECK(put->get_header_value("Allow") == "GET, POST");
  CHECK(put->body == R"({"error":"invalid request method: PUT"})");
  auto delete_all = admin.Delete("/participation/v1/channels");
  REQUIRE(delete_all);
  CHECK(delete_all->status == 405);
  CHECK(delete_all->get_header_value("Allow") == "GET, POST");
  auto post_one = admin.Post(channel_url, join_form);
  REQUIRE(post_one);
  CHECK(post_one->status == 405);
  CHECK(post_one->get_header_value("Allow") == "GET, DELETE");
  CHECK(post_one->body == R"({"error":"invalid request method: POST"})");

  auto base = admin.Get("/participation/v1/");
  REQUIRE(base);
  CHECK(base->status == 302);
  CHECK(base->get_header_value("Location") == "/participation/v1/channels");
  CHECK(network.Stop() == 0);
}
