// The channel participation API's request/response logic (Fabric's
// orderer/common/channelparticipation): status codes and JSON bodies for list,
// show, join and remove, over a real registrar with the solo consenter.
#include "orderer/participation/participation_api.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/orderer_fixture.h"

namespace {

using weft::orderer::participation::ParticipationApi;
using weft::orderer::participation::Response;
using weft::testing::OrdererFixture;

nlohmann::json Json(const Response& response) {
  INFO(response.body);
  auto parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  REQUIRE_FALSE(parsed.is_discarded());
  return parsed;
}

struct ApiFixture {
  OrdererFixture orderer;
  std::unique_ptr<weft::orderer::multichannel::Registrar> registrar = orderer.NewRegistrar();
  ParticipationApi api{*registrar};

  ApiFixture() { REQUIRE(registrar->Initialize().ok()); }

  std::string GenesisBytes(const std::string& channel) const {
    return orderer.network.Genesis(channel).SerializeAsString();
  }
};

}  // namespace

TEST_CASE("Participation lists no channels and no system channel on a fresh orderer") {
  ApiFixture fixture;
  const Response listed = fixture.api.ListChannels();
  CHECK(listed.status == 200);
  const auto body = Json(listed);
  CHECK(body["systemChannel"].is_null());
  CHECK(body["channels"] == nlohmann::json::array());
}

TEST_CASE("Joining with a genesis block answers 201 with the channel's info") {
  ApiFixture fixture;
  const Response joined = fixture.api.JoinChannel(fixture.GenesisBytes("mychannel"));
  CHECK(joined.status == 201);
  const auto body = Json(joined);
  CHECK(body["name"] == "mychannel");
  CHECK(body["url"] == "/participation/v1/channels/mychannel");
  CHECK(body["consensusRelation"] == "consenter");
  CHECK(body["status"] == "active");
  CHECK(body["height"] == 1);

  const auto listed = Json(fixture.api.ListChannels());
  CHECK(listed["channels"] ==
        nlohmann::json::parse(
            R"([{"name":"mychannel","url":"/participation/v1/channels/mychannel"}])"));
  const Response shown = fixture.api.GetChannel("mychannel");
  CHECK(shown.status == 200);
  CHECK(Json(shown) == body);
}

TEST_CASE("Joining a channel twice is a 409 conflict") {
  ApiFixture fixture;
  REQUIRE(fixture.api.JoinChannel(fixture.GenesisBytes("mychannel")).status == 201);
  const Response again = fixture.api.JoinChannel(fixture.GenesisBytes("mychannel"));
  CHECK(again.status == 409);
  CHECK(Json(again).contains("error"));
}

TEST_CASE("A join without a usable config block is a 400 naming the problem") {
  ApiFixture fixture;
  const Response missing = fixture.api.JoinChannel("");
  CHECK(missing.status == 400);
  CHECK(Json(missing)["error"] == "request has no config-block file");

  const Response garbage = fixture.api.JoinChannel(
      "\x0a\x05"
      "ab");
  CHECK(garbage.status == 400);
  CHECK(Json(garbage)["error"] == "config-block is not a valid common.Block");

  // A block that parses but is not a config block.
  ::common::Block not_config;
  not_config.mutable_header()->set_number(0);
  not_config.mutable_data()->add_data("not an envelope");
  const Response refused = fixture.api.JoinChannel(not_config.SerializeAsString());
  CHECK(refused.status == 400);
  CHECK_FALSE(Json(refused)["error"].get<std::string>().empty());
  CHECK(Json(fixture.api.ListChannels())["channels"].empty());
}

TEST_CASE("Showing or removing an unknown channel is a 404") {
  ApiFixture fixture;
  const Response shown = fixture.api.GetChannel("nosuchchannel");
  CHECK(shown.status == 404);
  CHECK(Json(shown).contains("error"));
  const Response removed = fixture.api.RemoveChannel("nosuchchannel");
  CHECK(removed.status == 404);
  CHECK(Json(removed).contains("error"));
}

TEST_CASE("Removing a joined channel answers 204 with no body and forgets it") {
  ApiFixture fixture;
  REQUIRE(fixture.api.JoinChannel(fixture.GenesisBytes("mychannel")).status == 201);
  const Response removed = fixture.api.RemoveChannel("mychannel");
  CHECK(removed.status == 204);
  CHECK(removed.body.empty());
  CHECK(fixture.api.GetChannel("mychannel").status == 404);
  CHECK(Json(fixture.api.ListChannels())["channels"].empty());
}

TEST_CASE("Methods the API does not offer are a 405 naming the allowed ones") {
  const Response response = ParticipationApi::MethodNotAllowed("GET, POST");
  CHECK(response.status == 405);
  CHECK(Json(response)["error"] == "method not allowed; allowed: GET, POST");
  CHECK(Json(ParticipationApi::Error(400, "bad \"input\""))["error"] == "bad \"input\"");
}
