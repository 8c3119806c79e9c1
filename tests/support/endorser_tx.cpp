#include "tests/support/endorser_tx.h"

#include <stdexcept>

#include "common/crypto/random.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"
#include "peer/chaincode.pb.h"
#include "tests/support/value_or_throw.h"

namespace weft::testing {
namespace {

using common::protoutil::DeterministicSerialize;

}  // namespace

EndorserTx BuildEndorserTx(const EndorserTxSpec& spec) {
  if (spec.creator == nullptr) throw std::runtime_error("endorser transaction without a creator");
  std::string nonce = spec.nonce ? *spec.nonce : ValueOrThrow(common::crypto::NewNonce(), "nonce");
  ::common::SignatureHeader signature_header =
      common::protoutil::MakeSignatureHeader(spec.creator->serialized(), nonce);
  if (spec.edit_signature_header) spec.edit_signature_header(signature_header);
  EndorserTx built;
  built.tx_id =
      common::protoutil::ComputeTxId(signature_header.nonce(), signature_header.creator());

  ::protos::ChaincodeHeaderExtension extension;
  extension.mutable_chaincode_id()->set_name(spec.chaincode);
  common::protoutil::ChannelHeaderFields fields;
  fields.type = ::common::ENDORSER_TRANSACTION;
  fields.channel_id = spec.channel_id;
  fields.tx_id = built.tx_id;
  fields.extension = DeterministicSerialize(extension);
  ::common::ChannelHeader channel_header = common::protoutil::MakeChannelHeader(fields);
  if (spec.edit_channel_header) spec.edit_channel_header(channel_header);
  const std::string channel_header_bytes = DeterministicSerialize(channel_header);
  const std::string signature_header_bytes = DeterministicSerialize(signature_header);

  ::protos::ChaincodeInvocationSpec invocation;
  invocation.mutable_chaincode_spec()->mutable_chaincode_id()->set_name(spec.chaincode);
  invocation.mutable_chaincode_spec()->mutable_input()->add_args("invoke");
  ::protos::ChaincodeProposalPayload proposal_payload;
  proposal_payload.set_input(DeterministicSerialize(invocation));
  const std::string proposal_payload_bytes = DeterministicSerialize(proposal_payload);

  ::protos::ChaincodeAction action;
  action.set_results(DeterministicSerialize(spec.results));
  action.set_events(spec.events);
  action.mutable_response()->set_status(200);
  action.mutable_chaincode_id()->set_name(spec.chaincode);
  action.mutable_chaincode_id()->set_version(spec.chaincode_version);
  if (spec.edit_action) spec.edit_action(action);

  ::protos::ProposalResponsePayload response_payload;
  response_payload.set_proposal_hash(common::protoutil::ProposalHash(
      channel_header_bytes, signature_header_bytes, proposal_payload_bytes));
  response_payload.set_extension(DeterministicSerialize(action));
  if (spec.edit_response_payload) spec.edit_response_payload(response_payload);
  const std::string response_payload_bytes = DeterministicSerialize(response_payload);

  ::protos::ChaincodeActionPayload action_payload;
  action_payload.set_chaincode_proposal_payload(proposal_payload_bytes);
  action_payload.mutable_action()->set_proposal_response_payload(response_payload_bytes);
  for (const auto* endorser : spec.endorsers) {
    *action_payload.mutable_action()->add_endorsements() = ValueOrThrow(
        common::protoutil::CreateEndorsement(response_payload_bytes, *endorser), "endorsing");
  }
  if (spec.edit_action_payload) spec.edit_action_payload(action_payload);

  ::protos::Transaction transaction;
  auto* transaction_action = transaction.add_actions();
  transaction_action->set_header(signature_header_bytes);
  transaction_action->set_payload(DeterministicSerialize(action_payload));
  if (spec.edit_transaction) spec.edit_transaction(transaction);

  ::common::Payload payload;
  payload.mutable_header()->set_channel_header(channel_header_bytes);
  payload.mutable_header()->set_signature_header(signature_header_bytes);
  payload.set_data(DeterministicSerialize(transaction));
  if (spec.edit_payload) spec.edit_payload(payload);

  built.envelope.set_payload(DeterministicSerialize(payload));
  built.envelope.set_signature(
      ValueOrThrow(spec.creator->Sign(built.envelope.payload()), "signing the envelope"));
  if (spec.edit_envelope) spec.edit_envelope(built.envelope);
  return built;
}

}  // namespace weft::testing
