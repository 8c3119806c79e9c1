#include "common/config/yaml_json.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

namespace weft::common::config {
namespace {

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void Append(const YAML::Node& node, std::string* out) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      *out += "{";
      bool first = true;
      for (const auto& entry : node) {
        if (!first) *out += ",";
        first = false;
        *out += JsonString(entry.first.Scalar()) + ":";
        Append(entry.second, out);
      }
      *out += "}";
      return;
    }
    case YAML::NodeType::Sequence: {
      *out += "[";
      for (size_t i = 0; i < node.size(); ++i) {
        if (i != 0) *out += ",";
        Append(node[i], out);
      }
      *out += "]";
      return;
    }
    case YAML::NodeType::Scalar: {
      // A quoted scalar's tag is "!": it stays a string.
      const std::string lower = Lower(node.Scalar());
      if (node.Tag() != "!" && (lower == "true" || lower == "false")) {
        *out += lower;
      } else if (node.Tag() != "!" && (lower == "null" || lower == "~")) {
        *out += "null";
      } else {
        *out += JsonString(node.Scalar());
      }
      return;
    }
    default:
      *out += "null";
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
  std::string out;
  Append(root, &out);
  return out;
}

}  // namespace weft::common::config
