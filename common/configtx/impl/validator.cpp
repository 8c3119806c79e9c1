#include "common/configtx/validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/channelconfig/capabilities.h"
#include "common/configtx/impl/config_elements.h"
#include "common/configtx/update.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/serialize.h"

namespace weft::common::configtx {
namespace {

using internal::ChildPath;
using internal::SortedKeys;

constexpr char kRootKey[] = "Channel";
// Fabric's limits on config element names (common/configtx validateConfigID).
constexpr size_t kMaxConfigIdLength = 249;
// Fabric's configmap.go key prefixes: "<prefix>/Channel/Orderer/BatchSize".
constexpr char kGroupPrefix[] = "[Group]  ";
constexpr char kValuePrefix[] = "[Value]  ";
constexpr char kPolicyPrefix[] = "[Policy] ";
// Fabric's hackyFixOrdererCapabilities: a config with orderer capabilities gets
// "Admins" wherever a mod_policy is empty when it is rebuilt.
constexpr char kOrdererCapabilitiesKey[] = "[Value]  /Channel/Orderer/Capabilities";
constexpr char kDefaultModPolicy[] = "Admins";

template <typename... Args>
[[nodiscard]] Status Invalid(fmt::format_string<Args...> format, Args&&... args) {
  return absl::InvalidArgumentError(fmt::format(format, std::forward<Args>(args)...));
}

// Fabric's validateConfigID, with its messages.
[[nodiscard]] Status ValidateConfigId(std::string_view id) {
  if (id.empty()) return Invalid("config ID illegal, cannot be empty");
  if (id.size() > kMaxConfigIdLength) {
    return Invalid("config ID illegal, cannot be longer than {}", kMaxConfigIdLength);
  }
  if (id == "." || id == "..") return Invalid("name '{}' for config ID is not allowed", id);
  bool legal = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
  });
  if (!legal) return Invalid("config ID '{}' contains illegal characters", id);
  return absl::OkStatus();
}

// Fabric's validateModPolicy (common/configtx update.go).
[[nodiscard]] Status ValidateModPolicy(std::string_view mod_policy) {
  if (mod_policy.empty()) return Invalid("mod_policy not set");
  std::string_view rest = mod_policy.front() == '/' ? mod_policy.substr(1) : mod_policy;
  for (int index = 0;; ++index) {
    size_t slash = rest.find('/');
    if (Status valid = ValidateConfigId(rest.substr(0, slash)); !valid.ok()) {
      return Invalid("path element at {} is invalid: {}", index, std::string(valid.message()));
    }
    if (slash == std::string_view::npos) return absl::OkStatus();
    rest.remove_prefix(slash + 1);
  }
}

// One element of a config tree (Fabric's comparable). Points into a proto that
// outlives the map holding it.
struct Element {
  const ::common::ConfigGroup* group = nullptr;
  const ::common::ConfigValue* value = nullptr;
  const ::common::ConfigPolicy* policy = nullptr;
  // Relative mod_policies resolve here: the group itself for a group, the
  // containing group for a value or policy (Fabric's policyForItem).
  std::string policy_base;

  uint64_t version() const {
    return group != nullptr ? group->version()
                            : (value != nullptr ? value->version() : policy->version());
  }
  const std::string& mod_policy() const {
    return group != nullptr ? group->mod_policy()
                            : (value != nullptr ? value->mod_policy() : policy->mod_policy());
  }
};

// Path-keyed flat view of a config tree (Fabric's mapConfig); std::map keeps
// iteration, and so the first error reported, reproducible.
using ConfigMap = std::map<std::string, Element>;

[[nodiscard]] Status AddToMap(const char* prefix, std::string_view key, const std::string& path,
                              Element element, ConfigMap& out) {
  if (Status valid = ValidateConfigId(key); !valid.ok()) {
    return Invalid("illegal characters in key: {}: {}", prefix, std::string(valid.message()));
  }
  out[prefix + path] = std::move(element);
  return absl::OkStatus();
}

[[nodiscard]] Status MapGroup(const ::common::ConfigGroup& group, std::string_view key,
                              const std::string& path, ConfigMap& out) {
  WEFT_RETURN_IF_ERROR(AddToMap(kGroupPrefix, key, path, {&group, nullptr, nullptr, path}, out));
  for (const std::string& child : SortedKeys(group.groups())) {
    WEFT_RETURN_IF_ERROR(MapGroup(group.groups().at(child), child, ChildPath(path, child), out));
  }
  for (const std::string& child : SortedKeys(group.values())) {
    WEFT_RETURN_IF_ERROR(AddToMap(kValuePrefix, child, ChildPath(path, child),
                                  {nullptr, &group.values().at(child), nullptr, path}, out));
  }
  for (const std::string& child : SortedKeys(group.policies())) {
    WEFT_RETURN_IF_ERROR(AddToMap(kPolicyPrefix, child, ChildPath(path, child),
                                  {nullptr, nullptr, &group.policies().at(child), path}, out));
  }
  return absl::OkStatus();
}

