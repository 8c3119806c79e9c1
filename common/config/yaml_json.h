// YamlToJson: a YAML document (JSON is YAML too) as JSON text, for readers that walk
// maps keyed by names containing dots, which Reader's dotted keys cannot address (the
// peer CLI's connection profiles: peers named "peer0.org1.example.com").
// Plain scalars true/false (any case) become JSON booleans and null/~ null; every other
// scalar becomes a string. Map keys keep their file order.
// Thread-safety: stateless, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::config {

// InvalidArgument "<line>:<column>: invalid YAML: <why>" for syntax errors.
[[nodiscard]] StatusOr<std::string> YamlToJson(std::string_view yaml);

}  // namespace weft::common::config
