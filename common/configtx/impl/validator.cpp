#include "common/configtx/validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/configtx/impl/config_elements.h"
#include "common/configtx/update.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/serialize.h"

namespace weft::common::configtx {
namespace {

using internal::ChildPath;
using internal::KindName;
using internal::ProtoMap;
using internal::SameContent;
using internal::SortedKeys;

constexpr char kRootPath[] = "/Channel";
// Fabric's limits on config element names (common/configtx validator).
constexpr size_t kMaxConfigIdLength = 249;

template <typename... Args>
[[nodiscard]] Status Invalid(fmt::format_string<Args...> format, Args&&... args) {
  return absl::InvalidArgumentError(fmt::format(format, std::forward<Args>(args)...));
}

// A write-set element at its current version that carries no content only names the
// element on the way to a modified one (compute_update writes such stubs).
bool HasContent(const ::common::ConfigValue& value) {
  return !value.value().empty() || !value.mod_policy().empty();
}
bool HasContent(const ::common::ConfigPolicy& policy) {
  return policy.has_policy() || !policy.mod_policy().empty();
}

bool IsConfigId(std::string_view id) {
  if (id.empty() || id.size() > kMaxConfigIdLength || id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
  });
}

[[nodiscard]] Status ValidateModPolicy(std::string_view mod_policy, std::string_view element) {
  if (mod_policy.empty()) return Invalid("{} has no mod_policy", element);
  std::string_view rest = mod_policy.front() == '/' ? mod_policy.substr(1) : mod_policy;
  while (true) {
    size_t slash = rest.find('/');
    if (!IsConfigId(rest.substr(0, slash))) {
      return Invalid("{} has an invalid mod_policy '{}'", element, mod_policy);
    }
    if (slash == std::string_view::npos) return absl::OkStatus();
    rest.remove_prefix(slash + 1);
  }
}

// Relative mod_policies resolve in `base`: the element's own group for a group, the
// containing group for a value or policy (Fabric's policyForItem).
std::string ResolvePolicyPath(const std::string& mod_policy, std::string_view base) {
  if (mod_policy.empty() || mod_policy.front() == '/') return mod_policy;
  return ChildPath(base, mod_policy);
}

[[nodiscard]] Status VersionMismatch(std::string_view kind, std::string_view path, uint64_t written,
                                     uint64_t current) {
  return Invalid(
      "write set version mismatch for {} {}: version {}, but the current config has version {} "
      "(an element is modified by writing it at exactly its current version + 1)",
      kind, path, written, current);
}

// ---- Read set ----

[[nodiscard]] Status CheckRead(const ::common::ConfigGroup& current,
                               const ::common::ConfigGroup& read, const std::string& path);

template <typename T>
[[nodiscard]] Status CheckRead(const T& current, const T& read, const std::string& path) {
  if (read.version() == current.version()) return absl::OkStatus();
  return Invalid("read set version mismatch for {} {}: read at version {}, current version {}",
                 KindName(current), path, read.version(), current.version());
}

template <typename T>
[[nodiscard]] Status CheckReadMembers(const ProtoMap<T>& current, const ProtoMap<T>& read,
                                      const std::string& path) {
  for (const std::string& key : SortedKeys(read)) {
    const std::string child_path = ChildPath(path, key);
    auto it = current.find(key);
    if (it == current.end()) {
      return Invalid("read set names {} {}, which is not in the current config",
                     KindName(read.at(key)), child_path);
    }
    WEFT_RETURN_IF_ERROR(CheckRead(it->second, read.at(key), child_path));
  }
  return absl::OkStatus();
}

[[nodiscard]] Status CheckRead(const ::common::ConfigGroup& current,
                               const ::common::ConfigGroup& read, const std::string& path) {
  // The leaf overload checks only the version, which is what a group needs first.
  WEFT_RETURN_IF_ERROR(CheckRead<::common::ConfigGroup>(current, read, path));
  WEFT_RETURN_IF_ERROR(CheckReadMembers(current.groups(), read.groups(), path));
  WEFT_RETURN_IF_ERROR(CheckReadMembers(current.values(), read.values(), path));
  return CheckReadMembers(current.policies(), read.policies(), path);
}

// ---- Write set ----

// A modified element and the policy (absolute path, empty when the element has no
// mod_policy) that must be satisfied to modify it.
struct Authorization {
  std::string element;
  std::string policy_path;
};

// Merges a write set into the current config. New elements need no policy of their
// own: their parent group must be modified too, and the nearest existing ancestor's
// mod_policy authorizes the addition.
class UpdateApplier {
 public:
  [[nodiscard]] Status MergeGroup(const ::common::ConfigGroup& current,
                                  const ::common::ConfigGroup& written, const std::string& path,
                                  ::common::ConfigGroup* out) {
    bool modified = false;
    if (written.version() == current.version()) {
      if (!written.mod_policy().empty() && written.mod_policy() != current.mod_policy()) {
        return Invalid("group {} keeps version {} but changes its mod_policy", path,
                       current.version());
      }
      *out = current;
    } else if (written.version() == current.version() + 1) {
      const std::string element = "group " + path;
      WEFT_RETURN_IF_ERROR(ValidateModPolicy(written.mod_policy(), element));
      authorizations_.push_back({element, ResolvePolicyPath(current.mod_policy(), path)});
      ++changes_;
      modified = true;
      out->Clear();
      out->set_version(written.version());
      out->set_mod_policy(written.mod_policy());
    } else {
      return VersionMismatch("group", path, written.version(), current.version());
    }
    WEFT_RETURN_IF_ERROR(
        MergeMembers(current.groups(), written.groups(), path, modified, out->mutable_groups()));
    WEFT_RETURN_IF_ERROR(
        MergeMembers(current.values(), written.values(), path, modified, out->mutable_values()));
    return MergeMembers(current.policies(), written.policies(), path, modified,
                        out->mutable_policies());
  }

