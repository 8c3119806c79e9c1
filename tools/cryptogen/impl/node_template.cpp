#include "tools/cryptogen/impl/node_template.h"

#include "fmt/format.h"

namespace weft::tools::cryptogen::impl {
namespace {

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

[[nodiscard]] StatusOr<std::string> RenderTemplate(std::string_view text,
                                                   const TemplateFields& fields) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(fmt::format("template '{}': unclosed '{{{{'", text));
    }
    std::string_view action = Trim(text.substr(open + 2, close - open - 2));
    if (action.size() < 2 || action.front() != '.') {
      return absl::InvalidArgumentError(fmt::format(
          "template '{}': only field references like {{{{.Hostname}}}} are supported, got "
          "'{{{{{}}}}}'",
          text, action));
    }
    auto field = fields.find(action.substr(1));
    if (field == fields.end()) {
      std::string known;
      for (const auto& [name, value] : fields) known += (known.empty() ? "." : ", .") + name;
      return absl::InvalidArgumentError(
          fmt::format("template '{}': unknown field '{}' (known: {})", text, action, known));
    }
    out.append(field->second);
    pos = close + 2;
  }
  return out;
}

}  // namespace weft::tools::cryptogen::impl
