// Evaluation of common.SignaturePolicyEnvelope (Fabric's "cauthdsl").
#pragma once

#include <memory>

#include "common/policies.pb.h"
#include "common/policies/identity.h"
#include "common/policies/policy.h"
#include "common/status/status.h"

namespace weft::common::policies {

// Checks the envelope's structure (signed_by indexes in range, 0 <= n <= rules,
// nesting depth bounded) and returns a policy that evaluates it with `deserializer`,
// which must outlive the policy.
//
// Semantics: each distinct identity counts at most once, however many signatures it
// gave; a signature that fails to verify, or an identity that fails to deserialize,
// does not count. Unlike Fabric's greedy matcher, the search finds an assignment of
// distinct identities to principals whenever one exists (e.g. OR(AND(A.member,
// B.member), ...) with an identity that satisfies two principals).
[[nodiscard]] StatusOr<std::unique_ptr<Policy>> NewSignaturePolicy(
    ::common::SignaturePolicyEnvelope envelope, const IdentityDeserializer& deserializer);

}  // namespace weft::common::policies
