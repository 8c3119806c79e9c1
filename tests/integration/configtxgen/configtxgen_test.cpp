// Runs the real cryptogen and configtxgen on a test-network style configtx.yaml and reads
// the genesis block back with ChannelConfig, checking that every organisation, MSP,
// policy and orderer setting of the profile arrived, and nothing else.
#include <google/protobuf/util/message_differencer.h>
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/crypto/x509.h"
#include "common/policies.pb.h"
#include "common/policies/policy_dsl.h"
#include "nlohmann/json.hpp"
#include "tests/integration/configtxgen/network.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
namespace channelconfig = weft::common::channelconfig;
using weft::common::crypto::Certificate;
using weft::testing::TempDir;
using weft::testing::configtxgen::Configtxgen;
using weft::testing::configtxgen::MakeNetwork;
using weft::testing::configtxgen::ReadFile;
using weft::testing::configtxgen::RunResult;
using weft::testing::configtxgen::WriteFile;

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

::common::Block ReadBlock(const fs::path& file) {
  ::common::Block block;
  REQUIRE(block.ParseFromString(ReadFile(file)));
  return block;
}

// Every group, value and policy of the tree as "<path>" -> mod_policy, with paths
// spelled like /Channel/groups/Orderer/values/BatchSize.
void CollectPaths(const ::common::ConfigGroup& group, const std::string& path,
                  std::map<std::string, std::string>* out) {
  (*out)[path] = group.mod_policy();
  for (const auto& [name, value] : group.values()) {
    (*out)[path + "/values/" + name] = value.mod_policy();
  }
  for (const auto& [name, policy] : group.policies()) {
    (*out)[path + "/policies/" + name] = policy.mod_policy();
  }
  for (const auto& [name, child] : group.groups()) {
    CollectPaths(child, path + "/groups/" + name, out);
  }
}

std::set<std::string> ExpectedPaths(bool kafka) {
  std::set<std::string> paths = {
      "/Channel",
      "/Channel/values/HashingAlgorithm",
      "/Channel/values/BlockDataHashingStructure",
      "/Channel/values/OrdererAddresses",
      "/Channel/values/Capabilities",
      "/Channel/policies/Readers",
      "/Channel/policies/Writers",
      "/Channel/policies/Admins",
      "/Channel/groups/Orderer",
      "/Channel/groups/Orderer/values/ConsensusType",
      "/Channel/groups/Orderer/values/BatchSize",
      "/Channel/groups/Orderer/values/BatchTimeout",
      "/Channel/groups/Orderer/values/ChannelRestrictions",
      "/Channel/groups/Orderer/values/Capabilities",
      "/Channel/groups/Orderer/policies/Readers",
      "/Channel/groups/Orderer/policies/Writers",
      "/Channel/groups/Orderer/policies/Admins",
      "/Channel/groups/Orderer/policies/BlockValidation",
      "/Channel/groups/Orderer/groups/OrdererOrg",
      "/Channel/groups/Orderer/groups/OrdererOrg/values/MSP",
      "/Channel/groups/Orderer/groups/OrdererOrg/values/Endpoints",
      "/Channel/groups/Orderer/groups/OrdererOrg/policies/Readers",
      "/Channel/groups/Orderer/groups/OrdererOrg/policies/Writers",
      "/Channel/groups/Orderer/groups/OrdererOrg/policies/Admins",
      "/Channel/groups/Application",
      "/Channel/groups/Application/values/Capabilities",
      "/Channel/groups/Application/values/ACLs",
      "/Channel/groups/Application/policies/Readers",
      "/Channel/groups/Application/policies/Writers",
      "/Channel/groups/Application/policies/Admins",
      "/Channel/groups/Application/policies/LifecycleEndorsement",
      "/Channel/groups/Application/policies/Endorsement",
  };
  for (const std::string org : {"Org1MSP", "Org2MSP"}) {
    const std::string group = "/Channel/groups/Application/groups/" + org;
    for (const std::string suffix :
         {"", "/values/MSP", "/values/AnchorPeers", "/policies/Readers", "/policies/Writers",
          "/policies/Admins", "/policies/Endorsement"}) {
      paths.insert(group + suffix);
    }
  }
  if (kafka) paths.insert("/Channel/groups/Orderer/values/KafkaBrokers");
  return paths;
}

void CheckPaths(const ::common::Config& config, bool kafka) {
  std::map<std::string, std::string> found;
  CollectPaths(config.channel_group(), "/Channel", &found);
  const std::set<std::string> expected = ExpectedPaths(kafka);
  for (const std::string& path : expected) {
    INFO(path);
    REQUIRE(found.count(path) == 1);
    CHECK(found.at(path) == "Admins");
  }
  for (const auto& [path, mod_policy] : found) {
    INFO("unexpected config path " << path);
    CHECK(expected.count(path) == 1);
  }
}

