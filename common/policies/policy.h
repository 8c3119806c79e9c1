// A policy decides whether a set of signatures is sufficient (Fabric's policies.Policy).
// Thread-safety: implementations are immutable after construction and safe for
// concurrent use.
#pragma once

#include <memory>
#include <span>

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
};

}  // namespace weft::common::policies
