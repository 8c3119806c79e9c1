// Building CONFIG_UPDATE transactions: the minimal update between two configs (as
// Fabric's `configtxlator compute_update` does), the admins' ConfigSignatures over it,
// and the signed envelope sent to the orderer's Broadcast.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/policies/identity.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"

namespace weft::common::configtx {

// The ConfigUpdate turning `original` into `updated` for `channel_id`: the write set
// holds every changed element at its version + 1 (new elements at version 0), and
// each group whose members were added or removed at its version + 1 listing all of
// its remaining members; the read set pins the versions the update relies on.
// Versions in `updated` are ignored: elements are compared by content and mod_policy.
// InvalidArgument when either config has no channel group or nothing differs.
[[nodiscard]] StatusOr<::common::ConfigUpdate> ComputeUpdate(const std::string& channel_id,
                                                             const ::common::Config& original,
                                                             const ::common::Config& updated);

// A ConfigSignature by `signer`: a fresh SignatureHeader{creator, nonce} and a
// signature over signature_header || config_update_bytes.
[[nodiscard]] StatusOr<::common::ConfigSignature> CreateConfigSignature(
    const std::string& config_update_bytes, const protoutil::Signer& signer);

// A CONFIG_UPDATE envelope for update.channel_id(): ConfigUpdateEnvelope{update,
// one signature per `signers` entry (none is allowed, for signing later)}, signed by
// `envelope_signer`.
[[nodiscard]] StatusOr<::common::Envelope> CreateSignedConfigUpdateEnvelope(
    const ::common::ConfigUpdate& update, std::span<const protoutil::Signer* const> signers,
    const protoutil::Signer& envelope_signer);

// The signatures of a ConfigUpdateEnvelope as the policies evaluate them:
// data = signature_header || config_update, identity = the header's creator.
// InvalidArgument naming the signature whose header does not parse.
[[nodiscard]] StatusOr<std::vector<policies::SignedData>> ConfigUpdateSignedData(
    const ::common::ConfigUpdateEnvelope& envelope);

}  // namespace weft::common::configtx