// An absent group (a nil read or write set in Fabric) maps to nothing.
[[nodiscard]] StatusOr<ConfigMap> MapConfig(const ::common::ConfigGroup* root) {
  ConfigMap map;
  if (root != nullptr) WEFT_RETURN_IF_ERROR(MapGroup(*root, kRootKey, "/Channel", map));
  return map;
}

// Fabric's verifyReadSet: every element read is in the config at the version read.
[[nodiscard]] Status VerifyReadSet(const ConfigMap& current, const ConfigMap& read_set) {
  for (const auto& [key, read] : read_set) {
    auto it = current.find(key);
    if (it == current.end()) {
      return Invalid("existing config does not contain element for {} but was in the read set",
                     key);
    }
    if (it->second.version() != read.version()) {
      return Invalid(
          "proposed update requires that key {} be at version {}, but it is currently at version "
          "{}",
          key, read.version(), it->second.version());
    }
  }
  return absl::OkStatus();
}

// Fabric's computeDeltaSet: what the update writes, minus the elements it writes at
// the version it read (those keep their current content, whatever the write set says).
ConfigMap ComputeDeltaSet(const ConfigMap& read_set, const ConfigMap& write_set) {
  ConfigMap delta;
  for (const auto& [key, written] : write_set) {
    auto read = read_set.find(key);
    if (read != read_set.end() && read->second.version() == written.version()) continue;
    delta.emplace(key, written);
  }
  return delta;
}

std::string ResolvePolicyPath(const std::string& mod_policy, const std::string& base) {
  if (mod_policy.front() == '/') return mod_policy;
  return ChildPath(base, mod_policy);
}

// Fabric's verifyDeltaSet: each changed element moves up exactly one version (new
// ones start at 0) and its current mod_policy is satisfied; without a policy
// manager only the versions are checked (ApplyConfigUpdate).
[[nodiscard]] Status VerifyDeltaSet(const ConfigMap& current, const ConfigMap& delta,
                                    const policies::PolicyManager* policy_manager,
                                    const std::vector<policies::SignedData>& signed_data) {
  if (delta.empty()) return Invalid("delta set was empty -- update would have no effect");
  for (const auto& [key, written] : delta) {
    if (Status valid = ValidateModPolicy(written.mod_policy()); !valid.ok()) {
      return Invalid("invalid mod_policy for element {}: {}", key, std::string(valid.message()));
    }
    auto it = current.find(key);
    if (it == current.end()) {
      if (written.version() != 0) {
        return Invalid("attempted to set key {} to version {}, but key does not exist", key,
                       written.version());
      }
      continue;
    }
    const Element& existing = it->second;
    if (written.version() != existing.version() + 1) {
      return Invalid("attempt to set key {} to version {}, but key is at version {}", key,
                     written.version(), existing.version());
    }
    if (policy_manager == nullptr) continue;
    if (existing.mod_policy().empty()) {
      return Invalid("unexpected missing policy {} for item {}", existing.mod_policy(), key);
    }
    auto policy =
        policy_manager->GetPolicy(ResolvePolicyPath(existing.mod_policy(), existing.policy_base));
    if (!policy.ok()) {
      return Invalid("unexpected missing policy {} for item {}", existing.mod_policy(), key);
    }
    if (Status satisfied = (*policy)->EvaluateSignedData(signed_data); !satisfied.ok()) {
      return Invalid("policy for {} not satisfied: {}", key, std::string(satisfied.message()));
    }
  }
  return absl::OkStatus();
}

template <typename T>
void DefaultModPolicy(T& element, bool upgrade) {
  if (upgrade && element.mod_policy().empty()) element.set_mod_policy(kDefaultModPolicy);
}

