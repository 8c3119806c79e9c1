#include "common/crypto/ecdsa.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "common/crypto/impl/key_access.h"

namespace weft::common::crypto {
namespace {

using impl::BignumPtr;
using impl::EcdsaSigPtr;
using impl::EvpPkeyCtxPtr;
using impl::EvpPkeyPtr;

constexpr char kP256Order[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

// Built per call: a BIGNUM is cheap next to an ECDSA operation, and no
// process-wide state is needed.
BignumPtr P256Order() {
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, kP256Order);
  return BignumPtr(bn);
}

BignumPtr P256HalfOrder() {
  BignumPtr half = P256Order();
  BN_rshift1(half.get(), half.get());
  return half;
}

[[nodiscard]] Status CheckP256(EVP_PKEY* pkey, std::string_view source) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source), " is not an EC key"));
  }
  char group[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &length) != 1 ||
      std::string_view(group, length) != "prime256v1") {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source), " uses curve '",
                                                   std::string(group, length),
                                                   "', only P-256 (prime256v1) is supported"));
  }
  return absl::OkStatus();
}

[[nodiscard]] Status CheckDigest(std::string_view digest) {
  if (digest.size() != kSha256Size) {
    return absl::InvalidArgumentError(
        absl::StrCat("digest must be ", kSha256Size, " bytes, got ", digest.size()));
  }
  return absl::OkStatus();
}

// Decodes strictly: OpenSSL accepts some BER leniencies, so the input must
// re-encode to exactly itself (Go's asn1.Unmarshal is just as strict).
[[nodiscard]] StatusOr<EcdsaSigPtr> DecodeSignature(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!sig) return impl::InvalidInput("signature is not a DER ECDSA SEQUENCE{r, s}");
  WEFT_ASSIGN_OR_RETURN(std::string reencoded,
                        impl::EncodeDer(sig.get(), i2d_ECDSA_SIG, "ECDSA signature"));
  if (reencoded != der) {
    return absl::InvalidArgumentError(
        "signature is not canonical DER (trailing or non-minimal bytes)");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_is_zero(r) || BN_is_negative(r) || BN_is_zero(s) || BN_is_negative(s)) {
    return absl::InvalidArgumentError("signature has a zero or negative r or s");
  }
  return sig;
}

[[nodiscard]] StatusOr<EvpPkeyPtr> ReadPem(std::string_view pem, bool is_private) {
  impl::BioPtr bio = impl::MemoryBio(pem);
  EVP_PKEY* pkey = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                              : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return impl::InvalidInput(is_private ? "private key PEM could not be parsed"
                                         : "public key PEM could not be parsed");
  }
  return EvpPkeyPtr(pkey);
}

}  // namespace

namespace impl {

StatusOr<PublicKey> KeyAccess::MakePublic(EvpPkeyPtr pkey, std::string_view source) {
  WEFT_RETURN_IF_ERROR(CheckP256(pkey.get(), source));
  return PublicKey(std::make_shared<const PublicKey::Rep>(PublicKey::Rep{std::move(pkey)}));
}

StatusOr<PrivateKey> KeyAccess::MakePrivate(EvpPkeyPtr pkey, std::string_view source) {
  WEFT_RETURN_IF_ERROR(CheckP256(pkey.get(), source));
  return PrivateKey(std::make_shared<const PrivateKey::Rep>(PrivateKey::Rep{std::move(pkey)}));
}

}  // namespace impl

StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem) {
  WEFT_ASSIGN_OR_RETURN(EvpPkeyPtr pkey, ReadPem(pem, /*is_private=*/false));
  return impl::KeyAccess::MakePublic(std::move(pkey), "public key PEM");
}

StatusOr<PublicKey> PublicKey::FromDer(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr pkey(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!pkey) return impl::InvalidInput("public key DER is not a SubjectPublicKeyInfo");
  return impl::KeyAccess::MakePublic(std::move(pkey), "public key DER");
}

std::string PublicKey::ToDer() const {
  // Encoding a key we already hold only fails on allocation failure.
  return impl::EncodeDer(rep_->pkey.get(), i2d_PUBKEY, "public key").value();
}

std::string PublicKey::ToPem() const {
  impl::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), rep_->pkey.get());
  return impl::BioContents(bio.get());
}

std::string PublicKey::UncompressedPoint() const {
  unsigned char point[65];
  size_t length = 0;
  EVP_PKEY_get_octet_string_param(rep_->pkey.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                  sizeof(point), &length);
  return std::string(reinterpret_cast<const char*>(point), length);
}

