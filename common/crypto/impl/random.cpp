#include "common/crypto/random.h"

#include <openssl/rand.h>

#include "common/crypto/impl/openssl_util.h"

namespace weft::common::crypto {

[[nodiscard]] StatusOr<std::string> RandomBytes(size_t count) {
  std::string out(count, '\0');
  if (count > 0 &&
      RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    return impl::InternalError("generating " + std::to_string(count) + " random bytes");
  }
  return out;
}

[[nodiscard]] StatusOr<std::string> NewNonce() { return RandomBytes(kNonceSize); }

}  // namespace weft::common::crypto
