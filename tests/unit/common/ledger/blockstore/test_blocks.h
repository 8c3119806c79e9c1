// Builds structurally real blocks for block store tests: envelopes carrying a
// ChannelHeader with a tx id, correct data hash and header-hash chaining, and
// the five metadata slots. Shared with tests/integration/blockstore_crash.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/protoutil/block.h"

namespace weft::testing {

// An ENDORSER_TRANSACTION envelope whose channel header carries `tx_id`
// (empty `tx_id` gives an envelope without one).
inline std::string EnvelopeBytes(const std::string& tx_id,
                                 const std::string& channel = "mychannel") {
  ::common::ChannelHeader channel_header;
  channel_header.set_type(::common::ENDORSER_TRANSACTION);
  channel_header.set_channel_id(channel);
  channel_header.set_tx_id(tx_id);
  ::common::Payload payload;
  payload.mutable_header()->set_channel_header(channel_header.SerializeAsString());
  payload.set_data("payload of " + tx_id);
  ::common::Envelope envelope;
  envelope.set_payload(payload.SerializeAsString());
  envelope.set_signature("signature of " + tx_id);
  return envelope.SerializeAsString();
}

// Block `number` after `previous_hash` holding one envelope per tx id. With
// `filter`, TRANSACTIONS_FILTER (metadata index 2) is set to it.
inline ::common::Block MakeBlock(uint64_t number, const std::string& previous_hash,
                                 const std::vector<std::string>& tx_ids,
                                 const std::optional<std::string>& filter = std::nullopt) {
  ::common::Block block = common::protoutil::NewBlock(number, previous_hash);
  for (const auto& tx_id : tx_ids) block.mutable_data()->add_data(EnvelopeBytes(tx_id));
  block.mutable_header()->set_data_hash(common::protoutil::BlockDataHash(block.data()));
  if (filter) block.mutable_metadata()->set_metadata(::common::TRANSACTIONS_FILTER, *filter);
  return block;
}

// A chain of `count` blocks starting at 0, block i holding tx ids "tx-i-0", "tx-i-1".
inline std::vector<::common::Block> MakeChain(uint64_t count) {
  std::vector<::common::Block> chain;
  std::string previous;
  for (uint64_t i = 0; i < count; ++i) {
    std::string prefix = "tx-" + std::to_string(i) + "-";
    chain.push_back(MakeBlock(i, previous, {prefix + "0", prefix + "1"}));
    previous = common::protoutil::BlockHeaderHash(chain.back().header());
  }
  return chain;
}

}  // namespace weft::testing