Status PublicKey::Verify(std::string_view message, std::string_view signature) const {
  return VerifyDigest(Sha256(message), signature);
}

Status PublicKey::VerifyDigest(std::string_view digest, std::string_view signature) const {
  WEFT_RETURN_IF_ERROR(CheckDigest(digest));
  WEFT_ASSIGN_OR_RETURN(EcdsaSigPtr sig, DecodeSignature(signature));
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), nullptr, &s);
  if (BN_cmp(s, P256HalfOrder().get()) > 0) {
    return absl::InvalidArgumentError(
        "signature has a high S value (s > n/2); Fabric accepts only low-S signatures");
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, rep_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return impl::InternalError("initialising ECDSA verification");
  }
  int result = EVP_PKEY_verify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  if (result != 1) {
    impl::DrainErrors();  // a mismatch leaves nothing useful in the queue
    return absl::InvalidArgumentError("signature does not verify with this public key");
  }
  return absl::OkStatus();
}

StatusOr<PrivateKey> PrivateKey::Generate() {
  EvpPkeyPtr pkey(EVP_EC_gen("P-256"));
  if (!pkey) return impl::InternalError("generating a P-256 key");
  return impl::KeyAccess::MakePrivate(std::move(pkey), "generated key");
}

StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  WEFT_ASSIGN_OR_RETURN(EvpPkeyPtr pkey, ReadPem(pem, /*is_private=*/true));
  return impl::KeyAccess::MakePrivate(std::move(pkey), "private key PEM");
}

std::string PrivateKey::ToPem() const {
  impl::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), rep_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return impl::BioContents(bio.get());
}

PublicKey PrivateKey::public_key() const {
  // Re-decoding our own SubjectPublicKeyInfo yields a key without the private part.
  std::string der = impl::EncodeDer(rep_->pkey.get(), i2d_PUBKEY, "public key").value();
  return PublicKey::FromDer(der).value();
}

StatusOr<std::string> PrivateKey::Sign(std::string_view message) const {
  return SignDigest(Sha256(message));
}

StatusOr<std::string> PrivateKey::SignDigest(std::string_view digest) const {
  WEFT_RETURN_IF_ERROR(CheckDigest(digest));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, rep_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1) {
    return impl::InternalError("initialising ECDSA signing");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(digest.data());
  size_t length = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &length, in, digest.size()) != 1) {
    return impl::InternalError("sizing an ECDSA signature");
  }
  std::string signature(length, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, in,
                    digest.size()) != 1) {
    return impl::InternalError("ECDSA signing");
  }
  signature.resize(length);
  return NormalizeLowS(signature);
}

[[nodiscard]] StatusOr<EcdsaSignature> ParseDerSignature(std::string_view der) {
  WEFT_ASSIGN_OR_RETURN(EcdsaSigPtr sig, DecodeSignature(der));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  return EcdsaSignature{impl::BignumToBytes(r), impl::BignumToBytes(s)};
}

[[nodiscard]] StatusOr<std::string> EncodeDerSignature(const EcdsaSignature& signature) {
  auto to_bn = [](const std::string& bytes) {
    return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()), nullptr));
  };
  BignumPtr r = to_bn(signature.r);
  BignumPtr s = to_bn(signature.s);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return impl::InternalError("building an ECDSA signature");
  }
  r.release();  // owned by sig now
  s.release();
  return impl::EncodeDer(sig.get(), i2d_ECDSA_SIG, "ECDSA signature");
}

bool IsLowS(const EcdsaSignature& signature) {
  BignumPtr s(BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.s.data()),
                        static_cast<int>(signature.s.size()), nullptr));
  return s && BN_cmp(s.get(), P256HalfOrder().get()) <= 0;
}

[[nodiscard]] StatusOr<std::string> NormalizeLowS(std::string_view der) {
  WEFT_ASSIGN_OR_RETURN(EcdsaSigPtr sig, DecodeSignature(der));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_cmp(s, P256HalfOrder().get()) <= 0) return std::string(der);
  BignumPtr low_s(BN_new());
  if (!low_s || BN_sub(low_s.get(), P256Order().get(), s) != 1) {
    return impl::InternalError("computing n - s");
  }
  return EncodeDerSignature(
      EcdsaSignature{impl::BignumToBytes(r), impl::BignumToBytes(low_s.get())});
}

}  // namespace weft::common::crypto
