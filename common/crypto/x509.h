// X.509 certificates and CRLs: parsing, chain verification at a given time,
// and revocation checks.
// Thread-safety: Certificate and Crl are immutable values (they share the
// parsed OpenSSL object); every function here is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/status/status.h"

namespace weft::common::crypto {

namespace impl {
struct X509Access;
}  // namespace impl

using TimePoint = std::chrono::system_clock::time_point;

class Certificate {
 public:
  // The first "BEGIN CERTIFICATE" block of `pem`.
  [[nodiscard]] static StatusOr<Certificate> FromPem(std::string_view pem);
  // Every certificate in a PEM bundle, in order; an error if there is none.
  [[nodiscard]] static StatusOr<std::vector<Certificate>> AllFromPem(std::string_view pem);
  [[nodiscard]] static StatusOr<Certificate> FromDer(std::string_view der);

  const std::string& der() const;
  std::string ToPem() const;

  // Distinguished names in RFC 2253 order, like Go's pkix.Name.String():
  // "CN=peer0.org1.example.com,OU=peer,O=Org1,C=US".
  const std::string& subject() const;
  const std::string& issuer() const;
  const std::string& subject_common_name() const;
  const std::vector<std::string>& subject_organizational_units() const;
  // Lowercase hex of the serial number's big-endian magnitude.
  const std::string& serial_hex() const;
  TimePoint not_before() const;
  TimePoint not_after() const;
  const std::vector<std::string>& dns_names() const;
  // Textual IPv4 / IPv6 addresses from the SAN extension.
  const std::vector<std::string>& ip_addresses() const;
  // Raw key identifier bytes; empty when the extension is absent.
  const std::string& subject_key_id() const;
  const std::string& authority_key_id() const;
  bool is_ca() const;
  // SHA-256 of the DER encoding.
  std::string fingerprint() const;
  // Fails for keys other than ECDSA P-256.
  [[nodiscard]] StatusOr<PublicKey> public_key() const;

  bool operator==(const Certificate& other) const { return der() == other.der(); }

 private:
  friend struct impl::X509Access;
  struct Rep;
  explicit Certificate(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

class Crl {
 public:
  [[nodiscard]] static StatusOr<Crl> FromPem(std::string_view pem);
  [[nodiscard]] static StatusOr<Crl> FromDer(std::string_view der);

  const std::string& der() const;
  std::string ToPem() const;
  const std::string& issuer() const;
  TimePoint this_update() const;
  // Lowercase hex serials, as Certificate::serial_hex().
  const std::vector<std::string>& revoked_serials() const;
  bool Lists(const Certificate& certificate) const;
  // OK when `issuer` signed this CRL.
  [[nodiscard]] Status VerifySignature(const Certificate& issuer) const;

 private:
  friend struct impl::X509Access;
  struct Rep;
  explicit Crl(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

struct ChainVerifyOptions {
  // The instant at which every certificate must be valid.
  TimePoint at = std::chrono::system_clock::now();
  // CRLs whose issuer is a CA in the chain are checked against the certificate
  // that CA issued; a CRL not signed by that CA fails the verification.
  std::vector<Crl> crls;
};

// Builds and verifies the chain leaf -> intermediates* -> one of `roots`.
// Returns the verified chain, leaf first and the trusted root last. Errors
// name the offending certificate: expired / not yet valid (with its validity
// window), unknown issuer, bad signature, revoked (serial and issuer).
[[nodiscard]] StatusOr<std::vector<Certificate>> VerifyChain(
    const Certificate& leaf, std::span<const Certificate> roots,
    std::span<const Certificate> intermediates, const ChainVerifyOptions& options = {});

// Fails when one of `crls` issued by `issuer` lists `certificate`, or when a
// CRL naming `issuer` was not signed by it.
[[nodiscard]] Status CheckRevocation(const Certificate& certificate, const Certificate& issuer,
                                     std::span<const Crl> crls);

}  // namespace weft::common::crypto
