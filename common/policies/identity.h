// The identity seam the policy evaluator consumes. The msp module implements it;
// policies never see X.509 or MSP configuration.
// Thread-safety: implementations must be safe for concurrent const use.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status/status.h"
#include "msp/msp_principal.pb.h"

namespace weft::common::policies {

// One signature over some bytes by a serialized identity (msp.SerializedIdentity),
// as taken from an envelope, proposal, endorsement or config signature.
// The fields hold the exact bytes as received.
struct SignedData {
  std::string data;
  std::string identity;
  std::string signature;
};

class Identity {
 public:
  virtual ~Identity() = default;

  virtual const std::string& MspId() const = 0;
  // Stable across deserializations of the same certificate; used so that one
  // signer counts once however many signatures it contributes.
  virtual const std::string& UniqueId() const = 0;
  // Validates the identity for its MSP (chain, expiry, revocation, NodeOUs) and
  // checks it matches `principal`. The error says why it does not.
  [[nodiscard]] virtual Status SatisfiesPrincipal(
      const ::common::MSPPrincipal& principal) const = 0;
  // Verifies an ECDSA signature over SHA-256(message).
  [[nodiscard]] virtual Status Verify(std::string_view message,
                                      std::string_view signature) const = 0;
};

class IdentityDeserializer {
 public:
  virtual ~IdentityDeserializer() = default;
  // Parses an msp.SerializedIdentity. Fails for an unknown MSP or a bad certificate.
  [[nodiscard]] virtual StatusOr<std::shared_ptr<const Identity>> DeserializeIdentity(
      std::string_view serialized_identity) const = 0;
};

}  // namespace weft::common::policies
