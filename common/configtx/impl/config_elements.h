// Helpers shared by the validator and ComputeUpdate for walking config trees.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/configtx.pb.h"
#include "common/protoutil/serialize.h"

namespace weft::common::configtx::internal {

template <typename T>
using ProtoMap = google::protobuf::Map<std::string, T>;

inline std::string ChildPath(std::string_view parent, std::string_view key) {
  return fmt::format("{}/{}", parent, key);
}

// Protobuf map order is unspecified; sorted keys make results and errors reproducible.
template <typename T>
std::vector<std::string> SortedKeys(const ProtoMap<T>& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

inline const char* KindName(const ::common::ConfigGroup&) { return "group"; }
inline const char* KindName(const ::common::ConfigValue&) { return "value"; }
inline const char* KindName(const ::common::ConfigPolicy&) { return "policy"; }

// Content and mod_policy, ignoring the version.
inline bool SameContent(const ::common::ConfigValue& a, const ::common::ConfigValue& b) {
  return a.value() == b.value() && a.mod_policy() == b.mod_policy();
}
inline bool SameContent(const ::common::ConfigPolicy& a, const ::common::ConfigPolicy& b) {
  return a.mod_policy() == b.mod_policy() && protoutil::DeterministicSerialize(a.policy()) ==
                                                 protoutil::DeterministicSerialize(b.policy());
}

}  // namespace weft::common::configtx::internal
