// Proposal responses: opening ProposalResponse -> ProposalResponsePayload ->
// ChaincodeAction, and signing an endorsement (fabric-interop.md B.3, A.4).
// Thread-safety: values and stateless functions; thread-safe for const use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::common::protoutil {

struct OpenedProposalResponse {
  ::protos::ProposalResponse response;
  ::protos::ProposalResponsePayload payload;  // parsed response.payload()
  ::protos::ChaincodeAction action;           // parsed payload.extension()

  // The bytes endorsers sign (followed by their identity) and that the
  // transaction carries verbatim.
  const std::string& payload_bytes() const { return response.payload(); }
  const std::string& proposal_hash() const { return payload.proposal_hash(); }
};

// Fails when the response carries no payload (an unendorsed error response)
// or a layer does not parse.
[[nodiscard]] StatusOr<OpenedProposalResponse> OpenProposalResponse(
    ::protos::ProposalResponse response);

// Endorsement{endorser = signer identity, signature over
// proposal_response_payload || endorser}.
[[nodiscard]] StatusOr<::protos::Endorsement> CreateEndorsement(
    std::string_view proposal_response_payload, const Signer& signer);

// The bytes an Endorsement.signature covers.
std::string EndorsementSignedBytes(std::string_view proposal_response_payload,
                                   std::string_view endorser);

// Chaincode response statuses (the shim's OK, ERRORTHRESHOLD and ERROR): an answer
// at or above the threshold is an error and is never endorsed.
inline constexpr int32_t kChaincodeStatusOk = 200;
inline constexpr int32_t kChaincodeErrorThreshold = 400;
inline constexpr int32_t kChaincodeStatusError = 500;

// The shim's Success(payload) and Error(message).
::protos::Response ChaincodeSuccess(std::string payload);
::protos::Response ChaincodeError(std::string message);

}  // namespace weft::common::protoutil
