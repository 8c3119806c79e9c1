#include "common/config/impl/merge_keys.h"

#include <fmt/format.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/config/impl/text.h"

namespace weft::common::config::internal {
namespace {

// Deeper than any sane config; stops alias cycles from recursing forever.
constexpr int kMaxDepth = 64;

// A quoted "<<" (tag "!") is an ordinary key.
bool IsMergeKey(const YAML::Node& key) {
  return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";
}

class Resolver {
 public:
  explicit Resolver(std::string_view file_name) : file_name_(file_name) {}

  [[nodiscard]] StatusOr<YAML::Node> Copy(const YAML::Node& node, int depth) {
    if (depth > kMaxDepth) return Error(node, "nesting too deep (recursive alias?)");
    switch (node.Type()) {
      case YAML::NodeType::Map:
        return CopyMap(node, depth);
      case YAML::NodeType::Sequence: {
        YAML::Node copy(YAML::NodeType::Sequence);
        for (const YAML::Node& item : node) {
          WEFT_ASSIGN_OR_RETURN(YAML::Node item_copy, Copy(item, depth + 1));
          copy.push_back(item_copy);
        }
        copy.SetTag(node.Tag());
        return copy;
      }
      case YAML::NodeType::Scalar: {
        YAML::Node copy(node.Scalar());
        copy.SetTag(node.Tag());
        return copy;
      }
      default:
        return YAML::Node(YAML::NodeType::Null);
    }
  }

 private:
  [[nodiscard]] StatusOr<YAML::Node> CopyMap(const YAML::Node& node, int depth) {
    // Keys are matched the way the Reader matches them: case-insensitively.
    std::set<std::string> present;
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && !IsMergeKey(entry.first)) {
        present.insert(Lower(entry.first.Scalar()));
      }
    }
    YAML::Node copy(YAML::NodeType::Map);
    for (const auto& entry : node) {
      if (!IsMergeKey(entry.first)) {
        WEFT_ASSIGN_OR_RETURN(YAML::Node key, Copy(entry.first, depth + 1));
        WEFT_ASSIGN_OR_RETURN(YAML::Node value, Copy(entry.second, depth + 1));
        copy.force_insert(key, value);
        continue;
      }
      // Merged entries take the place of the "<<" key, keeping file order readable.
      WEFT_ASSIGN_OR_RETURN(std::vector<YAML::Node> sources, MergeSources(entry.second, depth));
      for (const YAML::Node& source : sources) {
        for (const auto& merged : source) {
          if (merged.first.IsScalar() && !present.insert(Lower(merged.first.Scalar())).second) {
            continue;
          }
          copy.force_insert(merged.first, merged.second);
        }
      }
    }
    copy.SetTag(node.Tag());
    return copy;
  }

  // The resolved maps named by a merge key's value, in precedence order.
  [[nodiscard]] StatusOr<std::vector<YAML::Node>> MergeSources(const YAML::Node& value, int depth) {
    std::vector<YAML::Node> sources;
    if (value.IsMap()) {
      WEFT_ASSIGN_OR_RETURN(YAML::Node source, CopyMap(value, depth + 1));
      sources.push_back(source);
      return sources;
    }
    if (value.IsSequence()) {
      for (const YAML::Node& item : value) {
        if (!item.IsMap()) return Error(value, "'<<' expects a map or a list of maps");
        WEFT_ASSIGN_OR_RETURN(YAML::Node source, CopyMap(item, depth + 1));
        sources.push_back(source);
      }
      return sources;
    }
    return Error(value, "'<<' expects a map or a list of maps");
  }

  [[nodiscard]] Status Error(const YAML::Node& node, std::string_view what) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return absl::InvalidArgumentError(fmt::format("{}: {}", file_name_, what));
    return absl::InvalidArgumentError(
        fmt::format("{}:{}:{}: {}", file_name_, mark.line + 1, mark.column + 1, what));
  }

  std::string_view file_name_;
};

}  // namespace

[[nodiscard]] StatusOr<YAML::Node> ResolveMergeKeys(const YAML::Node& root,
                                                    std::string_view file_name) {
  return Resolver(file_name).Copy(root, 0);
}

}  // namespace weft::common::config::internal
