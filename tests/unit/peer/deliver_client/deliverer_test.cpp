// The deliver client's state machine against scripted orderers: which blocks reach the
// handler, what is asked for on each connection, where it reconnects and how long it
// waits. Expected behaviour from Fabric's blocksprovider.go (release-2.5, DeliverBlocks,
// processMsg, createSeekInfo); blocks are real ones, ordered and signed by a solo
// registrar, so verification runs for real.
#include "peer/deliver_client/deliverer.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "tests/support/block_signing.h"
#include "tests/support/orderer_fixture.h"
#include "tests/support/wait_until.h"

namespace {

namespace dc = weft::peer::deliver_client;
using std::chrono::milliseconds;

constexpr char kChannel[] = "mychannel";

// Genesis with orderer endpoints o1 and o2, and blocks 1..count (one tx each).
struct Chain {
  weft::testing::OrdererFixture orderer;
  ::common::Block genesis;
  std::vector<::common::Block> blocks;  // blocks[i] is block i
  std::shared_ptr<const weft::common::channelconfig::ChannelConfig> config;

  explicit Chain(int count) {
    orderer.network.batch_size.max_message_count = 1;
    auto spec = orderer.network.Spec();
    spec.orderer->organizations[0].orderer_endpoints = {"o1:7050", "o2:7050"};
    auto built = weft::common::channelconfig::BuildConfig(spec);
    REQUIRE(built.ok());
    auto block = weft::common::channelconfig::BuildGenesisBlock(kChannel, *built);
    REQUIRE(block.ok());
    genesis = *block;
    auto bundle = weft::common::channelconfig::ChannelConfig::FromConfigBlock(genesis);
    REQUIRE(bundle.ok());
    config = *bundle;
    blocks.push_back(genesis);
    auto registrar = orderer.NewRegistrar();
    REQUIRE(registrar->Initialize().ok());
    REQUIRE(registrar->JoinChannel(genesis).ok());
    auto* chain = registrar->GetChain(kChannel);
    REQUIRE(chain != nullptr);
    for (int i = 1; i <= count; ++i) {
      REQUIRE(chain->Chain()
                  .Order(weft::testing::OrdererFixture::Transaction(
                             kChannel, orderer.network.client, "tx" + std::to_string(i)),
                         0)
                  .ok());
      blocks.push_back(weft::testing::WaitForBlock(*chain, i));
    }
  }
};

::orderer::DeliverResponse BlockResponse(const ::common::Block& block) {
  ::orderer::DeliverResponse response;
  *response.mutable_block() = block;
  return response;
}

::orderer::DeliverResponse StatusResponse(::common::Status status) {
  ::orderer::DeliverResponse response;
  response.set_status(status);
  return response;
}

// What one scripted connection does: send `responses`, then wait for more blocks
// (hang until cancelled, as an orderer under BLOCK_UNTIL_READY) or break.
struct Script {
  std::vector<::orderer::DeliverResponse> responses;
  bool then_break = false;
};

class FakeStream final : public dc::DeliverStream {
 public:
  explicit FakeStream(Script script) : script_(std::move(script)) {}

  [[nodiscard]] weft::StatusOr<::orderer::DeliverResponse> Recv() override {
    std::unique_lock lock(mu_);
    if (next_ < script_.responses.size() && !cancelled_) return script_.responses[next_++];
    if (script_.then_break && !cancelled_) return absl::UnavailableError("connection reset");
    cv_.wait(lock, [&] { return cancelled_; });
    return absl::CancelledError("cancelled");
  }

  void Cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Script script_;
  size_t next_ = 0;
  bool cancelled_ = false;
};

struct Attempt {
  std::string address;
  ::common::ChannelHeader channel_header;
  ::common::SignatureHeader signature_header;
  ::orderer::SeekInfo seek;
};

// Runs `behaviour(attempt index, endpoint, seek start)` for each Connect, recording the
// attempt (endpoint and the decoded seek request) for the test thread.
class FakeConnector final : public dc::Connector {
 public:
  using Behaviour =
      std::function<weft::StatusOr<Script>(size_t, const std::string&, uint64_t start)>;
  explicit FakeConnector(Behaviour behaviour) : behaviour_(std::move(behaviour)) {}

