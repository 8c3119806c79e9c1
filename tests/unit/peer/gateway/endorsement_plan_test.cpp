// Endorsement plans: which organisations' peers satisfy an endorsement policy.
// Expected layouts follow Fabric's policy rules: common/policies/cauthdsl
// (NOutOf; one signature satisfies one principal), common/policies/implicitmeta.go
// (ANY = 1, ALL = every sub-group, MAJORITY = len/2 + 1 sub-groups) and
// discovery/endorsement (the layouts of a policy, each org with a count).
#include "peer/gateway/endorsement_plan.h"

#include <catch2/catch.hpp>

#include "common/channelconfig/config_builder.h"
#include "common/policies/policy_dsl.h"
#include "peer/policy.pb.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"
#include "tests/support/value_or_throw.h"

namespace weft::peer::gateway {
namespace {

using testing::ValueOrThrow;

std::vector<Layout> Layouts(const std::string& rule) {
  auto policy = ValueOrThrow(common::policies::ParsePolicy(rule), rule);
  return ValueOrThrow(SignaturePolicyLayouts(policy), rule);
}

// A channel with application orgs Org1MSP..OrgNMSP, each with Endorsement
// "OR('OrgX.peer')", and the channel-wide Endorsement `endorsement`.
::common::Config ChannelWithOrgs(int orgs, const std::string& endorsement) {
  common::channelconfig::ChannelSpec spec;
  spec.policies = testing::StandardPolicies();
  spec.capabilities = {"V2_0"};
  spec.orderer = testing::StandardOrderer(testing::MakeTestCa("ca.example.com", "Orderer"));
  common::channelconfig::ApplicationSpec application;
  application.policies = testing::StandardPolicies();
  application.policies["Endorsement"] = {"ImplicitMeta", endorsement};
  application.policies["LifecycleEndorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
  application.capabilities = {"V2_5"};
  for (int i = 1; i <= orgs; ++i) {
    const std::string name = "Org" + std::to_string(i);
    application.organizations.push_back(
        testing::NodeOuOrg(name + "MSP", testing::MakeTestCa("ca." + name + ".example.com", name)));
  }
  spec.application = application;
  return ValueOrThrow(common::channelconfig::BuildConfig(spec), "building the channel config");
}

TEST_CASE("an OR policy gives one layout per organisation") {
  CHECK(Layouts("OR('Org1MSP.peer','Org2MSP.peer')") ==
        std::vector<Layout>{{{"Org1MSP", 1}}, {{"Org2MSP", 1}}});
}

TEST_CASE("an AND policy needs every organisation") {
  CHECK(Layouts("AND('Org1MSP.member','Org2MSP.member')") ==
        std::vector<Layout>{{{"Org1MSP", 1}, {"Org2MSP", 1}}});
}

TEST_CASE("OutOf picks every combination of n principals") {
  CHECK(Layouts("OutOf(2,'A.member','B.member','C.member')") ==
        std::vector<Layout>{{{"A", 1}, {"B", 1}}, {{"A", 1}, {"C", 1}}, {{"B", 1}, {"C", 1}}});
}

TEST_CASE("one peer satisfies one principal, so a repeated org needs two peers") {
  CHECK(Layouts("AND('Org1MSP.member','Org1MSP.peer')") == std::vector<Layout>{{{"Org1MSP", 2}}});
  CHECK(Layouts("AND('A.member',OR('A.member','B.member'))") ==
        std::vector<Layout>{{{"A", 1}, {"B", 1}}, {{"A", 2}}});
}

TEST_CASE("layouts that need more than another one are dropped") {
  CHECK(Layouts("OR('A.member',AND('A.member','B.member'))") == std::vector<Layout>{{{"A", 1}}});
}

TEST_CASE("principals no peer signs as (admin, client) give no layout") {
  CHECK(Layouts("OR('Org1MSP.admin','Org2MSP.client')").empty());
  CHECK(Layouts("OR('Org1MSP.admin','Org2MSP.peer')") == std::vector<Layout>{{{"Org2MSP", 1}}});
}

TEST_CASE("MAJORITY Endorsement of three organisations needs two of them") {
  const auto config = ChannelWithOrgs(3, "MAJORITY Endorsement");
  auto layouts = ChannelPolicyLayouts(config, "/Channel/Application/Endorsement");
  REQUIRE(layouts.ok());
  CHECK(*layouts == std::vector<Layout>{{{"Org1MSP", 1}, {"Org2MSP", 1}},
                                        {{"Org1MSP", 1}, {"Org3MSP", 1}},
                                        {{"Org2MSP", 1}, {"Org3MSP", 1}}});
}

TEST_CASE("MAJORITY of two organisations needs both, ANY needs one, ALL needs all") {
  CHECK(*ChannelPolicyLayouts(ChannelWithOrgs(2, "MAJORITY Endorsement"),
                              "/Channel/Application/Endorsement") ==
        std::vector<Layout>{{{"Org1MSP", 1}, {"Org2MSP", 1}}});
  CHECK(*ChannelPolicyLayouts(ChannelWithOrgs(3, "ANY Endorsement"),
                              "/Channel/Application/Endorsement") ==
        std::vector<Layout>{{{"Org1MSP", 1}}, {{"Org2MSP", 1}}, {{"Org3MSP", 1}}});
  CHECK(*ChannelPolicyLayouts(ChannelWithOrgs(3, "ALL Endorsement"),
                              "/Channel/Application/Endorsement") ==
        std::vector<Layout>{{{"Org1MSP", 1}, {"Org2MSP", 1}, {"Org3MSP", 1}}});
}

TEST_CASE("a relative policy reference lives under /Channel/Application") {
  CHECK(*ChannelPolicyLayouts(ChannelWithOrgs(2, "ANY Endorsement"), "Endorsement") ==
        std::vector<Layout>{{{"Org1MSP", 1}}, {{"Org2MSP", 1}}});
}

TEST_CASE("a policy the channel config lacks is NotFound") {
  auto layouts = ChannelPolicyLayouts(ChannelWithOrgs(2, "ANY Endorsement"),
                                      "/Channel/Application/NoSuchPolicy");
  REQUIRE(absl::IsNotFound(layouts.status()));
  CHECK(std::string(layouts.status().message()).find("NoSuchPolicy") != std::string::npos);
}

TEST_CASE("a chaincode definition's ApplicationPolicy: signature policy or reference") {
  const auto config = ChannelWithOrgs(2, "MAJORITY Endorsement");
  ::protos::ApplicationPolicy signature;
  *signature.mutable_signature_policy() =
      ValueOrThrow(common::policies::ParsePolicy("OR('Org2MSP.peer')"), "policy");
  CHECK(*ApplicationPolicyLayouts(config, signature.SerializeAsString()) ==
        std::vector<Layout>{{{"Org2MSP", 1}}});

  ::protos::ApplicationPolicy reference;
  reference.set_channel_config_policy_reference("/Channel/Application/Endorsement");
  CHECK(*ApplicationPolicyLayouts(config, reference.SerializeAsString()) ==
        std::vector<Layout>{{{"Org1MSP", 1}, {"Org2MSP", 1}}});

  CHECK(absl::IsInvalidArgument(ApplicationPolicyLayouts(config, "\xff\xff").status()));
  CHECK(absl::IsInvalidArgument(
      ApplicationPolicyLayouts(config, ::protos::ApplicationPolicy().SerializeAsString())
          .status()));
}

TEST_CASE("two policies combine: one endorsement may count for both") {
  const auto chaincode = Layouts("OR('Org1MSP.peer','Org2MSP.peer')");
  const auto key = Layouts("AND('Org2MSP.peer','Org3MSP.peer')");
  CHECK(CombineLayouts(chaincode, key) == std::vector<Layout>{{{"Org2MSP", 1}, {"Org3MSP", 1}}});
  CHECK(CombineLayouts(Layouts("AND('A.member','A.member')"), Layouts("OR('A.member')")) ==
        std::vector<Layout>{{{"A", 2}}});
  CHECK(CombineLayouts(chaincode, {}).empty());  // an unsatisfiable policy stays so
}

}  // namespace
}  // namespace weft::peer::gateway
