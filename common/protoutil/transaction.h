// Endorser transactions: assembling the envelope from a proposal and its
// endorsements, and opening one layer by layer (fabric-interop.md B.4).
// Thread-safety: values and stateless functions; thread-safe for const use.
#pragma once

#include <span>
#include <string>

#include "common/common.pb.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace weft::common::protoutil {

// The Transaction inside an ENDORSER_TRANSACTION envelope's Payload.data.
struct OpenedEndorserTransaction {
  ::protos::Transaction transaction;
  ::protos::TransactionAction action;                   // the single action
  ::common::SignatureHeader action_signature_header;    // parsed action.header()
  ::protos::ChaincodeActionPayload action_payload;      // parsed action.payload()
  ::protos::ChaincodeProposalPayload proposal_payload;  // parsed chaincode_proposal_payload
  ::protos::ChaincodeInvocationSpec invocation_spec;    // parsed proposal_payload.input()
  ::protos::ProposalResponsePayload response_payload;   // parsed proposal_response_payload
  ::protos::ChaincodeAction chaincode_action;           // parsed response_payload.extension()

  const ::protos::ChaincodeEndorsedAction& endorsed_action() const {
    return action_payload.action();
  }
  // The bytes every endorsement signed (followed by the endorser identity).
  const std::string& response_payload_bytes() const {
    return endorsed_action().proposal_response_payload();
  }
};

// Fails unless there is exactly one action (Fabric's committer rule) and
// every layer parses; errors name the layer.
[[nodiscard]] StatusOr<OpenedEndorserTransaction> OpenEndorserTransaction(
    std::string_view transaction_bytes);

// B.2, committer side: the envelope's channel header, the action's signature
// header and the carried payload bytes, all verbatim.
std::string ProposalHash(const OpenedEnvelope& envelope,
                         const OpenedEndorserTransaction& transaction);

// Assembles the transaction envelope for `proposal` from endorsed `responses`
// as Fabric's gateway and SDKs do. Every response must be successful
// (status < 400), carry an endorsement and the same payload bytes. With a
// signer (which must be the proposal's creator) the envelope is signed;
// without one it is returned unsigned, as the gateway's Endorse does.
[[nodiscard]] StatusOr<::common::Envelope> CreateEndorserTransaction(
    const OpenedProposal& proposal, std::span<const ::protos::ProposalResponse> responses,
    const Signer* signer);

}  // namespace weft::common::protoutil
