#include "peer/events/deliver_events.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "common/protoutil/envelope.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "peer/chaincode_event.pb.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_network.h"
#include "tests/support/wait_until.h"

namespace {

using weft::common::channelconfig::ChannelConfig;
using weft::peer::events::DeliverEvents;
using weft::peer::events::PeerChannel;
using weft::peer::events::PeerChannels;
using weft::peer::events::ResponseSink;
using weft::peer::ledger::PeerLedger;
namespace protoutil = weft::common::protoutil;

constexpr char kChannel[] = "mychannel";

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(std::string(value.status().message()));
  return *std::move(value);
}

// One joined channel over a real ledger; the test swaps its config bundle.
class TestChannel final : public PeerChannel, public PeerChannels {
 public:
  TestChannel(const weft::testing::TestNetwork& network, const std::filesystem::path& dir) {
    ::common::Block genesis = network.Genesis(kChannel);
    weft::peer::ledger::LedgerOptions options;
    options.commit_hook_for_testing = [this](weft::peer::ledger::CommitPoint point) {
      if (point == weft::peer::ledger::CommitPoint::kStateWritten) ++states_written_;
    };
    ledger_ = Must(weft::peer::ledger::LedgerManager(dir, options).CreateLedger(genesis));
    config_ = Must(ChannelConfig::FromConfigBlock(genesis));
  }

  const std::string& ChannelId() const override { return ledger_->channel_id(); }
  const PeerLedger& Ledger() const override { return *ledger_; }
  // How many blocks have their state written (read without the ledger's lock).
  uint64_t states_written() const { return states_written_.load(); }
  std::shared_ptr<const ChannelConfig> Config() const override {
    std::lock_guard lock(mu_);
    return config_;
  }
  std::shared_ptr<const PeerChannel> FindChannel(std::string_view channel_id) const override {
    if (channel_id != kChannel) return nullptr;
    // Not owning: the fixture outlives every stream.
    return std::shared_ptr<const PeerChannel>(std::shared_ptr<const PeerChannel>{}, this);
  }

  void SetConfig(std::shared_ptr<const ChannelConfig> config) {
    std::lock_guard lock(mu_);
    config_ = std::move(config);
  }

  // Commits the envelopes as the next block with the given pre-validation codes and
  // returns the block as stored.
  ::common::Block Commit(const std::vector<std::string>& envelopes,
                         const std::vector<::protos::TxValidationCode>& codes) {
    auto info = ledger_->GetBlockchainInfo();
    Must(ledger_->CommitBlock(
        weft::testing::LedgerBlock(info.height, info.current_block_hash, envelopes), codes));
    return Must(ledger_->GetBlockByNumber(info.height));
  }

 private:
  std::atomic<uint64_t> states_written_{0};
  std::unique_ptr<PeerLedger> ledger_;
  mutable std::mutex mu_;
  std::shared_ptr<const ChannelConfig> config_;
};

// Records every response; called on the stream's thread, so it asserts nothing.
class RecordingSink final : public ResponseSink {
 public:
  explicit RecordingSink(size_t accept = SIZE_MAX) : accept_(accept) {}
  bool Send(const ::protos::DeliverResponse& response) override {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (responses_.size() >= accept_) return false;
    responses_.push_back(response);
    return true;
  }
  std::vector<::protos::DeliverResponse> responses() const {
    std::lock_guard lock(mu_);
    return responses_;
  }
  size_t attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }

 private:
  const size_t accept_;
  mutable std::mutex mu_;
  size_t attempts_ = 0;
  std::vector<::protos::DeliverResponse> responses_;
};

::protos::ChaincodeEvent Event(const std::string& tx_id, const std::string& name) {
  ::protos::ChaincodeEvent event;
  event.set_chaincode_id("basic");
  event.set_tx_id(tx_id);
  event.set_event_name(name);
  event.set_payload("secret payload of " + name);
  return event;
}

struct EventsFixture {
  weft::testing::TestNetwork network;
  weft::testing::TempDir dir{"weft-events"};
  TestChannel channel{network, dir.path()};
  DeliverEvents events{channel};
  std::string valid_tx_id;
  std::string invalid_tx_id;

