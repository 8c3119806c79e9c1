#include "common/crypto/x509.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "common/crypto/impl/key_access.h"
#include "common/crypto/impl/x509_access.h"

namespace weft::common::crypto {
namespace {

using impl::X509Access;

std::string AsnStringToUtf8(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

std::vector<std::string> NameEntries(const X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    out.push_back(AsnStringToUtf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
  }
  return out;
}

std::string OctetString(const ASN1_OCTET_STRING* value) {
  if (value == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<size_t>(ASN1_STRING_length(value)));
}

[[nodiscard]] Status ReadSubjectAltNames(X509* x509, const std::string& subject,
                                         std::vector<std::string>& dns_names,
                                         std::vector<std::string>& ip_addresses) {
  int critical = -1;
  impl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509, NID_subject_alt_name, &critical, nullptr)));
  if (!names) {
    if (critical == -1) return absl::OkStatus();  // no SAN extension
    return impl::InvalidInput("certificate '" + subject + "' has a malformed SAN extension");
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      dns_names.push_back(AsnStringToUtf8(name->d.dNSName));
    } else if (name->type == GEN_IPADD) {
      std::string raw = OctetString(name->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      int family = raw.size() == 4 ? AF_INET : raw.size() == 16 ? AF_INET6 : -1;
      if (family == -1 || inet_ntop(family, raw.data(), text, sizeof(text)) == nullptr) {
        return absl::InvalidArgumentError("certificate '" + subject + "' has a SAN IP address of " +
                                          std::to_string(raw.size()) + " bytes");
      }
      ip_addresses.emplace_back(text);
    }
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<impl::X509Ptr> ReadPemCertificate(BIO* bio) {
  impl::X509Ptr x509(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  if (!x509) return impl::InvalidInput("PEM does not hold a parsable X.509 certificate");
  return x509;
}

void FreeBorrowingStack(STACK_OF(X509) * stack) { sk_X509_free(stack); }
void FreeOwningStack(STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); }

bool AtEndOfPem() {
  unsigned long error = ERR_peek_last_error();
  bool end = ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  if (end) ERR_clear_error();
  return end;
}

std::string ValidityWindow(const Certificate& certificate) {
  return absl::StrCat("valid from ", impl::FormatTime(certificate.not_before()), " to ",
                      impl::FormatTime(certificate.not_after()));
}

// The Certificate value among the inputs that wraps `x509`, so the verified
// chain reuses parsed certificates instead of parsing them again.
[[nodiscard]] StatusOr<Certificate> FindOrWrap(X509* x509, const Certificate& leaf,
                                               std::span<const Certificate> roots,
                                               std::span<const Certificate> intermediates) {
  if (X509Access::Get(leaf) == x509) return leaf;
  for (auto group : {roots, intermediates}) {
    for (const Certificate& c : group) {
      if (X509Access::Get(c) == x509) return c;
    }
  }
  X509_up_ref(x509);
  return X509Access::MakeCertificate(impl::X509Ptr(x509));
}

[[nodiscard]] Status ChainError(X509_STORE_CTX* ctx, const Certificate& leaf, TimePoint at) {
  int error = X509_STORE_CTX_get_error(ctx);
  X509* current = X509_STORE_CTX_get_current_cert(ctx);
  impl::DrainErrors();
  std::string subject =
      current ? impl::NameToString(X509_get_subject_name(current)) : leaf.subject();
  if (current != nullptr &&
      (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID)) {
    X509_up_ref(current);
    auto bad = X509Access::MakeCertificate(impl::X509Ptr(current));
    std::string window = bad.ok() ? ValidityWindow(*bad) : "validity unreadable";
    return absl::InvalidArgumentError(
        absl::StrCat("certificate '", subject, "' ",
                     error == X509_V_ERR_CERT_HAS_EXPIRED ? "has expired" : "is not yet valid",
                     " (", window, "; checked at ", impl::FormatTime(at), ")"));
  }
  return absl::InvalidArgumentError(absl::StrCat("certificate chain of '", leaf.subject(),
                                                 "' does not verify at certificate '", subject,
                                                 "': ", X509_verify_cert_error_string(error)));
}

}  // namespace

namespace impl {

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253 ordering and escaping, but UTF-8 left readable.
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioContents(bio.get());
}

std::string IntegerToHex(const ASN1_INTEGER* integer) {
  BignumPtr bn(ASN1_INTEGER_to_BN(integer, nullptr));
  std::string hex = bn ? HexEncode(BignumToBytes(bn.get())) : "";
  return hex.empty() ? "00" : hex;
}

StatusOr<Certificate> X509Access::MakeCertificate(X509Ptr x509) {
  auto rep = std::make_shared<Certificate::Rep>();
  X509* x = x509.get();
  rep->subject = NameToString(X509_get_subject_name(x));
  rep->issuer = NameToString(X509_get_issuer_name(x));
  WEFT_ASSIGN_OR_RETURN(rep->der, EncodeDer(x, i2d_X509, "certificate"));
  // Computes and caches the parsed extensions; a malformed one flags the cert.
  uint32_t flags = X509_get_extension_flags(x);
  if (flags & EXFLAG_INVALID) {
    return InvalidInput("certificate '" + rep->subject + "' has malformed extensions");
  }
  rep->is_ca = (flags & EXFLAG_CA) != 0;
  std::vector<std::string> common_names = NameEntries(X509_get_subject_name(x), NID_commonName);
  if (!common_names.empty()) rep->common_name = common_names.front();
  rep->organizational_units = NameEntries(X509_get_subject_name(x), NID_organizationalUnitName);
  rep->serial_hex = IntegerToHex(X509_get0_serialNumber(x));
  WEFT_ASSIGN_OR_RETURN(rep->not_before, AsnTimeToTimePoint(X509_get0_notBefore(x)));
  WEFT_ASSIGN_OR_RETURN(rep->not_after, AsnTimeToTimePoint(X509_get0_notAfter(x)));
  rep->subject_key_id = OctetString(X509_get0_subject_key_id(x));
  rep->authority_key_id = OctetString(X509_get0_authority_key_id(x));
  WEFT_RETURN_IF_ERROR(ReadSubjectAltNames(x, rep->subject, rep->dns_names, rep->ip_addresses));
  rep->x509 = std::move(x509);
  return Certificate(std::move(rep));
}

StatusOr<Crl> X509Access::MakeCrl(X509CrlPtr crl) {
  auto rep = std::make_shared<Crl::Rep>();
  rep->issuer = NameToString(X509_CRL_get_issuer(crl.get()));
  WEFT_ASSIGN_OR_RETURN(rep->der, EncodeDer(crl.get(), i2d_X509_CRL, "CRL"));
  WEFT_ASSIGN_OR_RETURN(rep->this_update, AsnTimeToTimePoint(X509_CRL_get0_lastUpdate(crl.get())));
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    rep->revoked_serials.push_back(
        IntegerToHex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
  }
  rep->crl = std::move(crl);
  return Crl(std::move(rep));
}

}  // namespace impl