const ::common::ConfigGroup& Group(const ::common::Config& config, std::vector<std::string> names) {
  const ::common::ConfigGroup* group = &config.channel_group();
  for (const std::string& name : names) group = &group->groups().at(name);
  return *group;
}

// The policy at `name` of `group` is a Signature policy equal to `rule` compiled.
void CheckSignaturePolicy(const ::common::ConfigGroup& group, const std::string& name,
                          const std::string& rule) {
  INFO(name << " = " << rule);
  const ::common::Policy& policy = group.policies().at(name).policy();
  REQUIRE(policy.type() == ::common::Policy::SIGNATURE);
  ::common::SignaturePolicyEnvelope envelope;
  REQUIRE(envelope.ParseFromString(policy.value()));
  auto expected = weft::common::policies::ParsePolicy(rule);
  REQUIRE(expected.ok());
  CHECK(google::protobuf::util::MessageDifferencer::Equals(envelope, *expected));
}

void CheckImplicitMetaPolicy(const ::common::ConfigGroup& group, const std::string& name,
                             ::common::ImplicitMetaPolicy::Rule rule,
                             const std::string& sub_policy) {
  INFO(name);
  const ::common::Policy& policy = group.policies().at(name).policy();
  REQUIRE(policy.type() == ::common::Policy::IMPLICIT_META);
  ::common::ImplicitMetaPolicy meta;
  REQUIRE(meta.ParseFromString(policy.value()));
  CHECK(meta.rule() == rule);
  CHECK(meta.sub_policy() == sub_policy);
}

void CheckOrganization(const channelconfig::Organization& org, const std::string& msp_id,
                       const fs::path& msp_dir) {
  INFO(msp_id);
  CHECK(org.name == msp_id);
  CHECK(org.msp_id == msp_id);
  REQUIRE(org.msp != nullptr);
  const auto& msp_config = org.msp->config();
  CHECK(msp_config.name == msp_id);
  auto ca = Certificate::FromPem(ReadFile(*fs::directory_iterator(msp_dir / "cacerts")));
  REQUIRE(ca.ok());
  REQUIRE(msp_config.root_certs.size() == 1);
  CHECK(msp_config.root_certs[0] == *ca);
  auto tls_ca = Certificate::FromPem(ReadFile(*fs::directory_iterator(msp_dir / "tlscacerts")));
  REQUIRE(tls_ca.ok());
  REQUIRE(msp_config.tls_root_certs.size() == 1);
  CHECK(msp_config.tls_root_certs[0] == *tls_ca);
  CHECK(msp_config.node_ous.enable);
  CHECK(msp_config.node_ous.peer.organizational_unit == "peer");
  CHECK(msp_config.node_ous.admin.organizational_unit == "admin");
}

struct Network {
  TempDir root{"weft-configtxgen"};
  fs::path configtx_dir = MakeNetwork(root.path());
  fs::path organizations = root / "organizations";
};