  [[nodiscard]] weft::StatusOr<std::unique_ptr<dc::DeliverStream>> Connect(
      const dc::OrdererEndpoint& endpoint, const ::common::Envelope& seek_info,
      std::stop_token) override {
    Attempt attempt;
    attempt.address = endpoint.address;
    auto opened = weft::common::protoutil::OpenEnvelope(seek_info);
    if (opened.ok()) {
      attempt.channel_header = opened->channel_header;
      attempt.signature_header = opened->signature_header;
      attempt.seek.ParseFromString(opened->data());
    }
    size_t index = 0;
    {
      std::lock_guard lock(mu_);
      index = attempts_.size();
      attempts_.push_back(attempt);
    }
    WEFT_ASSIGN_OR_RETURN(Script script, behaviour_(index, endpoint.address,
                                                    attempt.seek.start().specified().number()));
    return std::unique_ptr<dc::DeliverStream>(std::make_unique<FakeStream>(std::move(script)));
  }

  std::vector<Attempt> attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }

 private:
  Behaviour behaviour_;
  mutable std::mutex mu_;
  std::vector<Attempt> attempts_;
};

// Records every delay and returns at once.
class FakeSleeper final : public dc::Sleeper {
 public:
  void Sleep(milliseconds duration, std::stop_token) override {
    std::lock_guard lock(mu_);
    delays_.push_back(duration);
  }
  std::vector<milliseconds> delays() const {
    std::lock_guard lock(mu_);
    return delays_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<milliseconds> delays_;
};

// Records the blocks handed on; refuses the first `refuse` of them.
class RecordingHandler final : public dc::BlockHandler {
 public:
  [[nodiscard]] weft::Status Deliver(const ::common::Block& block) override {
    std::lock_guard lock(mu_);
    if (refuse_ > 0) {
      --refuse_;
      return absl::UnavailableError("ledger busy");
    }
    blocks_.push_back(block);
    return absl::OkStatus();
  }
  std::vector<::common::Block> blocks() const {
    std::lock_guard lock(mu_);
    return blocks_;
  }
  std::vector<uint64_t> numbers() const {
    std::vector<uint64_t> numbers;
    for (const auto& block : blocks()) numbers.push_back(block.header().number());
    return numbers;
  }
  void Refuse(int count) {
    std::lock_guard lock(mu_);
    refuse_ = count;
  }

 private:
  mutable std::mutex mu_;
  std::vector<::common::Block> blocks_;
  int refuse_ = 0;
};

// The blocks of `chain` from `start` to `end` (inclusive) as responses.
std::vector<::orderer::DeliverResponse> Blocks(const Chain& chain, uint64_t start, uint64_t end) {
  std::vector<::orderer::DeliverResponse> responses;
  for (uint64_t n = start; n <= end && n < chain.blocks.size(); ++n) {
    responses.push_back(BlockResponse(chain.blocks[n]));
  }
  return responses;
}

struct Harness {
  Chain& chain;
  FakeConnector connector;
  FakeSleeper sleeper;
  RecordingHandler handler;
  std::unique_ptr<dc::Deliverer> deliverer;

  Harness(Chain& chain, FakeConnector::Behaviour behaviour,
          std::function<void(dc::DelivererOptions&)> adjust = {})
      : chain(chain), connector(std::move(behaviour)) {
    dc::DelivererOptions options;
    options.channel_id = kChannel;
    options.next_block = 1;
    options.previous_hash = weft::common::protoutil::BlockHeaderHash(chain.genesis.header());
    options.config = chain.config;
    options.signer = &chain.orderer.network.peer;
    options.tls_cert_hash = "tls-cert-hash";
    options.connector = &connector;
    options.handler = &handler;
    options.sleeper = &sleeper;
    options.shuffle_seed = 7;
    if (adjust) adjust(options);
    auto created = dc::Deliverer::Create(std::move(options));
    REQUIRE(created.ok());
    deliverer = *std::move(created);
  }