// Fabric's recurseConfigMap: a group keeps the members its own proto lists, each
// taken from the map.
[[nodiscard]] Status RebuildGroup(const std::string& path, const ConfigMap& map, bool upgrade,
                                  ::common::ConfigGroup* out) {
  const std::string group_key = kGroupPrefix + path;
  auto found = map.find(group_key);
  if (found == map.end() || found->second.group == nullptr) {
    return Invalid("missing group at path: {}", group_key);
  }
  const ::common::ConfigGroup& group = *found->second.group;
  out->set_version(group.version());
  out->set_mod_policy(group.mod_policy());
  DefaultModPolicy(*out, upgrade);
  for (const auto& [key, unused] : group.groups()) {
    WEFT_RETURN_IF_ERROR(
        RebuildGroup(ChildPath(path, key), map, upgrade, &(*out->mutable_groups())[key]));
  }
  for (const auto& [key, unused] : group.values()) {
    const std::string value_key = kValuePrefix + ChildPath(path, key);
    auto value = map.find(value_key);
    if (value == map.end() || value->second.value == nullptr) {
      return Invalid("missing value at path: {}", value_key);
    }
    ::common::ConfigValue& slot = (*out->mutable_values())[key];
    slot = *value->second.value;
    DefaultModPolicy(slot, upgrade);
  }
  for (const auto& [key, unused] : group.policies()) {
    const std::string policy_key = kPolicyPrefix + ChildPath(path, key);
    auto policy = map.find(policy_key);
    if (policy == map.end() || policy->second.policy == nullptr) {
      return Invalid("missing policy at path: {}", policy_key);
    }
    ::common::ConfigPolicy& slot = (*out->mutable_policies())[key];
    slot = *policy->second.policy;
    DefaultModPolicy(slot, upgrade);
  }
  return absl::OkStatus();
}

// Fabric's authorizeUpdate + computeUpdateResult + configMapToConfig, with its error
// prefixes. `policy_manager` null: no signature check.
[[nodiscard]] StatusOr<::common::Config> Apply(
    const ::common::Config& current, const ::common::ConfigUpdate& update,
    const policies::PolicyManager* policy_manager,
    const std::vector<policies::SignedData>& signed_data) {
  WEFT_ASSIGN_OR_RETURN(ConfigMap current_map, MapConfig(&current.channel_group()));
  auto read_set = MapConfig(update.has_read_set() ? &update.read_set() : nullptr);
  if (!read_set.ok()) {
    return Invalid("error authorizing update: error mapping ReadSet: {}",
                   std::string(read_set.status().message()));
  }
  if (Status verified = VerifyReadSet(current_map, *read_set); !verified.ok()) {
    return Invalid("error authorizing update: error validating ReadSet: {}",
                   std::string(verified.message()));
  }
  auto write_set = MapConfig(update.has_write_set() ? &update.write_set() : nullptr);
  if (!write_set.ok()) {
    return Invalid("error authorizing update: error mapping WriteSet: {}",
                   std::string(write_set.status().message()));
  }
  ConfigMap delta = ComputeDeltaSet(*read_set, *write_set);
  if (Status verified = VerifyDeltaSet(current_map, delta, policy_manager, signed_data);
      !verified.ok()) {
    return Invalid("error authorizing update: error validating DeltaSet: {}",
                   std::string(verified.message()));
  }
  ConfigMap result = std::move(current_map);
  for (auto& [key, element] : delta) result[key] = std::move(element);

  ::common::Config config;
  config.set_sequence(current.sequence() + 1);
  if (Status rebuilt = RebuildGroup("/Channel", result, result.contains(kOrdererCapabilitiesKey),
                                    config.mutable_channel_group());
      !rebuilt.ok()) {
    return Invalid("could not turn configMap back to channelGroup: {}",
                   std::string(rebuilt.message()));
  }
  return config;
}

}  // namespace

[[nodiscard]] StatusOr<::common::Config> ApplyConfigUpdate(const ::common::Config& current,
                                                           const ::common::ConfigUpdate& update) {
  return Apply(current, update, /*policy_manager=*/nullptr, {});
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
    return Invalid(
        "error authorizing update: ConfigUpdate for channel '{}' but envelope for channel '{}'",
        update.channel_id(), channel_id);
  }

  WEFT_ASSIGN_OR_RETURN(std::vector<policies::SignedData> signed_data,
                        ConfigUpdateSignedData(update_envelope));
  WEFT_ASSIGN_OR_RETURN(::common::Config next,
                        Apply(current.config(), update, &current.policy_manager(), signed_data));

  auto bundle = channelconfig::ChannelConfig::FromConfig(channel_id, next, current.ecdsa_counter());
  if (!bundle.ok()) {
    return Invalid("config update for channel '{}' leads to an invalid config: {}", channel_id,
                   std::string(bundle.status().message()));
  }
  // Fabric's ChainSupport.ProposeConfigUpdate: the orderer must support the new
  // config (checkResources), and it must be a valid successor (Bundle.ValidateNew).
  if (Status supported = channelconfig::CheckOrdererResources(**bundle); !supported.ok()) {
    return Invalid("config update is not compatible: {}", std::string(supported.message()));
  }
  WEFT_RETURN_IF_ERROR(channelconfig::ValidateNew(current, **bundle));
  ProposedConfig proposed;
  *proposed.envelope.mutable_config() = std::move(next);
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
