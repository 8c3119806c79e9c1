// Cryptographically secure random bytes from OpenSSL's DRBG.
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "common/status/status.h"

namespace weft::common::crypto {

// Fabric clients send 24-byte nonces in SignatureHeader.nonce.
inline constexpr size_t kNonceSize = 24;

[[nodiscard]] StatusOr<std::string> RandomBytes(size_t count);
[[nodiscard]] StatusOr<std::string> NewNonce();

}  // namespace weft::common::crypto
