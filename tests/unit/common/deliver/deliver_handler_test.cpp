#include "common/deliver/deliver_handler.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/ledger/blockstore/file_block_store.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/identity_expiry.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_network.h"
#include "tests/support/wait_until.h"

using weft::common::channelconfig::ChannelConfig;
using weft::common::deliver::BlockSink;
using weft::common::deliver::DeliverHandler;
using weft::common::deliver::DeliverOptions;
using weft::common::deliver::DeliverSource;
using weft::common::ledger::blockstore::BlockStore;
using weft::common::ledger::blockstore::FileBlockStore;
namespace protoutil = weft::common::protoutil;

namespace {

class FakeChannel final : public DeliverSource, public weft::common::deliver::ChannelSources {
 public:
  FakeChannel(const weft::testing::TestNetwork& network, const std::filesystem::path& dir) {
    weft::common::ledger::blockstore::FileBlockStoreOptions options;
    options.dir = dir;
    options.fsync = weft::common::ledger::blockstore::FsyncPolicy::kNone;
    auto store = FileBlockStore::Open(options);
    REQUIRE(store.ok());
    store_ = *std::move(store);
    ::common::Block genesis = network.Genesis(channel_id_);
    REQUIRE(store_->AddBlock(genesis).ok());
    last_header_ = genesis.header();
    auto config = ChannelConfig::FromConfigBlock(genesis);
    REQUIRE(config.ok());
    config_ = *config;
  }

  const std::string& ChannelId() const override { return channel_id_; }
  std::shared_ptr<const weft::common::channelconfig::ChannelConfig> ChannelConfig() const override {
    std::lock_guard lock(mu_);
    return config_;
  }
  const BlockStore& Blocks() const override { return *store_; }
  std::shared_ptr<DeliverSource> FindSource(std::string_view channel_id) const override {
    if (channel_id != channel_id_) return nullptr;
    // Not owning: the fixture outlives every Handle call.
    return std::shared_ptr<DeliverSource>(std::shared_ptr<DeliverSource>{},
                                          const_cast<FakeChannel*>(this));
  }

  void SetConfig(std::shared_ptr<const weft::common::channelconfig::ChannelConfig> config) {
    std::lock_guard lock(mu_);
    config_ = std::move(config);
  }
  // Appends a block with one data entry naming its number.
  void AddBlock() {
    ::common::Block block =
        protoutil::NewBlock(last_header_.number() + 1, protoutil::BlockHeaderHash(last_header_));
    block.mutable_data()->add_data("block " + std::to_string(block.header().number()));
    block.mutable_header()->set_data_hash(protoutil::BlockDataHash(block.data()));
    REQUIRE(store_->AddBlock(block).ok());
    last_header_ = block.header();
  }

  void Close() { store_->Close(); }

  // Fabric's Chain.Errored closing: the consenter stopped producing blocks.
  std::stop_token Errored() const override { return errored_.get_token(); }
  void Fail() { errored_.request_stop(); }

 private:
  std::stop_source errored_;
  const std::string channel_id_ = "mychannel";
  std::unique_ptr<FileBlockStore> store_;
  ::common::BlockHeader last_header_;
  mutable std::mutex mu_;
  std::shared_ptr<const weft::common::channelconfig::ChannelConfig> config_;
};

class RecordingSink final : public BlockSink {
 public:
  bool Send(const ::common::Block& block) override {
    std::lock_guard lock(mu_);
    numbers_.push_back(block.header().number());
    return true;
  }
  std::vector<uint64_t> numbers() const {
    std::lock_guard lock(mu_);
    return numbers_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<uint64_t> numbers_;
};

using Numbers = std::vector<uint64_t>;

struct DeliverFixture {
  weft::testing::TestNetwork network;
  weft::testing::TempDir dir{"weft-deliver"};
  FakeChannel channel{network, dir.path()};
  DeliverHandler handler{channel};
  RecordingSink sink;

  // The ledger holds blocks 0..`newest`.
  explicit DeliverFixture(uint64_t newest = 0) {
    for (uint64_t i = 0; i < newest; ++i) channel.AddBlock();
  }

