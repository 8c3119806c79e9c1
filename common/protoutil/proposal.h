// Chaincode proposals: opening a SignedProposal layer by layer, creating and
// signing one, and the proposal hash that ties proposal, endorsements and
// transaction together (fabric-interop.md B.1, B.2).
// Thread-safety: values and stateless functions; thread-safe for const use.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "peer/chaincode.pb.h"
#include "peer/proposal.pb.h"

namespace weft::common::protoutil {

struct OpenedProposal {
  ::protos::SignedProposal signed_proposal;
  ::protos::Proposal proposal;                          // parsed proposal_bytes
  ::common::Header header;                              // parsed proposal.header()
  ::common::ChannelHeader channel_header;               // parsed header.channel_header()
  ::common::SignatureHeader signature_header;           // parsed header.signature_header()
  ::protos::ChaincodeHeaderExtension header_extension;  // parsed channel_header.extension()
  ::protos::ChaincodeProposalPayload payload;           // parsed proposal.payload()
  ::protos::ChaincodeInvocationSpec invocation_spec;    // parsed payload.input()

  // The bytes SignedProposal.signature covers.
  const std::string& proposal_bytes() const { return signed_proposal.proposal_bytes(); }
  const std::string& signature() const { return signed_proposal.signature(); }
  const std::string& channel_header_bytes() const { return header.channel_header(); }
  const std::string& signature_header_bytes() const { return header.signature_header(); }
  const std::string& creator() const { return signature_header.creator(); }
  const std::string& tx_id() const { return channel_header.tx_id(); }
  const ::protos::ChaincodeSpec& chaincode_spec() const { return invocation_spec.chaincode_spec(); }

  // B.2, endorser side: hashes the payload re-encoded without its TransientMap.
  std::string ProposalHash() const;
};

// Errors name the malformed layer ("proposal header is not a valid
// common.Header", "chaincode proposal payload has no chaincode spec", ...).
[[nodiscard]] StatusOr<OpenedProposal> OpenSignedProposal(::protos::SignedProposal signed_proposal);

// bytes(ChaincodeProposalPayload{input}) — the payload with TransientMap
// dropped, which is what transactions carry and what the hash covers.
std::string PayloadWithoutTransient(const ::protos::ChaincodeProposalPayload& payload);

// SHA-256(channel_header || signature_header || payload_without_transient).
std::string ProposalHash(std::string_view channel_header, std::string_view signature_header,
                         std::string_view payload_without_transient);

struct ChaincodeProposalSpec {
  std::string channel_id;
  std::string chaincode_name;
  // args[0] is the function name; Fabric carries every argument as bytes.
  std::vector<std::string> args;
  std::map<std::string, std::string> transient;
  ::protos::ChaincodeSpec::Type chaincode_type = ::protos::ChaincodeSpec::NODE;
  TimePoint timestamp = std::chrono::system_clock::now();
  // CONFIG for `peer channel join`'s channel-less JoinChain proposal.
  ::common::HeaderType header_type = ::common::ENDORSER_TRANSACTION;
};

struct CreatedProposal {
  ::protos::Proposal proposal;
  std::string tx_id;
};

// A proposal like fabric-gateway builds (ENDORSER_TRANSACTION unless the spec
// says otherwise): fresh 24-byte
// nonce, tx_id = ComputeTxId(nonce, creator), ChaincodeHeaderExtension and
// ChaincodeSpec naming the chaincode, epoch 0. Nested bytes are deterministic.
[[nodiscard]] StatusOr<CreatedProposal> CreateChaincodeProposal(const ChaincodeProposalSpec& spec,
                                                                std::string_view creator);

// SignedProposal{proposal_bytes = deterministic bytes of `proposal`, signature}.
[[nodiscard]] StatusOr<::protos::SignedProposal> SignProposal(const ::protos::Proposal& proposal,
                                                              const Signer& signer);

}  // namespace weft::common::protoutil
