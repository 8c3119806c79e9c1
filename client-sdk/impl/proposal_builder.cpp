#include "client-sdk/proposal_builder.h"

#include "common/protoutil/serialize.h"

namespace weft::client {

namespace protoutil = common::protoutil;

[[nodiscard]] StatusOr<protoutil::CreatedProposal> CreateProposal(const ProposalRequest& request,
                                                                  std::string_view creator) {
  if (request.channel_id.empty()) return absl::InvalidArgumentError("a channel ID is required");
  if (request.chaincode_name.empty()) {
    return absl::InvalidArgumentError("a chaincode name is required");
  }
  if (request.function.empty()) {
    return absl::InvalidArgumentError("a chaincode function name is required");
  }
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = request.channel_id;
  spec.chaincode_name = request.chaincode_name;
  spec.args.reserve(request.args.size() + 1);
  spec.args.push_back(request.function);
  spec.args.insert(spec.args.end(), request.args.begin(), request.args.end());
  spec.transient = request.transient;
  spec.chaincode_type = request.chaincode_type;
  spec.timestamp = request.timestamp;
  WEFT_ASSIGN_OR_RETURN(auto created, protoutil::CreateChaincodeProposal(spec, creator));
  if (request.tls_cert_hash.empty()) return created;

  // protoutil has no TLS binding field for proposals: set it in the channel
  // header and re-encode the header deterministically (nothing is signed yet).
  WEFT_ASSIGN_OR_RETURN(auto header, protoutil::ParseMessage<::common::Header>(
                                         created.proposal.header(), "proposal header"));
  WEFT_ASSIGN_OR_RETURN(auto channel_header, protoutil::ParseMessage<::common::ChannelHeader>(
                                                 header.channel_header(), "channel header"));
  channel_header.set_tls_cert_hash(request.tls_cert_hash);
  header.set_channel_header(protoutil::DeterministicSerialize(channel_header));
  created.proposal.set_header(protoutil::DeterministicSerialize(header));
  return created;
}

[[nodiscard]] StatusOr<SignedProposal> CreateSignedProposal(const ProposalRequest& request,
                                                            const protoutil::Signer& signer) {
  WEFT_ASSIGN_OR_RETURN(auto created, CreateProposal(request, signer.SerializedIdentity()));
  SignedProposal signed_proposal;
  WEFT_ASSIGN_OR_RETURN(signed_proposal.signed_proposal,
                        protoutil::SignProposal(created.proposal, signer));
  signed_proposal.proposal = std::move(created.proposal);
  signed_proposal.tx_id = std::move(created.tx_id);
  return signed_proposal;
}

}  // namespace weft::client
