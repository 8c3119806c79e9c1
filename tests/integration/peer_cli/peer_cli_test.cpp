// Fabric's peer CLI verbs that need two orgs or the channel config, run as Fabric's
// test-network runs them: `peer channel signconfigtx` by Org1's admin and `peer
// channel update` by Org2's admin commit a config update that the channel's MAJORITY
// Admins policy only accepts with both signatures; the chaincode commands without -o
// read the orderer from the channel config (GetOrdererEndpointOfChain);
// --waitForEventTimeout ends the wait; queryapproved/querycommitted -O json; and bad
// input gives a usage error naming the flag or path with a non-zero exit code.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/configtx/update.h"
#include "common/policies.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/peer_network.h"
#include "tests/support/wait_until.h"

namespace {

namespace fs = std::filesystem;
using weft::testing::CommandResult;
using weft::testing::PeerNetwork;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

weft::testing::PeerNetworkOptions Options() {
  weft::testing::PeerNetworkOptions options;
  options.bin_dir = kBin;
  options.source_dir = kSource;
  return options;
}

// The `peer` CLI as an org's admin with test-network's environment, talking to its
// org's peer0 (whose TLS certificate names localhost).
class AdminCli {
 public:
  AdminCli(const PeerNetwork& network, int org, const std::string& peer_grpc)
      : dir_(network.dir()) {
    const std::string port = peer_grpc.substr(peer_grpc.rfind(':') + 1);
    env_ = {{"FABRIC_CFG_PATH", (kSource / "deploy/config").string()},
            {"CORE_PEER_ADDRESS", "localhost:" + port},
            {"CORE_PEER_LOCALMSPID", PeerNetwork::MspId(org)},
            {"CORE_PEER_MSPCONFIGPATH", network.UserMsp(org, "Admin").string()},
            {"CORE_PEER_TLS_ENABLED", "true"},
            {"CORE_PEER_TLS_ROOTCERT_FILE",
             (network.PeerMsp(org).parent_path() / "tls/ca.crt").string()}};
  }

  CommandResult Run(std::vector<std::string> args) const {
    args.insert(args.begin(), (kBin / "peer").string());
    return weft::testing::RunCommand(args, env_, dir_);
  }

 private:
  fs::path dir_;
  std::map<std::string, std::string> env_;
};

// The channel config in a config block file written by `peer channel fetch config`.
::common::Config ConfigOf(const fs::path& block_file) {
  ::common::Block block;
  REQUIRE(block.ParseFromString(ReadAll(block_file)));
  auto contents = weft::common::channelconfig::OpenConfigBlock(block);
  REQUIRE(contents.ok());
  return contents->envelope.config();
}

::common::ImplicitMetaPolicy ApplicationPolicy(const ::common::Config& config,
                                               const std::string& name) {
  const auto& policy =
      config.channel_group().groups().at("Application").policies().at(name).policy();
  ::common::ImplicitMetaPolicy meta;
  REQUIRE(meta.ParseFromString(policy.value()));
  return meta;
}

// An unsigned CONFIG_UPDATE envelope, as configtxlator and a few lines of shell
// make it in Fabric's docs (payload header with type and channel, no signatures).
::common::Envelope UnsignedConfigUpdate(const ::common::ConfigUpdate& update) {
  ::common::ChannelHeader channel_header;
  channel_header.set_type(::common::CONFIG_UPDATE);
  channel_header.set_channel_id(update.channel_id());
  ::common::ConfigUpdateEnvelope update_envelope;
  update_envelope.set_config_update(update.SerializeAsString());
  ::common::Payload payload;
  payload.mutable_header()->set_channel_header(channel_header.SerializeAsString());
  payload.set_data(update_envelope.SerializeAsString());
  ::common::Envelope envelope;
  envelope.set_payload(payload.SerializeAsString());
  return envelope;
}

::common::ConfigUpdateEnvelope UpdateEnvelopeOf(const fs::path& file) {
  ::common::Envelope envelope;
  REQUIRE(envelope.ParseFromString(ReadAll(file)));
  ::common::Payload payload;
  REQUIRE(payload.ParseFromString(envelope.payload()));
  ::common::ConfigUpdateEnvelope update;
  REQUIRE(update.ParseFromString(payload.data()));
  return update;
}

void WriteEnvelope(const fs::path& file, const ::common::Envelope& envelope) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  REQUIRE(envelope.SerializeToOstream(&out));
}

}  // namespace

