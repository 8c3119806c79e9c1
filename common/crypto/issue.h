// Issuing certificates and CRLs: what cryptogen and tests need to mint a
// Fabric-style PKI (ECDSA P-256 keys, SHA-256 signatures, SHA-256 SKIs).
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "common/status/status.h"

namespace weft::common::crypto {

struct DistinguishedName {
  std::string country;                            // C
  std::string province;                           // ST
  std::string locality;                           // L
  std::string organization;                       // O
  std::vector<std::string> organizational_units;  // OU, in this order
  std::string common_name;                        // CN
};

// Bits of the X.509 keyUsage extension.
enum KeyUsage : unsigned {
  kDigitalSignature = 1u << 0,
  kKeyEncipherment = 1u << 1,
  kKeyAgreement = 1u << 2,
  kKeyCertSign = 1u << 3,
  kCrlSign = 1u << 4,
};

struct CertificateTemplate {
  DistinguishedName subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // textual IPv4 or IPv6
  unsigned key_usage = kDigitalSignature;
  bool server_auth = false;  // extendedKeyUsage serverAuth
  bool client_auth = false;  // extendedKeyUsage clientAuth
  bool is_ca = false;        // basicConstraints CA:TRUE (critical)
  TimePoint not_before;
  TimePoint not_after;
};

// A self-signed certificate for `key` (SKI set, no AKI, like Go's x509).
[[nodiscard]] StatusOr<Certificate> IssueSelfSigned(const CertificateTemplate& spec,
                                                    const PrivateKey& key);

// A certificate for `subject_key` signed by `issuer_key`; AKI = issuer's SKI.
// The serial number is 128 random bits.
[[nodiscard]] StatusOr<Certificate> IssueCertificate(const CertificateTemplate& spec,
                                                     const PublicKey& subject_key,
                                                     const Certificate& issuer,
                                                     const PrivateKey& issuer_key);

struct RevokedCertificate {
  std::string serial_hex;  // as Certificate::serial_hex()
  TimePoint revoked_at;
};

// A v2 CRL signed by `issuer_key`, valid from `this_update` to `next_update`.
[[nodiscard]] StatusOr<Crl> IssueCrl(const Certificate& issuer, const PrivateKey& issuer_key,
                                     const std::vector<RevokedCertificate>& revoked,
                                     TimePoint this_update, TimePoint next_update);

}  // namespace weft::common::crypto
