#include "common/policies/signature_policy.h"

#include <catch2/catch.hpp>
#include <vector>

#include "common/policies/policy_dsl.h"
#include "tests/unit/common/policies/fake_identities.h"

using weft::common::policies::NewSignaturePolicy;
using weft::common::policies::ParsePolicy;
using weft::common::policies::SignedData;
using weft::testing::BadSignature;
using weft::testing::FakeDeserializer;
using weft::testing::Sign;

namespace {

[[nodiscard]] absl::Status Evaluate(std::string_view policy_text,
                                    const std::vector<SignedData>& signatures) {
  static const FakeDeserializer deserializer;
  auto envelope = ParsePolicy(policy_text);
  REQUIRE(envelope.ok());
  auto policy = NewSignaturePolicy(*envelope, deserializer);
  REQUIRE(policy.ok());
  return (*policy)->EvaluateSignedData(signatures);
}

}  // namespace

TEST_CASE("AND needs every principal and OR needs one") {
  auto alice = Sign("Org1MSP", "alice");
  auto bob = Sign("Org2MSP", "bob");
  CHECK(Evaluate("AND('Org1MSP.member', 'Org2MSP.member')", {alice, bob}).ok());
  auto missing = Evaluate("AND('Org1MSP.member', 'Org2MSP.member')", {alice});
  CHECK(missing.code() == absl::StatusCode::kPermissionDenied);
  CHECK(std::string(missing.message()) ==
        "signature set does not satisfy policy AND('Org1MSP.member', 'Org2MSP.member'): 1 valid "
        "distinct signer(s) from Org1MSP");
  CHECK(Evaluate("OR('Org1MSP.member', 'Org2MSP.member')", {bob}).ok());
  CHECK_FALSE(Evaluate("OR('Org1MSP.member', 'Org2MSP.member')", {}).ok());
}

TEST_CASE("Roles are checked: admin, peer and client are distinct from member") {
  auto admin = Sign("Org1MSP", "admin1", {"admin"});
  auto peer = Sign("Org1MSP", "peer0", {"peer"});
  CHECK(Evaluate("AND('Org1MSP.admin')", {admin}).ok());
  CHECK_FALSE(Evaluate("AND('Org1MSP.admin')", {peer}).ok());
  CHECK(Evaluate("AND('Org1MSP.member')", {peer}).ok());
  CHECK_FALSE(Evaluate("AND('Org1MSP.client')", {peer, admin}).ok());
}

TEST_CASE("OutOf counts distinct satisfied rules across nesting") {
  auto a = Sign("Org1MSP", "a");
  auto b = Sign("Org2MSP", "b");
  auto c = Sign("Org3MSP", "c");
  const char* two_of_three = "OutOf(2, 'Org1MSP.member', 'Org2MSP.member', 'Org3MSP.member')";
  CHECK_FALSE(Evaluate(two_of_three, {a}).ok());
  CHECK(Evaluate(two_of_three, {a, c}).ok());
  CHECK(Evaluate(two_of_three, {c, b, a}).ok());
  const char* nested = "OR(AND('Org1MSP.member', 'Org2MSP.member'), AND('Org3MSP.member'))";
  CHECK(Evaluate(nested, {a, b}).ok());
  CHECK(Evaluate(nested, {c}).ok());
  CHECK_FALSE(Evaluate(nested, {a}).ok());
}

TEST_CASE("A duplicate signer counts once") {
  auto alice = Sign("Org1MSP", "alice");
  auto alice_again = Sign("Org1MSP", "alice", {}, "payload");
  auto carol = Sign("Org1MSP", "carol");
  const char* two_members = "AND('Org1MSP.member', 'Org1MSP.member')";
  CHECK_FALSE(Evaluate(two_members, {alice, alice_again}).ok());
  CHECK(Evaluate(two_members, {alice, carol}).ok());
}

TEST_CASE("Forged signatures and unknown identities do not count") {
  auto forged = BadSignature("Org1MSP", "mallory");
  auto unknown = Sign("UnknownMSP", "eve");
  auto status = Evaluate("OR('Org1MSP.member', 'UnknownMSP.member')", {forged, unknown});
  REQUIRE(status.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(status.message()), Catch::Contains("0 valid distinct signer(s)") &&
                                                Catch::Contains("signature does not verify") &&
                                                Catch::Contains("MSP UnknownMSP is not defined"));
  // A valid signature by the same identity after a forged one still counts.
  CHECK(Evaluate("AND('Org1MSP.member')", {forged, Sign("Org1MSP", "mallory")}).ok());
}

