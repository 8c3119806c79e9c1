#include "common/policies/policy_dsl.h"

#include <catch2/catch.hpp>

using weft::common::policies::ParsePolicy;
using weft::common::policies::PolicyToString;

namespace {

::common::MSPRole RoleAt(const ::common::SignaturePolicyEnvelope& envelope, int index) {
  ::common::MSPRole role;
  REQUIRE(role.ParseFromString(envelope.identities(index).principal()));
  return role;
}

std::string ParseError(std::string_view text) {
  auto parsed = ParsePolicy(text);
  REQUIRE_FALSE(parsed.ok());
  REQUIRE(parsed.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

}  // namespace

TEST_CASE("ParsePolicy builds nested n-out-of rules with deduplicated principals") {
  auto parsed =
      ParsePolicy("AND('Org1MSP.member', OR(\"Org2MSP.peer\", 'Org3MSP.admin'), 'Org1MSP.member')");
  REQUIRE(parsed.ok());
  const auto& envelope = *parsed;
  REQUIRE(envelope.version() == 0);
  REQUIRE(envelope.identities_size() == 3);
  CHECK(RoleAt(envelope, 0).msp_identifier() == "Org1MSP");
  CHECK(RoleAt(envelope, 0).role() == ::common::MSPRole::MEMBER);
  CHECK(RoleAt(envelope, 1).msp_identifier() == "Org2MSP");
  CHECK(RoleAt(envelope, 1).role() == ::common::MSPRole::PEER);
  CHECK(RoleAt(envelope, 2).role() == ::common::MSPRole::ADMIN);

  const auto& rule = envelope.rule().n_out_of();
  REQUIRE(rule.n() == 3);
  REQUIRE(rule.rules_size() == 3);
  CHECK(rule.rules(0).signed_by() == 0);
  CHECK(rule.rules(1).n_out_of().n() == 1);
  CHECK(rule.rules(1).n_out_of().rules(1).signed_by() == 2);
  CHECK(rule.rules(2).signed_by() == 0);
}

TEST_CASE("ParsePolicy accepts OutOf, every role and case-insensitive keywords") {
  auto parsed = ParsePolicy(
      "outof(2, 'A.member', 'B.admin', 'C.client', 'D.peer', 'E.orderer', "
      "'org-1.example.com.peer')");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->rule().n_out_of().n() == 2);
  REQUIRE(parsed->identities_size() == 6);
  CHECK(RoleAt(*parsed, 3).role() == ::common::MSPRole::PEER);
  CHECK(RoleAt(*parsed, 4).role() == ::common::MSPRole::ORDERER);
  CHECK(RoleAt(*parsed, 5).msp_identifier() == "org-1.example.com");
}

TEST_CASE("PolicyToString renders a parsed policy back into the language") {
  for (std::string text : {"AND('Org1MSP.member', OR('Org2MSP.peer', 'Org3MSP.admin'))",
                           "OutOf(2, 'A.member', 'B.member', 'C.member')", "OR('A.client')"}) {
    auto parsed = ParsePolicy(text);
    REQUIRE(parsed.ok());
    auto printed = PolicyToString(*parsed);
    REQUIRE(printed.ok());
    CHECK(*printed == (text == "OR('A.client')" ? "AND('A.client')" : text));
  }
}

TEST_CASE("ParsePolicy errors name the position and what was expected") {
  CHECK(ParseError("AND('Org1MSP.member'") ==
        "policy \"AND('Org1MSP.member'\": at position 20: expected ')', found end of input");
  CHECK(ParseError("AND('Org1MSP.boss')") ==
        "policy \"AND('Org1MSP.boss')\": at position 13: expected a role: member, admin, "
        "client, peer or orderer, found 'b'");
  CHECK(ParseError("NAND('A.member')") ==
        "policy \"NAND('A.member')\": at position 0: expected AND, OR, OutOf or a quoted "
        "principal such as 'Org1MSP.member', found 'N'");
  CHECK(ParseError("OutOf(x, 'A.member')") ==
        "policy \"OutOf(x, 'A.member')\": at position 6: expected the number of required "
        "signatures, found 'x'");
  CHECK(ParseError("OutOf(3, 'A.member', 'B.member')") ==
        "policy \"OutOf(3, 'A.member', 'B.member')\": at position 6: OutOf needs between 1 "
        "and 2 signatures (its number of arguments), got 3");
  CHECK(ParseError("OR('A.member' 'B.member')") ==
        "policy \"OR('A.member' 'B.member')\": at position 14: expected ')', found '''");
  CHECK(ParseError("'Amember'") ==
        "policy \"'Amember'\": at position 1: expected a principal of the form MSPID.role, "
        "found 'A'");
  CHECK(ParseError("OR('A.member\")") ==
        "policy \"OR('A.member\")\": at position 12: expected closing ' of a principal "
        "'MSPID.role', found '\"'");
  CHECK(ParseError("AND('A.member') extra") ==
        "policy \"AND('A.member') extra\": at position 16: expected end of policy, found 'e'");
}
