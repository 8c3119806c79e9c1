#include "common/crypto/hash.h"

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "common/crypto/impl/openssl_util.h"

namespace weft::common::crypto {
namespace {

// SHA-256 fails only when OpenSSL cannot allocate or its provider is missing;
// no caller can recover from that, so it aborts instead of returning Status.
[[noreturn]] void DigestFailed() { std::abort(); }

}  // namespace

std::string Sha256(std::string_view data) {
  std::string digest(kSha256Size, '\0');
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()), &length,
                 EVP_sha256(), nullptr) != 1) {
    DigestFailed();
  }
  return digest;
}

struct Sha256Hasher::State {
  impl::EvpMdCtxPtr ctx{EVP_MD_CTX_new()};
  void Reset() {
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) DigestFailed();
  }
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) { state_->Reset(); }
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

Sha256Hasher& Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()) != 1) DigestFailed();
  return *this;
}

std::string Sha256Hasher::Finish() {
  std::string digest(kSha256Size, '\0');
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->ctx.get(), reinterpret_cast<unsigned char*>(digest.data()),
                         &length) != 1) {
    DigestFailed();
  }
  state_->Reset();
  return digest;
}

std::string HexEncode(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}

}  // namespace weft::common::crypto
