// approveformyorg, queryapproved, checkcommitreadiness, commit, querycommitted:
// expectations from Fabric release-2.5 internal/peer/lifecycle/chaincode
// (approveformyorg.go, commit.go, checkcommitreadiness.go, queryapproved.go,
// querycommitted.go, common.go createPolicyBytes).
#include "peer/cli/lifecycle_definition.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/policies/policy_dsl.h"
#include "peer/cli/lifecycle.h"
#include "peer/policy.pb.h"
#include "tests/support/fake_endorser.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace {

namespace cli = weft::peer::cli;
namespace testing = weft::testing;

cli::DefinitionInput Definition() {
  cli::DefinitionInput input;
  input.channel_id = "mychannel";
  input.name = "basic";
  input.version = "1.0";
  input.sequence = 1;
  input.package_id = "basic_1.0:ab";
  return input;
}

}  // namespace

TEST_CASE("definition flags are validated with Fabric's messages", "[peer_cli]") {
  cli::DefinitionInput input = Definition();
  CHECK(cli::ValidateDefinitionInput(input).ok());
  SECTION("channel") {
    input.channel_id.clear();
    CHECK(cli::ValidateDefinitionInput(input).message() ==
          "The required parameter 'channelID' is empty. Rerun the command with -C flag");
  }
  SECTION("name") {
    input.name.clear();
    CHECK(cli::ValidateDefinitionInput(input).message() ==
          "The required parameter 'name' is empty. Rerun the command with -n flag");
  }
  SECTION("version") {
    input.version.clear();
    CHECK(cli::ValidateDefinitionInput(input).message() ==
          "The required parameter 'version' is empty. Rerun the command with -v flag");
  }
  SECTION("sequence") {
    input.sequence = 0;
    CHECK(cli::ValidateDefinitionInput(input).message() ==
          "The required parameter 'sequence' is empty. Rerun the command with --sequence flag");
  }
}

TEST_CASE("the validation parameter is a marshalled ApplicationPolicy", "[peer_cli]") {
  cli::DefinitionInput input = Definition();
  auto none = cli::ValidationParameter(input);
  REQUIRE(none.ok());
  CHECK(none->empty());

  input.signature_policy = "OR('Org1MSP.member','Org2MSP.member')";
  auto signature = cli::ValidationParameter(input);
  REQUIRE(signature.ok());
  ::protos::ApplicationPolicy policy;
  REQUIRE(policy.ParseFromString(*signature));
  REQUIRE(policy.has_signature_policy());
  auto expected = weft::common::policies::ParsePolicy(input.signature_policy);
  REQUIRE(expected.ok());
  CHECK(policy.signature_policy().SerializeAsString() == expected->SerializeAsString());

  input.channel_config_policy = "/Channel/Application/Endorsement";
  auto both = cli::ValidationParameter(input);
  REQUIRE_FALSE(both.ok());
  CHECK(both.status().message() ==
        "cannot specify both \"--signature-policy\" and \"--channel-config-policy\"");

  input.signature_policy.clear();
  auto reference = cli::ValidationParameter(input);
  REQUIRE(reference.ok());
  REQUIRE(policy.ParseFromString(*reference));
  CHECK(policy.channel_config_policy_reference() == "/Channel/Application/Endorsement");

  input.channel_config_policy.clear();
  input.signature_policy = "NOT A POLICY(";
  auto bad = cli::ValidationParameter(input);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "invalid signature policy: NOT A POLICY(");
}

TEST_CASE("approve, commit and readiness arguments carry the definition", "[peer_cli]") {
  cli::DefinitionInput input = Definition();
  input.init_required = true;
  input.endorsement_plugin = "escc";
  input.validation_plugin = "vscc";
  auto approve = cli::ApproveArgs(input);
  REQUIRE(approve.ok());
  CHECK(approve->name() == "basic");
  CHECK(approve->version() == "1.0");
  CHECK(approve->sequence() == 1);
  CHECK(approve->init_required());
  CHECK(approve->endorsement_plugin() == "escc");
  CHECK(approve->validation_plugin() == "vscc");
  CHECK(approve->source().local_package().package_id() == "basic_1.0:ab");
  // approveformyorg.go: without --package-id the source is Unavailable.
  input.package_id.clear();
  auto unavailable = cli::ApproveArgs(input);
  REQUIRE(unavailable.ok());
  CHECK(unavailable->source().has_unavailable());

  auto commit = cli::CommitArgs(input);
  REQUIRE(commit.ok());
  CHECK(commit->name() == "basic");
  CHECK(commit->sequence() == 1);
  CHECK(commit->init_required());
  auto readiness = cli::CheckCommitReadinessArgs(input);
  REQUIRE(readiness.ok());
  CHECK(readiness->version() == "1.0");
}

