// Lets the other implementation files of this module reach the OpenSSL key
// inside PublicKey / PrivateKey without exposing it in the public header.
#pragma once

#include "common/crypto/ecdsa.h"
#include "common/crypto/impl/openssl_util.h"

namespace weft::common::crypto {

struct PublicKey::Rep {
  impl::EvpPkeyPtr pkey;
};

struct PrivateKey::Rep {
  impl::EvpPkeyPtr pkey;
};

namespace impl {

struct KeyAccess {
  // Takes ownership; fails unless the key is EC on P-256.
  [[nodiscard]] static StatusOr<PublicKey> MakePublic(EvpPkeyPtr pkey, std::string_view source);
  [[nodiscard]] static StatusOr<PrivateKey> MakePrivate(EvpPkeyPtr pkey, std::string_view source);
  static EVP_PKEY* Get(const PublicKey& key) { return key.rep_->pkey.get(); }
  static EVP_PKEY* Get(const PrivateKey& key) { return key.rep_->pkey.get(); }
};

}  // namespace impl
}  // namespace weft::common::crypto