  // Block 1: a VALID transaction with a chaincode event and one the validator
  // marked ENDORSEMENT_POLICY_FAILURE, without an event.
  EventsFixture() {
    weft::testing::EndorserTxSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode = "basic";
    spec.creator = &network.client;
    spec.endorsers = {&network.peer};
    spec.nonce = std::string(24, 'a');
    // The event names its tx id, which is fixed by the nonce and the creator.
    weft::testing::EndorserTx probe = weft::testing::BuildEndorserTx(spec);
    spec.events = Event(probe.tx_id, "AssetCreated").SerializeAsString();
    weft::testing::EndorserTx valid = weft::testing::BuildEndorserTx(spec);
    valid_tx_id = valid.tx_id;

    weft::testing::EndorserTxSpec other = spec;
    other.events.clear();
    other.nonce = std::string(24, 'b');
    weft::testing::EndorserTx invalid = weft::testing::BuildEndorserTx(other);
    invalid_tx_id = invalid.tx_id;
    channel.Commit({valid.Bytes(), invalid.Bytes()},
                   {::protos::VALID, ::protos::ENDORSEMENT_POLICY_FAILURE});
  }

  ::common::Envelope Seek(::orderer::SeekPosition start, ::orderer::SeekPosition stop,
                          const protoutil::Signer& signer) const {
    auto envelope = protoutil::CreateSeekInfoEnvelope(
        kChannel,
        protoutil::MakeSeekInfo(std::move(start), std::move(stop),
                                ::orderer::SeekInfo::BLOCK_UNTIL_READY),
        signer, std::chrono::system_clock::now());
    if (!envelope.ok()) throw std::runtime_error(std::string(envelope.status().message()));
    return *std::move(envelope);
  }
  ::common::Envelope SeekAll(const protoutil::Signer& signer) const {
    return Seek(protoutil::SeekOldest(), protoutil::SeekNewest(), signer);
  }

  // A bundle of the test channel whose Application ACLs are `acls`.
  std::shared_ptr<const ChannelConfig> BundleWithAcls(std::map<std::string, std::string> acls,
                                                      uint64_t sequence = 0) const {
    auto spec = network.Spec();
    spec.application->acls = std::move(acls);
    ::common::Config config = Must(weft::common::channelconfig::BuildConfig(spec));
    config.set_sequence(sequence);
    return Must(ChannelConfig::FromConfig(kChannel, config));
  }
};

::protos::DeliverResponse StatusOnly(::common::Status status) {
  return weft::peer::events::StatusResponse(status);
}

bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

}  // namespace

TEST_CASE("Deliver sends the committed blocks as DeliverResponse.block, then SUCCESS") {
  EventsFixture fixture;
  RecordingSink sink;
  CHECK(fixture.events.Deliver(fixture.SeekAll(fixture.network.client), sink) == ::common::SUCCESS);
  auto responses = sink.responses();
  REQUIRE(responses.size() == 3);
  for (uint64_t number = 0; number < 2; ++number) {
    REQUIRE(responses[number].Type_case() == ::protos::DeliverResponse::kBlock);
    CHECK(Same(responses[number].block(), Must(fixture.channel.Ledger().GetBlockByNumber(number))));
  }
  CHECK(Same(responses[2], StatusOnly(::common::SUCCESS)));
}

