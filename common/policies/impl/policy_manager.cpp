#include "common/policies/policy_manager.h"

#include "common/policies/signature_policy.h"
#include "fmt/format.h"

namespace weft::common::policies {
namespace {

// Fabric's ImplicitMetaPolicy. Every sub-policy of a channel evaluates with the
// channel's deserializer, so the signature set becomes valid identities once and
// each sub-policy evaluates those (its EvaluateIdentities): the verdict is the one
// of evaluating each sub-policy on the signatures (Fabric's EvaluateSignedData),
// with one signature check per signer instead of one per signer and sub-policy.
class ImplicitMetaPolicy final : public Policy {
 public:
  ImplicitMetaPolicy(std::string description, ::common::ImplicitMetaPolicy::Rule rule,
                     std::vector<const Policy*> sub_policies,
                     const IdentityDeserializer& deserializer)
      : description_(std::move(description)),
        sub_policies_(std::move(sub_policies)),
        deserializer_(deserializer) {
    int count = static_cast<int>(sub_policies_.size());
    switch (rule) {
      case ::common::ImplicitMetaPolicy::ANY:
        threshold_ = 1;
        break;
      case ::common::ImplicitMetaPolicy::ALL:
        threshold_ = count;
        break;
      default:
        threshold_ = count / 2 + 1;
        break;  // MAJORITY
    }
    if (count == 0) threshold_ = 0;
  }

  [[nodiscard]] Status EvaluateSignedData(std::span<const SignedData> signed_data) const override {
    // No signature to check when the answer does not depend on the signers.
    if (threshold_ == 0) return absl::OkStatus();
    ValidIdentities valid = SignatureSetToValidIdentities(signed_data, deserializer_);
    Status status = EvaluateIdentities(valid.identities);
    if (status.ok() || valid.rejected.empty()) return status;
    return absl::PermissionDeniedError(fmt::format("{}; ignored: {}", std::string(status.message()),
                                                   fmt::join(valid.rejected, "; ")));
  }

  [[nodiscard]] Status EvaluateIdentities(
      std::span<const std::shared_ptr<const Identity>> identities) const override {
    int satisfied = 0;
    std::vector<std::string> failures;
    for (const Policy* sub_policy : sub_policies_) {
      if (satisfied >= threshold_) break;
      Status status = sub_policy->EvaluateIdentities(identities);
      if (status.ok()) {
        ++satisfied;
      } else {
        failures.push_back(std::string(status.message()));
      }
    }
    if (satisfied >= threshold_) return absl::OkStatus();
    return absl::PermissionDeniedError(fmt::format(
        "implicit policy {} not satisfied: {} of {} sub-policies satisfied, {} required ({})",
        description_, satisfied, sub_policies_.size(), threshold_, fmt::join(failures, "; ")));
  }

 private:
  std::string description_;
  std::vector<const Policy*> sub_policies_;
  const IdentityDeserializer& deserializer_;
  int threshold_ = 0;
};

// Fabric's rejectPolicy: stands for a policy a group does not define.
class MissingPolicy final : public Policy {
 public:
  explicit MissingPolicy(std::string path) : path_(std::move(path)) {}
  [[nodiscard]] Status EvaluateSignedData(std::span<const SignedData>) const override {
    return Missing();
  }
  [[nodiscard]] Status EvaluateIdentities(
      std::span<const std::shared_ptr<const Identity>>) const override {
    return Missing();
  }

