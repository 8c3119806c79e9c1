// Evaluation of common.SignaturePolicyEnvelope (Fabric's "cauthdsl").
#pragma once

#include <memory>

#include "common/policies.pb.h"
#include "common/policies/identity.h"
#include "common/policies/policy.h"
#include "common/status/status.h"

namespace weft::common::policies {

// Checks the envelope's structure (signed_by indexes in range, every rule typed,
// nesting depth bounded; any n, as Fabric) and returns a policy that evaluates it
// with `deserializer`, which must outlive the policy.
//
// Semantics are Fabric's cauthdsl, exactly: each distinct identity counts at most
// once, however many signatures it gave; a signature that fails to verify, or an
// identity that fails to deserialize, does not count; signers are matched greedily
// in signature order (a leaf takes the first unused signer that fits). So
// AND(A.member, A.admin) signed by an admin and then a member fails, as on a Fabric
// peer: validation verdicts must agree across peers, cleverness would fork them.
[[nodiscard]] StatusOr<std::unique_ptr<Policy>> NewSignaturePolicy(
    ::common::SignaturePolicyEnvelope envelope, const IdentityDeserializer& deserializer);

}  // namespace weft::common::policies