TEST_CASE("DeliverFiltered carries tx ids, types, validation codes and payload-free events") {
  EventsFixture fixture;
  RecordingSink sink;
  CHECK(fixture.events.DeliverFiltered(fixture.SeekAll(fixture.network.peer), sink) ==
        ::common::SUCCESS);
  auto responses = sink.responses();
  REQUIRE(responses.size() == 3);
  CHECK(Same(responses[2], StatusOnly(::common::SUCCESS)));

  // Block 0: the genesis config transaction, no transaction actions (Fabric fills
  // them for ENDORSER_TRANSACTION only).
  REQUIRE(responses[0].Type_case() == ::protos::DeliverResponse::kFilteredBlock);
  const ::protos::FilteredBlock& genesis = responses[0].filtered_block();
  CHECK(genesis.channel_id() == kChannel);
  CHECK(genesis.number() == 0);
  REQUIRE(genesis.filtered_transactions_size() == 1);
  CHECK(genesis.filtered_transactions(0).type() == ::common::CONFIG);
  CHECK(genesis.filtered_transactions(0).tx_validation_code() == ::protos::VALID);
  CHECK(genesis.filtered_transactions(0).Data_case() ==
        ::protos::FilteredTransaction::DATA_NOT_SET);

  REQUIRE(responses[1].Type_case() == ::protos::DeliverResponse::kFilteredBlock);
  const ::protos::FilteredBlock& block = responses[1].filtered_block();
  CHECK(block.channel_id() == kChannel);
  CHECK(block.number() == 1);
  REQUIRE(block.filtered_transactions_size() == 2);

  const ::protos::FilteredTransaction& valid = block.filtered_transactions(0);
  CHECK(valid.txid() == fixture.valid_tx_id);
  CHECK(valid.type() == ::common::ENDORSER_TRANSACTION);
  CHECK(valid.tx_validation_code() == ::protos::VALID);
  REQUIRE(valid.transaction_actions().chaincode_actions_size() == 1);
  // deliverevents.go toFilteredActions keeps tx_id, chaincode_id and event_name only.
  ::protos::ChaincodeEvent expected = Event(fixture.valid_tx_id, "AssetCreated");
  expected.clear_payload();
  CHECK(Same(valid.transaction_actions().chaincode_actions(0).chaincode_event(), expected));

  const ::protos::FilteredTransaction& invalid = block.filtered_transactions(1);
  CHECK(invalid.txid() == fixture.invalid_tx_id);
  CHECK(invalid.type() == ::common::ENDORSER_TRANSACTION);
  CHECK(invalid.tx_validation_code() == ::protos::ENDORSEMENT_POLICY_FAILURE);
  // An action whose event has no chaincode id contributes no filtered action, but
  // the (empty) transaction_actions is still set.
  CHECK(invalid.Data_case() == ::protos::FilteredTransaction::kTransactionActions);
  CHECK(invalid.transaction_actions().chaincode_actions_size() == 0);
}

TEST_CASE("DeliverWithPrivateData sends each block with an empty private data map") {
  EventsFixture fixture;
  RecordingSink sink;
  CHECK(fixture.events.DeliverWithPrivateData(
            fixture.Seek(protoutil::SeekSpecified(1), protoutil::SeekSpecified(1),
                         fixture.network.client),
            sink) == ::common::SUCCESS);
  auto responses = sink.responses();
  REQUIRE(responses.size() == 2);
  REQUIRE(responses[0].Type_case() == ::protos::DeliverResponse::kBlockAndPrivateData);
  CHECK(Same(responses[0].block_and_private_data().block(),
             Must(fixture.channel.Ledger().GetBlockByNumber(1))));
  CHECK(responses[0].block_and_private_data().private_data_map().empty());
  CHECK(Same(responses[1], StatusOnly(::common::SUCCESS)));
}

TEST_CASE("An identity outside the channel's Readers gets FORBIDDEN on every stream") {
  // event/Block and event/FilteredBlock default to /Channel/Application/Readers
  // (aclmgmt defaultaclprovider.go); the stranger's MSP is not in the channel.
  EventsFixture fixture;
  const ::common::Envelope seek = fixture.SeekAll(fixture.network.stranger);
  RecordingSink block_sink, filtered_sink, private_sink;
  CHECK(fixture.events.Deliver(seek, block_sink) == ::common::FORBIDDEN);
  CHECK(fixture.events.DeliverFiltered(seek, filtered_sink) == ::common::FORBIDDEN);
  CHECK(fixture.events.DeliverWithPrivateData(seek, private_sink) == ::common::FORBIDDEN);
  for (const RecordingSink* sink : {&block_sink, &filtered_sink, &private_sink}) {
    auto responses = sink->responses();
    REQUIRE(responses.size() == 1);
    CHECK(Same(responses[0], StatusOnly(::common::FORBIDDEN)));
  }
}