  ::common::Envelope Seek(
      ::orderer::SeekPosition start, ::orderer::SeekPosition stop,
      ::orderer::SeekInfo::SeekBehavior behavior = ::orderer::SeekInfo::BLOCK_UNTIL_READY,
      const protoutil::Signer* signer = nullptr, std::string channel_id = "mychannel",
      protoutil::TimePoint when = std::chrono::system_clock::now(),
      ::orderer::SeekInfo::SeekErrorResponse error_response = ::orderer::SeekInfo::STRICT) {
    auto seek_info = protoutil::MakeSeekInfo(std::move(start), std::move(stop), behavior);
    seek_info.set_error_response(error_response);
    auto envelope = protoutil::CreateSeekInfoEnvelope(
        channel_id, seek_info, signer != nullptr ? *signer : network.peer, when);
    REQUIRE(envelope.ok());
    return *std::move(envelope);
  }
};

::orderer::SeekPosition NextCommit() {
  ::orderer::SeekPosition position;
  position.mutable_next_commit();
  return position;
}

// How Fabric's peers ask for every block from now on (blocksprovider: Specified MaxUint64).
const ::orderer::SeekPosition kForever = protoutil::SeekSpecified(UINT64_MAX);

constexpr ::orderer::SeekInfo::SeekBehavior kBlockUntilReady =
    ::orderer::SeekInfo::BLOCK_UNTIL_READY;

}  // namespace

TEST_CASE("Deliver sends oldest to newest and then SUCCESS") {
  DeliverFixture fixture(2);
  auto status = fixture.handler.Handle(
      fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest()), fixture.sink);
  CHECK(status == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{0, 1, 2});
}

TEST_CASE("Deliver sends exactly a specified range") {
  DeliverFixture fixture(4);
  auto status = fixture.handler.Handle(
      fixture.Seek(protoutil::SeekSpecified(1), protoutil::SeekSpecified(3)), fixture.sink);
  CHECK(status == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{1, 2, 3});
}

TEST_CASE("Deliver of newest to newest sends only the current last block") {
  DeliverFixture fixture(3);
  auto status = fixture.handler.Handle(
      fixture.Seek(protoutil::SeekNewest(), protoutil::SeekNewest()), fixture.sink);
  CHECK(status == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{3});
}

TEST_CASE("FAIL_IF_NOT_READY ends with NOT_FOUND when a needed block is missing") {
  DeliverFixture fixture(1);
  auto status =
      fixture.handler.Handle(fixture.Seek(protoutil::SeekSpecified(1), protoutil::SeekSpecified(3),
                                          ::orderer::SeekInfo::FAIL_IF_NOT_READY),
                             fixture.sink);
  CHECK(status == ::common::NOT_FOUND);
  CHECK(fixture.sink.numbers() == Numbers{1});

  // A start beyond the height is NOT_FOUND whatever the behaviour.
  CHECK(fixture.handler.Handle(
            fixture.Seek(protoutil::SeekSpecified(9), protoutil::SeekSpecified(9)), fixture.sink) ==
        ::common::NOT_FOUND);
}

TEST_CASE("BLOCK_UNTIL_READY waits for the next block and then sends it") {
  DeliverFixture fixture(1);
  auto done = std::async(std::launch::async, [&] {
    return fixture.handler.Handle(fixture.Seek(NextCommit(), protoutil::SeekSpecified(2)),
                                  fixture.sink);
  });
  CHECK(done.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  fixture.channel.AddBlock();
  CHECK(done.get() == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{2});
}

TEST_CASE("A waiting deliver ends with SERVICE_UNAVAILABLE when stopped or the channel closes") {
  DeliverFixture fixture(0);
  std::stop_source stop;
  auto stopped = std::async(std::launch::async, [&] {
    return fixture.handler.Handle(fixture.Seek(NextCommit(), NextCommit()), fixture.sink,
                                  stop.get_token());
  });
  stop.request_stop();
  CHECK(stopped.get() == ::common::SERVICE_UNAVAILABLE);

  auto closed = std::async(std::launch::async, [&] {
    return fixture.handler.Handle(fixture.Seek(NextCommit(), NextCommit()), fixture.sink);
  });
  fixture.channel.Close();
  CHECK(closed.get() == ::common::SERVICE_UNAVAILABLE);
  CHECK(fixture.sink.numbers().empty());
}

TEST_CASE("Deliver forbids a requester outside the Readers policy") {
  DeliverFixture fixture(1);
  for (const auto* signer : {&fixture.network.stranger, &fixture.network.impostor}) {
    CHECK(fixture.handler.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(),
                                              ::orderer::SeekInfo::BLOCK_UNTIL_READY, signer),
                                 fixture.sink) == ::common::FORBIDDEN);
  }
  // A valid reader whose signature was tampered with is refused as well.
  auto envelope = fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest());
  envelope.set_signature(
      fixture.Seek(protoutil::SeekOldest(), protoutil::SeekOldest()).signature());
  CHECK(fixture.handler.Handle(envelope, fixture.sink) == ::common::FORBIDDEN);
  CHECK(fixture.sink.numbers().empty());
}