  // Starts, waits for the handler to hold `count` blocks (hang guard), stops.
  void RunUntilBlocks(size_t count) {
    deliverer->Start();
    const bool reached = weft::testing::WaitUntil([&] { return handler.blocks().size() >= count; });
    deliverer->Stop();
    REQUIRE(reached);
  }
};

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> numbers;
  for (uint64_t n = first; n <= last; ++n) numbers.push_back(n);
  return numbers;
}

// Block `number` after `previous` holding `envelope`, signed by `signer` (an orderer).
::common::Block SignedBlock(uint64_t number, const ::common::Block& previous,
                            const ::common::Envelope& envelope,
                            const weft::common::protoutil::Signer& signer) {
  ::common::Block block = weft::common::protoutil::NewBlock(
      number, weft::common::protoutil::BlockHeaderHash(previous.header()));
  block.mutable_data()->add_data(envelope.SerializeAsString());
  block.mutable_header()->set_data_hash(weft::common::protoutil::BlockDataHash(block.data()));
  weft::testing::SignBlockAs(block, signer);
  return block;
}

}  // namespace

TEST_CASE("RetryDelay follows Fabric's 1.2 exponential backoff up to reConnectBackoffThreshold") {
  // blocksprovider.go DeliverBlocks: 1.2^(failures-1) * 100 ms, MaxRetryDelay once
  // failures-1 > log(max/initial)/log(1.2) (57 for 100 ms and 1 h).
  const milliseconds initial{100};
  const milliseconds max = std::chrono::hours(1);
  CHECK(dc::RetryDelay(1, initial, max) == milliseconds(100));
  CHECK(dc::RetryDelay(2, initial, max) == milliseconds(120));
  CHECK(dc::RetryDelay(3, initial, max) == milliseconds(144));
  CHECK(dc::RetryDelay(58, initial, max) < max);
  CHECK(dc::RetryDelay(59, initial, max) == max);
  CHECK(dc::RetryDelay(5, initial, milliseconds(150)) == milliseconds(150));
}

TEST_CASE(
    "The deliverer asks for blocks from the ledger height to MaxUint64 in a signed seek and "
    "hands on verified blocks in order") {
  Chain chain(3);
  Harness harness(chain, [&](size_t, const std::string&, uint64_t start) {
    return Script{Blocks(chain, start, 3)};
  });
  harness.RunUntilBlocks(3);
  CHECK(harness.handler.numbers() == Range(1, 3));

  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 1);
  const Attempt& attempt = attempts[0];
  // blocksprovider.go createSeekInfo: DELIVER_SEEK_INFO on the channel, TLS binding,
  // Start Specified{height}, Stop Specified{MaxUint64}, BLOCK_UNTIL_READY.
  CHECK(attempt.channel_header.type() == ::common::DELIVER_SEEK_INFO);
  CHECK(attempt.channel_header.channel_id() == kChannel);
  CHECK(attempt.channel_header.tls_cert_hash() == "tls-cert-hash");
  CHECK(attempt.signature_header.creator() == chain.orderer.network.peer.SerializedIdentity());
  CHECK(attempt.seek.start().specified().number() == 1);
  CHECK(attempt.seek.stop().specified().number() == std::numeric_limits<uint64_t>::max());
  CHECK(attempt.seek.behavior() == ::orderer::SeekInfo::BLOCK_UNTIL_READY);
  CHECK(harness.sleeper.delays().empty());
}

