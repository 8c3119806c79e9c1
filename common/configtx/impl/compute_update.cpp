#include <fmt/format.h>

#include <string>
#include <utility>

#include "common/configtx/impl/config_elements.h"
#include "common/configtx/update.h"

namespace weft::common::configtx {
namespace {

using internal::ProtoMap;
using internal::SameContent;
using internal::SortedKeys;

// How the members of one kind (groups, values or policies) of a group differ.
template <typename T>
struct MembersDelta {
  ProtoMap<T> read;   // changed sub-groups, as read (leaves are never read alone)
  ProtoMap<T> write;  // changed or new members
  ProtoMap<T> same;   // unchanged members, as version-only references
  bool membership_changed = false;
};

struct GroupDelta {
  ::common::ConfigGroup read;
  ::common::ConfigGroup write;
  bool changed = false;
};

template <typename T>
T VersionOnly(uint64_t version) {
  T reference;
  reference.set_version(version);
  return reference;
}

// A new group as written: every element in it starts at version 0.
::common::ConfigGroup AtVersionZero(const ::common::ConfigGroup& group) {
  ::common::ConfigGroup result = group;
  result.set_version(0);
  for (auto& [key, value] : *result.mutable_values()) value.set_version(0);
  for (auto& [key, policy] : *result.mutable_policies()) policy.set_version(0);
  for (auto& [key, child] : *result.mutable_groups()) child = AtVersionZero(child);
  return result;
}

GroupDelta DiffGroup(const ::common::ConfigGroup& original, const ::common::ConfigGroup& updated);

template <typename T>
MembersDelta<T> DiffLeaves(const ProtoMap<T>& original, const ProtoMap<T>& updated) {
  MembersDelta<T> delta;
  for (const std::string& key : SortedKeys(original)) {
    const T& before = original.at(key);
    auto it = updated.find(key);
    if (it == updated.end()) {
      delta.membership_changed = true;
    } else if (SameContent(before, it->second)) {
      delta.same[key] = VersionOnly<T>(before.version());
    } else {
      T written = it->second;
      written.set_version(before.version() + 1);
      delta.write[key] = std::move(written);
    }
  }
  for (const auto& [key, after] : updated) {
    if (original.contains(key)) continue;
    delta.membership_changed = true;
    T written = after;
    written.set_version(0);
    delta.write[key] = std::move(written);
  }
  return delta;
}

MembersDelta<::common::ConfigGroup> DiffGroups(const ProtoMap<::common::ConfigGroup>& original,
                                               const ProtoMap<::common::ConfigGroup>& updated) {
  MembersDelta<::common::ConfigGroup> delta;
  for (const std::string& key : SortedKeys(original)) {
    auto it = updated.find(key);
    if (it == updated.end()) {
      delta.membership_changed = true;
      continue;
    }
    GroupDelta child = DiffGroup(original.at(key), it->second);
    if (!child.changed) {
      delta.same[key] = std::move(child.read);
      continue;
    }
    delta.read[key] = std::move(child.read);
    delta.write[key] = std::move(child.write);
  }
  for (const auto& [key, after] : updated) {
    if (original.contains(key)) continue;
    delta.membership_changed = true;
    delta.write[key] = AtVersionZero(after);
  }
  return delta;
}

template <typename T>
void Merge(const ProtoMap<T>& from, ProtoMap<T>* into) {
  for (const auto& [key, element] : from) (*into)[key] = element;
}

GroupDelta DiffGroup(const ::common::ConfigGroup& original, const ::common::ConfigGroup& updated) {
  MembersDelta<::common::ConfigGroup> groups = DiffGroups(original.groups(), updated.groups());
  MembersDelta<::common::ConfigValue> values = DiffLeaves(original.values(), updated.values());
  MembersDelta<::common::ConfigPolicy> policies =
      DiffLeaves(original.policies(), updated.policies());

  GroupDelta delta;
  delta.read.set_version(original.version());
  delta.write.set_version(original.version());
  *delta.read.mutable_groups() = groups.read;
  *delta.write.mutable_groups() = groups.write;
  *delta.write.mutable_values() = values.write;
  *delta.write.mutable_policies() = policies.write;

  const bool group_itself_changed = groups.membership_changed || values.membership_changed ||
                                    policies.membership_changed ||
                                    original.mod_policy() != updated.mod_policy();
  if (!group_itself_changed) {
    delta.changed = !groups.write.empty() || !values.write.empty() || !policies.write.empty();
    if (!delta.changed) delta.write = delta.read;
    return delta;
  }
  // A group written at a new version lists all of its members, so the unchanged ones
  // are written (and read) as version-only references.
  delta.changed = true;
  delta.write.set_version(original.version() + 1);
  delta.write.set_mod_policy(updated.mod_policy());
  Merge(groups.same, delta.read.mutable_groups());
  Merge(values.same, delta.read.mutable_values());
  Merge(policies.same, delta.read.mutable_policies());
  Merge(groups.same, delta.write.mutable_groups());
  Merge(values.same, delta.write.mutable_values());
  Merge(policies.same, delta.write.mutable_policies());
  return delta;
}

}  // namespace

[[nodiscard]] StatusOr<::common::ConfigUpdate> ComputeUpdate(const std::string& channel_id,
                                                             const ::common::Config& original,
                                                             const ::common::Config& updated) {
  if (!original.has_channel_group() || !updated.has_channel_group()) {
    return absl::InvalidArgumentError(fmt::format(
        "computing a config update for channel '{}': the {} config has no channel group",
        channel_id, original.has_channel_group() ? "updated" : "original"));
  }
  GroupDelta delta = DiffGroup(original.channel_group(), updated.channel_group());
  if (!delta.changed) {
    return absl::InvalidArgumentError(fmt::format(
        "computing a config update for channel '{}': the original and updated configs do not "
        "differ",
        channel_id));
  }
  ::common::ConfigUpdate update;
  update.set_channel_id(channel_id);
  *update.mutable_read_set() = std::move(delta.read);
  *update.mutable_write_set() = std::move(delta.write);
  return update;
}

}  // namespace weft::common::configtx