TEST_CASE("Deliver re-checks the Readers policy when the config sequence moves mid-stream") {
  DeliverFixture fixture(1);
  auto spec = fixture.network.Spec();
  spec.application->organizations[0].policies["Readers"] = {"Signature", "OR('Org1MSP.admin')"};
  auto config = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(config.ok());
  config->set_sequence(1);
  auto stricter = ChannelConfig::FromConfig("mychannel", *config);
  REQUIRE(stricter.ok());

  auto done = std::async(std::launch::async, [&] {
    return fixture.handler.Handle(fixture.Seek(protoutil::SeekOldest(), kForever), fixture.sink);
  });
  // Blocks 0 and 1 go out under the old config; block 2 comes after the change.
  CHECK(weft::testing::WaitUntil([&] { return fixture.sink.numbers().size() >= 2; }));
  fixture.channel.SetConfig(*stricter);
  fixture.channel.AddBlock();
  CHECK(done.get() == ::common::FORBIDDEN);
  CHECK(fixture.sink.numbers() == Numbers{0, 1});
}

TEST_CASE("Deliver refuses seek requests stamped outside the time window") {
  DeliverFixture fixture(1);
  const auto now = std::chrono::system_clock::now();
  for (auto skew : {-std::chrono::minutes(16), std::chrono::minutes(16)}) {
    CHECK(fixture.handler.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(),
                                              ::orderer::SeekInfo::BLOCK_UNTIL_READY, nullptr,
                                              "mychannel", now + skew),
                                 fixture.sink) == ::common::BAD_REQUEST);
  }
  // The window and the clock are configurable.
  weft::common::concurrency::ManualClock clock(now + std::chrono::minutes(16));
  DeliverOptions options;
  options.clock = &clock;
  options.time_window = std::chrono::minutes(20);
  DeliverHandler lenient(fixture.channel, options);
  CHECK(lenient.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekOldest()),
                       fixture.sink) == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{0});
}

TEST_CASE("Deliver answers NOT_FOUND for an unknown channel and BAD_REQUEST for bad seeks") {
  DeliverFixture fixture(2);
  CHECK(fixture.handler.Handle(
            fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(),
                         ::orderer::SeekInfo::BLOCK_UNTIL_READY, nullptr, "otherchannel"),
            fixture.sink) == ::common::NOT_FOUND);
  // Stop before start.
  CHECK(fixture.handler.Handle(
            fixture.Seek(protoutil::SeekSpecified(2), protoutil::SeekSpecified(1)), fixture.sink) ==
        ::common::BAD_REQUEST);
  // No stop position.
  ::orderer::SeekInfo no_stop;
  *no_stop.mutable_start() = protoutil::SeekOldest();
  auto envelope = protoutil::CreateSeekInfoEnvelope("mychannel", no_stop, fixture.network.peer);
  REQUIRE(envelope.ok());
  CHECK(fixture.handler.Handle(*envelope, fixture.sink) == ::common::BAD_REQUEST);
  // Not an envelope payload at all.
  ::common::Envelope garbage;
  garbage.set_payload("\xff\xff");
  CHECK(fixture.handler.Handle(garbage, fixture.sink) == ::common::BAD_REQUEST);
  CHECK(fixture.sink.numbers().empty());
}

TEST_CASE("Deliver answers NOT_FOUND for a start position without a type") {
  // Fabric's fileledger Iterator returns a NotFoundErrorIterator for an unknown start.
  DeliverFixture fixture(1);
  CHECK(fixture.handler.Handle(fixture.Seek(::orderer::SeekPosition(), protoutil::SeekNewest()),
                               fixture.sink) == ::common::NOT_FOUND);
  CHECK(fixture.sink.numbers().empty());
}