// Fabric's channel update flow (release-2.5 internal/peer/channel signconfigtx.go,
// update.go, create.go sanityCheckAndSignConfigTx): the Application group's
// LifecycleEndorsement policy goes from MAJORITY to ANY Endorsement. Its mod_policy
// is the group's Admins (MAJORITY Admins of Org1 and Org2), so Org2's signature alone
// is refused by the orderer; with Org1's signconfigtx first, Org2's update commits
// config block 1. Then the lifecycle and chaincode commands run without -o (the
// orderer comes from the channel config's OrdererAddresses, common.go
// GetOrdererEndpointOfChain) and Org1 alone commits a definition under the new policy.
TEST_CASE("peer channel signconfigtx and update commit a config update signed by both orgs") {
  PeerNetwork network(Options());
  const fs::path dir = network.dir();
  const auto peer1 = network.StartPeer(1);
  const auto peer2 = network.StartPeer(2);
  const AdminCli org1(network, 1, peer1.grpc);
  const AdminCli org2(network, 2, peer2.grpc);
  const std::string channel = network.channel();
  const std::string orderer = network.orderer_address(0);
  const std::string orderer_ca =
      (dir /
       "crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com/tls/"
       "ca.crt")
          .string();
  const std::vector<std::string> orderer_flags = {"-o", orderer, "--tls", "--cafile", orderer_ca};

  for (const AdminCli* admin : {&org1, &org2}) {
    auto joined = admin->Run({"channel", "join", "-b", (dir / "genesis.block").string()});
    INFO(joined.output());
    REQUIRE(joined.exit_code == 0);
  }

  auto fetched =
      org1.Run({"channel", "fetch", "config", (dir / "config0.block").string(), "-c", channel});
  INFO(fetched.output());
  REQUIRE(fetched.exit_code == 0);
  const ::common::Config original = ConfigOf(dir / "config0.block");
  REQUIRE(ApplicationPolicy(original, "LifecycleEndorsement").rule() ==
          ::common::ImplicitMetaPolicy::MAJORITY);
  ::common::Config updated = original;
  {
    auto& policy = (*(*updated.mutable_channel_group()->mutable_groups())["Application"]
                         .mutable_policies())["LifecycleEndorsement"];
    ::common::ImplicitMetaPolicy meta;
    REQUIRE(meta.ParseFromString(policy.policy().value()));
    meta.set_rule(::common::ImplicitMetaPolicy::ANY);
    policy.mutable_policy()->set_value(meta.SerializeAsString());
  }
  auto update = weft::common::configtx::ComputeUpdate(channel, original, updated);
  REQUIRE(update.ok());
  const fs::path update_file = dir / "update.tx";
  const fs::path org2_only_file = dir / "update-org2-only.tx";
  WriteEnvelope(update_file, UnsignedConfigUpdate(*update));
  WriteEnvelope(org2_only_file, UnsignedConfigUpdate(*update));

  // Org2's admin alone satisfies 1 of the 2 Admins sub-policies: the orderer's
  // Broadcast answers BAD_REQUEST and update.go's broadcast client reports it
  // (broadcastclient.go getAck: "got unexpected status: <STATUS> -- <info>").
  std::vector<std::string> org2_only = {"channel", "update", "-f", org2_only_file.string(),
                                        "-c",      channel};
  org2_only.insert(org2_only.end(), orderer_flags.begin(), orderer_flags.end());
  auto refused = org2.Run(org2_only);
  INFO(refused.output());
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("got unexpected status: BAD_REQUEST"));
  // update.go does not write its signature back to the file.
  CHECK(UpdateEnvelopeOf(org2_only_file).signatures_size() == 0);

  // signconfigtx adds Org1's admin signature in place.
  auto signed_by_org1 = org1.Run({"channel", "signconfigtx", "-f", update_file.string()});
  INFO(signed_by_org1.output());
  REQUIRE(signed_by_org1.exit_code == 0);
  const auto after_sign = UpdateEnvelopeOf(update_file);
  REQUIRE(after_sign.signatures_size() == 1);
  CHECK(after_sign.config_update() == update->SerializeAsString());
  ::common::SignatureHeader signature_header;
  REQUIRE(signature_header.ParseFromString(after_sign.signatures(0).signature_header()));
  CHECK_THAT(signature_header.creator(), Catch::Contains("Org1MSP"));

  // Org2's update signs too and broadcasts; the peer commits config block 1.
  // Without -o, Weft's update reads the orderer from the channel config (through
  // Org2's peer) as the chaincode commands do; Fabric's update.go needs -o.
  auto accepted = org2.Run({"channel", "update", "-f", update_file.string(), "-c", channel, "--tls",
                            "--cafile", orderer_ca});
  INFO(accepted.output());
  REQUIRE(accepted.exit_code == 0);
  CHECK_THAT(accepted.err,
             Catch::Contains("Retrieved channel (" + channel + ") orderer endpoint: " + orderer));
  CHECK_THAT(accepted.err, Catch::Contains("Successfully submitted channel update"));
  CommandResult info;
  CHECK(weft::testing::WaitUntil([&] {
    info = org1.Run({"channel", "getinfo", "-c", channel});
    return info.exit_code == 0 && info.out.find("\"height\":2,") != std::string::npos;
  }));
  INFO(info.output());
  auto fetched_again =
      org1.Run({"channel", "fetch", "config", (dir / "config1.block").string(), "-c", channel});
  REQUIRE(fetched_again.exit_code == 0);
  CHECK_THAT(fetched_again.err, Catch::Contains("Received block: 1"));
  const ::common::Config now = ConfigOf(dir / "config1.block");
  CHECK(ApplicationPolicy(now, "LifecycleEndorsement").rule() == ::common::ImplicitMetaPolicy::ANY);
  CHECK(now.sequence() == original.sequence() + 1);

  // Without -o: client_connections.go setOrdererClient asks the peer for the channel
  // config and logs "Retrieved channel (<ch>) orderer endpoint: <addr>".
  const std::string package_id =
      "mycc_1.0:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  auto approved = org1.Run({"lifecycle", "chaincode", "approveformyorg", "-C", channel, "-n",
                            "mycc", "-v", "1.0", "--sequence", "1", "--package-id", package_id,
                            "--tls", "--cafile", orderer_ca});
  INFO(approved.output());
  REQUIRE(approved.exit_code == 0);
  CHECK_THAT(approved.err,
             Catch::Contains("Retrieved channel (" + channel + ") orderer endpoint: " + orderer));
  CHECK_THAT(approved.err, Catch::Contains("committed with status (VALID)"));

  // queryapproved -O json: common.go printResponseAsJSON, json.MarshalIndent of
  // QueryApprovedChaincodeDefinitionResult (snake_case names, the source oneof as
  // Type/LocalPackage).
  auto approved_json = org1.Run(
      {"lifecycle", "chaincode", "queryapproved", "-C", channel, "-n", "mycc", "-O", "json"});
  INFO(approved_json.output());
  REQUIRE(approved_json.exit_code == 0);
  const auto approval = nlohmann::json::parse(approved_json.out);
  CHECK(approval["sequence"] == 1);
  CHECK(approval["version"] == "1.0");
  CHECK(approval["source"]["Type"]["LocalPackage"]["package_id"] == package_id);
  CHECK(approved_json.out.rfind("{\n\t\"sequence\": 1,\n\t\"version\": \"1.0\",", 0) == 0);

  // --connectionProfile (common/networkconfig.go NetworkConfig, YAML or JSON): the
  // channel's endorsingPeer entries replace peer.address. With both orgs' peers listed,
  // Org2's peer refuses to endorse the commit of a definition its org has not approved
  // (lifecycle.go CommitChaincodeDefinition: "chaincode definition not agreed to by this
  // org (Org2MSP)"), which shows the profile's peers were asked.
  const auto peer_tls_ca = [&](int org) {
    return (network.PeerMsp(org).parent_path() / "tls/ca.crt").string();
  };
  const auto port_of = [](const std::string& grpc) { return grpc.substr(grpc.rfind(':') + 1); };
  const fs::path both_profile = dir / "connection-both.yaml";
  std::ofstream(both_profile) << "name: test-network\nversion: 1.0.0\nchannels:\n  " << channel
                              << ":\n    peers:\n"
                                 "      peer0.org1.example.com:\n        endorsingPeer: true\n"
                                 "      peer0.org2.example.com:\n        endorsingPeer: true\n"
                                 "peers:\n  peer0.org1.example.com:\n    url: grpcs://localhost:"
                              << port_of(peer1.grpc)
                              << "\n    tlsCACerts:\n      path: " << peer_tls_ca(1)
                              << "\n  peer0.org2.example.com:\n    url: localhost:"
                              << port_of(peer2.grpc)
                              << "\n    tlsCACerts:\n      path: " << peer_tls_ca(2) << "\n";
  auto not_agreed = org1.Run({"lifecycle", "chaincode", "commit", "-C", channel, "-n", "mycc", "-v",
                              "1.0", "--sequence", "1", "--tls", "--cafile", orderer_ca,
                              "--connectionProfile", both_profile.string()});
  INFO(not_agreed.output());
  CHECK(not_agreed.exit_code == 1);
  CHECK_THAT(not_agreed.err,
             Catch::Contains("chaincode definition not agreed to by this org (Org2MSP)"));
  const fs::path org1_profile = dir / "connection-org1.json";
  std::ofstream(org1_profile) << R"({"channels": {")" << channel
                              << R"(": {"peers": {"peer0.org1.example.com": {"endorsingPeer":)"
                              << R"( true}}}}, "peers": {"peer0.org1.example.com": {"url": )"
                              << R"("localhost:)" << port_of(peer1.grpc)
                              << R"(", "tlsCACerts": {"path": ")" << peer_tls_ca(1) << R"("}}}})";

  // LifecycleEndorsement is ANY Endorsement now: Org1 alone commits (orderer from the
  // channel config again, peers from the connection profile).
  auto committed = org1.Run({"lifecycle", "chaincode", "commit", "-C", channel, "-n", "mycc", "-v",
                             "1.0", "--sequence", "1", "--tls", "--cafile", orderer_ca,
                             "--connectionProfile", org1_profile.string()});
  INFO(committed.output() << ReadAll(network.PeerLog(1)));
  REQUIRE(committed.exit_code == 0);
  CHECK_THAT(committed.err, Catch::Contains("Retrieved channel (" + channel + ")"));
  CHECK_THAT(committed.err, Catch::Contains("committed with status (VALID)"));

  auto committed_json = org1.Run({"lifecycle", "chaincode", "querycommitted", "-C", channel, "-n",
                                  "mycc", "--output", "json"});
  INFO(committed_json.output());
  REQUIRE(committed_json.exit_code == 0);
  const auto definition = nlohmann::json::parse(committed_json.out);
  CHECK(definition["sequence"] == 1);
  CHECK(definition["version"] == "1.0");
  CHECK(definition["approvals"]["Org1MSP"] == true);
  CHECK(definition["approvals"]["Org2MSP"] == false);
  auto all_json =
      org1.Run({"lifecycle", "chaincode", "querycommitted", "-C", channel, "-O", "json"});
  REQUIRE(all_json.exit_code == 0);
  const auto all = nlohmann::json::parse(all_json.out);
  REQUIRE(all["chaincode_definitions"].size() == 1);
  CHECK(all["chaincode_definitions"][0]["name"] == "mycc");

  // --collections-config: Fabric's collection JSON (chaincode/common.go
  // getCollectionConfigFromBytes) becomes the definition's CollectionConfigPackage.
  // checkcommitreadiness compares whole definitions, so the approval only matches when
  // the same collections are given (lifecycle.go QueryApprovalStatus).
  const fs::path collections = dir / "collections.json";
  std::ofstream(collections) << R"json([{"name": "secrets",
      "policy": "OR('Org1MSP.member', 'Org2MSP.member')", "requiredPeerCount": 0,
      "maxPeerCount": 1, "blockToLive": 3, "memberOnlyRead": true}])json";
  const std::vector<std::string> pdc = {"-C", channel, "-n", "pdc", "-v", "1.0", "--sequence", "1"};
  auto with = [](std::vector<std::string> head, const std::vector<std::string>& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  };
  auto approved_pdc =
      org1.Run(with({"lifecycle", "chaincode", "approveformyorg", "--collections-config",
                     collections.string(), "--tls", "--cafile", orderer_ca},
                    pdc));
  INFO(approved_pdc.output());
  REQUIRE(approved_pdc.exit_code == 0);
  auto ready_with = org1.Run(with({"lifecycle", "chaincode", "checkcommitreadiness",
                                   "--collections-config", collections.string(), "-O", "json"},
                                  pdc));
  INFO(ready_with.output());
  CHECK(ready_with.exit_code == 0);
  CHECK(nlohmann::json::parse(ready_with.out)["approvals"]["Org1MSP"] == true);
  auto ready_without =
      org1.Run(with({"lifecycle", "chaincode", "checkcommitreadiness", "-O", "json"}, pdc));
  CHECK(ready_without.exit_code == 0);
  CHECK(nlohmann::json::parse(ready_without.out)["approvals"]["Org1MSP"] == false);
  auto pdc_json = org1.Run(
      {"lifecycle", "chaincode", "queryapproved", "-C", channel, "-n", "pdc", "-O", "json"});
  INFO(pdc_json.output());
  REQUIRE(pdc_json.exit_code == 0);
  const auto pdc_approval = nlohmann::json::parse(pdc_json.out);
  const auto& secrets =
      pdc_approval["collections"]["config"][0]["Payload"]["StaticCollectionConfig"];
  CHECK(secrets["name"] == "secrets");
  CHECK(secrets["maximum_peer_count"] == 1);
  CHECK(secrets["block_to_live"] == 3);
  CHECK(secrets["member_only_read"] == true);

  // --waitForEventTimeout 0s: the wait ends at once with DeliverGroup's "timed out
  // waiting for txid on all peers" (chaincode/common.go), exit code 1.
  auto timed_out = org1.Run({"lifecycle", "chaincode", "approveformyorg", "-C", channel, "-n",
                             "other", "-v", "1.0", "--sequence", "1", "--tls", "--cafile",
                             orderer_ca, "--waitForEventTimeout", "0s"});
  INFO(timed_out.output());
  CHECK(timed_out.exit_code == 1);
  CHECK_THAT(timed_out.err, Catch::Contains("timed out waiting for txid on all peers"));

  CHECK(network.StopPeer(2) == 0);
  CHECK(network.StopPeer(1) == 0);
}