// Reads the policies and settings shared by both profiles.
void CheckCommonConfig(const Network& network, const channelconfig::ChannelConfig& bundle) {
  const ::common::Config& config = bundle.config();
  CHECK(bundle.channel_id() == "mychannel");
  CHECK(bundle.sequence() == 0);
  CHECK(bundle.hashing_algorithm() == "SHA256");
  CHECK(bundle.orderer_addresses() == std::vector<std::string>{"orderer.example.com:7050"});
  CHECK(bundle.capabilities() == std::set<std::string>{"V2_0"});

  const auto& orderer = *bundle.orderer();
  CHECK(orderer.batch_size.max_message_count == 10);
  CHECK(orderer.batch_size.absolute_max_bytes == 99u * 1024 * 1024);
  CHECK(orderer.batch_size.preferred_max_bytes == 512u * 1024);
  CHECK(orderer.capabilities == std::set<std::string>{"V2_0"});
  REQUIRE(orderer.organizations.size() == 1);
  const auto& orderer_org = orderer.organizations.at("OrdererOrg");
  CHECK(orderer_org.msp_id == "OrdererMSP");
  CHECK(orderer_org.orderer_endpoints == std::vector<std::string>{"orderer.example.com:7050"});
  CHECK(orderer_org.msp->config().root_certs.size() == 1);
  CHECK(orderer_org.msp->config().node_ous.enable);

  const auto& application = *bundle.application();
  CHECK(application.capabilities == std::set<std::string>{"V2_5"});
  CHECK(application.acls == std::map<std::string, std::string>{
                                {"_lifecycle/CheckCommitReadiness", "/Channel/Application/Writers"},
                                {"event/Block", "/Channel/Application/Readers"}});
  REQUIRE(application.organizations.size() == 2);
  const fs::path peers = network.organizations / "peerOrganizations";
  CheckOrganization(application.organizations.at("Org1MSP"), "Org1MSP",
                    peers / "org1.example.com" / "msp");
  CheckOrganization(application.organizations.at("Org2MSP"), "Org2MSP",
                    peers / "org2.example.com" / "msp");
  CHECK(application.organizations.at("Org1MSP").anchor_peers ==
        std::vector<channelconfig::Endpoint>{{"peer0.org1.example.com", 7051}});
  CHECK(application.organizations.at("Org2MSP").anchor_peers ==
        std::vector<channelconfig::Endpoint>{{"peer0.org2.example.com", 9051}});

  using Rule = ::common::ImplicitMetaPolicy;
  for (const auto& group :
       {Group(config, {}), Group(config, {"Orderer"}), Group(config, {"Application"})}) {
    CheckImplicitMetaPolicy(group, "Readers", Rule::ANY, "Readers");
    CheckImplicitMetaPolicy(group, "Writers", Rule::ANY, "Writers");
    CheckImplicitMetaPolicy(group, "Admins", Rule::MAJORITY, "Admins");
  }
  CheckImplicitMetaPolicy(Group(config, {"Orderer"}), "BlockValidation", Rule::ANY, "Writers");
  CheckImplicitMetaPolicy(Group(config, {"Application"}), "LifecycleEndorsement", Rule::MAJORITY,
                          "Endorsement");
  CheckImplicitMetaPolicy(Group(config, {"Application"}), "Endorsement", Rule::MAJORITY,
                          "Endorsement");
  const auto& orderer_group = Group(config, {"Orderer", "OrdererOrg"});
  CheckSignaturePolicy(orderer_group, "Readers", "OR('OrdererMSP.member')");
  CheckSignaturePolicy(orderer_group, "Writers", "OR('OrdererMSP.member')");
  CheckSignaturePolicy(orderer_group, "Admins", "OR('OrdererMSP.admin')");
  for (const std::string org : {"Org1MSP", "Org2MSP"}) {
    const auto& group = Group(config, {"Application", org});
    CheckSignaturePolicy(group, "Readers",
                         "OR('" + org + ".admin', '" + org + ".peer', '" + org + ".client')");
    CheckSignaturePolicy(group, "Writers", "OR('" + org + ".admin', '" + org + ".client')");
    CheckSignaturePolicy(group, "Admins", "OR('" + org + ".admin')");
    CheckSignaturePolicy(group, "Endorsement", "OR('" + org + ".peer')");
  }
}

}  // namespace

TEST_CASE("configtxgen writes a solo genesis block that reproduces the whole profile") {
  Network network;
  const fs::path block_file = network.root / "genesis.block";
  RunResult run = Configtxgen({"-profile", "TwoOrgsSolo", "-channelID", "mychannel", "-outputBlock",
                               block_file.string(), "-configPath", network.configtx_dir.string()},
                              network.root.path());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_FALSE(Contains(run.err, "warning"));  // every key of the profile was used

  const ::common::Block block = ReadBlock(block_file);
  CHECK(block.header().number() == 0);
  auto bundle = channelconfig::ChannelConfig::FromConfigBlock(block);
  REQUIRE(bundle.ok());
  CheckCommonConfig(network, **bundle);
  const auto& orderer = *(*bundle)->orderer();
  CHECK(orderer.consensus_type == "solo");
  CHECK(orderer.batch_timeout == std::chrono::seconds(2));
  CHECK(orderer.kafka_brokers.empty());
  CHECK(orderer.max_channels == 0);
  CheckPaths((*bundle)->config(), /*kafka=*/false);
}

