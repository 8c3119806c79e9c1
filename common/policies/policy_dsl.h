// The policy language Fabric users write, e.g.
//   AND('Org1MSP.member', OR('Org2MSP.peer', "Org3MSP.admin"))
//   OutOf(2, 'Org1MSP.member', 'Org2MSP.member', 'Org3MSP.member')
// Roles: member, admin, client, peer, orderer. Keywords are case-insensitive
// (AND/and, OR, OutOf/OUTOF), like Fabric's parser.
#pragma once

#include <string_view>

#include "common/policies.pb.h"
#include "common/status/status.h"

namespace weft::common::policies {

// Parses `text` into a SignaturePolicyEnvelope (version 0; each distinct principal
// appears once in `identities`). Errors are InvalidArgument and name the position
// (0-based character offset) and what was expected there.
[[nodiscard]] StatusOr<::common::SignaturePolicyEnvelope> ParsePolicy(std::string_view text);

// Renders an envelope back into the language (for logs and configtxgen -inspect).
[[nodiscard]] StatusOr<std::string> PolicyToString(
    const ::common::SignaturePolicyEnvelope& envelope);

}  // namespace weft::common::policies
