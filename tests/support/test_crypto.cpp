#include "tests/support/test_crypto.h"

#include <arpa/inet.h>

#include <fstream>
#include <stdexcept>

#include "tests/support/files.h"
#include "tests/support/value_or_throw.h"

namespace weft::testing {
namespace {

namespace crypto = common::crypto;
using std::chrono::hours;
using std::chrono::system_clock;

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

crypto::CertificateTemplate CaTemplate(std::string_view cn, std::string_view organization,
                                       Validity validity) {
  crypto::CertificateTemplate spec;
  spec.subject.country = "US";
  spec.subject.organization = std::string(organization);
  spec.subject.common_name = std::string(cn);
  spec.is_ca = true;
  spec.key_usage = crypto::kDigitalSignature | crypto::kKeyCertSign | crypto::kCrlSign;
  spec.not_before = validity.not_before;
  spec.not_after = validity.not_after;
  return spec;
}

// The organization (O=) of a certificate subject, so children stay in their CA's org.
std::string OrganizationOf(const crypto::Certificate& cert) {
  const std::string& dn = cert.subject();
  size_t start = dn.find("O=");
  while (start != std::string::npos && start > 0 && dn[start - 1] != ',') {
    start = dn.find("O=", start + 1);
  }
  if (start == std::string::npos) return "";
  size_t end = dn.find(',', start);
  return dn.substr(start + 2, end == std::string::npos ? std::string::npos : end - start - 2);
}

}  // namespace

Validity Validity::Current() {
  auto now = system_clock::now();
  return {now - hours(1), now + hours(24 * 365)};
}

Validity Validity::Expired(hours ago) {
  auto end = system_clock::now() - ago;
  return {end - hours(24), end};
}

Validity Validity::Future(hours in) {
  auto start = system_clock::now() + in;
  return {start, start + hours(24)};
}

TestIdentity MakeTestCa(std::string_view cn, std::string_view organization, Validity validity) {
  auto key = ValueOrThrow(crypto::PrivateKey::Generate(), "generating CA key");
  auto cert = ValueOrThrow(crypto::IssueSelfSigned(CaTemplate(cn, organization, validity), key),
                           "issuing test CA");
  return {std::move(cert), std::move(key)};
}

TestIdentity MakeIntermediateCa(const TestIdentity& parent, std::string_view cn,
                                Validity validity) {
  auto key = ValueOrThrow(crypto::PrivateKey::Generate(), "generating intermediate key");
  auto spec = CaTemplate(cn, OrganizationOf(parent.cert), validity);
  auto cert =
      ValueOrThrow(crypto::IssueCertificate(spec, key.public_key(), parent.cert, parent.key),
                   "issuing intermediate CA");
  return {std::move(cert), std::move(key)};
}

TestIdentity IssueLeaf(const TestIdentity& ca, std::string_view cn,
                       const std::vector<std::string>& ous, const std::vector<std::string>& sans,
                       Validity validity) {
  auto key = ValueOrThrow(crypto::PrivateKey::Generate(), "generating leaf key");
  crypto::CertificateTemplate spec;
  spec.subject.country = "US";
  spec.subject.organization = OrganizationOf(ca.cert);
  spec.subject.organizational_units = ous;
  spec.subject.common_name = std::string(cn);
  for (const std::string& san : sans) {
    (IsIpAddress(san) ? spec.ip_addresses : spec.dns_names).push_back(san);
  }
  spec.key_usage = crypto::kDigitalSignature;
  spec.server_auth = true;
  spec.client_auth = true;
  spec.not_before = validity.not_before;
  spec.not_after = validity.not_after;
  auto cert = ValueOrThrow(crypto::IssueCertificate(spec, key.public_key(), ca.cert, ca.key),
                           "issuing leaf " + std::string(cn));
  return {std::move(cert), std::move(key)};
}

crypto::Crl MakeCrl(const TestIdentity& ca, const std::vector<crypto::Certificate>& revoked) {
  auto now = system_clock::now();
  std::vector<crypto::RevokedCertificate> entries;
  for (const auto& cert : revoked) entries.push_back({cert.serial_hex(), now - hours(1)});
  return ValueOrThrow(crypto::IssueCrl(ca.cert, ca.key, entries, now - hours(1), now + hours(24)),
                      "issuing test CRL");
}

std::filesystem::path WriteIdentity(const std::filesystem::path& dir, std::string_view name,
                                    const TestIdentity& identity) {
  auto cert_path = dir / (std::string(name) + "-cert.pem");
  WriteFile(cert_path, identity.CertPem());
  WriteFile(dir / (std::string(name) + "-key.pem"), identity.KeyPem());
  return cert_path;
}

void WriteMspFolder(const std::filesystem::path& dir, const TestIdentity& ca,
                    const TestIdentity& identity) {
  WriteFile(dir / "cacerts" / "ca.pem", ca.CertPem());
  WriteFile(dir / "signcerts" / "cert.pem", identity.CertPem());
  WriteFile(dir / "keystore" / "key_sk", identity.KeyPem());
}

}  // namespace weft::testing
