#include "common/crypto/ecdsa.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "common/crypto/hash.h"

namespace crypto = weft::common::crypto;

namespace {

std::string Unhex(std::string_view hex) { return absl::HexStringToBytes(std::string(hex)); }

// P-256 group order n, big-endian.
const std::string kOrder =
    Unhex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

// a - b for big-endian unsigned integers with a >= b; a has 32 bytes.
std::string Subtract(const std::string& a, std::string b) {
  b.insert(0, a.size() - b.size(), '\0');
  std::string out(a.size(), '\0');
  int borrow = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]) - borrow;
    borrow = d < 0;
    out[i] = static_cast<char>(d + (borrow ? 256 : 0));
  }
  return out;
}

// The other valid signature for the same (r, s): (r, n - s).
std::string FlipS(const std::string& der) {
  auto parsed = crypto::ParseDerSignature(der).value();
  parsed.s = Subtract(kOrder, parsed.s);
  return crypto::EncodeDerSignature(parsed).value();
}

// RFC 6979 A.2.5: the P-256 key and its SHA-256 signatures.
const std::string kRfcPrivate =
    Unhex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
const std::string kRfcPoint = Unhex(
    "04"
    "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
    "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");

crypto::PublicKey RfcPublicKey() {
  // SubjectPublicKeyInfo prefix for an uncompressed P-256 point.
  std::string spki = Unhex("3059301306072a8648ce3d020106082a8648ce3d030107034200") + kRfcPoint;
  return crypto::PublicKey::FromDer(spki).value();
}

std::string RfcSignature(std::string_view r, std::string_view s) {
  return crypto::EncodeDerSignature({Unhex(r), Unhex(s)}).value();
}

}  // namespace

TEST_CASE("A signature verifies with the signer's key over the same message") {
  auto key = crypto::PrivateKey::Generate().value();
  auto signature = key.Sign("hello fabric").value();
  CHECK(signature[0] == 0x30);
  CHECK(key.public_key().Verify("hello fabric", signature).ok());
}

TEST_CASE("Sign always produces low-S signatures") {
  auto key = crypto::PrivateKey::Generate().value();
  for (int i = 0; i < 32; ++i) {
    auto signature = key.Sign("message " + std::to_string(i)).value();
    CHECK(crypto::IsLowS(crypto::ParseDerSignature(signature).value()));
  }
}

TEST_CASE("Verify rejects the high-S twin of a valid signature, naming the reason") {
  auto key = crypto::PrivateKey::Generate().value();
  auto signature = key.Sign("payload").value();
  std::string high = FlipS(signature);
  auto status = key.public_key().Verify("payload", high);
  REQUIRE_FALSE(status.ok());
  CHECK(std::string(status.message()).find("high S") != std::string::npos);
  CHECK(crypto::NormalizeLowS(high).value() == signature);
}

TEST_CASE("Verify rejects a tampered message, another key and malformed DER") {
  auto key = crypto::PrivateKey::Generate().value();
  auto other = crypto::PrivateKey::Generate().value();
  auto signature = key.Sign("payload").value();
  CHECK_FALSE(key.public_key().Verify("payloae", signature).ok());
  CHECK_FALSE(other.public_key().Verify("payload", signature).ok());
  CHECK_FALSE(key.public_key().Verify("payload", signature.substr(0, signature.size() - 1)).ok());
  CHECK_FALSE(key.public_key().Verify("payload", signature + '\0').ok());
  CHECK_FALSE(key.public_key().Verify("payload", "").ok());
  CHECK_FALSE(key.public_key().Verify("payload", "not a signature").ok());
}

TEST_CASE("Digest signing and verification agree with the message forms") {
  auto key = crypto::PrivateKey::Generate().value();
  std::string digest = crypto::Sha256("block header");
  auto signature = key.SignDigest(digest).value();
  CHECK(key.public_key().Verify("block header", signature).ok());
  CHECK(key.public_key().VerifyDigest(digest, key.Sign("block header").value()).ok());
  CHECK_FALSE(key.SignDigest("short").ok());
  CHECK_FALSE(key.public_key().VerifyDigest("short", signature).ok());
}

TEST_CASE("The RFC 6979 P-256 SHA-256 vectors verify, the high-S one only once normalised") {
  auto key = RfcPublicKey();
  CHECK(key.UncompressedPoint() == kRfcPoint);
  std::string test_sig =
      RfcSignature("F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
                   "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083");
  CHECK(key.Verify("test", test_sig).ok());
  CHECK_FALSE(key.Verify("sample", test_sig).ok());

  // The published "sample" signature happens to have a high S.
  std::string sample_sig =
      RfcSignature("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
                   "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
  CHECK_FALSE(key.Verify("sample", sample_sig).ok());
  CHECK(key.Verify("sample", crypto::NormalizeLowS(sample_sig).value()).ok());
}

TEST_CASE("A SEC1 \"EC PRIVATE KEY\" PEM loads and signs for the matching public key") {
  // ECPrivateKey{version 1, privateKey, [0] prime256v1}, built from the RFC key.
  std::string der = Unhex("30310201010420") + kRfcPrivate + Unhex("a00a06082a8648ce3d030107");
  std::string pem = "-----BEGIN EC PRIVATE KEY-----\n" + absl::Base64Escape(der) +
                    "\n-----END EC PRIVATE KEY-----\n";
  auto key = crypto::PrivateKey::FromPem(pem);
  REQUIRE(key.ok());
  CHECK(key->public_key().UncompressedPoint() == kRfcPoint);
  CHECK(RfcPublicKey().Verify("m", key->Sign("m").value()).ok());
}

TEST_CASE("A private key survives a PKCS#8 PEM round trip") {
  auto key = crypto::PrivateKey::Generate().value();
  std::string pem = key.ToPem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  auto loaded = crypto::PrivateKey::FromPem(pem).value();
  CHECK(loaded.public_key() == key.public_key());
  CHECK(key.public_key().Verify("x", loaded.Sign("x").value()).ok());
}

TEST_CASE("A public key survives PEM and DER round trips") {
  auto key = crypto::PrivateKey::Generate().value().public_key();
  CHECK(crypto::PublicKey::FromPem(key.ToPem()).value() == key);
  CHECK(crypto::PublicKey::FromDer(key.ToDer()).value() == key);
  CHECK(key.UncompressedPoint().size() == 65);
}

TEST_CASE("Key loading reports garbage input as invalid") {
  auto bad_private = crypto::PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n");
  REQUIRE_FALSE(bad_private.ok());
  CHECK(bad_private.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad_private.status().message()).find("private key PEM") != std::string::npos);
  CHECK_FALSE(crypto::PublicKey::FromDer("\x30\x00").ok());
  CHECK_FALSE(crypto::PublicKey::FromPem("").ok());
}
