#include "common/crypto/issue.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/crypto/hash.h"
#include "common/crypto/impl/key_access.h"
#include "common/crypto/impl/x509_access.h"
#include "common/crypto/random.h"

namespace weft::common::crypto {
namespace {

using impl::KeyAccess;
using impl::X509Access;

using X509NamePtr = std::unique_ptr<X509_NAME, impl::Deleter<X509_NAME_free>>;

[[nodiscard]] StatusOr<X509NamePtr> BuildName(const DistinguishedName& dn) {
  X509NamePtr name(X509_NAME_new());
  auto add = [&](const char* field, const std::string& value) {
    return value.empty() ||
           X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  // Go's pkix.Name order, so subjects render as Fabric's would.
  bool ok = name && add("C", dn.country) && add("ST", dn.province) && add("L", dn.locality) &&
            add("O", dn.organization);
  for (const std::string& ou : dn.organizational_units) ok = ok && add("OU", ou);
  ok = ok && add("CN", dn.common_name);
  if (!ok) return impl::InvalidInput("building distinguished name CN=" + dn.common_name);
  return name;
}

[[nodiscard]] Status SetTime(ASN1_TIME* field, TimePoint time) {
  if (ASN1_TIME_set(field, std::chrono::system_clock::to_time_t(time)) == nullptr) {
    return impl::InternalError("setting certificate time " + impl::FormatTime(time));
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<impl::AsnIntegerPtr> HexToInteger(const std::string& hex) {
  BIGNUM* bn = nullptr;
  if (hex.empty() || BN_hex2bn(&bn, hex.c_str()) != static_cast<int>(hex.size())) {
    BN_free(bn);
    return absl::InvalidArgumentError("serial '" + hex + "' is not hex");
  }
  impl::BignumPtr owned(bn);
  impl::AsnIntegerPtr integer(BN_to_ASN1_INTEGER(owned.get(), nullptr));
  if (!integer) return impl::InternalError("encoding serial " + hex);
  return integer;
}

[[nodiscard]] StatusOr<impl::AsnIntegerPtr> RandomSerial() {
  // Like Go's cryptogen: uniform below 2^128. The INTEGER stays positive
  // because OpenSSL adds the sign byte when the top bit is set.
  WEFT_ASSIGN_OR_RETURN(std::string bytes, RandomBytes(16));
  if (bytes == std::string(16, '\0')) bytes.back() = 1;  // serials must not be zero
  return HexToInteger(HexEncode(bytes));
}

std::string ColonHex(std::string_view bytes) {
  std::string hex = HexEncode(bytes);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

std::string KeyUsageText(unsigned usage) {
  std::vector<std::string> names;
  if (usage & kDigitalSignature) names.push_back("digitalSignature");
  if (usage & kKeyEncipherment) names.push_back("keyEncipherment");
  if (usage & kKeyAgreement) names.push_back("keyAgreement");
  if (usage & kKeyCertSign) names.push_back("keyCertSign");
  if (usage & kCrlSign) names.push_back("cRLSign");
  return "critical," + absl::StrJoin(names, ",");
}

// Extensions written in OpenSSL's config syntax, which keeps each one a line.
std::vector<std::pair<int, std::string>> Extensions(const CertificateTemplate& spec,
                                                    const PublicKey& subject_key, bool has_issuer) {
  std::vector<std::pair<int, std::string>> out;
  out.emplace_back(NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (spec.key_usage != 0) out.emplace_back(NID_key_usage, KeyUsageText(spec.key_usage));
  std::vector<std::string> eku;
  if (spec.server_auth) eku.push_back("serverAuth");
  if (spec.client_auth) eku.push_back("clientAuth");
  if (!eku.empty()) out.emplace_back(NID_ext_key_usage, absl::StrJoin(eku, ","));
  // Fabric's cryptogen uses SHA-256 of the public point as the SKI.
  out.emplace_back(NID_subject_key_identifier, ColonHex(Sha256(subject_key.UncompressedPoint())));
  if (has_issuer) out.emplace_back(NID_authority_key_identifier, "keyid:always");
  std::vector<std::string> sans;
  for (const std::string& dns : spec.dns_names) sans.push_back("DNS:" + dns);
  for (const std::string& ip : spec.ip_addresses) sans.push_back("IP:" + ip);
  if (!sans.empty()) out.emplace_back(NID_subject_alt_name, absl::StrJoin(sans, ","));
  return out;
}

// `issuer` is null for a self-signed certificate.
[[nodiscard]] StatusOr<Certificate> Build(const CertificateTemplate& spec,
                                          const PublicKey& subject_key, const Certificate* issuer,
                                          const PrivateKey& signing_key) {
  const std::string& cn = spec.subject.common_name;
  if (spec.not_after <= spec.not_before) {
    return absl::InvalidArgumentError("certificate CN=" + cn +
                                      ": not_after must be later than not_before");
  }
  impl::X509Ptr x509(X509_new());
  if (!x509 || X509_set_version(x509.get(), X509_VERSION_3) != 1) {
    return impl::InternalError("creating certificate CN=" + cn);
  }
  X509* x = x509.get();
  WEFT_ASSIGN_OR_RETURN(impl::AsnIntegerPtr serial, RandomSerial());
  WEFT_ASSIGN_OR_RETURN(X509NamePtr name, BuildName(spec.subject));
  X509* issuer_x509 = issuer ? X509Access::Get(*issuer) : x;
  if (X509_set_serialNumber(x, serial.get()) != 1 || X509_set_subject_name(x, name.get()) != 1 ||
      X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer_x509) : name.get()) != 1 ||
      X509_set_pubkey(x, KeyAccess::Get(subject_key)) != 1) {
    return impl::InternalError("filling certificate CN=" + cn);
  }
  WEFT_RETURN_IF_ERROR(SetTime(X509_getm_notBefore(x), spec.not_before));
  WEFT_RETURN_IF_ERROR(SetTime(X509_getm_notAfter(x), spec.not_after));
  if (issuer && issuer->subject_key_id().empty()) {
    return absl::InvalidArgumentError("issuer '" + issuer->subject() +
                                      "' has no subject key identifier to put in the AKI");
  }

  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer_x509, x, nullptr, nullptr, 0);
  for (const auto& [nid, value] : Extensions(spec, subject_key, issuer != nullptr)) {
    impl::X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &v3, nid, value.c_str()));
    if (!extension || X509_add_ext(x, extension.get(), -1) != 1) {
      return impl::InvalidInput(absl::StrCat("certificate CN=", cn, ": extension ", OBJ_nid2sn(nid),
                                             "=", value, " rejected"));
    }
  }
  if (X509_sign(x, KeyAccess::Get(signing_key), EVP_sha256()) <= 0) {
    return impl::InternalError("signing certificate CN=" + cn);
  }
  return X509Access::MakeCertificate(std::move(x509));
}

}  // namespace

[[nodiscard]] StatusOr<Certificate> IssueSelfSigned(const CertificateTemplate& spec,
                                                    const PrivateKey& key) {
  return Build(spec, key.public_key(), nullptr, key);
}

[[nodiscard]] StatusOr<Certificate> IssueCertificate(const CertificateTemplate& spec,
                                                     const PublicKey& subject_key,
                                                     const Certificate& issuer,
                                                     const PrivateKey& issuer_key) {
  return Build(spec, subject_key, &issuer, issuer_key);
}

[[nodiscard]] StatusOr<Crl> IssueCrl(const Certificate& issuer, const PrivateKey& issuer_key,
                                     const std::vector<RevokedCertificate>& revoked,
                                     TimePoint this_update, TimePoint next_update) {
  const std::string context = "CRL of '" + issuer.subject() + "'";
  impl::X509CrlPtr crl(X509_CRL_new());
  impl::AsnTimePtr last(ASN1_TIME_new());
  impl::AsnTimePtr next(ASN1_TIME_new());
  if (!crl || !last || !next || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(X509Access::Get(issuer))) != 1) {
    return impl::InternalError("creating " + context);
  }
  WEFT_RETURN_IF_ERROR(SetTime(last.get(), this_update));
  WEFT_RETURN_IF_ERROR(SetTime(next.get(), next_update));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (const RevokedCertificate& entry : revoked) {
    WEFT_ASSIGN_OR_RETURN(impl::AsnIntegerPtr serial, HexToInteger(entry.serial_hex));
    impl::AsnTimePtr when(ASN1_TIME_new());
    impl::X509RevokedPtr item(X509_REVOKED_new());
    if (!when || !item || !SetTime(when.get(), entry.revoked_at).ok() ||
        X509_REVOKED_set_serialNumber(item.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(item.get(), when.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), item.get()) != 1) {
      return impl::InternalError(context + ": adding serial " + entry.serial_hex);
    }
    item.release();  // owned by the CRL now
  }
  X509_CRL_sort(crl.get());
  // Fabric's MSP matches a CRL to its CA through the AKI.
  if (!issuer.subject_key_id().empty()) {
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, X509Access::Get(issuer), nullptr, nullptr, crl.get(), 0);
    impl::X509ExtensionPtr aki(
        X509V3_EXT_nconf_nid(nullptr, &v3, NID_authority_key_identifier, "keyid:always"));
    if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1) {
      return impl::InternalError(context + ": adding the AKI");
    }
  }
  if (X509_CRL_sign(crl.get(), KeyAccess::Get(issuer_key), EVP_sha256()) <= 0) {
    return impl::InternalError("signing " + context);
  }
  return X509Access::MakeCrl(std::move(crl));
}

}  // namespace weft::common::crypto
