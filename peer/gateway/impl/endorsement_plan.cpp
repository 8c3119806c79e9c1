#include "peer/gateway/endorsement_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "msp/identities.pb.h"
#include "msp/msp_principal.pb.h"
#include "peer/policy.pb.h"

namespace weft::peer::gateway {
namespace {

// Enumeration stops beyond this many layouts: policies that large are not
// endorsement policies anyone can satisfy in practice.
constexpr size_t kMaxLayouts = 4096;

int Total(const Layout& layout) {
  int total = 0;
  for (const auto& [org, count] : layout) total += count;
  return total;
}

// True when `big` needs at least what `small` needs from every org.
bool Covers(const Layout& big, const Layout& small) {
  for (const auto& [org, count] : small) {
    auto found = big.find(org);
    if (found == big.end() || found->second < count) return false;
  }
  return true;
}

// Drops duplicates and layouts that need more than another one; smallest first.
std::vector<Layout> Minimal(std::vector<Layout> layouts) {
  std::sort(layouts.begin(), layouts.end(), [](const Layout& a, const Layout& b) {
    const int ta = Total(a), tb = Total(b);
    return ta != tb ? ta < tb : a < b;
  });
  std::vector<Layout> kept;
  for (auto& layout : layouts) {
    bool redundant = false;
    for (const auto& smaller : kept) {
      if (Covers(layout, smaller)) {
        redundant = true;
        break;
      }
    }
    if (!redundant) kept.push_back(std::move(layout));
  }
  return kept;
}

Layout Merge(const Layout& a, const Layout& b) {
  Layout merged = a;
  for (const auto& [org, count] : b) merged[org] += count;
  return merged;
}

// Every way to satisfy `n` of `children` (each a list of layouts): the merged
// layouts of each n-combination of children and of one layout of each.
[[nodiscard]] StatusOr<std::vector<Layout>> NOutOf(
    int n, const std::vector<std::vector<Layout>>& children) {
  std::vector<Layout> result;
  if (n <= 0) return std::vector<Layout>{Layout{}};
  const int k = static_cast<int>(children.size());
  if (n > k) return result;
  std::vector<int> pick(n);
  for (int i = 0; i < n; ++i) pick[i] = i;
  while (true) {
    std::vector<Layout> partial{Layout{}};
    for (int index : pick) {
      std::vector<Layout> next;
      for (const auto& have : partial) {
        for (const auto& option : children[index]) {
          next.push_back(Merge(have, option));
          if (next.size() > kMaxLayouts) {
            return absl::ResourceExhaustedError(fmt::format(
                "endorsement policy has more than {} combinations of organizations", kMaxLayouts));
          }
        }
      }
      partial = Minimal(std::move(next));
      if (partial.empty()) break;
    }
    result.insert(result.end(), partial.begin(), partial.end());
    if (result.size() > kMaxLayouts) {
      return absl::ResourceExhaustedError(fmt::format(
          "endorsement policy has more than {} combinations of organizations", kMaxLayouts));
    }
    // Next combination in lexicographic order.
    int i = n - 1;
    while (i >= 0 && pick[i] == k - n + i) --i;
    if (i < 0) break;
    ++pick[i];
    for (int j = i + 1; j < n; ++j) pick[j] = pick[j - 1] + 1;
  }
  return Minimal(std::move(result));
}

// The MSP whose peer can satisfy `principal`, or nullopt when no peer can.
std::optional<std::string> PrincipalOrg(const ::common::MSPPrincipal& principal) {
  switch (principal.principal_classification()) {
    case ::common::MSPPrincipal::ROLE: {
      ::common::MSPRole role;
      if (!role.ParseFromString(principal.principal())) return std::nullopt;
      if (role.role() != ::common::MSPRole::MEMBER && role.role() != ::common::MSPRole::PEER) {
        return std::nullopt;
      }
      return role.msp_identifier();
    }
    case ::common::MSPPrincipal::ORGANIZATION_UNIT: {
      ::common::OrganizationUnit unit;
      if (!unit.ParseFromString(principal.principal())) return std::nullopt;
      return unit.msp_identifier();
    }
    case ::common::MSPPrincipal::IDENTITY: {
      ::msp::SerializedIdentity identity;
      if (!identity.ParseFromString(principal.principal())) return std::nullopt;
      return identity.mspid();
    }
    default:
      return std::nullopt;
  }
}

[[nodiscard]] StatusOr<std::vector<Layout>> RuleLayouts(
    const ::common::SignaturePolicy& rule, const ::common::SignaturePolicyEnvelope& envelope) {
  if (rule.has_n_out_of()) {
    std::vector<std::vector<Layout>> children;
    for (const auto& child : rule.n_out_of().rules()) {
      WEFT_ASSIGN_OR_RETURN(auto layouts, RuleLayouts(child, envelope));
      children.push_back(std::move(layouts));
    }
    return NOutOf(rule.n_out_of().n(), children);
  }
  const int index = rule.signed_by();
  if (index < 0 || index >= envelope.identities_size()) {
    return absl::InvalidArgumentError(
        fmt::format("signature policy refers to identity {} but carries {}", index,
                    envelope.identities_size()));
  }
  auto org = PrincipalOrg(envelope.identities(index));
  if (!org) return std::vector<Layout>{};
  return std::vector<Layout>{Layout{{*org, 1}}};
}

const ::common::ConfigGroup* SubGroup(const ::common::ConfigGroup& group, const std::string& name) {
  auto found = group.groups().find(name);
  return found == group.groups().end() ? nullptr : &found->second;
}

[[nodiscard]] StatusOr<std::vector<Layout>> GroupPolicyLayouts(const ::common::ConfigGroup& group,
                                                               const std::string& name,
                                                               const std::string& where) {
  auto found = group.policies().find(name);
  if (found == group.policies().end()) {
    return absl::NotFoundError(fmt::format("channel config has no policy {}/{}", where, name));
  }
  const ::common::Policy& policy = found->second.policy();
  if (policy.type() == ::common::Policy::SIGNATURE) {
    ::common::SignaturePolicyEnvelope envelope;
    if (!envelope.ParseFromString(policy.value())) {
      return absl::InvalidArgumentError(
          fmt::format("policy {}/{} is not a SignaturePolicyEnvelope", where, name));
    }
    return SignaturePolicyLayouts(envelope);
  }
  if (policy.type() == ::common::Policy::IMPLICIT_META) {
    ::common::ImplicitMetaPolicy meta;
    if (!meta.ParseFromString(policy.value())) {
      return absl::InvalidArgumentError(
          fmt::format("policy {}/{} is not an ImplicitMetaPolicy", where, name));
    }
    // Fabric's implicitmeta.go: every sub-group counts, one lacking the policy
    // can never be satisfied.
    std::vector<std::vector<Layout>> children;
    for (const auto& [child_name, child] : group.groups()) {
      auto layouts = GroupPolicyLayouts(child, meta.sub_policy(), where + "/" + child_name);
      if (absl::IsNotFound(layouts.status())) {
        children.emplace_back();
        continue;
      }
      if (!layouts.ok()) return layouts.status();
      children.push_back(*std::move(layouts));
    }
    const int count = static_cast<int>(children.size());
    int threshold = 1;
    switch (meta.rule()) {
      case ::common::ImplicitMetaPolicy::ANY:
        threshold = 1;
        break;
      case ::common::ImplicitMetaPolicy::ALL:
        threshold = count;
        break;
      case ::common::ImplicitMetaPolicy::MAJORITY:
        threshold = count / 2 + 1;
        break;
      default:
        return absl::InvalidArgumentError(
            fmt::format("policy {}/{} has an unknown implicit meta rule", where, name));
    }
    return NOutOf(threshold, children);
  }
  return absl::InvalidArgumentError(
      fmt::format("policy {}/{} has unsupported type {}", where, name, policy.type()));
}

}  // namespace

std::vector<Layout> CombineLayouts(const std::vector<Layout>& a, const std::vector<Layout>& b) {
  std::vector<Layout> combined;
  for (const auto& x : a) {
    for (const auto& y : b) {
      Layout both = x;
      for (const auto& [org, count] : y) both[org] = std::max(both[org], count);
      combined.push_back(std::move(both));
    }
  }
  return Minimal(std::move(combined));
}

[[nodiscard]] StatusOr<std::vector<Layout>> SignaturePolicyLayouts(
    const ::common::SignaturePolicyEnvelope& policy) {
  return RuleLayouts(policy.rule(), policy);
}

[[nodiscard]] StatusOr<std::vector<Layout>> ChannelPolicyLayouts(const ::common::Config& config,
                                                                 std::string_view path) {
  std::string absolute(path);
  if (!absolute.starts_with("/")) absolute = "/Channel/Application/" + absolute;
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= absolute.size()) {
    size_t end = absolute.find('/', start);
    if (end == std::string::npos) end = absolute.size();
    parts.push_back(absolute.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() < 2 || parts[0] != "Channel") {
    return absl::NotFoundError(fmt::format("channel config has no policy {}", absolute));
  }
  const ::common::ConfigGroup* group = &config.channel_group();
  std::string where = "/Channel";
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    group = SubGroup(*group, parts[i]);
    if (group == nullptr) {
      return absl::NotFoundError(fmt::format("channel config has no policy {}", absolute));
    }
    where += "/" + parts[i];
  }
  return GroupPolicyLayouts(*group, parts.back(), where);
}

[[nodiscard]] StatusOr<std::vector<Layout>> ApplicationPolicyLayouts(
    const ::common::Config& config, std::string_view application_policy) {
  ::protos::ApplicationPolicy policy;
  if (!policy.ParseFromString(std::string(application_policy))) {
    return absl::InvalidArgumentError("endorsement policy is not a protos.ApplicationPolicy");
  }
  switch (policy.Type_case()) {
    case ::protos::ApplicationPolicy::kSignaturePolicy:
      return SignaturePolicyLayouts(policy.signature_policy());
    case ::protos::ApplicationPolicy::kChannelConfigPolicyReference:
      return ChannelPolicyLayouts(config, policy.channel_config_policy_reference());
    default:
      return absl::InvalidArgumentError("endorsement policy is empty");
  }
}

}  // namespace weft::peer::gateway