  int changes() const { return changes_; }
  std::vector<Authorization> TakeAuthorizations() { return std::move(authorizations_); }

 private:
  // `group_modified`: the group is written at a new version, so the written members
  // are exactly its new members (members left out are deleted).
  template <typename T>
  [[nodiscard]] Status MergeMembers(const ProtoMap<T>& current, const ProtoMap<T>& written,
                                    const std::string& path, bool group_modified,
                                    ProtoMap<T>* out) {
    for (const std::string& key : SortedKeys(written)) {
      const T& element = written.at(key);
      T* slot = &(*out)[key];
      auto it = current.find(key);
      if (it != current.end()) {
        WEFT_RETURN_IF_ERROR(Merge(it->second, element, path, key, slot));
        continue;
      }
      if (!group_modified) {
        return Invalid(
            "{} {} is not in the current config, but its group {} is not modified (adding a "
            "member requires writing the group at its next version)",
            KindName(element), ChildPath(path, key), path);
      }
      WEFT_RETURN_IF_ERROR(AddNew(element, ChildPath(path, key), slot));
    }
    return absl::OkStatus();
  }

  [[nodiscard]] Status Merge(const ::common::ConfigGroup& current,
                             const ::common::ConfigGroup& written, const std::string& group_path,
                             const std::string& key, ::common::ConfigGroup* out) {
    return MergeGroup(current, written, ChildPath(group_path, key), out);
  }

  template <typename T>
  [[nodiscard]] Status Merge(const T& current, const T& written, const std::string& group_path,
                             const std::string& key, T* out) {
    const std::string element = fmt::format("{} {}", KindName(current), ChildPath(group_path, key));
    if (written.version() == current.version()) {
      if (HasContent(written) && !SameContent(current, written)) {
        return Invalid("{} keeps version {} but its content differs from the current config",
                       element, current.version());
      }
      *out = current;
    } else if (written.version() == current.version() + 1) {
      WEFT_RETURN_IF_ERROR(ValidateModPolicy(written.mod_policy(), element));
      authorizations_.push_back({element, ResolvePolicyPath(current.mod_policy(), group_path)});
      ++changes_;
      *out = written;
    } else {
      return VersionMismatch(KindName(current), ChildPath(group_path, key), written.version(),
                             current.version());
    }
    return absl::OkStatus();
  }