TEST_CASE("lifecycle definition outputs are Fabric's texts", "[peer_cli]") {
  const cli::DefinitionInput input = Definition();
  ::lifecycle::CheckCommitReadinessResult readiness;
  (*readiness.mutable_approvals())["Org2MSP"] = false;
  (*readiness.mutable_approvals())["Org1MSP"] = true;
  CHECK(cli::FormatCommitReadiness(input, readiness, "") ==
        "Chaincode definition for chaincode 'basic', version '1.0', sequence '1' on channel "
        "'mychannel' approval status by org:\n"
        "Org1MSP: true\n"
        "Org2MSP: false\n");
  CHECK(cli::FormatCommitReadiness(input, readiness, "json") ==
        "{\n\t\"approvals\": {\n\t\t\"Org1MSP\": true,\n\t\t\"Org2MSP\": false\n\t}\n}\n");

  ::lifecycle::QueryApprovedChaincodeDefinitionResult approved;
  approved.set_sequence(1);
  approved.set_version("1.0");
  approved.set_endorsement_plugin("escc");
  approved.set_validation_plugin("vscc");
  approved.mutable_source()->mutable_local_package()->set_package_id("basic_1.0:ab");
  CHECK(cli::FormatQueryApproved("mychannel", "basic", approved) ==
        "Approved chaincode definition for chaincode 'basic' on channel 'mychannel':\n"
        "sequence: 1, version: 1.0, init-required: false, package-id: basic_1.0:ab, "
        "endorsement plugin: escc, validation plugin: vscc\n");

  ::lifecycle::QueryChaincodeDefinitionResult committed;
  committed.set_sequence(1);
  committed.set_version("1.0");
  committed.set_endorsement_plugin("escc");
  committed.set_validation_plugin("vscc");
  (*committed.mutable_approvals())["Org2MSP"] = true;
  (*committed.mutable_approvals())["Org1MSP"] = true;
  CHECK(cli::FormatQueryCommitted("mychannel", "basic", committed) ==
        "Committed chaincode definition for chaincode 'basic' on channel 'mychannel':\n"
        "Version: 1.0, Sequence: 1, Endorsement Plugin: escc, Validation Plugin: vscc, "
        "Approvals: [Org1MSP: true, Org2MSP: true]\n");

  ::lifecycle::QueryChaincodeDefinitionsResult all;
  auto* one = all.add_chaincode_definitions();
  one->set_name("basic");
  one->set_sequence(2);
  one->set_version("2.0");
  one->set_endorsement_plugin("escc");
  one->set_validation_plugin("vscc");
  CHECK(cli::FormatQueryCommittedAll("mychannel", all) ==
        "Committed chaincode definitions on channel 'mychannel':\n"
        "Name: basic, Version: 2.0, Sequence: 2, Endorsement Plugin: escc, Validation Plugin: "
        "vscc\n");
}

TEST_CASE("lifecycle queries go to the peer on the channel", "[peer_cli]") {
  testing::TestIdentity ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  testing::TestIdentity admin = testing::IssueLeaf(ca, "Admin@org1.example.com", {"admin"});
  testing::FakeEndorser endorser(
      testing::MakeSigner(testing::IssueLeaf(ca, "peer0.org1.example.com", {"peer"}), "Org1MSP"),
      {{"Org1MSP", ca.cert}});
  cli::CliContext context{{}, testing::MakeSigner(admin, "Org1MSP")};
  context.config.peer.address = endorser.address();

  ::lifecycle::CheckCommitReadinessResult answer;
  (*answer.mutable_approvals())["Org1MSP"] = true;
  endorser.Answer(200, "", answer.SerializeAsString());
  auto args = cli::CheckCommitReadinessArgs(Definition());
  REQUIRE(args.ok());
  ::lifecycle::CheckCommitReadinessResult result;
  REQUIRE(cli::QueryLifecycle(context, "mychannel", "CheckCommitReadiness", *args, &result).ok());
  CHECK(result.SerializeAsString() == answer.SerializeAsString());
  auto calls = endorser.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].refusal.empty());
  REQUIRE(calls[0].args.size() == 2);
  CHECK(calls[0].args[0] == "CheckCommitReadiness");
  CHECK(calls[0].args[1] == args->SerializeAsString());

  endorser.Answer(500, "namespace basic is not defined", "");
  ::lifecycle::QueryChaincodeDefinitionResult definition;
  auto refused = cli::QueryLifecycle(context, "mychannel", "QueryChaincodeDefinition",
                                     ::lifecycle::QueryChaincodeDefinitionArgs(), &definition);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.message() == "query failed with status: 500 - namespace basic is not defined");

  // commit/approve need the orderer (-o) before anything is sent.
  auto no_orderer =
      cli::SubmitLifecycle(context, {}, {}, "mychannel", "CommitChaincodeDefinition", *args);
  REQUIRE_FALSE(no_orderer.ok());
  CHECK_THAT(std::string(no_orderer.status().message()), Catch::Contains("-o"));
  CHECK(endorser.calls().size() == 2);
}
