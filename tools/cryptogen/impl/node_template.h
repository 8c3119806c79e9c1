// The subset of Go's text/template that crypto-config.yaml uses: literal text
// and field references such as "{{.Hostname}}" or "{{ .Index }}".
// Thread-safety: stateless.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::tools::cryptogen::impl {

using TemplateFields = std::map<std::string, std::string, std::less<>>;

// Replaces every "{{.Field}}" of `text` with fields[Field]. InvalidArgument for
// an unknown field, an unclosed "{{", or any action other than a field reference.
[[nodiscard]] StatusOr<std::string> RenderTemplate(std::string_view text,
                                                   const TemplateFields& fields);

}  // namespace weft::tools::cryptogen::impl