  template <typename T>
  [[nodiscard]] Status CheckNew(const T& written, const std::string& path) {
    const std::string element = fmt::format("{} {}", KindName(written), path);
    if (written.version() != 0) {
      return Invalid("new {} is written at version {}; new elements start at version 0", element,
                     written.version());
    }
    std::string_view key = std::string_view(path).substr(path.rfind('/') + 1);
    if (!IsConfigId(key)) {
      return Invalid("new {} has an invalid name (allowed: [a-zA-Z0-9.-], at most {} characters)",
                     element, kMaxConfigIdLength);
    }
    ++changes_;
    return ValidateModPolicy(written.mod_policy(), element);
  }

  [[nodiscard]] Status AddNew(const ::common::ConfigGroup& written, const std::string& path,
                              ::common::ConfigGroup* out) {
    WEFT_RETURN_IF_ERROR(CheckNew(written, path));
    out->set_version(0);
    out->set_mod_policy(written.mod_policy());
    WEFT_RETURN_IF_ERROR(AddNewMembers(written.groups(), path, out->mutable_groups()));
    WEFT_RETURN_IF_ERROR(AddNewMembers(written.values(), path, out->mutable_values()));
    return AddNewMembers(written.policies(), path, out->mutable_policies());
  }

  template <typename T>
  [[nodiscard]] Status AddNew(const T& written, const std::string& path, T* out) {
    WEFT_RETURN_IF_ERROR(CheckNew(written, path));
    *out = written;
    return absl::OkStatus();
  }

  template <typename T>
  [[nodiscard]] Status AddNewMembers(const ProtoMap<T>& written, const std::string& path,
                                     ProtoMap<T>* out) {
    for (const std::string& key : SortedKeys(written)) {
      WEFT_RETURN_IF_ERROR(AddNew(written.at(key), ChildPath(path, key), &(*out)[key]));
    }
    return absl::OkStatus();
  }

  int changes_ = 0;
  std::vector<Authorization> authorizations_;
};

struct AppliedUpdate {
  ::common::Config config;
  std::vector<Authorization> authorizations;
};

[[nodiscard]] StatusOr<AppliedUpdate> Apply(const ::common::Config& current,
                                            const ::common::ConfigUpdate& update) {
  if (!update.has_write_set()) {
    return Invalid("config update for channel '{}' has no write set", update.channel_id());
  }
  if (update.has_read_set()) {
    WEFT_RETURN_IF_ERROR(CheckRead(current.channel_group(), update.read_set(), kRootPath));
  }
  AppliedUpdate applied;
  applied.config.set_sequence(current.sequence() + 1);
  UpdateApplier applier;
  WEFT_RETURN_IF_ERROR(applier.MergeGroup(current.channel_group(), update.write_set(), kRootPath,
                                          applied.config.mutable_channel_group()));
  if (applier.changes() == 0) {
    return Invalid(
        "config update for channel '{}' changes nothing: every element of its write set keeps "
        "its current version",
        update.channel_id());
  }
  applied.authorizations = applier.TakeAuthorizations();
  return applied;
}

[[nodiscard]] Status Authorize(const policies::PolicyManager& policy_manager,
                               const std::vector<Authorization>& authorizations,
                               const std::vector<policies::SignedData>& signed_data) {
  for (const Authorization& authorization : authorizations) {
    if (authorization.policy_path.empty()) {
      return absl::PermissionDeniedError(
          fmt::format("{} has no mod_policy in the current config and cannot be modified",
                      authorization.element));
    }
    auto policy = policy_manager.GetPolicy(authorization.policy_path);
    if (!policy.ok()) {
      return absl::PermissionDeniedError(
          fmt::format("mod_policy {} of {} does not exist: {}", authorization.policy_path,
                      authorization.element, std::string(policy.status().message())));
    }
    Status status = (*policy)->EvaluateSignedData(signed_data);
    if (!status.ok()) {
      return absl::PermissionDeniedError(
          fmt::format("policy {} for modifying {} is not satisfied: {}", authorization.policy_path,
                      authorization.element, std::string(status.message())));
    }
  }
  return absl::OkStatus();
}

}  // namespace

