#include "common/protoutil/proposal.h"

#include "common/crypto/hash.h"
#include "common/crypto/random.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"

namespace weft::common::protoutil {

std::string OpenedProposal::ProposalHash() const {
  return protoutil::ProposalHash(channel_header_bytes(), signature_header_bytes(),
                                 PayloadWithoutTransient(payload));
}

[[nodiscard]] StatusOr<OpenedProposal> OpenSignedProposal(
    ::protos::SignedProposal signed_proposal) {
  OpenedProposal opened;
  opened.signed_proposal = std::move(signed_proposal);
  WEFT_ASSIGN_OR_RETURN(
      opened.proposal, ParseMessage<::protos::Proposal>(opened.proposal_bytes(), "proposal bytes"));
  WEFT_ASSIGN_OR_RETURN(
      opened.header, ParseMessage<::common::Header>(opened.proposal.header(), "proposal header"));
  WEFT_ASSIGN_OR_RETURN(
      opened.channel_header,
      ParseMessage<::common::ChannelHeader>(opened.channel_header_bytes(), "channel header"));
  WEFT_ASSIGN_OR_RETURN(
      opened.signature_header,
      ParseMessage<::common::SignatureHeader>(opened.signature_header_bytes(), "signature header"));
  WEFT_ASSIGN_OR_RETURN(opened.header_extension,
                        ParseMessage<::protos::ChaincodeHeaderExtension>(
                            opened.channel_header.extension(), "channel header extension"));
  WEFT_ASSIGN_OR_RETURN(opened.payload, ParseMessage<::protos::ChaincodeProposalPayload>(
                                            opened.proposal.payload(), "proposal payload"));
  WEFT_ASSIGN_OR_RETURN(opened.invocation_spec,
                        ParseMessage<::protos::ChaincodeInvocationSpec>(
                            opened.payload.input(), "chaincode proposal payload input"));
  if (!opened.invocation_spec.has_chaincode_spec()) {
    return absl::InvalidArgumentError("chaincode invocation spec has no chaincode spec");
  }
  return opened;
}

std::string PayloadWithoutTransient(const ::protos::ChaincodeProposalPayload& payload) {
  ::protos::ChaincodeProposalPayload stripped;
  stripped.set_input(payload.input());
  return DeterministicSerialize(stripped);
}

std::string ProposalHash(std::string_view channel_header, std::string_view signature_header,
                         std::string_view payload_without_transient) {
  return crypto::Sha256Hasher()
      .Update(channel_header)
      .Update(signature_header)
      .Update(payload_without_transient)
      .Finish();
}

[[nodiscard]] StatusOr<CreatedProposal> CreateChaincodeProposal(const ChaincodeProposalSpec& spec,
                                                                std::string_view creator) {
  WEFT_ASSIGN_OR_RETURN(std::string nonce, crypto::NewNonce());
  CreatedProposal created;
  created.tx_id = ComputeTxId(nonce, creator);

  ::protos::ChaincodeHeaderExtension extension;
  extension.mutable_chaincode_id()->set_name(spec.chaincode_name);
  ChannelHeaderFields fields;
  fields.type = spec.header_type;
  fields.channel_id = spec.channel_id;
  fields.tx_id = created.tx_id;
  fields.timestamp = spec.timestamp;
  fields.extension = DeterministicSerialize(extension);

  ::protos::ChaincodeInvocationSpec invocation;
  ::protos::ChaincodeSpec* chaincode = invocation.mutable_chaincode_spec();
  chaincode->set_type(spec.chaincode_type);
  chaincode->mutable_chaincode_id()->set_name(spec.chaincode_name);
  for (const std::string& arg : spec.args) chaincode->mutable_input()->add_args(arg);
  ::protos::ChaincodeProposalPayload payload;
  payload.set_input(DeterministicSerialize(invocation));
  payload.mutable_transientmap()->insert(spec.transient.begin(), spec.transient.end());

  created.proposal.set_header(DeterministicSerialize(
      MakeHeader(MakeChannelHeader(fields), MakeSignatureHeader(std::string(creator), nonce))));
  created.proposal.set_payload(DeterministicSerialize(payload));
  return created;
}

[[nodiscard]] StatusOr<::protos::SignedProposal> SignProposal(const ::protos::Proposal& proposal,
                                                              const Signer& signer) {
  ::protos::SignedProposal signed_proposal;
  signed_proposal.set_proposal_bytes(DeterministicSerialize(proposal));
  WEFT_ASSIGN_OR_RETURN(*signed_proposal.mutable_signature(),
                        signer.Sign(signed_proposal.proposal_bytes()));
  return signed_proposal;
}

}  // namespace weft::common::protoutil
