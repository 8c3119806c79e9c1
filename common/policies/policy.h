// A policy decides whether a set of signatures, or a set of already verified
// identities, is sufficient (Fabric's policies.Policy).
// Thread-safety: implementations are immutable after construction and safe for
// concurrent use.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/policies/identity.h"
#include "common/status/status.h"

namespace weft::common::policies {

class Policy {
 public:
  virtual ~Policy() = default;
  // OK when `signed_data` satisfies the policy; PermissionDenied with the reason
  // otherwise. Invalid signatures and unknown identities simply do not count.
  [[nodiscard]] virtual Status EvaluateSignedData(
      std::span<const SignedData> signed_data) const = 0;
  // OK when `identities`, whose signatures the caller has verified, satisfy the
  // policy (Fabric's EvaluateIdentities). Each entry counts as given: callers
  // that start from signatures use SignatureSetToValidIdentities, which drops
  // repeated signers.
  [[nodiscard]] virtual Status EvaluateIdentities(
      std::span<const std::shared_ptr<const Identity>> identities) const = 0;
};

struct ValidIdentities {
  // Distinct signers whose signature verified, in signature order.
  std::vector<std::shared_ptr<const Identity>> identities;
  // Why each other signature does not count (repeated signers are not listed).
  std::vector<std::string> rejected;
};

// Fabric's policies.SignatureSetToValidIdentities: deserializes each signer,
// skips a signer already accepted before checking its signature again, and keeps
// the signers whose signature verifies. One Verify per distinct signer at most.
ValidIdentities SignatureSetToValidIdentities(std::span<const SignedData> signed_data,
                                              const IdentityDeserializer& deserializer);

}  // namespace weft::common::policies
