#include "peer/ledger/rwset/block_txs.h"

#include "common/protoutil/envelope.h"
#include "common/protoutil/transaction.h"

namespace weft::peer::ledger::rwset {

namespace protoutil = common::protoutil;

namespace {

BlockTx ReadTx(const std::string& envelope_bytes) {
  BlockTx tx;
  auto envelope = protoutil::OpenEnvelope(envelope_bytes);
  if (!envelope.ok()) {
    tx.parse_code = ::protos::BAD_PAYLOAD;
    return tx;
  }
  const auto& header = envelope->channel_header;
  tx.tx_id = header.tx_id();
  tx.timestamp = header.timestamp();
  tx.type = static_cast<::common::HeaderType>(header.type());
  if (tx.type == ::common::CONFIG && !envelope->data().empty()) {
    // Fabric's config tx processor: the ConfigEnvelope goes into state.
    NsRwSet channel_config;
    channel_config.ns = std::string(kChannelConfigNamespace);
    auto* write = channel_config.kv.add_writes();
    write->set_key(std::string(kChannelConfigKey));
    write->set_value(envelope->data());
    tx.rwset = TxRwSet{std::move(channel_config)};
    return tx;
  }
  if (tx.type != ::common::ENDORSER_TRANSACTION) return tx;

  auto transaction = protoutil::OpenEndorserTransaction(envelope->data());
  if (!transaction.ok()) {
    tx.parse_code = ::protos::BAD_PAYLOAD;
    return tx;
  }
  auto rwset = ParseTxRwSet(transaction->chaincode_action.results());
  if (!rwset.ok()) {
    tx.parse_code = ::protos::BAD_RWSET;
    return tx;
  }
  tx.rwset = std::move(*rwset);
  return tx;
}

}  // namespace

std::vector<BlockTx> ReadBlockTxs(const ::common::Block& block) {
  std::vector<BlockTx> txs;
  txs.reserve(block.data().data_size());
  for (const auto& envelope : block.data().data()) txs.push_back(ReadTx(envelope));
  return txs;
}

}  // namespace weft::peer::ledger::rwset
