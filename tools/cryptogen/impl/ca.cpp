#include "tools/cryptogen/impl/ca.h"

#include <arpa/inet.h>

#include "fmt/format.h"
#include "tools/cryptogen/impl/files.h"

namespace weft::tools::cryptogen::impl {
namespace {

namespace crypto = common::crypto;

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

const std::string& OrDefault(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

}  // namespace

Validity Validity::From(crypto::TimePoint now) {
  using std::chrono::minutes;
  const auto rounded = std::chrono::round<minutes>(now);
  const auto not_before =
      std::chrono::time_point_cast<crypto::TimePoint::duration>(rounded) - minutes(5);
  return {not_before, not_before + std::chrono::hours(24 * 3650)};
}

Ca::Ca(std::string name, crypto::DistinguishedName leaf_subject, Validity validity,
       crypto::Certificate certificate, crypto::PrivateKey key)
    : name_(std::move(name)),
      leaf_subject_(std::move(leaf_subject)),
      validity_(validity),
      certificate_(std::move(certificate)),
      key_(std::move(key)) {}

StatusOr<Ca> Ca::Create(const std::filesystem::path& dir, const std::string& organization,
                        const std::string& name, const NodeSpec& spec, const Validity& validity) {
  crypto::DistinguishedName leaf_subject;
  leaf_subject.country = OrDefault(spec.country, "US");
  leaf_subject.province = OrDefault(spec.province, "California");
  leaf_subject.locality = OrDefault(spec.locality, "San Francisco");
  if (!spec.organizational_unit.empty()) {
    leaf_subject.organizational_units.push_back(spec.organizational_unit);
  }

  crypto::CertificateTemplate ca_template;
  ca_template.subject = leaf_subject;
  ca_template.subject.organization = organization;
  ca_template.subject.common_name = name;
  ca_template.key_usage = crypto::kDigitalSignature | crypto::kKeyEncipherment |
                          crypto::kKeyCertSign | crypto::kCrlSign;
  ca_template.server_auth = true;
  ca_template.client_auth = true;
  ca_template.is_ca = true;
  ca_template.not_before = validity.not_before;
  ca_template.not_after = validity.not_after;

  WEFT_RETURN_IF_ERROR(MakeDirectories(dir));
  WEFT_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  auto certificate = crypto::IssueSelfSigned(ca_template, key);
  if (!certificate.ok()) return Annotate(certificate.status(), "issuing CA " + name);
  WEFT_RETURN_IF_ERROR(WritePrivateKey(dir / "priv_sk", key));
  WEFT_RETURN_IF_ERROR(WriteCertificate(dir / CertificateFileName(name), *certificate));
  return Ca(name, std::move(leaf_subject), validity, *std::move(certificate), std::move(key));
}

StatusOr<crypto::Certificate> Ca::Sign(const std::string& common_name,
                                       const std::vector<std::string>& organizational_units,
                                       const std::vector<std::string>& sans,
                                       const crypto::PublicKey& key, const LeafUsage& usage) const {
  crypto::CertificateTemplate leaf;
  leaf.subject = leaf_subject_;
  leaf.subject.common_name = common_name;
  leaf.subject.organizational_units.insert(leaf.subject.organizational_units.end(),
                                           organizational_units.begin(),
                                           organizational_units.end());
  for (const std::string& san : sans) {
    (IsIpAddress(san) ? leaf.ip_addresses : leaf.dns_names).push_back(san);
  }
  leaf.key_usage = usage.key_usage;
  leaf.server_auth = usage.tls;
  leaf.client_auth = usage.tls;
  leaf.not_before = validity_.not_before;
  leaf.not_after = validity_.not_after;
  auto certificate = crypto::IssueCertificate(leaf, key, certificate_, key_);
  if (!certificate.ok()) {
    return Annotate(certificate.status(),
                    fmt::format("issuing certificate {} with CA {}", common_name, name_));
  }
  return certificate;
}

}  // namespace weft::tools::cryptogen::impl