TEST_CASE("SERVICE_UNAVAILABLE makes the deliverer back off and move to the next orderer") {
  // blocksprovider.go processMsg: any status is an error; DeliverBlocks counts a failure,
  // sleeps the backoff and connects again.
  Chain chain(2);
  Harness harness(chain, [&](size_t index, const std::string&, uint64_t start) {
    if (index == 0) return Script{{StatusResponse(::common::SERVICE_UNAVAILABLE)}};
    return Script{Blocks(chain, start, 2)};
  });
  harness.RunUntilBlocks(2);
  CHECK(harness.handler.numbers() == Range(1, 2));
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].address != attempts[1].address);
  CHECK(attempts[1].seek.start().specified().number() == 1);
  CHECK(harness.sleeper.delays() == std::vector<milliseconds>{milliseconds(100)});
}

TEST_CASE("Every other status and SUCCESS also end the connection") {
  // processMsg: SUCCESS is "received success for a seek that should never complete";
  // NOT_FOUND, FORBIDDEN, BAD_REQUEST are "received bad status".
  const auto status =
      GENERATE(::common::SUCCESS, ::common::NOT_FOUND, ::common::FORBIDDEN, ::common::BAD_REQUEST);
  CAPTURE(::common::Status_Name(status));
  Chain chain(1);
  Harness harness(chain, [&](size_t index, const std::string&, uint64_t start) {
    if (index == 0) return Script{{StatusResponse(status)}};
    return Script{Blocks(chain, start, 1)};
  });
  harness.RunUntilBlocks(1);
  CHECK(harness.handler.numbers() == Range(1, 1));
  CHECK(harness.connector.attempts().size() == 2);
  CHECK(harness.sleeper.delays().size() == 1);
}

TEST_CASE(
    "A block signed by an identity outside the orderer orgs is never handed on and the "
    "deliverer asks the next orderer for it") {
  Chain chain(3);
  ::common::Block forged = chain.blocks[1];
  weft::testing::SignBlockAs(forged, chain.orderer.network.stranger);
  Harness harness(chain, [&](size_t index, const std::string&, uint64_t start) {
    if (index == 0) return Script{{BlockResponse(forged)}};
    return Script{Blocks(chain, start, 3)};
  });
  harness.RunUntilBlocks(3);
  const auto blocks = harness.handler.blocks();
  REQUIRE(blocks.size() == 3);
  CHECK(harness.handler.numbers() == Range(1, 3));
  CHECK(blocks[0].metadata().metadata(::common::SIGNATURES) ==
        chain.blocks[1].metadata().metadata(::common::SIGNATURES));
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].address != attempts[1].address);
  CHECK(attempts[1].seek.start().specified().number() == 1);
}

TEST_CASE("A block whose data was tampered with or that does not chain is rejected") {
  Chain chain(3);
  ::common::Block tampered = chain.blocks[2];
  const bool change_data = GENERATE(true, false);
  if (change_data) {
    tampered.mutable_data()->set_data(0, "not the ordered envelope");
  } else {
    tampered.mutable_header()->set_previous_hash("not block 1's hash");
  }
  Harness harness(chain, [&](size_t index, const std::string&, uint64_t start) {
    if (index == 0) return Script{{BlockResponse(chain.blocks[1]), BlockResponse(tampered)}};
    return Script{Blocks(chain, start, 3)};
  });
  harness.RunUntilBlocks(3);
  const auto blocks = harness.handler.blocks();
  REQUIRE(harness.handler.numbers() == Range(1, 3));
  CHECK(blocks[1].SerializeAsString() == chain.blocks[2].SerializeAsString());
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[1].seek.start().specified().number() == 2);
}

TEST_CASE("A repeated or skipped block number is rejected, so nothing is duplicated or lost") {
  Chain chain(3);
  const bool repeat = GENERATE(true, false);
  std::vector<::orderer::DeliverResponse> first = {BlockResponse(chain.blocks[1])};
  first.push_back(BlockResponse(chain.blocks[repeat ? 1 : 3]));
  Harness harness(chain, [&](size_t index, const std::string&, uint64_t start) {
    if (index == 0) return Script{first};
    return Script{Blocks(chain, start, 3)};
  });
  harness.RunUntilBlocks(3);
  CHECK(harness.handler.numbers() == Range(1, 3));
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[1].seek.start().specified().number() == 2);
}

