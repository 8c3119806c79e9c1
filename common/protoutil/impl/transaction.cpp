#include "common/protoutil/transaction.h"

#include "absl/strings/str_cat.h"
#include "common/protoutil/serialize.h"

namespace weft::common::protoutil {

[[nodiscard]] StatusOr<OpenedEndorserTransaction> OpenEndorserTransaction(
    std::string_view transaction_bytes) {
  OpenedEndorserTransaction opened;
  WEFT_ASSIGN_OR_RETURN(opened.transaction,
                        ParseMessage<::protos::Transaction>(transaction_bytes, "transaction"));
  if (opened.transaction.actions_size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transaction has ", opened.transaction.actions_size(), " actions, expected exactly one"));
  }
  opened.action = opened.transaction.actions(0);
  WEFT_ASSIGN_OR_RETURN(
      opened.action_signature_header,
      ParseMessage<::common::SignatureHeader>(opened.action.header(), "transaction action header"));
  WEFT_ASSIGN_OR_RETURN(opened.action_payload,
                        ParseMessage<::protos::ChaincodeActionPayload>(
                            opened.action.payload(), "transaction action payload"));
  if (!opened.action_payload.has_action()) {
    return absl::InvalidArgumentError("chaincode action payload has no endorsed action");
  }
  WEFT_ASSIGN_OR_RETURN(
      opened.proposal_payload,
      ParseMessage<::protos::ChaincodeProposalPayload>(
          opened.action_payload.chaincode_proposal_payload(), "chaincode proposal payload"));
  WEFT_ASSIGN_OR_RETURN(opened.invocation_spec,
                        ParseMessage<::protos::ChaincodeInvocationSpec>(
                            opened.proposal_payload.input(), "chaincode proposal payload input"));
  WEFT_ASSIGN_OR_RETURN(opened.response_payload,
                        ParseMessage<::protos::ProposalResponsePayload>(
                            opened.response_payload_bytes(), "proposal response payload"));
  WEFT_ASSIGN_OR_RETURN(opened.chaincode_action, ParseMessage<::protos::ChaincodeAction>(
                                                     opened.response_payload.extension(),
                                                     "proposal response payload extension"));
  return opened;
}

std::string ProposalHash(const OpenedEnvelope& envelope,
                         const OpenedEndorserTransaction& transaction) {
  return ProposalHash(envelope.channel_header_bytes(), transaction.action.header(),
                      transaction.action_payload.chaincode_proposal_payload());
}

[[nodiscard]] StatusOr<::common::Envelope> CreateEndorserTransaction(
    const OpenedProposal& proposal, std::span<const ::protos::ProposalResponse> responses,
    const Signer* signer) {
  if (responses.empty()) {
    return absl::InvalidArgumentError("at least one proposal response is required");
  }
  if (signer != nullptr && signer->SerializedIdentity() != proposal.creator()) {
    return absl::InvalidArgumentError(
        "the transaction signer must be the creator named in the proposal header");
  }
  ::protos::ChaincodeActionPayload action_payload;
  ::protos::ChaincodeEndorsedAction* endorsed = action_payload.mutable_action();
  const std::string& prp = responses.front().payload();
  for (size_t i = 0; i < responses.size(); ++i) {
    const ::protos::ProposalResponse& response = responses[i];
    if (response.response().status() < 200 || response.response().status() >= 400) {
      return absl::InvalidArgumentError(
          absl::StrCat("proposal response ", i, " was not successful (status ",
                       response.response().status(), ": ", response.response().message(), ")"));
    }
    if (response.payload() != prp) {
      return absl::InvalidArgumentError(
          absl::StrCat("proposal response ", i, " has a payload different from response 0"));
    }
    if (!response.has_endorsement()) {
      return absl::InvalidArgumentError(
          absl::StrCat("proposal response ", i, " has no endorsement"));
    }
    *endorsed->add_endorsements() = response.endorsement();
  }
  endorsed->set_proposal_response_payload(prp);
  action_payload.set_chaincode_proposal_payload(PayloadWithoutTransient(proposal.payload));

  ::protos::Transaction transaction;
  ::protos::TransactionAction* action = transaction.add_actions();
  action->set_header(proposal.signature_header_bytes());
  action->set_payload(DeterministicSerialize(action_payload));

  ::common::Payload payload;
  *payload.mutable_header() = proposal.header;  // same header bytes as the proposal
  payload.set_data(DeterministicSerialize(transaction));
  ::common::Envelope envelope;
  envelope.set_payload(DeterministicSerialize(payload));
  if (signer != nullptr) {
    WEFT_ASSIGN_OR_RETURN(*envelope.mutable_signature(), signer->Sign(envelope.payload()));
  }
  return envelope;
}

}  // namespace weft::common::protoutil
