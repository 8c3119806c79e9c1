// Chaincode invocation proposals as a client builds and signs them (Fabric's
// peer CLI: CreateChaincodeProposalWithTxIDAndTransient + GetSignedProposal;
// fabric-gateway's proposal builder): ENDORSER_TRANSACTION channel header with a
// ChaincodeHeaderExtension, tx_id = hex SHA-256(nonce || creator), transient
// data kept out of what transactions carry. Wraps common/protoutil/proposal.h.
// Thread-safety: values and stateless functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "peer/chaincode.pb.h"
#include "peer/proposal.pb.h"

namespace weft::client {

struct ProposalRequest {
  std::string channel_id;
  std::string chaincode_name;
  // The invocation is ChaincodeInput.args = [function, args...], all as bytes.
  std::string function;
  std::vector<std::string> args;
  std::map<std::string, std::string> transient;
  ::protos::ChaincodeSpec::Type chaincode_type = ::protos::ChaincodeSpec::NODE;
  common::protoutil::TimePoint timestamp = std::chrono::system_clock::now();
  // ChannelHeader.tls_cert_hash (ClientTlsCertHash), empty when not bound to TLS.
  std::string tls_cert_hash;
};

struct SignedProposal {
  ::protos::Proposal proposal;
  ::protos::SignedProposal signed_proposal;  // what Endorser.ProcessProposal takes
  std::string tx_id;
};

// The unsigned proposal of `request` by `creator` (a serialized msp identity);
// fails when channel, chaincode or function is empty.
[[nodiscard]] StatusOr<common::protoutil::CreatedProposal> CreateProposal(
    const ProposalRequest& request, std::string_view creator);

// CreateProposal with the signer's identity as creator, signed by it.
[[nodiscard]] StatusOr<SignedProposal> CreateSignedProposal(
    const ProposalRequest& request, const common::protoutil::Signer& signer);

}  // namespace weft::client
