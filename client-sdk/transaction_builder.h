// The transaction envelope of an endorsed proposal, by the rules of Fabric's
// protoutil.CreateSignedTx (release-2.5 protoutil/txutils.go): at least one
// response; every response successful (200 <= status < 400); every payload
// bitwise equal; endorsements kept once per endorser, responses without one
// skipped; at least one endorsement; the signer must be the proposal's creator.
// Messages are Fabric's. Assembly is common/protoutil's CreateEndorserTransaction.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <span>

#include "common/common.pb.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::client {

// Errors are InvalidArgument.
[[nodiscard]] StatusOr<::common::Envelope> CreateSignedTransaction(
    const ::protos::Proposal& proposal, std::span<const ::protos::ProposalResponse> responses,
    const common::protoutil::Signer& signer);

// The same envelope without its signature (fabric-gateway's Endorse returns it
// for the client to sign); sign its payload and set Envelope.signature.
[[nodiscard]] StatusOr<::common::Envelope> CreateUnsignedTransaction(
    const ::protos::Proposal& proposal, std::span<const ::protos::ProposalResponse> responses);

}  // namespace weft::client
