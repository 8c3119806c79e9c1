#include "common/policies/policy_manager.h"

#include <catch2/catch.hpp>

#include "common/policies/policy_dsl.h"
#include "tests/unit/common/policies/fake_identities.h"

using weft::common::policies::PolicyManager;
using weft::testing::BadSignature;
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
  // No organisation defines Readers. Fabric's NewImplicitMetaPolicy takes one
  // sub-policy per child group, and ManagerImpl.GetPolicy gives a group lacking the
  // policy a rejectPolicy: ANY Readers over three such groups is never satisfied.
  auto readers =
      (*(*manager)->GetPolicy("/Channel/Application/Readers"))->EvaluateSignedData(one_member);
  REQUIRE(readers.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(readers.message()),
             Catch::Contains("0 of 3 sub-policies satisfied, 1 required") &&
                 Catch::Contains("no such policy: '/Channel/Application/Org1MSP/Readers'"));
}

TEST_CASE("An implicit meta policy over no child groups is satisfied, and one lacking counts") {
  // implicitmeta.go NewImplicitMetaPolicy: with no sub-policies the threshold is 0;
  // otherwise every child group has a sub-policy, a missing one rejecting.
  FakeDeserializer deserializer;
  ::common::ConfigGroup channel;
  auto& application = (*channel.mutable_groups())["Application"];
  auto& org1 = (*application.mutable_groups())["Org1MSP"];
  AddSignaturePolicy(org1, "Endorsement", "OR('Org1MSP.member')");
  (*application.mutable_groups())["Org2MSP"];  // defines no Endorsement policy
  AddImplicitMeta(application, "Endorsement", ::common::ImplicitMetaPolicy::MAJORITY,
                  "Endorsement");
  AddImplicitMeta(application, "AnyEndorsement", ::common::ImplicitMetaPolicy::ANY, "Endorsement");
  AddImplicitMeta(org1, "Nothing", ::common::ImplicitMetaPolicy::ALL, "Readers");
  auto manager = PolicyManager::Build("Channel", channel, deserializer);
  REQUIRE(manager.ok());
  std::vector<weft::common::policies::SignedData> both{Sign("Org1MSP", "a"), Sign("Org2MSP", "b")};
  // MAJORITY of two groups is two; Org2MSP's missing policy never is one of them.
  CHECK_FALSE(
      (*(*manager)->GetPolicy("/Channel/Application/Endorsement"))->EvaluateSignedData(both).ok());
  CHECK((*(*manager)->GetPolicy("/Channel/Application/AnyEndorsement"))
            ->EvaluateSignedData(both)
            .ok());
  CHECK((*(*manager)->GetPolicy("/Channel/Application/Org1MSP/Nothing"))
            ->EvaluateSignedData({})
            .ok());
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

namespace {

// /Channel{Application{Org1MSP, Org2MSP}} with each org's Endorsement policy a
// member of the org and Application/Endorsement MAJORITY of them, the
// channel-wide default endorsement policy of configtxgen's sample profiles.
::common::ConfigGroup TwoOrgEndorsementChannel() {
  ::common::ConfigGroup channel;
  auto& application = (*channel.mutable_groups())["Application"];
  for (std::string org : {"Org1MSP", "Org2MSP"}) {
    auto& group = (*application.mutable_groups())[org];
    AddSignaturePolicy(group, "Endorsement", "OR('" + org + ".peer')");
    AddSignaturePolicy(group, "Admins", "OR('" + org + ".admin')");
  }
  AddImplicitMeta(application, "Endorsement", ::common::ImplicitMetaPolicy::MAJORITY,
                  "Endorsement");
  AddImplicitMeta(application, "Admins", ::common::ImplicitMetaPolicy::MAJORITY, "Admins");
  AddImplicitMeta(channel, "Admins", ::common::ImplicitMetaPolicy::MAJORITY, "Admins");
  return channel;
}

}  // namespace

TEST_CASE("MAJORITY Endorsement over two organisations checks each endorsement once") {
  FakeDeserializer deserializer;
  auto manager = PolicyManager::Build("Channel", TwoOrgEndorsementChannel(), deserializer);
  REQUIRE(manager.ok());
  auto endorsement = (*manager)->GetPolicy("/Channel/Application/Endorsement");
  REQUIRE(endorsement.ok());
  std::vector<weft::common::policies::SignedData> endorsements{
      Sign("Org1MSP", "peer0.org1", {"peer"}), Sign("Org2MSP", "peer0.org2", {"peer"})};
  REQUIRE((*endorsement)->EvaluateSignedData(endorsements).ok());
  // Fabric's ImplicitMetaPolicy.EvaluateSignedData hands the whole set to each org's
  // policy, which verifies every signature (2 orgs x 2 endorsements = 4); the verdict
  // is the same when the set is verified once and the orgs judge the identities.
  CHECK(deserializer.verify_count() == 2);

  // Nested: /Channel/Admins is MAJORITY of Application/Admins, itself MAJORITY of
  // the orgs' Admins; still one check per signature.
  FakeDeserializer nested_deserializer;
  auto nested = PolicyManager::Build("Channel", TwoOrgEndorsementChannel(), nested_deserializer);
  REQUIRE(nested.ok());
  std::vector<weft::common::policies::SignedData> admins{Sign("Org1MSP", "a1", {"admin"}),
                                                         Sign("Org2MSP", "a2", {"admin"})};
  REQUIRE((*(*nested)->GetPolicy("/Channel/Admins"))->EvaluateSignedData(admins).ok());
  CHECK(nested_deserializer.verify_count() == 2);
}

TEST_CASE("Implicit meta policies decide as Fabric's per-sub-policy evaluation") {
  // Fabric's ImplicitMetaPolicy.EvaluateSignedData (common/policies/implicitmeta.go):
  // satisfied when at least threshold sub-policies are satisfied by the signature set,
  // each sub-policy applying SignatureSetToValidIdentities (common/policies/policy.go:
  // unknown identities and bad signatures dropped, a signer counted once, a bad
  // signature not hiding a later good one by the same signer) before cauthdsl.
  // Each case states that verdict; it is also checked against evaluating each
  // org's policy on the signatures on its own, as Fabric does.
  FakeDeserializer deserializer;
  auto manager = PolicyManager::Build("Channel", TwoOrgEndorsementChannel(), deserializer);
  REQUIRE(manager.ok());
  const weft::common::policies::Policy* majority =
      *(*manager)->GetPolicy("/Channel/Application/Endorsement");
  std::vector<const weft::common::policies::Policy*> orgs{
      *(*manager)->GetPolicy("/Channel/Application/Org1MSP/Endorsement"),
      *(*manager)->GetPolicy("/Channel/Application/Org2MSP/Endorsement")};

  auto p1 = Sign("Org1MSP", "p1", {"peer"});
  auto p1b = Sign("Org1MSP", "p1b", {"peer"});
  auto p2 = Sign("Org2MSP", "p2", {"peer"});
  auto forged_p2 = BadSignature("Org2MSP", "p2");
  forged_p2.identity = p2.identity;
  auto unknown = Sign("UnknownMSP", "x", {"peer"});
  auto client2 = Sign("Org2MSP", "c2", {"client"});
  struct Case {
    const char* name;
    std::vector<weft::common::policies::SignedData> signatures;
    bool satisfied;
  };
  const std::vector<Case> cases{
      {"both orgs", {p1, p2}, true},
      {"both orgs, reversed", {p2, p1}, true},
      {"one org twice, same signer", {p1, p1}, false},
      {"one org, two signers", {p1, p1b}, false},
      {"second org forged", {p1, forged_p2}, false},
      {"forged then good by the same signer", {p1, forged_p2, p2}, true},
      {"good then forged by the same signer", {p1, p2, forged_p2}, true},
      {"unknown MSP", {unknown, p1}, false},
      {"unknown MSP and both orgs", {unknown, p2, p1}, true},
      {"wrong role in the second org", {p1, client2}, false},
      {"no signatures", {}, false},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    int orgs_satisfied = 0;
    for (const auto* org : orgs) orgs_satisfied += org->EvaluateSignedData(c.signatures).ok();
    CHECK((orgs_satisfied >= 2) == c.satisfied);  // MAJORITY of 2 is 2
    CHECK(majority->EvaluateSignedData(c.signatures).ok() == c.satisfied);
  }
}

TEST_CASE("A failed implicit meta evaluation names the signatures it ignored") {
  FakeDeserializer deserializer;
  auto manager = PolicyManager::Build("Channel", TwoOrgEndorsementChannel(), deserializer);
  REQUIRE(manager.ok());
  std::vector<weft::common::policies::SignedData> signatures{Sign("Org1MSP", "p1", {"peer"}),
                                                             BadSignature("Org2MSP", "p2"),
                                                             Sign("UnknownMSP", "x", {"peer"})};
  auto status =
      (*(*manager)->GetPolicy("/Channel/Application/Endorsement"))->EvaluateSignedData(signatures);
  REQUIRE(status.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(status.message()),
             Catch::StartsWith("implicit policy MAJORITY Endorsement "
                               "(/Channel/Application/Endorsement) not satisfied: 1 of 2 "
                               "sub-policies satisfied, 2 required") &&
                 Catch::Contains("ignored: signature by Org2MSP identity: signature does not "
                                 "verify; MSP UnknownMSP is not defined"));
  // The bad signature and the known signer's are each checked once.
  CHECK(deserializer.verify_count() == 2);
}
