// YAML 1.1 merge keys ("<<: *Anchor", "<<: [*A, *B]"), which yaml-cpp leaves as plain
// "<<" entries. Fabric's configtx.yaml relies on them (viper's YAML parser resolves them).
// Thread-safety: stateless function; the input tree is only read.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>

#include "common/status/status.h"

namespace weft::common::config::internal {

// Returns a deep copy of `root` with every merge key resolved: keys written in a map win
// over merged ones, and earlier maps of a merge list win over later ones. Merged maps are
// resolved first, so merges nest. The copy shares no nodes with `root`, so anchors used
// by several maps stay independent. Errors name `file_name` and the line of the merge.
[[nodiscard]] StatusOr<YAML::Node> ResolveMergeKeys(const YAML::Node& root,
                                                    std::string_view file_name);

}  // namespace weft::common::config::internal