TEST_CASE("After a broken stream the deliverer resumes from the next block on another orderer") {
  Chain chain(4);
  Harness harness(chain, [&](size_t index, const std::string&, uint64_t start) {
    if (index == 0) return Script{Blocks(chain, start, 2), /*then_break=*/true};
    return Script{Blocks(chain, start, 4)};
  });
  harness.RunUntilBlocks(4);
  CHECK(harness.handler.numbers() == Range(1, 4));
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].address != attempts[1].address);
  CHECK(attempts[1].seek.start().specified().number() == 3);
  // The blocks taken reset the failure count: the first backoff again.
  CHECK(harness.sleeper.delays() == std::vector<milliseconds>{milliseconds(100)});
}

TEST_CASE("Consecutive connection failures grow the backoff and alternate between orderers") {
  Chain chain(1);
  Harness harness(chain,
                  [&](size_t index, const std::string&, uint64_t start) -> weft::StatusOr<Script> {
                    if (index < 3) return absl::UnavailableError("connection refused");
                    return Script{Blocks(chain, start, 1)};
                  });
  harness.RunUntilBlocks(1);
  CHECK(harness.sleeper.delays() ==
        std::vector<milliseconds>{milliseconds(100), milliseconds(120), milliseconds(144)});
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 4);
  for (size_t i = 1; i < attempts.size(); ++i) {
    CHECK(attempts[i].address != attempts[i - 1].address);
  }
}

TEST_CASE("A block the handler refuses is asked for again and handed on once") {
  Chain chain(2);
  Harness harness(chain, [&](size_t, const std::string&, uint64_t start) {
    return Script{Blocks(chain, start, 2)};
  });
  harness.handler.Refuse(1);
  harness.RunUntilBlocks(2);
  CHECK(harness.handler.numbers() == Range(1, 2));
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[1].seek.start().specified().number() == 1);
}

TEST_CASE("A deliverer that may yield gives up once the retries pass reconnectTotalTimeThreshold") {
  // blocksprovider.go: totalDuration > MaxRetryDuration with YieldLeadership returns.
  Chain chain(0);
  Harness harness(
      chain,
      [](size_t, const std::string&, uint64_t) -> weft::StatusOr<Script> {
        return absl::UnavailableError("connection refused");
      },
      [](dc::DelivererOptions& options) {
        options.max_retry_duration = milliseconds(300);
        options.give_up_after_max_retry_duration = true;
      });
  const weft::Status status = harness.deliverer->Run();
  CHECK(absl::IsUnavailable(status));
  // 100 + 120 = 220 ms slept; the third delay would reach 364 ms > 300 ms.
  CHECK(harness.sleeper.delays() ==
        std::vector<milliseconds>{milliseconds(100), milliseconds(120)});
  CHECK(harness.connector.attempts().size() == 3);
}

TEST_CASE("A static leader keeps retrying past reconnectTotalTimeThreshold") {
  // blocksprovider.go: without YieldLeadership it warns and ignores the threshold.
  Chain chain(1);
  Harness harness(
      chain,
      [&](size_t index, const std::string&, uint64_t start) -> weft::StatusOr<Script> {
        if (index < 5) return absl::UnavailableError("connection refused");
        return Script{Blocks(chain, start, 1)};
      },
      [](dc::DelivererOptions& options) { options.max_retry_duration = milliseconds(150); });
  harness.RunUntilBlocks(1);
  CHECK(harness.sleeper.delays().size() == 5);
  CHECK(harness.handler.numbers() == Range(1, 1));
}

