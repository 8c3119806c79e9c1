// The channel participation API's request/response logic over a real registrar with
// the solo consenter. Expected statuses, headers and error texts are Fabric 2.5's
// orderer/common/channelparticipation/restapi.go (and restapi_test.go), with the
// registrar's answers from orderer/common/multichannel/registrar.go and the JSON
// shapes from orderer/common/types/channelinfo.go.
#include "orderer/participation/participation_api.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "tests/support/orderer_fixture.h"

namespace {

using weft::orderer::participation::FormPart;
using weft::orderer::participation::ParticipationApi;
using weft::orderer::participation::Response;
using weft::testing::OrdererFixture;

nlohmann::json Json(const Response& response) {
  INFO(response.body);
  auto parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  REQUIRE_FALSE(parsed.is_discarded());
  return parsed;
}

std::string ErrorOf(const Response& response) {
  const auto body = Json(response);
  REQUIRE(body.size() == 1);
  REQUIRE(body.contains("error"));
  return body["error"].get<std::string>();
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
  // restapi.go serveListAll sets Cache-Control: no-store.
  CHECK(listed.Header("Cache-Control") == "no-store");
  const auto body = Json(listed);
  CHECK(body["systemChannel"].is_null());
  // registrar.go ChannelList leaves Channels a nil slice, which encodes as null.
  CHECK(body.contains("channels"));
  CHECK(body["channels"].is_null());
}

TEST_CASE("Joining with a genesis block answers 201 with the channel's info and its Location") {
  ApiFixture fixture;
  const Response joined = fixture.api.JoinChannel(fixture.GenesisBytes("mychannel"));
  CHECK(joined.status == 201);
  // restapi.go sendResponseCreated sets Location to the channel's URL.
  CHECK(joined.Header("Location") == "/participation/v1/channels/mychannel");
  const auto body = Json(joined);
  CHECK(body["name"] == "mychannel");
  CHECK(body["url"] == "/participation/v1/channels/mychannel");
  // channelinfo.go: non-cluster consensus types (solo, kafka) are "other" and "active".
  CHECK(body["consensusRelation"] == "other");
  CHECK(body["status"] == "active");
  CHECK(body["height"] == 1);
  // types.ChannelInfo's field order.
  CHECK(joined.body == R"({"name":"mychannel","url":"/participation/v1/channels/mychannel",)"
                       R"("consensusRelation":"other","status":"active","height":1})");

  const Response listed = fixture.api.ListChannels();
  CHECK(listed.body == R"({"systemChannel":null,"channels":[)"
                       R"({"name":"mychannel","url":"/participation/v1/channels/mychannel"}]})");
  const Response shown = fixture.api.GetChannel("mychannel");
  CHECK(shown.status == 200);
  CHECK(shown.Header("Cache-Control") == "no-store");
  CHECK(shown.Header("Location").empty());
  CHECK(Json(shown) == body);
}

TEST_CASE("Joining a joined channel is a 405 that allows GET and DELETE") {
  // restapi.go sendJoinError: types.ErrChannelAlreadyExists -> 405, Allow "GET, DELETE",
  // "cannot join: channel already exists".
  ApiFixture fixture;
  REQUIRE(fixture.api.JoinChannel(fixture.GenesisBytes("mychannel")).status == 201);
  const Response again = fixture.api.JoinChannel(fixture.GenesisBytes("mychannel"));
  CHECK(again.status == 405);
  CHECK(again.Header("Allow") == "GET, DELETE");
  CHECK(ErrorOf(again) == "cannot join: channel already exists");
}

TEST_CASE("A join with a block that cannot be joined is a 400 naming the problem") {
  ApiFixture fixture;
  SECTION("bytes that are not a block") {
    const Response garbage = fixture.api.JoinChannel(
        "\x0a\x05"
        "ab");
    CHECK(garbage.status == 400);
    CHECK_THAT(ErrorOf(garbage),
               Catch::StartsWith("cannot unmarshal file part config-block into a block"));
  }
  SECTION("an empty file, as restapi_test's 'invalid join block'") {
    const Response empty = fixture.api.JoinChannel("");
    CHECK(empty.status == 400);
    CHECK(ErrorOf(empty) == "invalid join block: block is not a config block");
  }
  SECTION("a block that is not a config block") {
    ::common::Block not_config;
    not_config.mutable_header()->set_number(0);
    not_config.mutable_data()->add_data("not an envelope");
    const Response refused = fixture.api.JoinChannel(not_config.SerializeAsString());
    CHECK(refused.status == 400);
    CHECK(ErrorOf(refused) == "invalid join block: block is not a config block");
  }
  SECTION("a config block of a channel with an illegal name") {
    // configtx.ValidateChannelID fails while ValidateJoinBlock builds the bundle.
    const Response refused = fixture.api.JoinChannel(fixture.GenesisBytes("My_Channel"));
    CHECK(refused.status == 400);
    CHECK(ErrorOf(refused) ==
          "invalid join block: bad channel ID: 'My_Channel' contains illegal characters");
  }
  SECTION("a config block without an Application group") {
    auto spec = fixture.orderer.network.Spec();
    spec.application.reset();
    auto config = weft::common::channelconfig::BuildConfig(spec);
    REQUIRE(config.ok());
    auto block = weft::common::channelconfig::BuildGenesisBlock("mychannel", *config);
    REQUIRE(block.ok());
    const Response refused = fixture.api.JoinChannel(block->SerializeAsString());
    CHECK(refused.status == 400);
    CHECK(ErrorOf(refused) ==
          "invalid join block: invalid config: must have at least one of application or "
          "consortiums");
  }
  SECTION("a later config block, which the registrar refuses") {
    // sendJoinError's default branch: 400 "cannot join: <registrar error>".
    ::common::Block later = fixture.orderer.network.Genesis("mychannel");
    later.mutable_header()->set_number(5);
    const Response refused = fixture.api.JoinChannel(later.SerializeAsString());
    CHECK(refused.status == 400);
    CHECK_THAT(ErrorOf(refused), Catch::StartsWith("cannot join: "));
  }
  CHECK(Json(fixture.api.ListChannels())["channels"].is_null());
}

TEST_CASE("A join form must hold exactly one part, the config-block file") {
  // restapi.go multipartFormDataBodyToBlock: the "config-block" file must be there, and
  // len(form.File) != 1 || len(form.Value) != 0 is "form contains too many parts".
  ApiFixture fixture;
  const std::string genesis = fixture.GenesisBytes("mychannel");
  const FormPart block_file{"config-block", "genesis.block", genesis};

  const Response no_key = fixture.api.JoinChannelForm({{"bad-key", "genesis.block", genesis}});
  CHECK(no_key.status == 400);
  CHECK(ErrorOf(no_key) == "form does not contains part key: config-block");
  // A config-block part without a file name is a form value, not a file.
  const Response as_value = fixture.api.JoinChannelForm({{"config-block", "", genesis}});
  CHECK(as_value.status == 400);
  CHECK(ErrorOf(as_value) == "form does not contains part key: config-block");

  const Response extra_value =
      fixture.api.JoinChannelForm({block_file, {"not-wanted", "", "something"}});
  CHECK(extra_value.status == 400);
  CHECK(ErrorOf(extra_value) == "form contains too many parts");
  const Response extra_file =
      fixture.api.JoinChannelForm({block_file, {"other-file", "other.block", genesis}});
  CHECK(extra_file.status == 400);
  CHECK(ErrorOf(extra_file) == "form contains too many parts");
  CHECK(Json(fixture.api.ListChannels())["channels"].is_null());

  const Response joined = fixture.api.JoinChannelForm({block_file});
  CHECK(joined.status == 201);
  CHECK(Json(joined)["name"] == "mychannel");
}

TEST_CASE("Showing or removing a channel with an illegal name is a 400") {
  // restapi.go extractChannelID: "invalid channel ID: " + configtx.ValidateChannelID.
  ApiFixture fixture;
  const Response shown = fixture.api.GetChannel("Oops");
  CHECK(shown.status == 400);
  CHECK(ErrorOf(shown) == "invalid channel ID: 'Oops' contains illegal characters");
  const Response removed = fixture.api.RemoveChannel("My-Channel");
  CHECK(removed.status == 400);
  CHECK(ErrorOf(removed) == "invalid channel ID: 'My-Channel' contains illegal characters");
  const Response too_long = fixture.api.GetChannel(std::string(250, 'a'));
  CHECK(too_long.status == 400);
  CHECK(ErrorOf(too_long) == "invalid channel ID: channel ID illegal, cannot be longer than 249");
  CHECK(fixture.api.GetChannel(std::string(249, 'a')).status == 404);
}

TEST_CASE("Showing or removing an unknown channel is a 404") {
  ApiFixture fixture;
  const Response shown = fixture.api.GetChannel("nosuchchannel");
  CHECK(shown.status == 404);
  CHECK(ErrorOf(shown) == "channel does not exist");
  const Response removed = fixture.api.RemoveChannel("nosuchchannel");
  CHECK(removed.status == 404);
  CHECK(ErrorOf(removed) == "cannot remove: channel does not exist");
}

TEST_CASE("Removing a joined channel answers 204 with no body and forgets it") {
  ApiFixture fixture;
  REQUIRE(fixture.api.JoinChannel(fixture.GenesisBytes("mychannel")).status == 201);
  const Response removed = fixture.api.RemoveChannel("mychannel");
  CHECK(removed.status == 204);
  CHECK(removed.body.empty());
  CHECK(fixture.api.GetChannel("mychannel").status == 404);
  CHECK(Json(fixture.api.ListChannels())["channels"].is_null());
}

TEST_CASE("Methods the API does not offer are a 405 with the allowed ones in Allow") {
  // restapi.go serveNotAllowed: "invalid request method: <method>", Allow "GET, DELETE"
  // on one channel and "GET, POST" on the collection.
  const Response on_channels = ParticipationApi::MethodNotAllowed("PUT", false);
  CHECK(on_channels.status == 405);
  CHECK(on_channels.Header("Allow") == "GET, POST");
  CHECK(ErrorOf(on_channels) == "invalid request method: PUT");
  const Response on_one = ParticipationApi::MethodNotAllowed("POST", true);
  CHECK(on_one.status == 405);
  CHECK(on_one.Header("Allow") == "GET, DELETE");
  CHECK(ErrorOf(on_one) == "invalid request method: POST");
}

TEST_CASE("Requests the API cannot answer in JSON or read as a form are refused") {
  // restapi.go serveBadContentType prints the header values as a Go []string.
  const Response plain = ParticipationApi::UnsupportedContentType({"text/plain"});
  CHECK(plain.status == 400);
  CHECK(ErrorOf(plain) == "unsupported Content-Type: [text/plain]");
  CHECK(ErrorOf(ParticipationApi::UnsupportedContentType({})) == "unsupported Content-Type: []");

  // negotiateContentType.
  for (const char* accept :
       {"", "application/json", "application/*", "*/*", "text/html, application/json;q=0.9"}) {
    CAPTURE(accept);
    CHECK(ParticipationApi::AcceptsJson(accept));
  }
  CHECK_FALSE(ParticipationApi::AcceptsJson("text/html"));
  const Response refused = ParticipationApi::NotAcceptable();
  CHECK(refused.status == 406);
  CHECK(ErrorOf(refused) == "response Content-Type is application/json only");

  // MaxBytesReader's error becomes "cannot read form from request body: ..." with 400.
  const Response too_large = ParticipationApi::BodyTooLarge(1024);
  CHECK(too_large.status == 400);
  CHECK_THAT(ErrorOf(too_large),
             Catch::StartsWith("cannot read form from request body: http: request body too large"));

  CHECK(Json(ParticipationApi::Error(400, "bad \"input\""))["error"] == "bad \"input\"");
}

TEST_CASE("The API's base URL redirects to the channels") {
  // restapi.go redirectBaseV1: 302 with Location URLBaseV1Channels.
  const Response redirect = ParticipationApi::RedirectToChannels();
  CHECK(redirect.status == 302);
  CHECK(redirect.Header("Location") == "/participation/v1/channels");
}