TEST_CASE("A specified start equal to the height waits for that block") {
  // Fabric's Iterator refuses only start > height; RetrieveBlocks(height) blocks.
  DeliverFixture fixture(1);
  auto done = std::async(std::launch::async, [&] {
    return fixture.handler.Handle(
        fixture.Seek(protoutil::SeekSpecified(2), protoutil::SeekSpecified(2)), fixture.sink);
  });
  fixture.channel.AddBlock();
  CHECK(done.get() == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{2});
}

TEST_CASE("A NEXT_COMMIT stop keeps streaming unless block 0 was sent") {
  // Fabric 2.5 deliverBlocks has no stop case for NextCommit: stopNum stays 0, and the
  // loop ends only after sending block number 0.
  SECTION("from block 1 the stream goes on past every new block") {
    DeliverFixture fixture(2);
    std::stop_source stop;
    auto done = std::async(std::launch::async, [&] {
      return fixture.handler.Handle(fixture.Seek(protoutil::SeekSpecified(1), NextCommit()),
                                    fixture.sink, stop.get_token());
    });
    CHECK(weft::testing::WaitUntil([&] { return fixture.sink.numbers().size() >= 2; }));
    fixture.channel.AddBlock();
    CHECK(weft::testing::WaitUntil([&] { return fixture.sink.numbers().size() >= 3; }));
    stop.request_stop();
    CHECK(done.get() == ::common::SERVICE_UNAVAILABLE);
    CHECK(fixture.sink.numbers() == Numbers{1, 2, 3});
  }
  SECTION("from the oldest block it ends after block 0") {
    DeliverFixture fixture(2);
    CHECK(fixture.handler.Handle(fixture.Seek(protoutil::SeekOldest(), NextCommit()),
                                 fixture.sink) == ::common::SUCCESS);
    CHECK(fixture.sink.numbers() == Numbers{0});
  }
}

TEST_CASE("An errored source refuses new requests with SERVICE_UNAVAILABLE unless BEST_EFFORT") {
  // Fabric deliverBlocks: the errored select comes right after SeekInfo is parsed,
  // before access control; BEST_EFFORT sets erroredChan to nil.
  DeliverFixture fixture(1);
  fixture.channel.Fail();
  CHECK(fixture.handler.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest()),
                               fixture.sink) == ::common::SERVICE_UNAVAILABLE);
  CHECK(fixture.handler.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(),
                                            kBlockUntilReady, &fixture.network.stranger),
                               fixture.sink) == ::common::SERVICE_UNAVAILABLE);
  CHECK(fixture.sink.numbers().empty());

  CHECK(fixture.handler.Handle(
            fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(), kBlockUntilReady,
                         nullptr, "mychannel", std::chrono::system_clock::now(),
                         ::orderer::SeekInfo::BEST_EFFORT),
            fixture.sink) == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{0, 1});
}

TEST_CASE("A deliver waiting for a block ends with SERVICE_UNAVAILABLE when the source errors") {
  // Fabric deliverBlocks: the wait for cursor.Next() selects on erroredChan too.
  DeliverFixture fixture(1);
  auto done = std::async(std::launch::async, [&] {
    return fixture.handler.Handle(fixture.Seek(protoutil::SeekOldest(), kForever), fixture.sink);
  });
  CHECK(weft::testing::WaitUntil([&] { return fixture.sink.numbers().size() >= 2; }));
  fixture.channel.Fail();
  CHECK(done.get() == ::common::SERVICE_UNAVAILABLE);
  CHECK(fixture.sink.numbers() == Numbers{0, 1});
}

TEST_CASE("A BEST_EFFORT deliver keeps waiting and sending after the source errors") {
  DeliverFixture fixture(1);
  auto done = std::async(std::launch::async, [&] {
    return fixture.handler.Handle(
        fixture.Seek(protoutil::SeekOldest(), protoutil::SeekSpecified(2), kBlockUntilReady,
                     nullptr, "mychannel", std::chrono::system_clock::now(),
                     ::orderer::SeekInfo::BEST_EFFORT),
        fixture.sink);
  });
  CHECK(weft::testing::WaitUntil([&] { return fixture.sink.numbers().size() >= 2; }));
  fixture.channel.Fail();
  fixture.channel.AddBlock();
  CHECK(done.get() == ::common::SUCCESS);
  CHECK(fixture.sink.numbers() == Numbers{0, 1, 2});
}

