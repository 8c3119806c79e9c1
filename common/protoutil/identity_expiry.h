// When a signer's certificate stops being valid, read straight from the
// msp.SerializedIdentity as Fabric's common/crypto ExpiresAt does: no MSP is
// consulted, so it works for any creator an envelope carries. The orderer's
// Broadcast filter and every Deliver session use it.
// Thread-safety: stateless, thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::protoutil {

// NotAfter of the identity's certificate; nullopt when id_bytes holds no PEM
// certificate (an identity kind without an expiry, as Fabric's zero time).
// Errors: InvalidArgument when the bytes are not a SerializedIdentity or the PEM
// block does not parse as a certificate (Fabric then makes no decision on expiry;
// its callers go on to the signature check, which fails for such a creator).
[[nodiscard]] StatusOr<std::optional<std::chrono::system_clock::time_point>> IdentityExpiresAt(
    std::string_view serialized_identity);

}  // namespace weft::common::protoutil
