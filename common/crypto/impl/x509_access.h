// Lets the other implementation files of this module build Certificate / Crl
// values from OpenSSL objects and reach the objects inside them.
#pragma once

#include <string>
#include <vector>

#include "common/crypto/impl/openssl_util.h"
#include "common/crypto/x509.h"

namespace weft::common::crypto {

// Every field is extracted once at parse time; the X509 is kept for chain
// building and signature checks.
struct Certificate::Rep {
  impl::X509Ptr x509;
  std::string der;
  std::string subject;
  std::string issuer;
  std::string common_name;
  std::vector<std::string> organizational_units;
  std::string serial_hex;
  TimePoint not_before;
  TimePoint not_after;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::string subject_key_id;
  std::string authority_key_id;
  bool is_ca = false;
};

struct Crl::Rep {
  impl::X509CrlPtr crl;
  std::string der;
  std::string issuer;
  TimePoint this_update;
  std::vector<std::string> revoked_serials;
};

namespace impl {

struct X509Access {
  // Takes ownership and extracts the fields; fails on malformed extensions.
  [[nodiscard]] static StatusOr<Certificate> MakeCertificate(X509Ptr x509);
  [[nodiscard]] static StatusOr<Crl> MakeCrl(X509CrlPtr crl);
  static X509* Get(const Certificate& certificate) { return certificate.rep_->x509.get(); }
};

// RFC 2253 rendering of a name ("CN=a,O=b,C=US").
std::string NameToString(const X509_NAME* name);
// Lowercase hex of an ASN.1 INTEGER's magnitude ("00" for zero).
std::string IntegerToHex(const ASN1_INTEGER* integer);

}  // namespace impl
}  // namespace weft::common::crypto
