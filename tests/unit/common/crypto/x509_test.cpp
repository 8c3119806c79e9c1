#include "common/crypto/x509.h"

#include <catch2/catch.hpp>

#include "common/crypto/hash.h"
#include "common/crypto/issue.h"
#include "tests/support/test_crypto.h"

namespace crypto = weft::common::crypto;
using weft::testing::IssueLeaf;
using weft::testing::MakeCrl;
using weft::testing::MakeIntermediateCa;
using weft::testing::MakeTestCa;
using weft::testing::TestIdentity;
using weft::testing::Validity;

namespace {

bool Contains(const weft::Status& status, std::string_view text) {
  return std::string(status.message()).find(text) != std::string::npos;
}

std::vector<std::string> Subjects(const std::vector<crypto::Certificate>& chain) {
  std::vector<std::string> out;
  for (const auto& cert : chain) out.push_back(cert.subject());
  return out;
}

}  // namespace

TEST_CASE("An issued leaf exposes its subject, OUs, SANs, key ids and validity") {
  TestIdentity ca = MakeTestCa("ca.org1.example.com", "Org1");
  auto validity = Validity::Current();
  TestIdentity peer =
      IssueLeaf(ca, "peer0.org1.example.com", {"peer", "dept1"},
                {"peer0.org1.example.com", "localhost", "127.0.0.1", "::1"}, validity);
  const crypto::Certificate& cert = peer.cert;
  CHECK(cert.subject() == "CN=peer0.org1.example.com,OU=dept1,OU=peer,O=Org1,C=US");
  CHECK(cert.issuer() == "CN=ca.org1.example.com,O=Org1,C=US");
  CHECK(cert.subject_common_name() == "peer0.org1.example.com");
  CHECK(cert.subject_organizational_units() == std::vector<std::string>{"peer", "dept1"});
  CHECK(cert.dns_names() == std::vector<std::string>{"peer0.org1.example.com", "localhost"});
  CHECK(cert.ip_addresses() == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK_FALSE(cert.is_ca());
  CHECK(ca.cert.is_ca());
  CHECK(cert.subject_key_id() == crypto::Sha256(peer.key.public_key().UncompressedPoint()));
  CHECK(cert.authority_key_id() == ca.cert.subject_key_id());
  CHECK(ca.cert.authority_key_id().empty());
  CHECK(cert.serial_hex().size() <= 32);  // 128 random bits
  CHECK(cert.serial_hex() != ca.cert.serial_hex());
  using std::chrono::seconds;
  CHECK(std::chrono::floor<seconds>(cert.not_before()) ==
        std::chrono::floor<seconds>(validity.not_before));
  CHECK(std::chrono::floor<seconds>(cert.not_after()) ==
        std::chrono::floor<seconds>(validity.not_after));
  CHECK(cert.public_key().value() == peer.key.public_key());
  CHECK(cert.fingerprint() == crypto::Sha256(cert.der()));
}

TEST_CASE("A certificate parses back from its PEM and DER, and bundles parse in order") {
  TestIdentity ca = MakeTestCa();
  TestIdentity leaf = IssueLeaf(ca, "user1");
  CHECK(crypto::Certificate::FromPem(leaf.CertPem()).value() == leaf.cert);
  CHECK(crypto::Certificate::FromDer(leaf.cert.der()).value() == leaf.cert);
  auto bundle = crypto::Certificate::AllFromPem(ca.CertPem() + leaf.CertPem()).value();
  REQUIRE(bundle.size() == 2);
  CHECK(bundle[0] == ca.cert);
  CHECK(bundle[1] == leaf.cert);
  CHECK_FALSE(crypto::Certificate::AllFromPem("no pem here").ok());
  CHECK_FALSE(crypto::Certificate::FromDer(leaf.cert.der() + "x").ok());
  CHECK_FALSE(crypto::Certificate::FromPem("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                           "-----END CERTIFICATE-----\n")
                  .ok());
}

TEST_CASE("A leaf verifies to its own root and the verified chain is returned leaf first") {
  TestIdentity ca = MakeTestCa("root-ca");
  TestIdentity leaf = IssueLeaf(ca, "client");
  auto chain = crypto::VerifyChain(leaf.cert, {&ca.cert, 1}, {});
  REQUIRE(chain.ok());
  CHECK(Subjects(*chain) == std::vector<std::string>{leaf.cert.subject(), ca.cert.subject()});
}

TEST_CASE("A leaf does not verify against an unrelated root") {
  TestIdentity ca = MakeTestCa("root-ca");
  TestIdentity other = MakeTestCa("other-ca");
  TestIdentity leaf = IssueLeaf(ca, "client");
  auto chain = crypto::VerifyChain(leaf.cert, {&other.cert, 1}, {});
  REQUIRE_FALSE(chain.ok());
  CHECK(Contains(chain.status(), "CN=client"));
  CHECK(Contains(chain.status(), "unable to get local issuer certificate"));
}

TEST_CASE("A leaf verifies through an untrusted intermediate, and not without it") {
  TestIdentity root = MakeTestCa("root-ca");
  TestIdentity intermediate = MakeIntermediateCa(root, "intermediate-ca");
  TestIdentity leaf = IssueLeaf(intermediate, "orderer0");
  auto chain = crypto::VerifyChain(leaf.cert, {&root.cert, 1}, {&intermediate.cert, 1});
  REQUIRE(chain.ok());
  CHECK(Subjects(*chain) == std::vector<std::string>{leaf.cert.subject(),
                                                     intermediate.cert.subject(),
                                                     root.cert.subject()});
  CHECK_FALSE(crypto::VerifyChain(leaf.cert, {&root.cert, 1}, {}).ok());
}

TEST_CASE("An expired leaf is rejected with its subject and validity window") {
  TestIdentity ca = MakeTestCa();
  TestIdentity leaf = IssueLeaf(ca, "old-client", {}, {}, Validity::Expired());
  auto chain = crypto::VerifyChain(leaf.cert, {&ca.cert, 1}, {});
  REQUIRE_FALSE(chain.ok());
  CHECK(Contains(chain.status(), "certificate 'CN=old-client,O=Example Org,C=US' has expired"));
  CHECK(Contains(chain.status(), "valid from "));
}

TEST_CASE(
    "A not-yet-valid leaf is rejected, and accepted when checked at a time inside its window") {
  TestIdentity ca = MakeTestCa();
  auto future = Validity::Future(std::chrono::hours(48));
  TestIdentity leaf = IssueLeaf(ca, "early-client", {}, {}, future);
  auto now = crypto::VerifyChain(leaf.cert, {&ca.cert, 1}, {});
  REQUIRE_FALSE(now.ok());
  CHECK(Contains(now.status(), "'CN=early-client,O=Example Org,C=US' is not yet valid"));
  crypto::ChainVerifyOptions later;
  later.at = future.not_before + std::chrono::hours(1);
  CHECK(crypto::VerifyChain(leaf.cert, {&ca.cert, 1}, {}, later).ok());
}

TEST_CASE("A chain through an expired intermediate is rejected naming the intermediate") {
  TestIdentity root = MakeTestCa("root-ca");
  TestIdentity intermediate = MakeIntermediateCa(root, "stale-ica", Validity::Expired());
  TestIdentity leaf = IssueLeaf(intermediate, "client");
  auto chain = crypto::VerifyChain(leaf.cert, {&root.cert, 1}, {&intermediate.cert, 1});
  REQUIRE_FALSE(chain.ok());
  CHECK(Contains(chain.status(), "CN=stale-ica"));
  CHECK(Contains(chain.status(), "has expired"));
}

TEST_CASE(
    "A revoked leaf is rejected naming its serial and issuer; others pass with the CRL present") {
  TestIdentity ca = MakeTestCa("ca.org1");
  TestIdentity revoked = IssueLeaf(ca, "revoked-user");
  TestIdentity fine = IssueLeaf(ca, "good-user");
  crypto::ChainVerifyOptions options;
  options.crls.push_back(MakeCrl(ca, {revoked.cert}));
  CHECK(options.crls[0].revoked_serials() == std::vector<std::string>{revoked.cert.serial_hex()});

  auto rejected = crypto::VerifyChain(revoked.cert, {&ca.cert, 1}, {}, options);
  REQUIRE_FALSE(rejected.ok());
  CHECK(Contains(rejected.status(), "serial " + revoked.cert.serial_hex()));
  CHECK(Contains(rejected.status(), "issued by 'CN=ca.org1,O=Example Org,C=US' is revoked"));
  CHECK(crypto::VerifyChain(fine.cert, {&ca.cert, 1}, {}, options).ok());
}

TEST_CASE("An intermediate revoked by the root's CRL invalidates its leaves") {
  TestIdentity root = MakeTestCa("root-ca");
  TestIdentity intermediate = MakeIntermediateCa(root, "ica");
  TestIdentity leaf = IssueLeaf(intermediate, "client");
  crypto::ChainVerifyOptions options;
  options.crls.push_back(MakeCrl(root, {intermediate.cert}));
  auto chain = crypto::VerifyChain(leaf.cert, {&root.cert, 1}, {&intermediate.cert, 1}, options);
  REQUIRE_FALSE(chain.ok());
  CHECK(Contains(chain.status(), "serial " + intermediate.cert.serial_hex()));
}

TEST_CASE("A CRL naming the issuer but signed by another key is rejected") {
  TestIdentity ca = MakeTestCa("ca.org1");
  TestIdentity impostor = MakeTestCa("ca.org1");  // same DN, different key
  TestIdentity leaf = IssueLeaf(ca, "client");
  crypto::ChainVerifyOptions options;
  options.crls.push_back(MakeCrl(impostor, {}));
  auto chain = crypto::VerifyChain(leaf.cert, {&ca.cert, 1}, {}, options);
  REQUIRE_FALSE(chain.ok());
  CHECK(Contains(chain.status(), "is not signed by that issuer"));
  CHECK(options.crls[0].VerifySignature(impostor.cert).ok());
}

TEST_CASE("A CRL survives a PEM round trip and keeps its revoked serials") {
  TestIdentity ca = MakeTestCa();
  TestIdentity a = IssueLeaf(ca, "a");
  crypto::Crl crl = MakeCrl(ca, {a.cert});
  auto parsed = crypto::Crl::FromPem(crl.ToPem());
  REQUIRE(parsed.ok());
  CHECK(parsed->der() == crl.der());
  CHECK(parsed->issuer() == ca.cert.subject());
  CHECK(parsed->Lists(a.cert));
  CHECK_FALSE(parsed->Lists(ca.cert));
  CHECK_FALSE(crypto::Crl::FromPem("garbage").ok());
}

TEST_CASE("Issuing rejects an empty validity window") {
  auto key = crypto::PrivateKey::Generate().value();
  crypto::CertificateTemplate spec;
  spec.subject.common_name = "bad";
  spec.not_before = spec.not_after = std::chrono::system_clock::now();
  auto cert = crypto::IssueSelfSigned(spec, key);
  REQUIRE_FALSE(cert.ok());
  CHECK(Contains(cert.status(), "not_after must be later than not_before"));
}
