#include "common/protoutil/response.h"

#include "common/protoutil/serialize.h"

namespace weft::common::protoutil {

[[nodiscard]] StatusOr<OpenedProposalResponse> OpenProposalResponse(
    ::protos::ProposalResponse response) {
  OpenedProposalResponse opened;
  opened.response = std::move(response);
  if (opened.payload_bytes().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("proposal response has no payload (status ",
                                                   opened.response.response().status(), ": ",
                                                   opened.response.response().message(), ")"));
  }
  WEFT_ASSIGN_OR_RETURN(opened.payload, ParseMessage<::protos::ProposalResponsePayload>(
                                            opened.payload_bytes(), "proposal response payload"));
  WEFT_ASSIGN_OR_RETURN(opened.action,
                        ParseMessage<::protos::ChaincodeAction>(
                            opened.payload.extension(), "proposal response payload extension"));
  return opened;
}

std::string EndorsementSignedBytes(std::string_view proposal_response_payload,
                                   std::string_view endorser) {
  std::string out(proposal_response_payload);
  out.append(endorser);
  return out;
}

[[nodiscard]] StatusOr<::protos::Endorsement> CreateEndorsement(
    std::string_view proposal_response_payload, const Signer& signer) {
  ::protos::Endorsement endorsement;
  endorsement.set_endorser(signer.SerializedIdentity());
  WEFT_ASSIGN_OR_RETURN(
      *endorsement.mutable_signature(),
      signer.Sign(EndorsementSignedBytes(proposal_response_payload, endorsement.endorser())));
  return endorsement;
}

::protos::Response ChaincodeSuccess(std::string payload) {
  ::protos::Response response;
  response.set_status(kChaincodeStatusOk);
  response.set_payload(std::move(payload));
  return response;
}

::protos::Response ChaincodeError(std::string message) {
  ::protos::Response response;
  response.set_status(kChaincodeStatusError);
  response.set_message(std::move(message));
  return response;
}

}  // namespace weft::common::protoutil
