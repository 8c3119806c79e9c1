// Private helpers shared by the OpenSSL-backed implementation files: owning
// handles for OpenSSL objects and error-queue reporting.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::crypto::impl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;
using AsnIntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using AsnTimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, Deleter<X509_REVOKED_free>>;

// Drains the thread's OpenSSL error queue into one line ("" when empty).
std::string DrainErrors();

// `code` error "<what>" with the drained OpenSSL error queue appended.
[[nodiscard]] Status OpenSslError(absl::StatusCode code, std::string_view what);
[[nodiscard]] inline Status InternalError(std::string_view what) {
  return OpenSslError(absl::StatusCode::kInternal, what);
}
[[nodiscard]] inline Status InvalidInput(std::string_view what) {
  return OpenSslError(absl::StatusCode::kInvalidArgument, what);
}

// A read-only memory BIO over `data`; the data must outlive the BIO.
BioPtr MemoryBio(std::string_view data);
// Everything written into a memory BIO.
std::string BioContents(BIO* bio);

// i2d_* encoders share one shape; this runs one into a std::string.
template <typename T, typename Encode>
[[nodiscard]] StatusOr<std::string> EncodeDer(const T* object, Encode encode,
                                              std::string_view what) {
  int length = encode(object, nullptr);
  if (length <= 0) return InternalError(std::string("DER-encoding ") + std::string(what));
  std::string out(static_cast<size_t>(length), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(out.data());
  if (encode(object, &cursor) != length) {
    return InternalError(std::string("DER-encoding ") + std::string(what));
  }
  return out;
}

std::string BignumToBytes(const BIGNUM* bn);

using TimePoint = std::chrono::system_clock::time_point;
[[nodiscard]] StatusOr<TimePoint> AsnTimeToTimePoint(const ASN1_TIME* time);
std::string FormatTime(TimePoint time);  // RFC 3339 UTC, second precision

}  // namespace weft::common::crypto::impl