[[nodiscard]] StatusOr<::common::Config> ApplyConfigUpdate(const ::common::Config& current,
                                                           const ::common::ConfigUpdate& update) {
  WEFT_ASSIGN_OR_RETURN(AppliedUpdate applied, Apply(current, update));
  return std::move(applied.config);
}

[[nodiscard]] StatusOr<ProposedConfig> ProposeConfigUpdate(
    const channelconfig::ChannelConfig& current, const ::common::Envelope& config_update_envelope) {
  const std::string& channel_id = current.channel_id();
  auto opened = protoutil::OpenEnvelope(config_update_envelope);
  if (!opened.ok()) {
    return Annotate(opened.status(), fmt::format("config update for channel '{}'", channel_id));
  }
  if (opened->channel_header.type() != ::common::CONFIG_UPDATE) {
    return Invalid("config update envelope has header type {}, expected CONFIG_UPDATE ({})",
                   opened->channel_header.type(), static_cast<int>(::common::CONFIG_UPDATE));
  }
  if (opened->channel_header.channel_id() != channel_id) {
    return Invalid("config update envelope is for channel '{}', not '{}'",
                   opened->channel_header.channel_id(), channel_id);
  }
  WEFT_ASSIGN_OR_RETURN(::common::ConfigUpdateEnvelope update_envelope,
                        protoutil::ParseMessage<::common::ConfigUpdateEnvelope>(
                            opened->data(), "config update envelope data"));
  WEFT_ASSIGN_OR_RETURN(::common::ConfigUpdate update,
                        protoutil::ParseMessage<::common::ConfigUpdate>(
                            update_envelope.config_update(), "config update"));
  if (update.channel_id() != channel_id) {
    return Invalid("config update is for channel '{}', not '{}'", update.channel_id(), channel_id);
  }

  WEFT_ASSIGN_OR_RETURN(AppliedUpdate applied, Apply(current.config(), update));
  WEFT_ASSIGN_OR_RETURN(std::vector<policies::SignedData> signed_data,
                        ConfigUpdateSignedData(update_envelope));
  WEFT_RETURN_IF_ERROR(Authorize(current.policy_manager(), applied.authorizations, signed_data));

  auto bundle = channelconfig::ChannelConfig::FromConfig(channel_id, applied.config);
  if (!bundle.ok()) {
    return Invalid("config update for channel '{}' leads to an invalid config: {}", channel_id,
                   std::string(bundle.status().message()));
  }
  ProposedConfig proposed;
  *proposed.envelope.mutable_config() = std::move(applied.config);
  *proposed.envelope.mutable_last_update() = config_update_envelope;
  proposed.bundle = *std::move(bundle);
  return proposed;
}

[[nodiscard]] StatusOr<::common::Envelope> ValidateConfigUpdate(
    const channelconfig::ChannelConfig& current, const ::common::Envelope& config_update_envelope,
    const protoutil::Signer& orderer_signer) {
  WEFT_ASSIGN_OR_RETURN(ProposedConfig proposed,
                        ProposeConfigUpdate(current, config_update_envelope));
  return protoutil::CreateSignedEnvelope(::common::CONFIG, current.channel_id(), orderer_signer,
                                         protoutil::DeterministicSerialize(proposed.envelope));
}

}  // namespace weft::common::configtx