TEST_CASE("Signers are matched greedily, in order, as Fabric's cauthdsl does") {
  // common/cauthdsl/cauthdsl.go compile: a SignedBy leaf takes the first unused
  // signer satisfying its principal; NOutOf evaluates every rule in order and keeps
  // what a satisfied rule took. The admin (also a member) listed first is taken by
  // 'member', so no admin is left for 'admin' although an assignment exists.
  auto admin = Sign("Org1MSP", "admin", {"admin"});
  auto member = Sign("Org1MSP", "member");
  CHECK_FALSE(Evaluate("AND('Org1MSP.member', 'Org1MSP.admin')", {admin, member}).ok());
  // Signed in the other order, the greedy pass succeeds.
  CHECK(Evaluate("AND('Org1MSP.member', 'Org1MSP.admin')", {member, admin}).ok());
  // Principals listed admin first leave the plain member for 'member'.
  CHECK(Evaluate("AND('Org1MSP.admin', 'Org1MSP.member')", {admin, member}).ok());
  // The same greed inside an OutOf: 'member' takes the admin, then 'admin' and
  // 'peer' find no unused signer that matches, so only one rule of two is met.
  CHECK_FALSE(
      Evaluate("OutOf(2, 'Org1MSP.member', 'Org1MSP.admin', 'Org1MSP.peer')", {admin, member})
          .ok());
  // A failed rule gives back what it took: the inner AND takes the admin for
  // 'member' then fails on Org2, so the admin is still there for the outer 'admin'.
  CHECK(Evaluate("OR(AND('Org1MSP.member', 'Org2MSP.member'), 'Org1MSP.admin')", {admin, member})
            .ok());
  CHECK_FALSE(Evaluate("AND('Org1MSP.admin', 'Org1MSP.admin')", {admin, member}).ok());
}

TEST_CASE("Malformed envelopes are rejected when the policy is built") {
  FakeDeserializer deserializer;
  ::common::SignaturePolicyEnvelope out_of_range;
  out_of_range.mutable_rule()->set_signed_by(3);
  auto built = NewSignaturePolicy(out_of_range, deserializer);
  REQUIRE_FALSE(built.ok());
  CHECK(std::string(built.status().message()) ==
        "signature policy refers to identity 3 but has 0 identities");

  CHECK_FALSE(NewSignaturePolicy(::common::SignaturePolicyEnvelope(), deserializer).ok());
}

TEST_CASE("An n-out-of with more rules required than it has compiles and is never satisfied") {
  // cauthdsl.go compiles any N and compares `verified >= N` at evaluation, so such a
  // chaincode policy fails its transactions instead of halting the validator.
  auto member = Sign("Org1MSP", "member");
  auto impossible = *ParsePolicy("AND('Org1MSP.member')");
  impossible.mutable_rule()->mutable_n_out_of()->set_n(2);
  FakeDeserializer deserializer;
  auto built = NewSignaturePolicy(impossible, deserializer);
  REQUIRE(built.ok());
  CHECK_FALSE((*built)->EvaluateSignedData({&member, 1}).ok());

  auto trivial = *ParsePolicy("AND('Org1MSP.member')");
  trivial.mutable_rule()->mutable_n_out_of()->set_n(0);
  built = NewSignaturePolicy(trivial, deserializer);
  REQUIRE(built.ok());
  CHECK((*built)->EvaluateSignedData({}).ok());
}

TEST_CASE("SignatureSetToValidIdentities checks each distinct signer once") {
  // common/policies/policy.go SignatureSetToValidIdentities: an identity already
  // accepted is skipped before its signature is checked; one whose signature failed
  // is not recorded, so its next signature is checked.
  FakeDeserializer deserializer;
  auto alice = Sign("Org1MSP", "alice");
  auto forged_alice = BadSignature("Org1MSP", "alice");
  auto unknown = Sign("UnknownMSP", "eve");
  std::vector<SignedData> set{forged_alice, alice, alice, unknown, alice};
  auto valid = weft::common::policies::SignatureSetToValidIdentities(set, deserializer);
  REQUIRE(valid.identities.size() == 1);
  CHECK(valid.identities[0]->UniqueId() == "Org1MSP/alice");
  CHECK(valid.rejected ==
        std::vector<std::string>{"signature by Org1MSP identity: signature does not verify",
                                 "MSP UnknownMSP is not defined"});
  CHECK(deserializer.verify_count() == 2);  // the forged one and the first good one
}

TEST_CASE("EvaluateIdentities counts the identities it is given, as cauthdsl does") {
  // common/cauthdsl/policy.go: EvaluateIdentities runs the compiled rule on the
  // identities as passed (no de-duplication, no signature check); only
  // EvaluateSignedData de-duplicates, through SignatureSetToValidIdentities.
  FakeDeserializer deserializer;
  auto policy =
      NewSignaturePolicy(*ParsePolicy("AND('Org1MSP.member', 'Org1MSP.member')"), deserializer);
  REQUIRE(policy.ok());
  auto alice = *deserializer.DeserializeIdentity(Sign("Org1MSP", "alice").identity);
  auto bob = *deserializer.DeserializeIdentity(Sign("Org2MSP", "bob").identity);
  std::vector<std::shared_ptr<const weft::common::policies::Identity>> twice{alice, alice};
  CHECK((*policy)->EvaluateIdentities(twice).ok());
  std::vector<std::shared_ptr<const weft::common::policies::Identity>> mixed{alice, bob};
  auto status = (*policy)->EvaluateIdentities(mixed);
  REQUIRE(status.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(status.message()),
             Catch::StartsWith("signature set does not satisfy policy"));
  CHECK(deserializer.verify_count() == 0);
  // The same signer twice as signed data counts once.
  auto signed_twice = Sign("Org1MSP", "alice");
  std::vector<SignedData> data{signed_twice, signed_twice};
  CHECK_FALSE((*policy)->EvaluateSignedData(data).ok());
}
