// ECDSA on NIST P-256 with SHA-256, as Fabric uses it: signatures are DER
// SEQUENCE{r, s} with low S (s <= n/2). Sign always produces low-S; Verify
// rejects high-S like Fabric's verifier, so a signature has one valid form.
// Thread-safety: PublicKey and PrivateKey are immutable values that share
// their OpenSSL key; all const methods are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::crypto {

namespace impl {
struct KeyAccess;
}  // namespace impl

class PublicKey {
 public:
  // SubjectPublicKeyInfo, PEM ("BEGIN PUBLIC KEY") or DER. Only P-256 keys.
  [[nodiscard]] static StatusOr<PublicKey> FromPem(std::string_view pem);
  [[nodiscard]] static StatusOr<PublicKey> FromDer(std::string_view der);

  // SubjectPublicKeyInfo encodings.
  std::string ToDer() const;
  std::string ToPem() const;
  // The uncompressed point 04 || X || Y (65 bytes); Fabric's key SKI is its SHA-256.
  std::string UncompressedPoint() const;

  // Checks `signature` (DER, low-S) over SHA-256(message).
  [[nodiscard]] Status Verify(std::string_view message, std::string_view signature) const;
  // Same, over a precomputed 32-byte digest.
  [[nodiscard]] Status VerifyDigest(std::string_view digest, std::string_view signature) const;

  bool operator==(const PublicKey& other) const { return ToDer() == other.ToDer(); }

 private:
  friend struct impl::KeyAccess;
  struct Rep;
  explicit PublicKey(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

class PrivateKey {
 public:
  [[nodiscard]] static StatusOr<PrivateKey> Generate();
  // PKCS#8 ("BEGIN PRIVATE KEY") or SEC1 ("BEGIN EC PRIVATE KEY"), unencrypted.
  [[nodiscard]] static StatusOr<PrivateKey> FromPem(std::string_view pem);

  // Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), the form Fabric's keystore holds.
  // The returned text is key material: do not log it.
  std::string ToPem() const;
  PublicKey public_key() const;

  // DER low-S signature over SHA-256(message).
  [[nodiscard]] StatusOr<std::string> Sign(std::string_view message) const;
  // DER low-S signature over a precomputed 32-byte digest.
  [[nodiscard]] StatusOr<std::string> SignDigest(std::string_view digest) const;

 private:
  friend struct impl::KeyAccess;
  struct Rep;
  explicit PrivateKey(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

// The two integers of an ECDSA signature as unsigned big-endian bytes without
// leading zeros.
struct EcdsaSignature {
  std::string r;
  std::string s;
};

// Strict DER: rejects trailing bytes and non-minimal encodings.
[[nodiscard]] StatusOr<EcdsaSignature> ParseDerSignature(std::string_view der);
[[nodiscard]] StatusOr<std::string> EncodeDerSignature(const EcdsaSignature& signature);
// Replaces a high S with n - S (P-256 order n); low-S input is returned unchanged.
[[nodiscard]] StatusOr<std::string> NormalizeLowS(std::string_view der);
bool IsLowS(const EcdsaSignature& signature);

}  // namespace weft::common::crypto
