#include "common/protoutil/identity_expiry.h"

#include <catch2/catch.hpp>

#include "msp/identities.pb.h"
#include "tests/support/test_crypto.h"

namespace weft::common::protoutil {
namespace {

std::string Serialized(std::string_view msp_id, std::string_view id_bytes) {
  ::msp::SerializedIdentity identity;
  identity.set_mspid(std::string(msp_id));
  identity.set_id_bytes(std::string(id_bytes));
  return identity.SerializeAsString();
}

TEST_CASE("IdentityExpiresAt reads NotAfter of the creator's certificate") {
  const auto validity = testing::Validity::Current();
  const auto ca = testing::MakeTestCa();
  const auto leaf = testing::IssueLeaf(ca, "user1", {}, {}, validity);
  auto expiry = IdentityExpiresAt(Serialized("Org1MSP", leaf.CertPem()));
  REQUIRE(expiry.ok());
  REQUIRE(expiry->has_value());
  CHECK(**expiry == leaf.cert.not_after());
  // Second resolution of the certificate's time fields.
  CHECK(std::chrono::abs(**expiry - validity.not_after) < std::chrono::seconds(1));
}

TEST_CASE("IdentityExpiresAt makes no decision for identities without a PEM certificate") {
  auto expiry = IdentityExpiresAt(Serialized("IdemixMSP", "not a certificate"));
  REQUIRE(expiry.ok());
  CHECK_FALSE(expiry->has_value());
}

TEST_CASE("IdentityExpiresAt names what is malformed") {
  auto not_identity = IdentityExpiresAt("\xff\xff\xff");
  REQUIRE_FALSE(not_identity.ok());
  CHECK(not_identity.status().message() ==
        "creator identity is not a valid msp.SerializedIdentity");

  auto bad_pem = IdentityExpiresAt(
      Serialized("Org1MSP", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  REQUIRE_FALSE(bad_pem.ok());
  CHECK(std::string(bad_pem.status().message()).find("MSP Org1MSP") != std::string::npos);
}

}  // namespace
}  // namespace weft::common::protoutil
