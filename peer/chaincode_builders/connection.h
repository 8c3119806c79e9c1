// connection.json of chaincode-as-a-service packages, read as Fabric's external
// builder instance does (release-2.5 core/container/externalbuilder/instance.go
// ChaincodeServerUserData): {"address", "dial_timeout", "tls_required",
// "client_auth_required", "client_key", "client_cert", "root_cert"}, keys matched as
// Go's encoding/json does (exact, else ignoring case).
// Thread-safety: free functions.
#pragma once

#include <string_view>

#include "common/config/reader.h"
#include "common/status/status.h"
#include "peer/chaincode_support/runtime.h"

namespace weft::peer::chaincode_builders {

// The server to dial. dial_timeout is a Go duration string ("10s") or a number of
// nanoseconds; absent or zero means Fabric's 3 s. With tls_required, root_cert is
// required and, with client_auth_required, client_key and client_cert too (Fabric's
// messages: "chaincode address not provided", "chaincode tls root cert not provided",
// ...). InvalidArgument for every error.
[[nodiscard]] StatusOr<chaincode_support::ChaincodeServerInfo> ParseConnectionJson(
    std::string_view json);

// What Fabric's ccaas builder (ccaas_builder/cmd/build) does to connection.json
// before release: address, dial_timeout and, when TLS is required, the PEM fields may
// hold Go-template references "{{.name}}" (dotted paths allowed) into the JSON object
// in the CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG variable of `environment`. Returns the
// rewritten JSON; a reference to a missing key is an error, as with Go's
// missingkey=error. Only plain references are supported, not other template actions.
[[nodiscard]] StatusOr<std::string> ExpandCcaasConnection(
    std::string_view json, const common::config::Environment& environment);

}  // namespace weft::peer::chaincode_builders