StatusOr<Certificate> Certificate::FromPem(std::string_view pem) {
  impl::BioPtr bio = impl::MemoryBio(pem);
  WEFT_ASSIGN_OR_RETURN(impl::X509Ptr x509, ReadPemCertificate(bio.get()));
  return X509Access::MakeCertificate(std::move(x509));
}

StatusOr<std::vector<Certificate>> Certificate::AllFromPem(std::string_view pem) {
  impl::BioPtr bio = impl::MemoryBio(pem);
  std::vector<Certificate> out;
  while (true) {
    impl::X509Ptr x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x509) {
      if (!out.empty() && AtEndOfPem()) return out;
      return impl::InvalidInput(
          absl::StrCat("PEM certificate number ", out.size() + 1, " could not be parsed"));
    }
    WEFT_ASSIGN_OR_RETURN(Certificate certificate, X509Access::MakeCertificate(std::move(x509)));
    out.push_back(std::move(certificate));
  }
}

StatusOr<Certificate> Certificate::FromDer(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  impl::X509Ptr x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!x509) return impl::InvalidInput("DER is not an X.509 certificate");
  if (cursor != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return absl::InvalidArgumentError("X.509 certificate DER has trailing bytes");
  }
  return X509Access::MakeCertificate(std::move(x509));
}

const std::string& Certificate::der() const { return rep_->der; }
std::string Certificate::ToPem() const {
  impl::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), rep_->x509.get());
  return impl::BioContents(bio.get());
}
const std::string& Certificate::subject() const { return rep_->subject; }
const std::string& Certificate::issuer() const { return rep_->issuer; }
const std::string& Certificate::subject_common_name() const { return rep_->common_name; }
const std::vector<std::string>& Certificate::subject_organizational_units() const {
  return rep_->organizational_units;
}
const std::string& Certificate::serial_hex() const { return rep_->serial_hex; }
TimePoint Certificate::not_before() const { return rep_->not_before; }
TimePoint Certificate::not_after() const { return rep_->not_after; }
const std::vector<std::string>& Certificate::dns_names() const { return rep_->dns_names; }
const std::vector<std::string>& Certificate::ip_addresses() const { return rep_->ip_addresses; }
const std::string& Certificate::subject_key_id() const { return rep_->subject_key_id; }
const std::string& Certificate::authority_key_id() const { return rep_->authority_key_id; }
bool Certificate::is_ca() const { return rep_->is_ca; }
std::string Certificate::fingerprint() const { return Sha256(rep_->der); }