TEST_CASE("The channel config's ACLs override the event resources' policies") {
  EventsFixture fixture;
  // A relative reference lives under /Channel/Application/ (channelconfig acls.go);
  // Admins there is MAJORITY Admins, so only Org1's admin passes.
  fixture.channel.SetConfig(fixture.BundleWithAcls(
      {{"event/Block", "Admins"}, {"event/FilteredBlock", "/Channel/Application/Writers"}}));

  RecordingSink client_blocks, admin_blocks;
  CHECK(fixture.events.Deliver(fixture.SeekAll(fixture.network.client), client_blocks) ==
        ::common::FORBIDDEN);
  CHECK(fixture.events.DeliverWithPrivateData(fixture.SeekAll(fixture.network.client),
                                              client_blocks) == ::common::FORBIDDEN);
  CHECK(fixture.events.Deliver(fixture.SeekAll(fixture.network.admin), admin_blocks) ==
        ::common::SUCCESS);
  CHECK(admin_blocks.responses().size() == 3);

  // Writers take clients but not peers (test_orgs.h NodeOuOrg).
  RecordingSink peer_filtered, client_filtered;
  CHECK(fixture.events.DeliverFiltered(fixture.SeekAll(fixture.network.peer), peer_filtered) ==
        ::common::FORBIDDEN);
  CHECK(fixture.events.DeliverFiltered(fixture.SeekAll(fixture.network.client), client_filtered) ==
        ::common::SUCCESS);
}

TEST_CASE("An ACL change in a later config ends a waiting filtered stream with FORBIDDEN") {
  // Fabric's SessionAccessControl re-checks the policy when the config sequence grows.
  EventsFixture fixture;
  RecordingSink sink;
  auto stream = std::async(std::launch::async, [&] {
    return fixture.events.DeliverFiltered(
        fixture.Seek(protoutil::SeekOldest(), protoutil::SeekSpecified(2), fixture.network.peer),
        sink);
  });
  REQUIRE(weft::testing::WaitUntil([&] { return sink.responses().size() == 2; }));
  fixture.channel.SetConfig(fixture.BundleWithAcls({{"event/FilteredBlock", "Admins"}}, 1));
  fixture.channel.Commit({weft::testing::ConfigTxEnvelope(kChannel)}, {::protos::VALID});
  CHECK(stream.get() == ::common::FORBIDDEN);
  auto responses = sink.responses();
  REQUIRE(responses.size() == 3);
  CHECK(responses[1].filtered_block().number() == 1);
  CHECK(Same(responses[2], StatusOnly(::common::FORBIDDEN)));
}

TEST_CASE("A block DeliverFiltered cannot filter becomes BAD_REQUEST and the stream goes on") {
  EventsFixture fixture;
  weft::testing::EndorserTxSpec spec;
  spec.channel_id = kChannel;
  spec.chaincode = "basic";
  spec.creator = &fixture.network.client;
  spec.endorsers = {&fixture.network.peer};
  // payload.data is not a protos.Transaction (wire type 7 does not exist).
  spec.edit_payload = [](::common::Payload& payload) { payload.set_data("\x0f"); };
  fixture.channel.Commit({weft::testing::BuildEndorserTx(spec).Bytes()}, {::protos::BAD_PAYLOAD});
  fixture.channel.Commit({weft::testing::ConfigTxEnvelope(kChannel)}, {::protos::VALID});

  RecordingSink sink;
  CHECK(fixture.events.DeliverFiltered(
            fixture.Seek(protoutil::SeekSpecified(2), protoutil::SeekSpecified(3),
                         fixture.network.client),
            sink) == ::common::SUCCESS);
  auto responses = sink.responses();
  REQUIRE(responses.size() == 3);
  // filteredBlockResponseSender.SendBlockResponse sends Status_BAD_REQUEST in its place.
  CHECK(Same(responses[0], StatusOnly(::common::BAD_REQUEST)));
  CHECK(responses[1].filtered_block().number() == 3);
  CHECK(Same(responses[2], StatusOnly(::common::SUCCESS)));

  auto filtered =
      weft::peer::events::ToFilteredBlock(Must(fixture.channel.Ledger().GetBlockByNumber(2)));
  REQUIRE_FALSE(filtered.ok());
  CHECK_THAT(std::string(filtered.status().message()),
             Catch::StartsWith("error unmarshal transaction payload for block event"));
}

