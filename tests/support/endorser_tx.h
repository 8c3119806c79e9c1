// Signed endorser transactions as a client assembles them after endorsement:
// proposal headers (tx id from nonce and creator), the chaincode action carrying
// a given rwset, endorsements signed by the given identities over
// proposal_response_payload || endorser, and the creator's envelope signature.
// Hooks let a test break one layer before the layers above it are hashed and
// signed, so every validation code can be reached with otherwise valid bytes.
// Throws std::runtime_error on failure so Catch2 reports the cause.
// Thread-safety: stateless function.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "msp/signing_identity.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace weft::testing {

struct EndorserTxSpec {
  std::string channel_id;
  std::string chaincode;  // in the header extension and the chaincode action
  std::string chaincode_version = "1.0";
  ::rwset::TxReadWriteSet results;
  std::string events;  // serialized protos.ChaincodeEvent; empty for none
  const msp::SigningIdentity* creator = nullptr;
  std::vector<const msp::SigningIdentity*> endorsers;
  // A fixed nonce (and so a fixed tx id for the creator); fresh when unset.
  std::optional<std::string> nonce;

  // Each runs on its layer before the layers above it use its bytes.
  std::function<void(::common::ChannelHeader&)> edit_channel_header;
  std::function<void(::common::SignatureHeader&)> edit_signature_header;
  std::function<void(::protos::ChaincodeAction&)> edit_action;  // before endorsing
  std::function<void(::protos::ProposalResponsePayload&)> edit_response_payload;
  std::function<void(::protos::ChaincodeActionPayload&)> edit_action_payload;  // after endorsing
  std::function<void(::protos::Transaction&)> edit_transaction;
  std::function<void(::common::Payload&)> edit_payload;    // before the creator signs
  std::function<void(::common::Envelope&)> edit_envelope;  // after the creator signed
};

struct EndorserTx {
  ::common::Envelope envelope;
  std::string tx_id;
  std::string Bytes() const { return envelope.SerializeAsString(); }
};

EndorserTx BuildEndorserTx(const EndorserTxSpec& spec);

}  // namespace weft::testing
