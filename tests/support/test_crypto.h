// Test PKI minted in memory at test time: CAs, intermediates and leaf
// identities with controllable validity, plus writers for PEM files.
// Helpers throw std::runtime_error on failure so Catch2 reports the cause.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/crypto/issue.h"
#include "common/crypto/x509.h"

namespace weft::testing {

struct Validity {
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  // From an hour ago to a year from now.
  static Validity Current();
  // Ended `ago` before now, after lasting a day.
  static Validity Expired(std::chrono::hours ago = std::chrono::hours(1));
  // Starts `in` from now and lasts a day.
  static Validity Future(std::chrono::hours in = std::chrono::hours(1));
};

// A certificate with its private key: a CA or an end identity.
struct TestIdentity {
  common::crypto::Certificate cert;
  common::crypto::PrivateKey key;

  std::string CertPem() const { return cert.ToPem(); }
  std::string KeyPem() const { return key.ToPem(); }
};

// A self-signed root CA, subject "CN=<cn>,O=<org>,C=US".
TestIdentity MakeTestCa(std::string_view cn = "ca.example.com",
                        std::string_view organization = "Example Org",
                        Validity validity = Validity::Current());

// An intermediate CA signed by `parent`.
TestIdentity MakeIntermediateCa(const TestIdentity& parent, std::string_view cn,
                                Validity validity = Validity::Current());

// A leaf (CA:FALSE, digitalSignature, serverAuth + clientAuth) signed by `ca`.
// `sans` entries that parse as IP addresses become IP SANs, the rest DNS SANs.
TestIdentity IssueLeaf(const TestIdentity& ca, std::string_view cn,
                       const std::vector<std::string>& ous = {},
                       const std::vector<std::string>& sans = {},
                       Validity validity = Validity::Current());

// A CRL from `ca` listing `revoked`, current from an hour ago.
common::crypto::Crl MakeCrl(const TestIdentity& ca,
                            const std::vector<common::crypto::Certificate>& revoked);

// Writes <dir>/<name>-cert.pem and <dir>/<name>-key.pem; returns the cert path.
std::filesystem::path WriteIdentity(const std::filesystem::path& dir, std::string_view name,
                                    const TestIdentity& identity);

// A local MSP folder for `identity` issued by `ca`: cacerts/ca.pem, signcerts/cert.pem,
// keystore/key_sk.
void WriteMspFolder(const std::filesystem::path& dir, const TestIdentity& ca,
                    const TestIdentity& identity);

}  // namespace weft::testing