StatusOr<PublicKey> Certificate::public_key() const {
  impl::EvpPkeyPtr pkey(X509_get_pubkey(rep_->x509.get()));
  if (!pkey)
    return impl::InvalidInput("certificate '" + rep_->subject + "' has no usable public key");
  return impl::KeyAccess::MakePublic(std::move(pkey),
                                     "public key of certificate '" + rep_->subject + "'");
}

StatusOr<Crl> Crl::FromPem(std::string_view pem) {
  impl::BioPtr bio = impl::MemoryBio(pem);
  impl::X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return impl::InvalidInput("PEM does not hold a parsable X.509 CRL");
  return X509Access::MakeCrl(std::move(crl));
}

StatusOr<Crl> Crl::FromDer(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  impl::X509CrlPtr crl(d2i_X509_CRL(nullptr, &cursor, static_cast<long>(der.size())));
  if (!crl) return impl::InvalidInput("DER is not an X.509 CRL");
  return X509Access::MakeCrl(std::move(crl));
}

const std::string& Crl::der() const { return rep_->der; }
std::string Crl::ToPem() const {
  impl::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_CRL(bio.get(), rep_->crl.get());
  return impl::BioContents(bio.get());
}
const std::string& Crl::issuer() const { return rep_->issuer; }
TimePoint Crl::this_update() const { return rep_->this_update; }
const std::vector<std::string>& Crl::revoked_serials() const { return rep_->revoked_serials; }

bool Crl::Lists(const Certificate& certificate) const {
  return certificate.issuer() == rep_->issuer &&
         std::find(rep_->revoked_serials.begin(), rep_->revoked_serials.end(),
                   certificate.serial_hex()) != rep_->revoked_serials.end();
}

Status Crl::VerifySignature(const Certificate& issuer) const {
  if (issuer.subject() != rep_->issuer) {
    return absl::InvalidArgumentError(absl::StrCat("CRL issued by '", rep_->issuer,
                                                   "' cannot be checked with certificate '",
                                                   issuer.subject(), "'"));
  }
  EVP_PKEY* key = X509_get0_pubkey(X509Access::Get(issuer));
  if (key == nullptr || X509_CRL_verify(rep_->crl.get(), key) != 1) {
    return impl::InvalidInput(
        absl::StrCat("CRL naming issuer '", rep_->issuer, "' is not signed by that issuer"));
  }
  return absl::OkStatus();
}

[[nodiscard]] Status CheckRevocation(const Certificate& certificate, const Certificate& issuer,
                                     std::span<const Crl> crls) {
  for (const Crl& crl : crls) {
    if (crl.issuer() != certificate.issuer()) continue;
    WEFT_RETURN_IF_ERROR(crl.VerifySignature(issuer));
    if (crl.Lists(certificate)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "certificate '", certificate.subject(), "' with serial ", certificate.serial_hex(),
          " issued by '", certificate.issuer(), "' is revoked"));
    }
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<std::vector<Certificate>> VerifyChain(
    const Certificate& leaf, std::span<const Certificate> roots,
    std::span<const Certificate> intermediates, const ChainVerifyOptions& options) {
  impl::X509StorePtr store(X509_STORE_new());
  if (!store) return impl::InternalError("creating an X509_STORE");
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), X509Access::Get(root)) != 1) {
      return impl::InternalError("adding trusted root '" + root.subject() + "'");
    }
  }
  // The stack borrows the X509 objects; the Certificates outlive it.
  std::unique_ptr<STACK_OF(X509), impl::Deleter<FreeBorrowingStack>> untrusted(sk_X509_new_null());
  for (const Certificate& intermediate : intermediates) {
    sk_X509_push(untrusted.get(), X509Access::Get(intermediate));
  }
  impl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx ||
      X509_STORE_CTX_init(ctx.get(), store.get(), X509Access::Get(leaf), untrusted.get()) != 1) {
    return impl::InternalError("initialising chain verification");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(options.at));
  if (X509_verify_cert(ctx.get()) != 1) return ChainError(ctx.get(), leaf, options.at);

  std::unique_ptr<STACK_OF(X509), impl::Deleter<FreeOwningStack>> chain(
      X509_STORE_CTX_get1_chain(ctx.get()));
  std::vector<Certificate> verified;
  for (int i = 0; i < sk_X509_num(chain.get()); ++i) {
    WEFT_ASSIGN_OR_RETURN(Certificate c,
                          FindOrWrap(sk_X509_value(chain.get(), i), leaf, roots, intermediates));
    verified.push_back(std::move(c));
  }
  for (size_t i = 0; i + 1 < verified.size(); ++i) {
    WEFT_RETURN_IF_ERROR(CheckRevocation(verified[i], verified[i + 1], options.crls));
  }
  return verified;
}

}  // namespace weft::common::crypto
