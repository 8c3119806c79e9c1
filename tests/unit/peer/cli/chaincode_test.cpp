// `peer chaincode invoke | query`: expectations from Fabric release-2.5
// internal/peer/chaincode (common.go checkChaincodeCmdParams, chaincodeInput
// UnmarshalJSON, ChaincodeInvokeOrQuery, chaincodeInvokeOrQuery; invoke.go, query.go).
#include "peer/cli/chaincode.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fake_endorser.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace {

namespace cli = weft::peer::cli;
namespace testing = weft::testing;

cli::ChaincodeCall Call(std::string ctor) {
  cli::ChaincodeCall call;
  call.channel_id = "mychannel";
  call.name = "basic";
  call.ctor_json = std::move(ctor);
  return call;
}

}  // namespace

TEST_CASE("-c takes {\"Args\":[...]} or {\"function\":...,\"Args\":[...]}", "[peer_cli]") {
  using Args = std::vector<std::string>;
  auto plain = cli::ParseChaincodeCtor(R"({"Args":["ReadAsset","asset1"]})");
  REQUIRE(plain.ok());
  CHECK(*plain == Args{"ReadAsset", "asset1"});
  // UnmarshalJSON: the function goes first; keys match in any case.
  auto with_function = cli::ParseChaincodeCtor(R"({"function":"ReadAsset","Args":["asset1"]})");
  REQUIRE(with_function.ok());
  CHECK(*with_function == Args{"ReadAsset", "asset1"});
  auto lower = cli::ParseChaincodeCtor(R"({"args":["a"]})");
  REQUIRE(lower.ok());
  CHECK(*lower == Args{"a"});

  // checkChaincodeCmdParams.
  const std::string keys =
      "JSON chaincode parameters must contain the following keys: 'Args' or 'Function' and "
      "'Args'";
  CHECK(cli::ParseChaincodeCtor("{}").status().message() == "empty " + keys);
  CHECK(cli::ParseChaincodeCtor(R"({"function":"f"})").status().message() == "non-empty " + keys);
  CHECK(cli::ParseChaincodeCtor(R"({"Args":[],"x":1})").status().message() == "non-empty " + keys);
  CHECK_THAT(std::string(cli::ParseChaincodeCtor("{not json").status().message()),
             Catch::StartsWith("chaincode argument error"));
  CHECK_THAT(std::string(cli::ParseChaincodeCtor(R"({"Args":[1]})").status().message()),
             Catch::StartsWith("chaincode argument error"));
}

TEST_CASE("Transient values given with --transient are base64 (json into map[string][]byte)",
          "[peer_cli]") {
  auto parsed = cli::ParseTransient(R"({"asset_properties":"aGVsbG8="})");
  REQUIRE(parsed.ok());
  CHECK(parsed->at("asset_properties") == "hello");
  CHECK_THAT(std::string(cli::ParseTransient(R"({"k":"%%%"})").status().message()),
             Catch::StartsWith("error parsing transient string"));
  CHECK(cli::ParseTransient("").ok());
}

TEST_CASE("invoke and query name their missing flags", "[peer_cli]") {
  cli::ChaincodeCall call = Call(R"({"Args":[]})");
  call.channel_id.clear();
  CHECK(cli::ValidateChaincodeCall(call).message() ==
        "The required parameter 'channelID' is empty. Rerun the command with -C flag");
  call.channel_id = "mychannel";
  call.name.clear();
  CHECK(cli::ValidateChaincodeCall(call).message() ==
        "must supply value for chaincode name parameter");
}

TEST_CASE("the chaincode proposal carries channel, chaincode, args, transient, isInit",
          "[peer_cli]") {
  cli::ChaincodeCall call = Call(R"({"function":"InitLedger","Args":["x"]})");
  call.transient_json = R"({"k":"dg=="})";
  call.is_init = true;
  auto proposal = cli::CreateChaincodeCallProposal(call, "creator");
  REQUIRE(proposal.ok());
  ::common::Header header;
  ::common::ChannelHeader channel_header;
  REQUIRE(header.ParseFromString(proposal->header()));
  REQUIRE(channel_header.ParseFromString(header.channel_header()));
  CHECK(channel_header.type() == ::common::ENDORSER_TRANSACTION);
  CHECK(channel_header.channel_id() == "mychannel");
  ::protos::ChaincodeProposalPayload payload;
  REQUIRE(payload.ParseFromString(proposal->payload()));
  CHECK(payload.transientmap().at("k") == "v");
  ::protos::ChaincodeInvocationSpec invocation;
  REQUIRE(invocation.ParseFromString(payload.input()));
  const auto& spec = invocation.chaincode_spec();
  CHECK(spec.chaincode_id().name() == "basic");
  CHECK(spec.type() == ::protos::ChaincodeSpec::GOLANG);  // the CLI's default -l golang
  CHECK(spec.input().is_init());
  REQUIRE(spec.input().args_size() == 2);
  CHECK(spec.input().args(0) == "InitLedger");
  CHECK(spec.input().args(1) == "x");
}

TEST_CASE("query prints the payload; invoke needs the orderer", "[peer_cli]") {
  testing::TestIdentity ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  testing::FakeEndorser endorser(
      testing::MakeSigner(testing::IssueLeaf(ca, "peer0.org1.example.com", {"peer"}), "Org1MSP"),
      {{"Org1MSP", ca.cert}});
  cli::CliContext context{
      {},
      testing::MakeSigner(testing::IssueLeaf(ca, "User1@org1.example.com", {"client"}), "Org1MSP")};
  context.config.peer.address = endorser.address();
  const cli::ChaincodeCall call = Call(R"({"Args":["ReadAsset","asset1"]})");

  endorser.Answer(200, "", "{\"ID\":\"asset1\"}");
  auto payload = cli::QueryChaincode(context, {}, call);
  REQUIRE(payload.ok());
  CHECK(*payload == "{\"ID\":\"asset1\"}");
  auto calls = endorser.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].refusal.empty());
  CHECK(calls[0].args == std::vector<std::string>{"ReadAsset", "asset1"});

  // The fake sends no endorsement for a status >= 400, as Fabric's endorser.
  endorser.Answer(500, "asset asset9 does not exist", "");
  auto refused = cli::QueryChaincode(context, {}, call);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() ==
        "endorsement failure during query. response: status:500 message:\"asset asset9 does "
        "not exist\"");

  auto no_orderer = cli::InvokeChaincode(context, {}, {}, call);
  REQUIRE_FALSE(no_orderer.ok());
  CHECK_THAT(std::string(no_orderer.status().message()), Catch::Contains("-o"));
}

TEST_CASE("query output: string, --hex, --raw as Fabric's query.go prints them", "[peer_cli]") {
  CHECK(*cli::FormatQueryPayload("hi", false, false) == "hi\n");
  CHECK(*cli::FormatQueryPayload("hi", false, true) == "6869\n");       // fmt.Printf("%x\n")
  CHECK(*cli::FormatQueryPayload("hi", true, false) == "[104 105]\n");  // fmt.Println([]byte)
  CHECK(cli::FormatQueryPayload("hi", true, true).status().message() ==
        "options --raw (-r) and --hex (-x) are not compatible");
  ::protos::Response response;
  response.set_status(200);
  response.set_payload("ok");
  CHECK(cli::ResponseText(response) == "status:200 payload:\"ok\"");
}
