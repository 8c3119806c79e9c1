#include "common/channelconfig/channel_config.h"

#include <catch2/catch.hpp>

#include "common/channelconfig/capabilities.h"
#include "common/channelconfig/config_builder.h"
#include "common/protoutil/block.h"
#include "msp/signing_identity.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

using namespace weft::common::channelconfig;
using weft::testing::IssueLeaf;
using weft::testing::MakeTestCa;
using weft::testing::TestIdentity;

namespace {

// Organisation `name` + "MSP" with the shared NodeOU organisation policies.
OrganizationSpec Org(const std::string& name, const TestIdentity& ca) {
  return weft::testing::NodeOuOrg(name + "MSP", ca);
}

struct Network {
  TestIdentity org1_ca = MakeTestCa("ca.org1.example.com", "Org1");
  TestIdentity org2_ca = MakeTestCa("ca.org2.example.com", "Org2");
  TestIdentity orderer_ca = MakeTestCa("ca.example.com", "Orderer");

  ChannelSpec Spec() const {
    ChannelSpec spec;
    spec.policies = weft::testing::StandardPolicies();
    spec.capabilities = {"V2_0"};
    spec.orderer = weft::testing::StandardOrderer(orderer_ca, "250ms");
    ApplicationSpec application;
    application.policies = weft::testing::StandardPolicies();
    application.policies["Endorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    application.capabilities = {"V2_5"};
    application.acls = {{"qscc/GetChainInfo", "/Channel/Application/Readers"}};
    auto org1 = Org("Org1", org1_ca);
    org1.anchor_peers = {{"peer0.org1.example.com", 7051}};
    application.organizations = {org1, Org("Org2", org2_ca)};
    spec.application = application;
    return spec;
  }
};

weft::common::policies::SignedData SignAs(const TestIdentity& who, const std::string& msp_id,
                                          const std::string& data) {
  const auto signer = weft::testing::MakeSigner(who, msp_id);
  return {data, signer.serialized(), *signer.Sign(data)};
}

}  // namespace

TEST_CASE("A genesis block built from a spec reads back into the same bundle") {
  Network network;
  auto config = BuildConfig(network.Spec());
  REQUIRE(config.ok());
  auto block = BuildGenesisBlock("mychannel", *config);
  REQUIRE(block.ok());
  CHECK(block->header().number() == 0);
  CHECK(block->header().previous_hash().empty());
  CHECK(block->header().data_hash() == weft::common::protoutil::BlockDataHash(block->data()));
  CHECK(block->metadata().metadata_size() == 5);

  auto bundle = ChannelConfig::FromConfigBlock(*block);
  REQUIRE(bundle.ok());
  const auto& channel = **bundle;
  CHECK(channel.channel_id() == "mychannel");
  CHECK(channel.sequence() == 0);
  CHECK(channel.hashing_algorithm() == "SHA256");
  CHECK(channel.capabilities() == std::set<std::string>{"V2_0"});
  REQUIRE(channel.orderer().has_value());
  CHECK(channel.orderer()->consensus_type == "solo");
  CHECK(channel.orderer()->batch_timeout == std::chrono::milliseconds(250));
  CHECK(channel.orderer()->batch_size.max_message_count == 10);
  CHECK(channel.orderer()->batch_size.absolute_max_bytes == (1u << 20));
  CHECK(channel.orderer()->batch_size.preferred_max_bytes == (1u << 19));
  CHECK(channel.orderer()->organizations.at("OrdererMSP").orderer_endpoints ==
        std::vector<std::string>{"127.0.0.1:7050"});
  REQUIRE(channel.application().has_value());
  CHECK(channel.application()->capabilities == std::set<std::string>{"V2_5"});
  CHECK(channel.application()->acls.at("qscc/GetChainInfo") == "/Channel/Application/Readers");
  const auto& org1 = channel.application()->organizations.at("Org1MSP");
  CHECK(org1.msp_id == "Org1MSP");
  CHECK(org1.anchor_peers == std::vector<Endpoint>{{"peer0.org1.example.com", 7051}});
  CHECK(channel.msp_manager().msps().size() == 3);
  for (std::string path : {"/Channel/Readers", "/Channel/Writers", "/Channel/Admins",
                           "/Channel/Orderer/BlockValidation", "/Channel/Application/Endorsement",
                           "/Channel/Application/Org2MSP/Admins"}) {
    INFO(path);
    CHECK(channel.policy_manager().GetPolicy(path).ok());
  }
}

TEST_CASE("Channel policies evaluate real signatures through the organisations' MSPs") {
  Network network;
  auto bundle = ChannelConfig::FromConfig("mychannel", *BuildConfig(network.Spec()));
  REQUIRE(bundle.ok());
  const auto& policies = (*bundle)->policy_manager();
  auto client1 = IssueLeaf(network.org1_ca, "User1@org1.example.com", {"client"});
  auto admin1 = IssueLeaf(network.org1_ca, "Admin@org1.example.com", {"admin"});
  auto admin2 = IssueLeaf(network.org2_ca, "Admin@org2.example.com", {"admin"});
  auto peer2 = IssueLeaf(network.org2_ca, "peer0.org2.example.com", {"peer"});
  auto stranger = IssueLeaf(MakeTestCa("ca.evil.example.com", "Evil"), "eve", {"client"});

  std::vector<weft::common::policies::SignedData> client_writes{SignAs(client1, "Org1MSP", "tx")};
  CHECK((*policies.GetPolicy("/Channel/Application/Writers"))
            ->EvaluateSignedData(client_writes)
            .ok());
  std::vector<weft::common::policies::SignedData> forged{SignAs(stranger, "Org1MSP", "tx")};
  CHECK_FALSE(
      (*policies.GetPolicy("/Channel/Application/Writers"))->EvaluateSignedData(forged).ok());

  auto admins = *policies.GetPolicy("/Channel/Application/Admins");
  std::vector<weft::common::policies::SignedData> one_admin{SignAs(admin1, "Org1MSP", "cfg")};
  CHECK_FALSE(admins->EvaluateSignedData(one_admin).ok());
  std::vector<weft::common::policies::SignedData> two_admins{SignAs(admin1, "Org1MSP", "cfg"),
                                                             SignAs(admin2, "Org2MSP", "cfg")};
  CHECK(admins->EvaluateSignedData(two_admins).ok());

  auto endorsement = *policies.GetPolicy("/Channel/Application/Endorsement");
  std::vector<weft::common::policies::SignedData> one_peer{SignAs(peer2, "Org2MSP", "prp")};
  CHECK_FALSE(endorsement->EvaluateSignedData(one_peer).ok());
}

TEST_CASE("Invalid channel configurations are rejected naming the value") {
  Network network;
  auto spec = network.Spec();
  spec.orderer->batch_size.preferred_max_bytes = spec.orderer->batch_size.absolute_max_bytes + 1;
  auto bundle = ChannelConfig::FromConfig("mychannel", *BuildConfig(spec));
  REQUIRE_FALSE(bundle.ok());
  CHECK_THAT(std::string(bundle.status().message()),
             Catch::StartsWith("channel config /Channel/Orderer: BatchSize needs"));

  spec = network.Spec();
  spec.orderer->batch_timeout = "soon";
  bundle = ChannelConfig::FromConfig("mychannel", *BuildConfig(spec));
  CHECK(std::string(bundle.status().message()) ==
        "channel config /Channel/Orderer: BatchTimeout 'soon' is not a positive duration");

  spec = network.Spec();
  spec.orderer->orderer_type = "kafka";
  bundle = ChannelConfig::FromConfig("mychannel", *BuildConfig(spec));
  CHECK(std::string(bundle.status().message()) ==
        "channel config /Channel/Orderer: consensus type kafka needs KafkaBrokers");

  spec = network.Spec();
  spec.application->organizations[0].policies["Admins"].rule = "OR('Org1MSP.boss')";
  auto config = BuildConfig(spec);
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(std::string(config.status().message()),
             Catch::StartsWith("/Channel/Application/Org1MSP policy Admins: policy"));

  ::common::Block not_config = weft::common::protoutil::NewBlock(3, "x");
  CHECK_FALSE(ChannelConfig::FromConfigBlock(not_config).ok());
}

// Fabric's MSP set-up validates admin certificates at their NotBefore + 1 s
// (msp/mspimplvalidate.go getValidityOptsForCert), so a channel whose config holds
// an admin certificate that has since expired still loads, and that admin still
// satisfies the organisation's Admins policy (expiry is judged by the orderer's
// Broadcast and Deliver filters, not the MSP).
TEST_CASE("A channel config holding an expired admin certificate still loads") {
  using std::chrono::hours;
  const auto now = std::chrono::system_clock::now();
  Network network;
  network.org1_ca = MakeTestCa("ca.org1.example.com", "Org1",
                               weft::testing::Validity{now - hours(96), now + hours(96)});
  auto expired_admin = IssueLeaf(network.org1_ca, "OldAdmin@org1.example.com", {"client"}, {},
                                 weft::testing::Validity{now - hours(48), now - hours(1)});
  ChannelSpec spec = network.Spec();
  spec.application->organizations[0].msp.admin_certs = {expired_admin.cert};
  auto config = BuildConfig(spec);
  REQUIRE(config.ok());
  auto bundle = ChannelConfig::FromConfig("mychannel", *config);
  INFO(bundle.status().ToString());
  REQUIRE(bundle.ok());
  auto signer = weft::testing::MakeSigner(expired_admin, "Org1MSP");
  auto identity = (*bundle)->msp_manager().DeserializeIdentity(signer.serialized());
  REQUIRE(identity.ok());
  ::common::MSPRole role;
  role.set_msp_identifier("Org1MSP");
  role.set_role(::common::MSPRole::ADMIN);
  ::common::MSPPrincipal principal;
  principal.set_principal_classification(::common::MSPPrincipal::ROLE);
  principal.set_principal(role.SerializeAsString());
  CHECK((*identity)->SatisfiesPrincipal(principal).ok());
}

// Fabric 2.5's common/capabilities registries: what this build implements.
TEST_CASE("Capabilities this build lacks are named; known ones switch on their features") {
  CHECK(CheckCapabilitiesSupported(CapabilitySection::kChannel, {"V1_1", "V1_4_3", "V2_0"}).ok());
  CHECK(CheckCapabilitiesSupported(CapabilitySection::kOrderer, {"V1_1", "V1_4_2", "V2_0"}).ok());
  CHECK(CheckCapabilitiesSupported(CapabilitySection::kApplication, {"V2_0", "V2_5"}).ok());
  CHECK(CheckCapabilitiesSupported(CapabilitySection::kOrderer, {"V2_5"}).message() ==
        "Orderer capability V2_5 is required but not supported");
  CHECK(CheckCapabilitiesSupported(CapabilitySection::kApplication, {"V3_0"}).message() ==
        "Application capability V3_0 is required but not supported");
  // orderer.go ExpirationCheck: V1_1 and later; ConsensusTypeMigration: V1_4_2 and later.
  CHECK(OrdererExpirationCheck({"V1_1"}));
  CHECK_FALSE(OrdererExpirationCheck({}));
  CHECK_FALSE(OrdererConsensusTypeMigration({"V1_1"}));
  CHECK(OrdererConsensusTypeMigration({"V2_0"}));
  // channel.go ConsensusTypeMigration: V1_4_2, V1_4_3, V2_0.
  CHECK_FALSE(ChannelConsensusTypeMigration({"V1_3"}));
  CHECK(ChannelConsensusTypeMigration({"V1_4_3"}));
}

TEST_CASE("A bundle's MSPs count their signature checks in the counter it was built with") {
  Network network;
  auto counter = std::make_shared<weft::msp::EcdsaCounter>();
  auto bundle = ChannelConfig::FromConfig("mychannel", *BuildConfig(network.Spec()), counter);
  REQUIRE(bundle.ok());
  CHECK((*bundle)->ecdsa_counter() == counter);
  auto client1 = IssueLeaf(network.org1_ca, "User1@org1.example.com", {"client"});
  auto orderer = IssueLeaf(network.orderer_ca, "orderer.example.com", {"orderer"});
  for (const auto& [who, msp_id] :
       {std::pair{&client1, "Org1MSP"}, std::pair{&orderer, "OrdererMSP"}}) {
    auto signed_data = SignAs(*who, msp_id, "tx");
    auto identity = (*bundle)->msp_manager().DeserializeIdentity(signed_data.identity);
    REQUIRE(identity.ok());
    CHECK((*identity)->Verify(signed_data.data, signed_data.signature).ok());
  }
  // Application and orderer organisations alike.
  CHECK(counter->verifies() == 2);

  // A bundle built without a counter counts nothing; one derived with the first's
  // counter (as a config update does) counts in the same place.
  auto uncounted = ChannelConfig::FromConfig("mychannel", *BuildConfig(network.Spec()));
  REQUIRE(uncounted.ok());
  CHECK((*uncounted)->ecdsa_counter() == nullptr);
  auto derived =
      ChannelConfig::FromConfig("mychannel", (*bundle)->config(), (*bundle)->ecdsa_counter());
  REQUIRE(derived.ok());
  auto signed_data = SignAs(client1, "Org1MSP", "tx");
  for (const auto& config : {*uncounted, *derived}) {
    auto identity = config->msp_manager().DeserializeIdentity(signed_data.identity);
    REQUIRE(identity.ok());
    CHECK((*identity)->Verify(signed_data.data, signed_data.signature).ok());
  }
  CHECK(counter->verifies() == 3);
}