TEST_CASE("A deliver session ends with FORBIDDEN once the creator's certificate has expired") {
  // Fabric's SessionAccessControl.Evaluate: time.Now().After(sessionEndTime) is an
  // error, evaluated before the first block and before each block sent; the session
  // end is crypto.ExpiresAt of the creator.
  DeliverFixture fixture(1);
  auto not_after = protoutil::IdentityExpiresAt(fixture.network.peer.SerializedIdentity());
  REQUIRE(not_after.ok());
  REQUIRE(not_after->has_value());
  const auto expiry = **not_after;
  weft::common::concurrency::ManualClock clock(expiry - std::chrono::minutes(1));
  DeliverOptions options;
  options.clock = &clock;
  DeliverHandler handler(fixture.channel, options);

  SECTION("a request after NotAfter is refused") {
    clock.Set(expiry + std::chrono::seconds(1));
    CHECK(handler.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(),
                                      kBlockUntilReady, nullptr, "mychannel", clock.Now()),
                         fixture.sink) == ::common::FORBIDDEN);
    CHECK(fixture.sink.numbers().empty());
  }
  SECTION("a request at NotAfter itself is still served") {
    clock.Set(expiry);
    CHECK(handler.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(),
                                      kBlockUntilReady, nullptr, "mychannel", clock.Now()),
                         fixture.sink) == ::common::SUCCESS);
    CHECK(fixture.sink.numbers() == Numbers{0, 1});
  }
  SECTION("a running session ends when the next block arrives after NotAfter") {
    auto done = std::async(std::launch::async, [&] {
      return handler.Handle(fixture.Seek(protoutil::SeekOldest(), kForever, kBlockUntilReady,
                                         nullptr, "mychannel", clock.Now()),
                            fixture.sink);
    });
    CHECK(weft::testing::WaitUntil([&] { return fixture.sink.numbers().size() >= 2; }));
    clock.Set(expiry + std::chrono::seconds(1));
    // Fabric does not end a waiting session at expiry; the next block does.
    fixture.channel.AddBlock();
    CHECK(done.get() == ::common::FORBIDDEN);
    CHECK(fixture.sink.numbers() == Numbers{0, 1});
  }
  SECTION("with expiration checks off, an expired creator is served") {
    // deliver.NewHandler's expirationCheckDisabled (the orderer's
    // General.Authentication.NoExpirationChecks) gives sessions no end time.
    DeliverOptions unchecked = options;
    unchecked.expiration_checks = false;
    DeliverHandler lenient(fixture.channel, unchecked);
    clock.Set(expiry + std::chrono::hours(24));
    CHECK(lenient.Handle(fixture.Seek(protoutil::SeekOldest(), protoutil::SeekNewest(),
                                      kBlockUntilReady, nullptr, "mychannel", clock.Now()),
                         fixture.sink) == ::common::SUCCESS);
    CHECK(fixture.sink.numbers() == Numbers{0, 1});
  }
}

TEST_CASE("Only a specified stop below the start is a BAD_REQUEST") {
  // Fabric deliverBlocks checks stopNum < number for a Specified stop only; a Newest
  // stop below a start at the height is taken as is, so this request goes on to the
  // FAIL_IF_NOT_READY check, which finds block 2 missing.
  DeliverFixture fixture(1);
  CHECK(fixture.handler.Handle(fixture.Seek(protoutil::SeekSpecified(2), protoutil::SeekNewest(),
                                            ::orderer::SeekInfo::FAIL_IF_NOT_READY),
                               fixture.sink) == ::common::NOT_FOUND);
  CHECK(
      fixture.handler.Handle(fixture.Seek(protoutil::SeekSpecified(2), protoutil::SeekSpecified(1),
                                          ::orderer::SeekInfo::FAIL_IF_NOT_READY),
                             fixture.sink) == ::common::BAD_REQUEST);
  CHECK(fixture.sink.numbers().empty());
}
