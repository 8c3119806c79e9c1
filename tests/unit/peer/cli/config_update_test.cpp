// The peer CLI's file inputs: config update envelopes for signconfigtx/update (Fabric
// release-2.5 internal/peer/channel/create.go sanityCheckAndSignConfigTx), collection
// configs (internal/peer/chaincode/common.go getCollectionConfigFromBytes), connection
// profiles (internal/peer/common/networkconfig.go, lifecycle client_connections.go
// parseConnectionProfile) and queryapproved -O json (lifecycle common.go
// printResponseAsJSON: Go's json.MarshalIndent of the generated struct).
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "common/configtx.pb.h"
#include "peer/cli/channel.h"
#include "peer/cli/lifecycle_definition.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace {

namespace cli = weft::peer::cli;
namespace testing = weft::testing;

::common::Envelope ConfigUpdateEnvelope(const std::string& channel, ::common::HeaderType type) {
  ::common::ChannelHeader header;
  header.set_type(type);
  header.set_channel_id(channel);
  ::common::ConfigUpdate update;
  update.set_channel_id(channel);
  ::common::ConfigUpdateEnvelope update_envelope;
  update_envelope.set_config_update(update.SerializeAsString());
  ::common::Payload payload;
  payload.mutable_header()->set_channel_header(header.SerializeAsString());
  payload.set_data(update_envelope.SerializeAsString());
  ::common::Envelope envelope;
  envelope.set_payload(payload.SerializeAsString());
  return envelope;
}

}  // namespace

TEST_CASE("signconfigtx appends one ConfigSignature and checks the envelope", "[peer_cli]") {
  auto ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  auto admin =
      testing::MakeSigner(testing::IssueLeaf(ca, "Admin@org1.example.com", {"admin"}), "Org1MSP");
  std::string channel;
  auto signed_envelope = cli::SanityCheckAndSignConfigTx(
      ConfigUpdateEnvelope("mychannel", ::common::CONFIG_UPDATE), admin, &channel);
  REQUIRE(signed_envelope.ok());
  CHECK(channel == "mychannel");  // taken from the header when -c is not given
  ::common::Payload payload;
  REQUIRE(payload.ParseFromString(signed_envelope->payload()));
  ::common::ConfigUpdateEnvelope update;
  REQUIRE(update.ParseFromString(payload.data()));
  CHECK(update.signatures_size() == 1);
  CHECK_FALSE(signed_envelope->signature().empty());

  std::string other = "otherchannel";
  auto mismatched = cli::SanityCheckAndSignConfigTx(
      ConfigUpdateEnvelope("mychannel", ::common::CONFIG_UPDATE), admin, &other);
  CHECK(mismatched.status().message() ==
        "Invalid channel create transaction : mismatched channel ID mychannel != otherchannel");
  std::string none;
  auto wrong_type = cli::SanityCheckAndSignConfigTx(
      ConfigUpdateEnvelope("mychannel", ::common::ENDORSER_TRANSACTION), admin, &none);
  CHECK(wrong_type.status().message() == "Invalid channel create transaction : bad type");
  auto no_channel = cli::SanityCheckAndSignConfigTx(
      ConfigUpdateEnvelope("", ::common::CONFIG_UPDATE), admin, &none);
  CHECK(no_channel.status().message() == "Invalid channel create transaction : empty channel id");
}

TEST_CASE("collections-config: Fabric's collection JSON becomes a CollectionConfigPackage",
          "[peer_cli]") {
  auto package = cli::ParseCollectionConfig(R"json([
    {"name": "a", "policy": "OR('Org1MSP.member')", "blockToLive": 5, "memberOnlyWrite": true,
     "endorsementPolicy": {
  "signaturePolicy" : "AND('Org1MSP.peer')"}},
    {"Name": "b", "Policy": "OR('Org2MSP.member')", "RequiredPeerCount": 1, "MaxPeerCount": 3}
  ])json");
  REQUIRE(package.ok());
  REQUIRE(package->config_size() == 2);
  const auto& a = package->config(0).static_collection_config();
  CHECK(a.name() == "a");
  CHECK(a.required_peer_count() == 0);  // Fabric's defaults: 0 and 1
  CHECK(a.maximum_peer_count() == 1);
  CHECK(a.block_to_live() == 5);
  CHECK(a.member_only_write());
  CHECK(a.member_orgs_policy().has_signature_policy());
  CHECK(a.endorsement_policy().has_signature_policy());
  const auto& b = package->config(1).static_collection_config();  // keys in any case
  CHECK(b.name() == "b");
  CHECK(b.required_peer_count() == 1);
  CHECK(b.maximum_peer_count() == 3);

  CHECK(cli::ParseCollectionConfig("[{\"name\": \"a\", \"policy\": \"nonsense\"}]")
            .status()
            .message() == "invalid policy nonsense");
  CHECK_THAT(std::string(cli::ParseCollectionConfig("{}").status().message()),
             Catch::StartsWith("could not parse the collection configuration"));
  CHECK_THAT(std::string(cli::ParseCollectionConfig(
                             R"json([{"name": "a", "policy": "OR('Org1MSP.member')",
                        "endorsementPolicy": {"signaturePolicy": "x",
                                              "channelConfigPolicy": "y"}}])json")
                             .status()
                             .message()),
             Catch::StartsWith("invalid endorsement policy"));
}

