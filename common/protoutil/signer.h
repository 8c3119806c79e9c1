// The signing seam protoutil builders need: something that signs bytes the
// Fabric way and names itself as a serialized MSP identity. The MSP's signing
// identity implements it; tests use a key-backed fake.
// Thread-safety: implementations must be safe to call from several threads.
#pragma once

#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::protoutil {

class Signer {
 public:
  virtual ~Signer() = default;

  // ECDSA over SHA-256(message), DER, low-S (fabric-interop.md A.4).
  [[nodiscard]] virtual StatusOr<std::string> Sign(std::string_view message) const = 0;
  // bytes(msp.SerializedIdentity) that verifiers use to find the public key;
  // goes into SignatureHeader.creator and Endorsement.endorser verbatim.
  virtual std::string SerializedIdentity() const = 0;
};

}  // namespace weft::common::protoutil
