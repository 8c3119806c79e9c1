#include "common/config/yaml_json.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace weft::common::config {
namespace {

nlohmann::ordered_json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::ordered_json out = nlohmann::ordered_json::object();
      for (const auto& entry : node) out[entry.first.Scalar()] = ToJson(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      // A quoted scalar's tag is "!": it stays a string.
      std::string lower = node.Scalar();
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (node.Tag() != "!" && (lower == "true" || lower == "false")) return lower == "true";
      if (node.Tag() != "!" && (lower == "null" || lower == "~")) return nullptr;
      return node.Scalar();
    }
    default:
      return nullptr;
  }
}

}  // namespace

[[nodiscard]] StatusOr<std::string> YamlToJson(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        fmt::format("{}:{}: invalid YAML: {}", e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  return ToJson(root).dump();
}

}  // namespace weft::common::config
