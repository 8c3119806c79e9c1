#include "common/policies/policy_manager.h"

#include <catch2/catch.hpp>

#include "common/policies/policy_dsl.h"
#include "tests/unit/common/policies/fake_identities.h"

using weft::common::policies::PolicyManager;
using weft::testing::FakeDeserializer;
using weft::testing::Sign;

namespace {

void AddSignaturePolicy(::common::ConfigGroup& group, const std::string& name,
                        std::string_view text) {
  auto envelope = weft::common::policies::ParsePolicy(text);
  REQUIRE(envelope.ok());
  auto& policy = (*group.mutable_policies())[name];
  policy.mutable_policy()->set_type(::common::Policy::SIGNATURE);
  policy.mutable_policy()->set_value(envelope->SerializeAsString());
  policy.set_mod_policy("Admins");
}

void AddImplicitMeta(::common::ConfigGroup& group, const std::string& name,
                     ::common::ImplicitMetaPolicy::Rule rule, const std::string& sub_policy) {
  ::common::ImplicitMetaPolicy meta;
  meta.set_rule(rule);
  meta.set_sub_policy(sub_policy);
  auto& policy = (*group.mutable_policies())[name];
  policy.mutable_policy()->set_type(::common::Policy::IMPLICIT_META);
  policy.mutable_policy()->set_value(meta.SerializeAsString());
}

// /Channel{Application{Org1MSP, Org2MSP, Org3MSP}} with Admins/Writers per org and
// implicit meta policies above them, as configtxgen writes them.
::common::ConfigGroup ThreeOrgChannel() {
  ::common::ConfigGroup channel;
  auto& application = (*channel.mutable_groups())["Application"];
  for (std::string org : {"Org1MSP", "Org2MSP", "Org3MSP"}) {
    auto& group = (*application.mutable_groups())[org];
    AddSignaturePolicy(group, "Admins", "OR('" + org + ".admin')");
    AddSignaturePolicy(group, "Writers", "OR('" + org + ".member')");
  }
  AddImplicitMeta(application, "Admins", ::common::ImplicitMetaPolicy::MAJORITY, "Admins");
  AddImplicitMeta(application, "Writers", ::common::ImplicitMetaPolicy::ANY, "Writers");
  AddImplicitMeta(application, "AllWriters", ::common::ImplicitMetaPolicy::ALL, "Writers");
  AddImplicitMeta(application, "Readers", ::common::ImplicitMetaPolicy::ANY, "Readers");
  AddImplicitMeta(channel, "Writers", ::common::ImplicitMetaPolicy::ANY, "Writers");
  return channel;
}

}  // namespace

TEST_CASE("MAJORITY over three organisations needs two of their admins") {
  FakeDeserializer deserializer;
  auto manager = PolicyManager::Build("Channel", ThreeOrgChannel(), deserializer);
  REQUIRE(manager.ok());
  auto admins = (*manager)->GetPolicy("/Channel/Application/Admins");
  REQUIRE(admins.ok());
  auto admin1 = Sign("Org1MSP", "a1", {"admin"});
  auto admin2 = Sign("Org2MSP", "a2", {"admin"});
  auto admin3 = Sign("Org3MSP", "a3", {"admin"});

  std::vector<weft::common::policies::SignedData> one{admin1};
  auto status = (*admins)->EvaluateSignedData(one);
  REQUIRE(status.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(status.message()),
             Catch::StartsWith("implicit policy MAJORITY Admins (/Channel/Application/Admins) "
                               "not satisfied: 1 of 3 sub-policies satisfied, 2 required"));
  std::vector<weft::common::policies::SignedData> two{admin1, admin3};
  CHECK((*admins)->EvaluateSignedData(two).ok());
  std::vector<weft::common::policies::SignedData> three{admin1, admin2, admin3};
  CHECK((*admins)->EvaluateSignedData(three).ok());
}

TEST_CASE("ANY and ALL implicit policies, nested up to the channel") {
  FakeDeserializer deserializer;
  auto manager = PolicyManager::Build("Channel", ThreeOrgChannel(), deserializer);
  REQUIRE(manager.ok());
  std::vector<weft::common::policies::SignedData> one_member{Sign("Org2MSP", "m")};
  CHECK((*(*manager)->GetPolicy("/Channel/Writers"))->EvaluateSignedData(one_member).ok());
  CHECK_FALSE((*(*manager)->GetPolicy("/Channel/Application/AllWriters"))
                  ->EvaluateSignedData(one_member)
                  .ok());
  std::vector<weft::common::policies::SignedData> all{Sign("Org1MSP", "x"), Sign("Org2MSP", "y"),
                                                      Sign("Org3MSP", "z")};
  CHECK((*(*manager)->GetPolicy("/Channel/Application/AllWriters"))->EvaluateSignedData(all).ok());
  // No organisation defines Readers: ANY over nothing is satisfied, as in Fabric.
  CHECK((*(*manager)->GetPolicy("/Channel/Application/Readers"))->EvaluateSignedData({}).ok());
}

TEST_CASE("Policies resolve by absolute and relative paths, unknown ones are named") {
  FakeDeserializer deserializer;
  auto manager = PolicyManager::Build("Channel", ThreeOrgChannel(), deserializer);
  REQUIRE(manager.ok());
  const PolicyManager* application = (*manager)->SubManager("Application");
  REQUIRE(application != nullptr);
  CHECK(application->path() == "/Channel/Application");
  CHECK(application->GetPolicy("Org1MSP/Admins").ok());
  CHECK(application->GetPolicy("/Channel/Writers").ok());
  auto missing = (*manager)->GetPolicy("/Channel/Orderer/BlockValidation");
  REQUIRE(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(missing.status().message()) ==
        "policy /Channel/Orderer/BlockValidation: no group Orderer");
  missing = (*manager)->GetPolicy("/Channel/Application/Endorsement");
  CHECK(std::string(missing.status().message()) ==
        "policy /Channel/Application/Endorsement does not exist in /Channel/Application");
  CHECK((*manager)->GetPolicy("/Other/Writers").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("Unsupported or malformed policies fail the build naming their path") {
  FakeDeserializer deserializer;
  auto channel = ThreeOrgChannel();
  auto& bad = (*(*channel.mutable_groups())["Application"].mutable_policies())["Odd"];
  bad.mutable_policy()->set_type(::common::Policy::MSP);
  auto built = PolicyManager::Build("Channel", channel, deserializer);
  REQUIRE_FALSE(built.ok());
  CHECK(std::string(built.status().message()) ==
        "policy /Channel/Application/Odd: unsupported policy type 2 (only SIGNATURE and "
        "IMPLICIT_META are supported)");

  bad.mutable_policy()->set_type(::common::Policy::SIGNATURE);
  bad.mutable_policy()->set_value("\xff\xff");
  built = PolicyManager::Build("Channel", channel, deserializer);
  REQUIRE_FALSE(built.ok());
  CHECK(std::string(built.status().message()) ==
        "policy /Channel/Application/Odd: value is not a SignaturePolicyEnvelope");
}
