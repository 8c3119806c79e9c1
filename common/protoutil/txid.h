// Fabric transaction IDs (fabric-interop.md A.3).
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace weft::common::protoutil {

// Lowercase hex of SHA-256(nonce || creator); `creator` is the serialized
// identity exactly as it sits in the SignatureHeader.
std::string ComputeTxId(std::string_view nonce, std::string_view creator);

}  // namespace weft::common::protoutil
