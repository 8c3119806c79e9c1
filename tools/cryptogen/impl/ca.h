// A certificate authority of one organisation as Fabric's cryptogen makes it:
// a fresh P-256 key and a self-signed certificate, both written to a folder,
// and leaf certificates that inherit the CA's country, province, locality and
// organizational unit.
// Thread-safety: immutable after Create; Sign is safe to call concurrently.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/crypto/issue.h"
#include "common/crypto/x509.h"
#include "common/status/status.h"
#include "tools/cryptogen/crypto_config.h"

namespace weft::tools::cryptogen::impl {

struct Validity {
  common::crypto::TimePoint not_before;
  common::crypto::TimePoint not_after;
  // Fabric's window: ten years from `now` rounded to the minute less five
  // minutes, which tolerates clocks that run a little behind.
  static Validity From(common::crypto::TimePoint now);
};

// What a leaf certificate is for.
struct LeafUsage {
  unsigned key_usage = common::crypto::kDigitalSignature;
  bool tls = false;  // serverAuth + clientAuth extended key usage
};

class Ca {
 public:
  // Writes `dir`/priv_sk and `dir`/<name>-cert.pem. The subject is CN=`name`,
  // O=`organization` and the subject fields of `spec` (Fabric's defaults
  // C=US, ST=California, L=San Francisco where they are empty).
  [[nodiscard]] static StatusOr<Ca> Create(const std::filesystem::path& dir,
                                           const std::string& organization, const std::string& name,
                                           const NodeSpec& spec, const Validity& validity);

  const std::string& name() const { return name_; }
  const common::crypto::Certificate& certificate() const { return certificate_; }

  // A certificate for `key` with CN=`common_name` and, after the CA's own OU,
  // the OUs `organizational_units`. SANs that parse as IP addresses become IP
  // entries, the rest DNS names.
  [[nodiscard]] StatusOr<common::crypto::Certificate> Sign(
      const std::string& common_name, const std::vector<std::string>& organizational_units,
      const std::vector<std::string>& sans, const common::crypto::PublicKey& key,
      const LeafUsage& usage) const;

 private:
  Ca(std::string name, common::crypto::DistinguishedName leaf_subject, Validity validity,
     common::crypto::Certificate certificate, common::crypto::PrivateKey key);

  std::string name_;
  // The subject every leaf starts from: the CA's fields without O and CN.
  common::crypto::DistinguishedName leaf_subject_;
  Validity validity_;
  common::crypto::Certificate certificate_;
  common::crypto::PrivateKey key_;
};

}  // namespace weft::tools::cryptogen::impl