 private:
  [[nodiscard]] Status Missing() const {
    return absl::PermissionDeniedError(fmt::format("no such policy: '{}'", path_));
  }
  std::string path_;
};

}  // namespace

std::unique_ptr<Policy> NewImplicitMetaPolicy(std::string description,
                                              ::common::ImplicitMetaPolicy::Rule rule,
                                              std::vector<const Policy*> sub_policies,
                                              const IdentityDeserializer& deserializer) {
  return std::make_unique<ImplicitMetaPolicy>(std::move(description), rule, std::move(sub_policies),
                                              deserializer);
}

StatusOr<std::unique_ptr<PolicyManager>> PolicyManager::Build(
    std::string name, const ::common::ConfigGroup& group,
    const IdentityDeserializer& deserializer) {
  return BuildAt(fmt::format("/{}", name), group, deserializer, nullptr);
}

StatusOr<std::unique_ptr<PolicyManager>> PolicyManager::BuildAt(
    std::string path, const ::common::ConfigGroup& group, const IdentityDeserializer& deserializer,
    const PolicyManager* root) {
  std::unique_ptr<PolicyManager> manager(new PolicyManager());
  manager->path_ = std::move(path);
  manager->root_ = root;
  const PolicyManager* children_root = root != nullptr ? root : manager.get();
  for (const auto& [child_name, child_group] : group.groups()) {
    WEFT_ASSIGN_OR_RETURN(auto child, BuildAt(fmt::format("{}/{}", manager->path_, child_name),
                                              child_group, deserializer, children_root));
    manager->children_.emplace(child_name, std::move(child));
  }
  for (const auto& [policy_name, config_policy] : group.policies()) {
    std::string policy_path = fmt::format("{}/{}", manager->path_, policy_name);
    const ::common::Policy& policy = config_policy.policy();
    switch (policy.type()) {
      case ::common::Policy::SIGNATURE: {
        ::common::SignaturePolicyEnvelope envelope;
        if (!envelope.ParseFromString(policy.value())) {
          return absl::InvalidArgumentError(
              fmt::format("policy {}: value is not a SignaturePolicyEnvelope", policy_path));
        }
        auto built = NewSignaturePolicy(std::move(envelope), deserializer);
        if (!built.ok()) return Annotate(built.status(), fmt::format("policy {}", policy_path));
        manager->policies_.emplace(policy_name, *std::move(built));
        break;
      }
      case ::common::Policy::IMPLICIT_META: {
        ::common::ImplicitMetaPolicy meta;
        if (!meta.ParseFromString(policy.value()) ||
            !::common::ImplicitMetaPolicy::Rule_IsValid(meta.rule())) {
          return absl::InvalidArgumentError(
              fmt::format("policy {}: value is not a valid ImplicitMetaPolicy", policy_path));
        }
        // One sub-policy per child group, as Fabric's NewImplicitMetaPolicy: a group
        // without the named policy takes part as a policy that is never satisfied
        // (Fabric's rejectPolicy from ManagerImpl.GetPolicy), so it counts towards
        // the threshold of ALL and MAJORITY.
        std::vector<const Policy*> sub_policies;
        for (const auto& [child_name, child] : manager->children_) {
          auto found = child->policies_.find(meta.sub_policy());
          if (found != child->policies_.end()) {
            sub_policies.push_back(found->second.get());
            continue;
          }
          manager->missing_.push_back(std::make_unique<MissingPolicy>(
              fmt::format("{}/{}", child->path_, meta.sub_policy())));
          sub_policies.push_back(manager->missing_.back().get());
        }
        std::string description =
            fmt::format("{} {} ({})", ::common::ImplicitMetaPolicy::Rule_Name(meta.rule()),
                        meta.sub_policy(), policy_path);
        manager->policies_.emplace(policy_name,
                                   NewImplicitMetaPolicy(std::move(description), meta.rule(),
                                                         std::move(sub_policies), deserializer));
        break;
      }
      default:
        return absl::InvalidArgumentError(
            fmt::format("policy {}: unsupported policy type {} (only SIGNATURE and IMPLICIT_META "
                        "are supported)",
                        policy_path, policy.type()));
    }
  }
  return manager;
}

StatusOr<const Policy*> PolicyManager::GetPolicy(std::string_view path) const {
  const PolicyManager* manager = this;
  std::string_view relative = path;
  if (!path.empty() && path.front() == '/') {
    manager = root_ != nullptr ? root_ : this;
    std::string_view root_prefix = manager->path_;  // "/Channel"
    if (path.substr(0, root_prefix.size()) != root_prefix || path.size() <= root_prefix.size() ||
        path[root_prefix.size()] != '/') {
      return absl::NotFoundError(fmt::format("policy {} is not under {}", path, root_prefix));
    }
    relative = path.substr(root_prefix.size() + 1);
  }
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = relative.find('/', start);
    parts.push_back(relative.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    manager = manager->SubManager(parts[i]);
    if (manager == nullptr) {
      return absl::NotFoundError(fmt::format("policy {}: no group {}", path, parts[i]));
    }
  }
  auto found = manager->policies_.find(parts.back());
  if (found == manager->policies_.end()) {
    return absl::NotFoundError(fmt::format("policy {} does not exist in {}", path, manager->path_));
  }
  return found->second.get();
}

const PolicyManager* PolicyManager::SubManager(std::string_view name) const {
  auto found = children_.find(name);
  return found == children_.end() ? nullptr : found->second.get();
}

std::vector<std::string> PolicyManager::PolicyNames() const {
  std::vector<std::string> names;
  for (const auto& [name, policy] : policies_) names.push_back(name);
  return names;
}

}  // namespace weft::common::policies
