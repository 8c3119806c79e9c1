#include "tests/support/ledger_test_util.h"

#include "common/ledger/kvstore/leveldb_store.h"
#include "common/protoutil/block.h"
#include "peer/ledger/statedb/factory.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

std::string EnvelopeBytes(::common::HeaderType type, const std::string& channel,
                          const std::string& tx_id, int64_t timestamp_seconds,
                          const std::string& data) {
  ::common::ChannelHeader channel_header;
  channel_header.set_type(type);
  channel_header.set_channel_id(channel);
  channel_header.set_tx_id(tx_id);
  channel_header.mutable_timestamp()->set_seconds(timestamp_seconds);
  ::common::SignatureHeader signature_header;
  signature_header.set_creator("creator");
  signature_header.set_nonce("nonce-" + tx_id);

  ::common::Payload payload;
  payload.mutable_header()->set_channel_header(channel_header.SerializeAsString());
  payload.mutable_header()->set_signature_header(signature_header.SerializeAsString());
  payload.set_data(data);
  ::common::Envelope envelope;
  envelope.set_payload(payload.SerializeAsString());
  envelope.set_signature("unsigned");
  return envelope.SerializeAsString();
}

}  // namespace

std::string EndorserTxEnvelope(const std::string& channel, const std::string& tx_id,
                               const ::rwset::TxReadWriteSet& rwset, int64_t timestamp_seconds) {
  ::protos::ChaincodeAction chaincode_action;
  chaincode_action.set_results(rwset.SerializeAsString());
  chaincode_action.mutable_response()->set_status(200);
  ::protos::ProposalResponsePayload response_payload;
  response_payload.set_proposal_hash("proposal-hash-" + tx_id);
  response_payload.set_extension(chaincode_action.SerializeAsString());

  ::protos::ChaincodeActionPayload action_payload;
  action_payload.mutable_action()->set_proposal_response_payload(
      response_payload.SerializeAsString());
  ::common::SignatureHeader signature_header;
  signature_header.set_creator("creator");
  signature_header.set_nonce("nonce-" + tx_id);
  ::protos::Transaction transaction;
  auto* action = transaction.add_actions();
  action->set_header(signature_header.SerializeAsString());
  action->set_payload(action_payload.SerializeAsString());

  return EnvelopeBytes(::common::ENDORSER_TRANSACTION, channel, tx_id, timestamp_seconds,
                       transaction.SerializeAsString());
}

std::string ConfigTxEnvelope(const std::string& channel) {
  return EnvelopeBytes(::common::CONFIG, channel, "", 1, "config of " + channel);
}

::common::Block LedgerBlock(uint64_t number, const std::string& previous_hash,
                            const std::vector<std::string>& envelopes) {
  ::common::Block block = common::protoutil::NewBlock(number, previous_hash);
  for (const auto& envelope : envelopes) block.mutable_data()->add_data(envelope);
  block.mutable_header()->set_data_hash(common::protoutil::BlockDataHash(block.data()));
  return block;
}

::common::Block GenesisBlock(const std::string& channel) {
  return LedgerBlock(0, "", {ConfigTxEnvelope(channel)});
}

std::shared_ptr<peer::ledger::statedb::StateDb> OpenTempStateDb() {
  // Members are destroyed in reverse: the DB, then the store, then the dir.
  struct Owner {
    TempDir dir{"weft-statedb"};
    std::unique_ptr<common::ledger::kvstore::LevelDbStore> store;
    std::unique_ptr<peer::ledger::statedb::StateDb> db;
  };
  auto owner = std::make_shared<Owner>();
  owner->store = common::ledger::kvstore::LevelDbStore::Open((owner->dir / "db").string()).value();
  owner->db = peer::ledger::statedb::NewLevelDbStateDb(*owner->store, /*sync_writes=*/false);
  // Aliasing constructor: points at the DB, keeps the whole Owner alive.
  return std::shared_ptr<peer::ledger::statedb::StateDb>(owner, owner->db.get());
}

}  // namespace weft::testing