TEST_CASE("configtxgen writes a kafka genesis block with its brokers and overrides") {
  Network network;
  const fs::path block_file = network.root / "kafka.block";
  // Double-dash spelling, and configtx.yaml taken from the current folder.
  RunResult run = Configtxgen(
      {"--profile", "TwoOrgsKafka", "--channelID=mychannel", "--outputBlock", block_file.string()},
      network.configtx_dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  auto bundle = channelconfig::ChannelConfig::FromConfigBlock(ReadBlock(block_file));
  REQUIRE(bundle.ok());
  CheckCommonConfig(network, **bundle);
  const auto& orderer = *(*bundle)->orderer();
  CHECK(orderer.consensus_type == "kafka");
  CHECK(orderer.batch_timeout == std::chrono::milliseconds(1500));
  CHECK(orderer.kafka_brokers ==
        std::vector<std::string>{"kafka0.example.com:9092", "kafka1.example.com:9092"});
  CHECK(orderer.max_channels == 7);
  CheckPaths((*bundle)->config(), /*kafka=*/true);
}

TEST_CASE("configtxgen -inspectBlock prints the block as JSON with decoded config values") {
  Network network;
  const fs::path block_file = network.root / "genesis.block";
  REQUIRE(Configtxgen({"-profile", "TwoOrgsSolo", "-channelID", "mychannel", "-outputBlock",
                       block_file.string(), "-configPath", network.configtx_dir.string()},
                      network.root.path())
              .exit_code == 0);

  RunResult run = Configtxgen({"-inspectBlock", block_file.string()}, network.root.path());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json block = nlohmann::json::parse(run.out);
  const nlohmann::json& payload = block.at("data").at("data").at(0).at("payload");
  CHECK(payload.at("header").at("channel_header").at("channel_id") == "mychannel");
  CHECK(payload.at("header").at("channel_header").at("type") == 1);
  const nlohmann::json& channel = payload.at("data").at("config").at("channel_group");
  const nlohmann::json& orderer = channel.at("groups").at("Orderer");
  CHECK(orderer.at("values").at("BatchSize").at("value").at("max_message_count") == 10);
  CHECK(orderer.at("values").at("BatchTimeout").at("value").at("timeout") == "2s");
  CHECK(orderer.at("values").at("ConsensusType").at("value").at("type") == "solo");
  CHECK(orderer.at("policies").at("BlockValidation").at("policy").at("value").at("rule") == "ANY");
  CHECK(channel.at("values").at("HashingAlgorithm").at("value").at("name") == "SHA256");

  const nlohmann::json& org1 = channel.at("groups").at("Application").at("groups").at("Org1MSP");
  const nlohmann::json& msp = org1.at("values").at("MSP").at("value").at("config");
  CHECK(msp.at("name") == "Org1MSP");
  const fs::path cacerts =
      network.organizations / "peerOrganizations" / "org1.example.com" / "msp" / "cacerts";
  CHECK(msp.at("root_certs").at(0) == ReadFile(*fs::directory_iterator(cacerts)));
  CHECK(msp.at("fabric_node_ous").at("enable") == true);
  const nlohmann::json& endorsement = org1.at("policies").at("Endorsement").at("policy");
  CHECK(endorsement.at("type") == 1);
  const nlohmann::json& principal = endorsement.at("value").at("identities").at(0).at("principal");
  CHECK(principal.at("msp_identifier") == "Org1MSP");
  CHECK(principal.at("role") == "PEER");
  CHECK(org1.at("values").at("AnchorPeers").at("value").at("anchor_peers").at(0).at("port") ==
        7051);
}

TEST_CASE("configtxgen -printOrg prints one organisation's config group") {
  Network network;
  // No -configPath: configtx.yaml is found through FABRIC_CFG_PATH.
  REQUIRE(::setenv("FABRIC_CFG_PATH", network.configtx_dir.c_str(), 1) == 0);
  RunResult run = Configtxgen({"-printOrg", "Org2MSP"}, network.root.path());
  ::unsetenv("FABRIC_CFG_PATH");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json org = nlohmann::json::parse(run.out);
  CHECK(org.at("values").at("MSP").at("value").at("config").at("name") == "Org2MSP");
  CHECK(org.at("mod_policy") == "Admins");
  CHECK(org.at("policies").contains("Endorsement"));
}

TEST_CASE("configtxgen names the profile it cannot find and the ones it has") {
  Network network;
  RunResult run = Configtxgen(
      {"-profile", "NoSuchProfile", "-channelID", "mychannel", "-outputBlock",
       (network.root / "x.block").string(), "-configPath", network.configtx_dir.string()},
      network.root.path());
  CHECK(run.exit_code != 0);
  INFO(run.err);
  CHECK(Contains(run.err, "configtx.yaml: profile 'NoSuchProfile' not found"));
  CHECK(Contains(run.err, "TwoOrgsSolo, TwoOrgsKafka"));
  CHECK_FALSE(fs::exists(network.root / "x.block"));
}

TEST_CASE("configtxgen rejects an unsupported orderer type naming file, profile and type") {
  Network network;
  std::string configtx = weft::testing::configtxgen::kConfigtx;
  configtx.replace(configtx.find("OrdererType: solo"), 17, "OrdererType: etcdraft");
  WriteFile(network.configtx_dir / "configtx.yaml", configtx);
  RunResult run = Configtxgen(
      {"-profile", "TwoOrgsSolo", "-channelID", "mychannel", "-outputBlock",
       (network.root / "x.block").string(), "-configPath", network.configtx_dir.string()},
      network.root.path());
  CHECK(run.exit_code != 0);
  CHECK(Contains(run.err,
                 "configtx.yaml: Profiles.TwoOrgsSolo.Orderer.OrdererType: orderer type "
                 "'etcdraft' is not supported (supported: solo, kafka)"));
  CHECK_FALSE(fs::exists(network.root / "x.block"));
}

TEST_CASE("configtxgen reports an organisation whose MSPDir does not exist") {
  Network network;
  std::string configtx = weft::testing::configtxgen::kConfigtx;
  const std::string dir = "peerOrganizations/org2.example.com/msp";
  configtx.replace(configtx.find(dir), dir.size(), "peerOrganizations/org9.example.com/msp");
  WriteFile(network.configtx_dir / "configtx.yaml", configtx);
  RunResult run = Configtxgen(
      {"-profile", "TwoOrgsSolo", "-channelID", "mychannel", "-outputBlock",
       (network.root / "x.block").string(), "-configPath", network.configtx_dir.string()},
      network.root.path());
  CHECK(run.exit_code != 0);
  INFO(run.err);
  CHECK(Contains(run.err,
                 "configtx.yaml: Profiles.TwoOrgsSolo.Application.Organizations[1].MSPDir: "
                 "loading the MSP of organisation Org2MSP: MSP folder "));
  CHECK(Contains(run.err, "org9.example.com/msp does not exist"));
}

TEST_CASE("configtxgen requires policies and warns about profile keys it does not use") {
  Network network;
  std::string configtx = weft::testing::configtxgen::kConfigtx;
  // The kafka profile gets a key Weft does not know; the solo profile loses its policies.
  const std::string kafka = "      OrdererType: kafka\n";
  configtx.insert(configtx.find(kafka) + kafka.size(), "      Colour: blue\n");
  WriteFile(network.configtx_dir / "configtx.yaml", configtx);
  RunResult kafka_run = Configtxgen(
      {"-profile", "TwoOrgsKafka", "-channelID", "mychannel", "-outputBlock",
       (network.root / "k.block").string(), "-configPath", network.configtx_dir.string()},
      network.root.path());
  INFO(kafka_run.err);
  CHECK(kafka_run.exit_code == 0);
  CHECK(Contains(kafka_run.err,
                 "warning: configtx.yaml: Profiles.TwoOrgsKafka.Orderer.Colour: unknown key"));

  const std::string solo = "  TwoOrgsSolo:\n    <<: *ChannelDefaults\n";
  configtx.replace(configtx.find(solo), solo.size(), "  TwoOrgsSolo:\n");
  WriteFile(network.configtx_dir / "configtx.yaml", configtx);
  RunResult solo_run = Configtxgen(
      {"-profile", "TwoOrgsSolo", "-channelID", "mychannel", "-outputBlock",
       (network.root / "s.block").string(), "-configPath", network.configtx_dir.string()},
      network.root.path());
  INFO(solo_run.err);
  CHECK(solo_run.exit_code != 0);
  CHECK(
      Contains(solo_run.err, "configtx.yaml: Profiles.TwoOrgsSolo.Policies: no policies defined"));
}

TEST_CASE("configtxgen accepts -version and refuses to run without a task or channel ID") {
  TempDir dir("weft-configtxgen-cli");
  RunResult version = Configtxgen({"-version"}, dir.path());
  CHECK(version.exit_code == 0);
  CHECK(Contains(version.out, "configtxgen:\n Version: "));
  RunResult nothing = Configtxgen({}, dir.path());
  CHECK(nothing.exit_code != 0);
  CHECK(Contains(nothing.err, "nothing to do"));
  RunResult no_channel = Configtxgen({"-profile", "P", "-outputBlock", "x"}, dir.path());
  CHECK(no_channel.exit_code != 0);
  CHECK(Contains(no_channel.err, "-channelID"));
  RunResult bad_channel =
      Configtxgen({"-profile", "P", "-channelID", "My_Channel", "-outputBlock", "x"}, dir.path());
  CHECK(bad_channel.exit_code != 0);
  CHECK(Contains(bad_channel.err, "invalid channel ID 'My_Channel'"));
}
