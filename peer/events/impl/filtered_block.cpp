#include <fmt/format.h>

#include "common/protoutil/serialize.h"
#include "peer/chaincode_event.pb.h"
#include "peer/events/deliver_events.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace weft::peer::events {
namespace {

using common::protoutil::ParseMessage;

// Fabric's transactionActions.toFilteredActions.
[[nodiscard]] StatusOr<::protos::FilteredTransactionActions> FilteredActions(
    const ::protos::Transaction& transaction) {
  ::protos::FilteredTransactionActions filtered;
  for (const auto& action : transaction.actions()) {
    auto action_payload = ParseMessage<::protos::ChaincodeActionPayload>(
        action.payload(), "transaction action payload");
    if (!action_payload.ok()) {
      return Annotate(action_payload.status(),
                      "error unmarshal transaction action payload for block event");
    }
    if (!action_payload->has_action()) continue;
    auto response_payload = ParseMessage<::protos::ProposalResponsePayload>(
        action_payload->action().proposal_response_payload(), "proposal response payload");
    if (!response_payload.ok()) {
      return Annotate(response_payload.status(),
                      "error unmarshal proposal response payload for block event");
    }
    auto chaincode_action =
        ParseMessage<::protos::ChaincodeAction>(response_payload->extension(), "chaincode action");
    if (!chaincode_action.ok()) {
      return Annotate(chaincode_action.status(),
                      "error unmarshal chaincode action for block event");
    }
    auto event =
        ParseMessage<::protos::ChaincodeEvent>(chaincode_action->events(), "chaincode event");
    if (!event.ok()) {
      return Annotate(event.status(), "error unmarshal chaincode event for block event");
    }
    if (event->chaincode_id().empty()) continue;
    // The event's payload stays out of filtered blocks.
    ::protos::ChaincodeEvent* stripped =
        filtered.add_chaincode_actions()->mutable_chaincode_event();
    stripped->set_tx_id(event->tx_id());
    stripped->set_chaincode_id(event->chaincode_id());
    stripped->set_event_name(event->event_name());
  }
  return filtered;
}

}  // namespace

[[nodiscard]] StatusOr<::protos::FilteredBlock> ToFilteredBlock(const ::common::Block& block) {
  ::protos::FilteredBlock filtered;
  filtered.set_number(block.header().number());
  const std::string empty;
  const std::string& flags = block.metadata().metadata_size() > ::common::TRANSACTIONS_FILTER
                                 ? block.metadata().metadata(::common::TRANSACTIONS_FILTER)
                                 : empty;
  for (int index = 0; index < block.data().data_size(); ++index) {
    const std::string& bytes = block.data().data(index);
    // Fabric skips nil entries and entries that are not envelopes.
    if (bytes.empty()) continue;
    auto envelope = ParseMessage<::common::Envelope>(bytes, "block data entry");
    if (!envelope.ok()) continue;
    auto payload = ParseMessage<::common::Payload>(envelope->payload(), "envelope payload");
    if (!payload.ok()) {
      return Annotate(payload.status(), "could not extract payload from envelope");
    }
    if (!payload->has_header()) continue;
    auto channel_header =
        ParseMessage<::common::ChannelHeader>(payload->header().channel_header(), "channel header");
    if (!channel_header.ok()) return channel_header.status();
    filtered.set_channel_id(channel_header->channel_id());

    ::protos::FilteredTransaction* transaction = filtered.add_filtered_transactions();
    transaction->set_txid(channel_header->tx_id());
    transaction->set_type(static_cast<::common::HeaderType>(channel_header->type()));
    const auto code = static_cast<size_t>(index) < flags.size()
                          ? static_cast<unsigned char>(flags[index])
                          : static_cast<unsigned char>(::protos::NOT_VALIDATED);
    transaction->set_tx_validation_code(static_cast<::protos::TxValidationCode>(code));
    if (channel_header->type() == ::common::ENDORSER_TRANSACTION) {
      auto tx = ParseMessage<::protos::Transaction>(payload->data(), "transaction");
      if (!tx.ok()) {
        return Annotate(tx.status(), "error unmarshal transaction payload for block event");
      }
      WEFT_ASSIGN_OR_RETURN(*transaction->mutable_transaction_actions(), FilteredActions(*tx));
    }
  }
  return filtered;
}

}  // namespace weft::peer::events
