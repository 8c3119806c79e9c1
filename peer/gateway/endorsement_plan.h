// Endorsement plans of the peer's Gateway: which organisations' peers, and how many
// of each, satisfy a chaincode's endorsement policy. Fabric's gateway asks the
// discovery service for these "layouts" (release-2.5 internal/pkg/gateway/registry.go
// endorsementPlan, discovery/endorsement); Weft has no discovery service, so they are
// computed here straight from the policy: a signature policy's NOutOf tree, or a
// channel policy reference (an ImplicitMeta policy such as MAJORITY Endorsement over
// the application organisations' own policies) resolved in the channel config.
// A principal is satisfiable by a peer of its MSP when it is a MEMBER or PEER role,
// an organisational unit or an identity of that MSP (peers never sign as ADMIN or
// CLIENT); one peer signs for at most one principal, as Fabric's policy evaluation
// uses each identity once.
// Thread-safety: stateless functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/configtx.pb.h"
#include "common/policies.pb.h"
#include "common/status/status.h"

namespace weft::peer::gateway {

// One way to satisfy a policy: MSP ID -> endorsements needed from that org's peers.
using Layout = std::map<std::string, int>;

// The minimal layouts of a signature policy (no layout is a superset of another),
// smallest first. Empty when nothing a peer can sign satisfies it.
// InvalidArgument when the policy refers to a principal it does not carry;
// ResourceExhausted when it has too many combinations to enumerate.
[[nodiscard]] StatusOr<std::vector<Layout>> SignaturePolicyLayouts(
    const ::common::SignaturePolicyEnvelope& policy);

// The layouts of the channel policy at `path` ("/Channel/Application/Endorsement";
// a path without a leading '/' lives under /Channel/Application/, as Fabric's
// lifecycle resolves references). NotFound when the config has no such policy.
[[nodiscard]] StatusOr<std::vector<Layout>> ChannelPolicyLayouts(const ::common::Config& config,
                                                                 std::string_view path);

// The layouts of a chaincode definition's endorsement policy: `application_policy`
// holds the bytes of a protos.ApplicationPolicy (ValidationInfo.validation_parameter).
[[nodiscard]] StatusOr<std::vector<Layout>> ApplicationPolicyLayouts(
    const ::common::Config& config, std::string_view application_policy);

// Layouts that satisfy both `a` and `b`: one endorsement may count for both
// policies (each is evaluated on its own, as the validator does), so each pair
// combines by taking the larger count per org. Minimal, smallest first.
std::vector<Layout> CombineLayouts(const std::vector<Layout>& a, const std::vector<Layout>& b);

}  // namespace weft::peer::gateway
