#include "msp/ecdsa_counter.h"

#include <catch2/catch.hpp>

#include "common/metrics/metrics.h"
#include "msp/identities.pb.h"
#include "msp/msp.h"
#include "msp/signing_identity.h"
#include "tests/support/test_crypto.h"

using weft::msp::EcdsaCounter;
using weft::msp::Msp;
using weft::msp::MspConfig;
using weft::msp::SigningIdentity;
using weft::testing::IssueLeaf;
using weft::testing::MakeTestCa;
using weft::testing::TestIdentity;

namespace {

std::string Serialize(const std::string& msp_id, const TestIdentity& identity) {
  ::msp::SerializedIdentity serialized;
  serialized.set_mspid(msp_id);
  serialized.set_id_bytes(identity.CertPem());
  return serialized.SerializeAsString();
}

std::shared_ptr<const Msp> OrgMsp(const TestIdentity& root, std::shared_ptr<EcdsaCounter> counter) {
  MspConfig config;
  config.name = "Org1MSP";
  config.root_certs = {root.cert};
  auto msp = Msp::Create(config, std::move(counter));
  REQUIRE(msp.ok());
  return *msp;
}

std::shared_ptr<const weft::msp::Identity> Deserialize(const Msp& msp, const TestIdentity& who) {
  const std::string bytes = Serialize(msp.id(), who);
  ::msp::SerializedIdentity serialized;
  REQUIRE(serialized.ParseFromString(bytes));
  auto identity = msp.DeserializeIdentity(serialized, bytes);
  REQUIRE(identity.ok());
  return *identity;
}

// The value of the unlabelled Prometheus sample `name` in `exposition`, -1 when absent.
double Sample(const std::string& exposition, const std::string& name) {
  const size_t at = exposition.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("A signing identity and an MSP's identities count their ECDSA signs and verifies") {
  TestIdentity root = MakeTestCa("ca.org1.example.com", "Org1");
  TestIdentity user = IssueLeaf(root, "user1@org1.example.com", {"client"});
  auto counter = std::make_shared<EcdsaCounter>();
  auto signer = SigningIdentity::Create("Org1MSP", user.cert, user.key);
  REQUIRE(signer.ok());
  signer->CountSignsIn(counter);
  // A copy made afterwards (as weft-bench gives one to each Gateway) counts in the same place.
  SigningIdentity copy = *signer;
  auto signature = signer->Sign("proposal");
  REQUIRE(signature.ok());
  REQUIRE(copy.Sign("envelope").ok());
  CHECK(counter->signs() == 2);
  CHECK(counter->verifies() == 0);

  auto msp = OrgMsp(root, counter);
  auto identity = Deserialize(*msp, user);
  CHECK(identity->Verify("proposal", *signature).ok());
  // A check that fails ran the ECDSA verification all the same, so it counts.
  CHECK_FALSE(identity->Verify("another proposal", *signature).ok());
  CHECK(counter->verifies() == 2);
  CHECK(counter->signs() == 2);
}

TEST_CASE("Without a counter nothing is counted and signatures still work") {
  TestIdentity root = MakeTestCa("ca.org1.example.com", "Org1");
  TestIdentity user = IssueLeaf(root, "user1@org1.example.com", {"client"});
  auto counter = std::make_shared<EcdsaCounter>();
  auto counted_msp = OrgMsp(root, counter);
  auto uncounted_msp = OrgMsp(root, nullptr);
  auto signer = SigningIdentity::Create("Org1MSP", user.cert, user.key);
  REQUIRE(signer.ok());
  auto signature = signer->Sign("block");
  REQUIRE(signature.ok());
  CHECK(Deserialize(*uncounted_msp, user)->Verify("block", *signature).ok());
  CHECK(counter->signs() == 0);
  CHECK(counter->verifies() == 0);
  CHECK(Deserialize(*counted_msp, user)->Verify("block", *signature).ok());
  CHECK(counter->verifies() == 1);
}

TEST_CASE("A counter reporting to a registry shows its counts as two metrics") {
  weft::common::metrics::MetricsRegistry registry;
  auto counter = EcdsaCounter::ReportingTo(&registry);
  REQUIRE(counter.ok());
  (*counter)->CountSign();
  (*counter)->CountVerify();
  (*counter)->CountVerify();
  const std::string exposition = "\n" + registry.Expose();
  CHECK(Sample(exposition, "crypto_ecdsa_signs_count") == 1);
  CHECK(Sample(exposition, "crypto_ecdsa_verifies_count") == 2);
  CHECK((*counter)->signs() == 1);
  CHECK((*counter)->verifies() == 2);

  // Metrics disabled (no registry): counts in memory only.
  auto in_memory = EcdsaCounter::ReportingTo(nullptr);
  REQUIRE(in_memory.ok());
  (*in_memory)->CountSign();
  CHECK((*in_memory)->signs() == 1);
}