TEST_CASE("Stop ends a stream waiting for blocks and a pending backoff promptly") {
  Chain chain(1);
  SECTION("waiting on an open stream") {
    Harness harness(chain, [&](size_t, const std::string&, uint64_t start) {
      return Script{Blocks(chain, start, 1)};
    });
    harness.RunUntilBlocks(1);  // Stop() returns only once Run() has ended
    CHECK(harness.connector.attempts().size() == 1);
  }
  SECTION("sleeping a one-hour backoff") {
    FakeConnector connector([](size_t, const std::string&, uint64_t) -> weft::StatusOr<Script> {
      return absl::UnavailableError("connection refused");
    });
    RecordingHandler handler;
    dc::DelivererOptions options;
    options.channel_id = kChannel;
    options.next_block = 1;
    options.previous_hash = weft::common::protoutil::BlockHeaderHash(chain.genesis.header());
    options.config = chain.config;
    options.signer = &chain.orderer.network.peer;
    options.connector = &connector;
    options.handler = &handler;
    options.initial_retry_delay = std::chrono::hours(1);  // the real sleeper
    auto deliverer = dc::Deliverer::Create(std::move(options));
    REQUIRE(deliverer.ok());
    (*deliverer)->Start();
    REQUIRE(weft::testing::WaitUntil([&] { return connector.attempts().size() == 1; }));
    (*deliverer)->Stop();
    CHECK(connector.attempts().size() == 1);
  }
}

TEST_CASE("Create refuses a deliverer without config, signer, connector or handler") {
  Chain chain(0);
  FakeConnector connector([](size_t, const std::string&, uint64_t) -> weft::StatusOr<Script> {
    return absl::UnavailableError("unused");
  });
  RecordingHandler handler;
  dc::DelivererOptions options;
  options.channel_id = kChannel;
  options.config = chain.config;
  options.signer = &chain.orderer.network.peer;
  options.connector = &connector;
  options.handler = &handler;
  SECTION("no config") { options.config = nullptr; }
  SECTION("no signer") { options.signer = nullptr; }
  SECTION("no handler") { options.handler = nullptr; }
  SECTION("a height without the previous hash") { options.next_block = 3; }
  CHECK(absl::IsInvalidArgument(dc::Deliverer::Create(std::move(options)).status()));
}

TEST_CASE(
    "A config block that passes becomes the config of the next blocks and moves the "
    "deliverer to the new orderer endpoints") {
  // connection.go Update: changed endpoints close Refreshed, and DeliverBlocks then
  // disconnects and reconnects using the updated endpoints (not counted as a failure).
  Chain chain(2);
  const auto& network = chain.orderer.network;
  auto spec = network.Spec();
  spec.orderer->organizations[0].orderer_endpoints = {"o3:7050"};
  auto config = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(config.ok());
  config->set_sequence(1);
  ::common::ConfigEnvelope config_envelope;
  *config_envelope.mutable_config() = *config;
  auto envelope = weft::common::protoutil::CreateSignedEnvelope(
      ::common::CONFIG, kChannel, network.orderer, config_envelope.SerializeAsString());
  REQUIRE(envelope.ok());
  const ::common::Block config_block = SignedBlock(3, chain.blocks[2], *envelope, network.orderer);
  auto tx = weft::common::protoutil::CreateSignedEnvelope(::common::MESSAGE, kChannel,
                                                          network.client, "after the config");
  REQUIRE(tx.ok());
  const ::common::Block after = SignedBlock(4, config_block, *tx, network.orderer);

  Harness harness(chain, [&](size_t, const std::string& address, uint64_t start) {
    if (address == "o3:7050") return Script{{BlockResponse(after)}};
    return Script{{BlockResponse(chain.blocks[1]), BlockResponse(chain.blocks[2]),
                   BlockResponse(config_block)}};
  });
  harness.RunUntilBlocks(4);
  CHECK(harness.handler.numbers() == Range(1, 4));
  const auto attempts = harness.connector.attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[1].address == "o3:7050");
  CHECK(attempts[1].seek.start().specified().number() == 4);
  CHECK(harness.sleeper.delays().empty());
  CHECK(harness.deliverer->CurrentConfig()->sequence() == 1);
  REQUIRE(harness.deliverer->endpoints().size() == 1);
  CHECK(harness.deliverer->endpoints()[0].address == "o3:7050");
}