TEST_CASE("connectionProfile: the channel's endorsing peers become the targets", "[peer_cli]") {
  testing::TempDir dir{"weft-peer-cli-profile"};
  const auto profile = dir.path() / "connection.yaml";
  std::ofstream(profile) << "channels:\n"
                            "  mychannel:\n"
                            "    peers:\n"
                            "      peer0.org1.example.com:\n        endorsingPeer: true\n"
                            "      peer1.org1.example.com:\n        endorsingPeer: false\n"
                            "      peer0.org2.example.com:\n        endorsingPeer: true\n"
                            "peers:\n"
                            "  peer0.org1.example.com:\n    url: grpcs://localhost:7051\n"
                            "    tlsCACerts:\n      path: /org1/ca.crt\n"
                            "  peer0.org2.example.com:\n    url: localhost:9051\n"
                            "    tlsCACerts:\n      path: /org2/ca.crt\n";
  const cli::PeerTargets given{{"given:1"}, {"/given.crt"}};
  auto peers = cli::PeersFromConnectionProfile(profile.string(), "mychannel", given);
  REQUIRE(peers.ok());
  CHECK(peers->addresses == std::vector<std::string>{"localhost:7051", "localhost:9051"});
  CHECK(peers->tls_root_cert_files == std::vector<std::string>{"/org1/ca.crt", "/org2/ca.crt"});
  // A channel the profile does not list keeps the flags' peers.
  auto other = cli::PeersFromConnectionProfile(profile.string(), "otherchannel", given);
  REQUIRE(other.ok());
  CHECK(other->addresses == given.addresses);

  const auto dangling = dir.path() / "dangling.json";
  std::ofstream(dangling)
      << R"({"channels": {"mychannel": {"peers": {"p": {"endorsingPeer": true}}}}})";
  CHECK(cli::PeersFromConnectionProfile(dangling.string(), "mychannel", given).status().message() ==
        "peer 'p' is defined in the channel config but doesn't have associated peer config");
  CHECK_THAT(std::string(cli::PeersFromConnectionProfile((dir.path() / "none.yaml").string(),
                                                         "mychannel", given)
                             .status()
                             .message()),
             Catch::StartsWith("error reading connection profile: open "));
}

TEST_CASE("queryapproved -O json is Go's MarshalIndent of the result struct", "[peer_cli]") {
  ::lifecycle::QueryApprovedChaincodeDefinitionResult result;
  result.set_sequence(2);
  result.set_version("1.0");
  result.set_endorsement_plugin("escc");
  result.set_validation_plugin("vscc");
  result.set_validation_parameter("\x01\x02");
  result.mutable_source()->mutable_local_package()->set_package_id("basic_1.0:ab");
  CHECK(cli::FormatQueryApproved("mychannel", "basic", result, "JSON") ==
        "{\n"
        "\t\"sequence\": 2,\n"
        "\t\"version\": \"1.0\",\n"
        "\t\"endorsement_plugin\": \"escc\",\n"
        "\t\"validation_plugin\": \"vscc\",\n"
        "\t\"validation_parameter\": \"AQI=\",\n"
        "\t\"source\": {\n"
        "\t\t\"Type\": {\n"
        "\t\t\t\"LocalPackage\": {\n"
        "\t\t\t\t\"package_id\": \"basic_1.0:ab\"\n"
        "\t\t\t}\n"
        "\t\t}\n"
        "\t}\n"
        "}\n");
  ::lifecycle::QueryChaincodeDefinitionsResult all;
  auto* definition = all.add_chaincode_definitions();
  definition->set_name("basic");
  definition->set_sequence(1);
  definition->set_init_required(true);
  CHECK(cli::FormatQueryCommittedAll("mychannel", all, "json") ==
        "{\n\t\"chaincode_definitions\": [\n\t\t{\n\t\t\t\"name\": \"basic\",\n\t\t\t\"sequence\": "
        "1,\n\t\t\t\"init_required\": true\n\t\t}\n\t]\n}\n");
}