// Missing flags and wrong files: each verb stops with a message naming the flag or the
// path (Fabric's texts where it has one) and exit code 1, before anything is sent.
TEST_CASE("peer CLI verbs reject missing flags and wrong files naming them") {
  PeerNetwork network(Options());
  const fs::path dir = network.dir();
  const auto peer1 = network.StartPeer(1);
  const AdminCli org1(network, 1, peer1.grpc);
  const std::string channel = network.channel();
  struct Case {
    std::vector<std::string> args;
    std::string names;  // the flag or path the message must name
  };
  const fs::path missing = dir / "no-such-file";
  const fs::path not_json = dir / "collections.json";
  std::ofstream(not_json) << "[{\"name\": \"c\",";
  const std::vector<Case> cases = {
      // signconfigtx.go / update.go: InvalidCreateTx("No configtx file name supplied").
      {{"channel", "signconfigtx"}, "No configtx file name supplied"},
      {{"channel", "update", "-c", channel}, "No configtx file name supplied"},
      // update.go / getinfo.go: "Must supply channel ID".
      {{"channel", "update", "-f", (dir / "genesis.block").string()}, "Must supply channel ID"},
      {{"channel", "getinfo"}, "Must supply channel ID"},
      // create.go ConfigTxFileNotFound, naming the path.
      {{"channel", "signconfigtx", "-f", missing.string()}, missing.string()},
      // A block is not a CONFIG_UPDATE envelope (sanityCheckAndSignConfigTx).
      {{"channel", "signconfigtx", "-f", (dir / "genesis.block").string()},
       "Invalid channel create transaction"},
      {{"channel", "join", "-b", missing.string()}, missing.string()},
      {{"lifecycle", "chaincode", "install", missing.string()}, missing.string()},
      {{"lifecycle", "chaincode", "install"}, "chaincode install package must be provided"},
      {{"lifecycle", "chaincode", "queryapproved", "-C", channel}, "-n flag"},
      {{"lifecycle", "chaincode", "querycommitted"}, "channel name must be specified"},
      {{"lifecycle", "chaincode", "approveformyorg", "-C", channel, "-n", "mycc", "-v", "1.0"},
       "--sequence flag"},
      {{"lifecycle", "chaincode", "commit", "-C", channel, "-n", "mycc", "-v", "1.0", "--sequence",
        "1", "--waitForEventTimeout", "soon"},
       "\"--waitForEventTimeout\" flag"},
      {{"lifecycle", "chaincode", "calculatepackageid", missing.string()}, missing.string()},
      // lifecycle common.go createCollectionConfigPackage names the file.
      {{"lifecycle", "chaincode", "checkcommitreadiness", "-C", channel, "-n", "mycc", "-v", "1.0",
        "--sequence", "1", "--collections-config", missing.string()},
       "invalid collection configuration in file " + missing.string()},
      {{"lifecycle", "chaincode", "checkcommitreadiness", "-C", channel, "-n", "mycc", "-v", "1.0",
        "--sequence", "1", "--collections-config", not_json.string()},
       "could not parse the collection configuration"},
      {{"chaincode", "invoke", "-C", channel, "-c", "{\"Args\":[]}"},
       "must supply value for chaincode name parameter"},
      {{"chaincode", "query", "-n", "mycc", "-c", "{\"Args\":[]}"}, "-C flag"},
      // common/networkconfig.go GetConfig: "error reading connection profile".
      {{"chaincode", "invoke", "-C", channel, "-n", "mycc", "-c", "{\"Args\":[]}",
        "--connectionProfile", missing.string()},
       "error reading connection profile: open " + missing.string()},
      {{"chaincode", "invoke", "-C", channel, "-n", "mycc", "-c", "{\"Args\":[]}",
        "--waitForEventTimeout", "x"},
       "\"--waitForEventTimeout\" flag"},
  };
  for (const auto& c : cases) {
    auto result = org1.Run(c.args);
    std::string command;
    for (const auto& arg : c.args) command += arg + " ";
    INFO(command << "\n" << result.output());
    CHECK(result.exit_code != 0);
    CHECK_THAT(result.err, Catch::Contains("Error: ") && Catch::Contains(c.names));
  }
  // CLI11 names a required flag that is missing (exit code non-zero).
  auto no_block = org1.Run({"channel", "join"});
  CHECK(no_block.exit_code != 0);
  CHECK_THAT(no_block.output(), Catch::Contains("--blockpath"));
  CHECK(network.StopPeer(1) == 0);
}
