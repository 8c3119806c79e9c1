// Reads the transactions of a block as the ledger needs them: tx id, header
// timestamp and, for ENDORSER_TRANSACTION envelopes, the public rwset from
// Transaction -> action[0] -> ChaincodeActionPayload -> ChaincodeEndorsedAction
// -> ProposalResponsePayload -> ChaincodeAction.results. Used by the ledger
// (commit and recovery) and by the history DB (which reads values back from
// blocks).
// Thread-safety: stateless function.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/transaction.pb.h"

namespace weft::peer::ledger::rwset {

// Where a CONFIG transaction puts its ConfigEnvelope (payload.data) in
// state, as Fabric's configtx processor does; the commit hash skips this
// namespace and history does not index it.
inline constexpr std::string_view kChannelConfigNamespace = "";
inline constexpr std::string_view kChannelConfigKey = "CHANNEL_CONFIG_ENV_BYTES";

struct BlockTx {
  std::string tx_id;
  ::common::HeaderType type = ::common::MESSAGE;
  google::protobuf::Timestamp timestamp;
  // Set for endorser transactions that parsed (possibly with no namespaces)
  // and for CONFIG transactions with a config (one write: the channel config).
  std::optional<TxRwSet> rwset;
  // VALID, or why the envelope could not be read (BAD_PAYLOAD, BAD_RWSET...).
  ::protos::TxValidationCode parse_code = ::protos::VALID;
};

// One entry per envelope of block.data, in order. Never fails: unreadable
// envelopes are reported through parse_code.
std::vector<BlockTx> ReadBlockTxs(const ::common::Block& block);

}  // namespace weft::peer::ledger::rwset