TEST_CASE("Deliver answers NOT_FOUND for a channel the peer has not joined") {
  EventsFixture fixture;
  auto envelope = protoutil::CreateSeekInfoEnvelope(
      "otherchannel",
      protoutil::MakeSeekInfo(protoutil::SeekOldest(), protoutil::SeekNewest(),
                              ::orderer::SeekInfo::BLOCK_UNTIL_READY),
      fixture.network.client, std::chrono::system_clock::now());
  REQUIRE(envelope.ok());
  RecordingSink sink;
  CHECK(fixture.events.Deliver(*envelope, sink) == ::common::NOT_FOUND);
  auto responses = sink.responses();
  REQUIRE(responses.size() == 1);
  CHECK(Same(responses[0], StatusOnly(::common::NOT_FOUND)));
}

TEST_CASE("After the client refuses a response nothing more is sent") {
  EventsFixture fixture;
  RecordingSink sink(1);
  CHECK(fixture.events.Deliver(fixture.SeekAll(fixture.network.client), sink) ==
        ::common::SERVICE_UNAVAILABLE);
  CHECK(sink.responses().size() == 1);
  // The refused block was the last attempt: no status follows it.
  CHECK(sink.attempts() == 2);
}

namespace {

// Notes, on the stream's thread, how many blocks had their state written when block
// `number` arrived.
class StateProbeSink final : public ResponseSink {
 public:
  StateProbeSink(const TestChannel& channel, uint64_t number)
      : channel_(channel), number_(number) {}
  bool Send(const ::protos::DeliverResponse& response) override {
    if (response.has_block() && response.block().header().number() == number_) {
      std::lock_guard lock(mu_);
      states_written_ = channel_.states_written();
    }
    return true;
  }
  std::optional<uint64_t> states_written() const {
    std::lock_guard lock(mu_);
    return states_written_;
  }

 private:
  const TestChannel& channel_;
  const uint64_t number_;
  mutable std::mutex mu_;
  std::optional<uint64_t> states_written_;
};

}  // namespace

TEST_CASE("A block event is sent only once the block's state is committed") {
  // kvledger's blocksItr.Next waits on blockAPIsRWLock, which a commit holds from
  // the block store append to the end of the state write.
  EventsFixture fixture;
  StateProbeSink sink(fixture.channel, 2);
  auto stream = std::async(std::launch::async, [&] {
    return fixture.events.Deliver(fixture.Seek(protoutil::SeekSpecified(2),
                                               protoutil::SeekSpecified(2), fixture.network.client),
                                  sink);
  });
  ::kvrwset::KVRWSet writes;
  auto* write = writes.add_writes();
  write->set_key("asset1");
  write->set_value("blue");
  // Many more writes widen the span between the block's append and the end of its
  // state write, so that a stream reading the bare block store would show the gap.
  for (int i = 0; i < 5000; ++i) {
    auto* filler = writes.add_writes();
    filler->set_key("filler" + std::to_string(i));
    filler->set_value(std::string(100, 'x'));
  }
  ::rwset::TxReadWriteSet rwset;
  rwset.set_data_model(::rwset::TxReadWriteSet::KV);
  auto* ns = rwset.add_ns_rwset();
  ns->set_namespace_("basic");
  ns->set_rwset(writes.SerializeAsString());
  fixture.channel.Commit({weft::testing::EndorserTxEnvelope(kChannel, "tx-asset1", rwset)},
                         {::protos::VALID});
  CHECK(stream.get() == ::common::SUCCESS);
  // Blocks 0, 1 and 2 had their state written before block 2 went out.
  CHECK(sink.states_written() == std::optional<uint64_t>(3));
}
