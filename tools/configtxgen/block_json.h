// JSON views of config blocks in the shape of Fabric's protolator (configtxgen
// -inspectBlock, configtxlator proto_decode): proto field names, nested bytes decoded
// (envelope -> payload -> headers -> ConfigEnvelope -> config tree), every ConfigValue
// decoded by its key and every policy by its type. Unlike protolator, certificates in MSP
// values are shown as PEM text rather than base64, so the output can be read directly.
// Bytes Weft cannot interpret are kept as base64, as protolator does.
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/status/status.h"

namespace weft::tools::configtxgen {

// Pretty-printed JSON (two-space indent, keys sorted). Fails when a nested message that
// the envelope's header types promise cannot be parsed.
[[nodiscard]] StatusOr<std::string> BlockToJson(const ::common::Block& block);
[[nodiscard]] StatusOr<std::string> ConfigGroupToJson(const ::common::ConfigGroup& group);

}  // namespace weft::tools::configtxgen
