// Kafka chains ordering through librdkafka's mock cluster, run in its own process
// (weft-kafka-mock); each FakeConsenterSupport plays one orderer node.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "common/log/logger_factory.h"
#include "orderer/consensus/kafka/kafka_consenter.h"
#include "orderer/kafka.pb.h"
#include "tests/support/fake_consenter_support.h"
#include "tests/support/mock_kafka_process.h"
#include "tests/support/wait_until.h"
#include "tests/support/worker_thread.h"

namespace {

using namespace std::chrono_literals;
using weft::common::channelconfig::ChannelConfig;
using weft::orderer::consensus::Chain;
using weft::orderer::consensus::kafka::KafkaConsenter;
using weft::orderer::consensus::kafka::KafkaConsenterOptions;
using weft::testing::ConfigModel;
using weft::testing::FailureLog;
using weft::testing::FakeConsenterSupport;
using weft::testing::MockKafkaProcess;
using weft::testing::TestEnvelope;
using weft::testing::WorkerThread;
using weft::testing::WrittenBlock;

constexpr char kChannel[] = "mychannel";
constexpr auto kWait = 30s;

weft::common::channelconfig::ChannelSpec KafkaSpec(const std::string& brokers,
                                                   uint32_t max_message_count,
                                                   const std::string& batch_timeout,
                                                   uint32_t absolute_max_bytes = 1 << 20) {
  weft::common::channelconfig::ChannelSpec spec;
  weft::common::channelconfig::OrdererSpec orderer;
  orderer.orderer_type = brokers.empty() ? "solo" : "kafka";
  if (!brokers.empty()) orderer.kafka_brokers = {brokers};
  orderer.batch_timeout = batch_timeout;
  orderer.batch_size = {max_message_count, absolute_max_bytes, 1 << 19};
  // Re-submission of stale messages (Fabric's Resubmission capability) is on.
  orderer.capabilities = {"V2_0"};
  spec.orderer = orderer;
  return spec;
}

std::shared_ptr<const ChannelConfig> KafkaChannel(const std::string& brokers,
                                                  uint32_t max_message_count,
                                                  const std::string& batch_timeout,
                                                  uint32_t absolute_max_bytes = 1 << 20) {
  const auto spec = KafkaSpec(brokers, max_message_count, batch_timeout, absolute_max_bytes);
  auto config = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(config.ok());
  auto bundle = ChannelConfig::FromConfig(kChannel, *config);
  INFO(std::string(bundle.status().message()));
  REQUIRE(bundle.ok());
  return *bundle;
}

// One orderer process's worth of Kafka consenter.
struct Node {
  Node(std::shared_ptr<const ChannelConfig> config, std::vector<WrittenBlock> ledger = {},
       std::chrono::milliseconds delivery_timeout = 10s)
      : support(std::move(config), std::move(ledger)),
        consenter(Options(delivery_timeout), logs.Get("orderer.consensus.kafka")) {}
  // With modelled config updates (FakeConsenterSupport's ConfigModel).
  Node(ConfigModel model, std::vector<WrittenBlock> ledger = {},
       std::chrono::milliseconds hold_timeout = 30s)
      : support(std::move(model), std::move(ledger)),
        consenter(Options(10s, hold_timeout), logs.Get("orderer.consensus.kafka")) {}

  static KafkaConsenterOptions Options(std::chrono::milliseconds delivery_timeout,
                                       std::chrono::milliseconds hold_timeout = 30s) {
    KafkaConsenterOptions options;
    options.settings.retry.short_interval = 200ms;
    options.delivery_timeout = delivery_timeout;
    options.hold_timeout = hold_timeout;
    return options;
  }

  // Starts the chain and waits until it can order.
  void Start() {
    auto made = consenter.HandleChain(support);
    REQUIRE(made.ok());
    chain = std::move(*made);
    chain->Start();
    REQUIRE(weft::testing::WaitUntil([&] { return chain->WaitReady().ok(); }, kWait));
  }

  // Orders every payload; the first refusal, naming its payload. Runs on worker
  // threads too, so it asserts nothing itself.
  [[nodiscard]] absl::Status OrderAll(const std::vector<std::string>& payloads) {
    for (const auto& payload : payloads) {
      if (auto ordered = chain->Order(TestEnvelope(payload), 0); !ordered.ok()) {
        return weft::Annotate(ordered, "ordering " + payload);
      }
    }
    return absl::OkStatus();
  }

  weft::common::log::LoggerFactory logs;
  FakeConsenterSupport support;
  KafkaConsenter consenter;
  std::unique_ptr<Chain> chain;
};

std::vector<std::string> Payloads(const std::string& prefix, int count) {
  std::vector<std::string> payloads;
  for (int i = 0; i < count; ++i) payloads.push_back(prefix + std::to_string(i));
  return payloads;
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool HasDuplicates(std::vector<std::string> payloads) {
  std::sort(payloads.begin(), payloads.end());
  return std::adjacent_find(payloads.begin(), payloads.end()) != payloads.end();
}

int64_t LastOffsetPersisted(const WrittenBlock& block) {
  ::orderer::KafkaMetadata metadata;
  REQUIRE(metadata.ParseFromString(block.consenter_metadata));
  return metadata.last_offset_persisted();
}

}  // namespace

TEST_CASE(
    "Two Kafka nodes fed different envelopes write the same blocks with the same consenter "
    "metadata") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  auto config = KafkaChannel(kafka.bootstrap_servers(), 4, "500ms");
  Node a(config);
  Node b(config);
  a.Start();
  b.Start();

  const auto from_a = Payloads("a", 10);
  const auto from_b = Payloads("b", 10);
  WorkerThread feed_b([&](FailureLog& failures) { failures.ExpectOk(b.OrderAll(from_b), "b"); });
  CHECK(a.OrderAll(from_a) == absl::OkStatus());
  REQUIRE(feed_b.Join() == weft::testing::kNoFailures);

  const auto all = Concat(from_a, from_b);
  REQUIRE(a.support.WaitForEnvelopes(all, kWait));
  REQUIRE(b.support.WaitForEnvelopes(all, kWait));
  const auto blocks = a.support.Blocks();
  CHECK(blocks == b.support.Blocks());
  CHECK(a.support.Envelopes().size() == all.size());
  CHECK_FALSE(HasDuplicates(a.support.Envelopes()));
  // Offsets only grow from block to block.
  for (size_t i = 1; i < blocks.size(); ++i) {
    CHECK(LastOffsetPersisted(blocks[i - 1]) < LastOffsetPersisted(blocks[i]));
  }
}

TEST_CASE(
    "A Kafka node restarted from its last consenter metadata resumes with no gap and no "
    "duplicate") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  // A long batch timeout keeps the fifth envelope pending when node A stops, so A
  // must read it again after the restart.
  auto config = KafkaChannel(kafka.bootstrap_servers(), 2, "60s");
  auto a = std::make_unique<Node>(config);
  Node b(config);
  a->Start();
  b.Start();

  const auto first = Payloads("first", 5);
  REQUIRE(a->OrderAll(first) == absl::OkStatus());
  const std::vector<std::string> cut(first.begin(), first.begin() + 4);
  REQUIRE(a->support.WaitForEnvelopes(cut, kWait));
  REQUIRE(b.support.WaitForEnvelopes(cut, kWait));
  std::vector<WrittenBlock> kept = a->support.Blocks();
  REQUIRE(kept.size() == 2);
  a.reset();  // node A goes away with "first4" pending

  const auto second = Payloads("second", 5);
  REQUIRE(b.OrderAll(second) == absl::OkStatus());
  const auto all = Concat(first, second);
  REQUIRE(b.support.WaitForEnvelopes(all, kWait));

  Node restarted(config, kept);
  restarted.Start();
  REQUIRE(restarted.support.WaitForEnvelopes(all, kWait));
  CHECK(restarted.support.Blocks() == b.support.Blocks());
  CHECK(restarted.support.Envelopes().size() == all.size());
  CHECK_FALSE(HasDuplicates(restarted.support.Envelopes()));
}

TEST_CASE(
    "A batch timeout makes both Kafka nodes cut the same single block through a time-to-cut "
    "message",
    "[slow]") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  const auto batch_timeout = 1500ms;
  auto config = KafkaChannel(kafka.bootstrap_servers(), 100, "1500ms");
  Node a(config);
  Node b(config);
  a.Start();
  b.Start();

  const auto started = std::chrono::steady_clock::now();
  REQUIRE(a.OrderAll({"a0", "a1"}) == absl::OkStatus());
  REQUIRE(b.OrderAll({"b0"}) == absl::OkStatus());
  const std::vector<std::string> all{"a0", "a1", "b0"};
  REQUIRE(a.support.WaitForEnvelopes(all, kWait));
  REQUIRE(b.support.WaitForEnvelopes(all, kWait));
  CHECK(std::chrono::steady_clock::now() - started >= batch_timeout);

  // Both nodes asked for the cut; the later request is stale and cuts nothing more.
  std::this_thread::sleep_for(2 * batch_timeout);
  const auto blocks = a.support.Blocks();
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].envelopes == all);
  CHECK(blocks == b.support.Blocks());

  // The timer re-arms for the next batch.
  REQUIRE(a.OrderAll({"a2"}) == absl::OkStatus());
  REQUIRE(b.support.WaitForEnvelopes({"a2"}, kWait));
  REQUIRE(a.support.WaitForEnvelopes({"a2"}, kWait));
  CHECK(b.support.Blocks().size() == 2);
  CHECK(a.support.Blocks() == b.support.Blocks());
}

TEST_CASE(
    "A config message on Kafka cuts the pending envelopes first and gets a block of its own on "
    "every node") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  auto config = KafkaChannel(kafka.bootstrap_servers(), 10, "60s");
  Node a(config);
  Node b(config);
  a.Start();
  b.Start();

  REQUIRE(a.OrderAll({"a0", "a1"}) == absl::OkStatus());
  REQUIRE(b.chain->Configure(TestEnvelope("config1"), 0).ok());
  REQUIRE(a.OrderAll({"a2"}) == absl::OkStatus());
  REQUIRE(a.support.WaitForEnvelopes({"config1"}, kWait));
  REQUIRE(b.support.WaitForEnvelopes({"config1"}, kWait));

  const auto blocks = a.support.Blocks();
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].envelopes == std::vector<std::string>{"a0", "a1"});
  CHECK_FALSE(blocks[0].config);
  CHECK(blocks[1].envelopes == std::vector<std::string>{"config1"});
  CHECK(blocks[1].config);
  // The normal block ends just before the config message.
  CHECK(LastOffsetPersisted(blocks[0]) + 1 == LastOffsetPersisted(blocks[1]));
  CHECK(blocks == b.support.Blocks());
}

TEST_CASE(
    "With the partition leader down Order fails with Unavailable, and every acknowledged envelope "
    "is ordered exactly once after it is back",
    "[slow]") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  REQUIRE(kafka.Command("leader mychannel 1") == "ok");
  auto config = KafkaChannel(kafka.bootstrap_servers(), 3, "300ms");
  Node a(config, {}, 2s);
  Node b(config, {}, 2s);
  a.Start();
  b.Start();
  REQUIRE(a.OrderAll({"before0", "before1"}) == absl::OkStatus());
  CHECK(a.consenter.Connectivity().ok());

  REQUIRE(kafka.Command("down 1") == "ok");
  auto refused = a.chain->Order(TestEnvelope("refused"), 0);
  CHECK(refused.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(refused.message()),
             Catch::Contains("kafka cluster for channel mychannel"));
  CHECK(a.chain->WaitReady().code() == absl::StatusCode::kUnavailable);
  CHECK(a.consenter.Connectivity().code() == absl::StatusCode::kUnavailable);

  // Clients keep submitting to node B through the outage and after it.
  std::atomic<int> accepted{0};
  std::vector<std::string> acknowledged{"before0", "before1"};
  // Asserts nothing: the test thread checks `accepted` and `acknowledged` after joining.
  WorkerThread clients([&](FailureLog&, std::stop_token stop) {
    for (int i = 0; !stop.stop_requested(); ++i) {
      const std::string payload = "during" + std::to_string(i);
      if (b.chain->Order(TestEnvelope(payload), 0).ok()) {
        acknowledged.push_back(payload);
        ++accepted;
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(3s);
  const int accepted_while_down = accepted;
  REQUIRE(kafka.Command("up 1") == "ok");

  // Both nodes recover by themselves, and B's clients get through again.
  const bool recovered = weft::testing::WaitUntil(
      [&] { return a.chain->WaitReady().ok() && accepted > accepted_while_down; }, kWait);
  clients.RequestStop();
  REQUIRE(clients.Join() == weft::testing::kNoFailures);
  REQUIRE(recovered);
  REQUIRE(a.OrderAll({"after"}) == absl::OkStatus());
  acknowledged.push_back("after");
  CHECK(a.consenter.Connectivity().ok());

  REQUIRE(a.support.WaitForEnvelopes(acknowledged, kWait));
  REQUIRE(b.support.WaitForEnvelopes(acknowledged, kWait));
  // "after" was the last envelope posted; once both hold it they hold the same blocks.
  CHECK(a.support.Blocks() == b.support.Blocks());
  CHECK_FALSE(HasDuplicates(a.support.Envelopes()));
}

TEST_CASE(
    "A Kafka chain whose brokers cannot be reached refuses Order and reports the channel as "
    "unreachable",
    "[slow]") {
  // Nothing listens on port 1 of the loopback interface.
  auto config = KafkaChannel("127.0.0.1:1", 10, "1s");
  Node node(config);
  CHECK(node.consenter.Connectivity().ok());  // no chain yet
  auto made = node.consenter.HandleChain(node.support);
  REQUIRE(made.ok());
  node.chain = std::move(*made);
  node.chain->Start();

  auto refused = node.chain->Order(TestEnvelope("a0"), 0);
  CHECK(refused.code() == absl::StatusCode::kUnavailable);
  CHECK(node.chain->WaitReady().code() == absl::StatusCode::kUnavailable);
  auto health = node.consenter.Connectivity();
  CHECK(health.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(health.message()), Catch::Contains("channel mychannel"));

  node.chain->Halt();
  CHECK(node.consenter.Connectivity().ok());  // a halted chain is no longer reported
  CHECK(node.chain->Order(TestEnvelope("a1"), 0).code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("The Kafka consenter refuses a channel whose config names no Kafka brokers") {
  auto config = KafkaChannel("", 10, "1s");
  Node node(config);
  auto chain = node.consenter.HandleChain(node.support);
  REQUIRE_FALSE(chain.ok());
  CHECK(chain.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(chain.status().message()) ==
        "channel mychannel: the channel config names no Kafka brokers");
}

TEST_CASE(
    "A Kafka chain's Errored token is requested while it starts, while its partition cannot be "
    "written and once halted, and is fresh again after recovery",
    "[slow]") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  REQUIRE(kafka.Command("leader mychannel 1") == "ok");
  auto config = KafkaChannel(kafka.bootstrap_servers(), 3, "300ms");
  Node a(config, {}, 2s);
  auto made = a.consenter.HandleChain(a.support);
  REQUIRE(made.ok());
  a.chain = std::move(*made);
  // Fabric's chainImpl.Errored: a closed channel until the start phase completes.
  CHECK(a.chain->Errored().stop_requested());
  a.chain->Start();
  REQUIRE(weft::testing::WaitUntil([&] { return a.chain->WaitReady().ok(); }, kWait));
  const std::stop_token healthy = a.chain->Errored();
  CHECK_FALSE(healthy.stop_requested());

  REQUIRE(kafka.Command("down 1") == "ok");
  CHECK(a.chain->Order(TestEnvelope("refused"), 0).code() == absl::StatusCode::kUnavailable);
  CHECK(healthy.stop_requested());  // a token taken while healthy learns of the failure
  CHECK(a.chain->Errored().stop_requested());

  REQUIRE(kafka.Command("up 1") == "ok");
  REQUIRE(weft::testing::WaitUntil([&] { return !a.chain->Errored().stop_requested(); }, kWait));
  const std::stop_token recovered = a.chain->Errored();
  REQUIRE(a.OrderAll({"after"}) == absl::OkStatus());
  CHECK_FALSE(recovered.stop_requested());
  CHECK(healthy.stop_requested());  // a requested token stays requested

  a.chain->Halt();
  CHECK(recovered.stop_requested());
  CHECK(a.chain->Errored().stop_requested());
}

TEST_CASE("A Kafka chain orders an envelope of several megabytes when AbsoluteMaxBytes allows it") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  auto config = KafkaChannel(kafka.bootstrap_servers(), 10, "60s", 4 << 20);
  Node a(config);
  Node b(config);
  a.Start();
  b.Start();
  // Three times librdkafka's default message.max.bytes (1000000); larger than
  // PreferredMaxBytes, so it gets a block of its own.
  const std::string big(3 << 20, 'x');
  REQUIRE(a.OrderAll({big}) == absl::OkStatus());
  REQUIRE(a.support.WaitForEnvelopes({big}, kWait));
  REQUIRE(b.support.WaitForEnvelopes({big}, kWait));
  CHECK(a.support.Blocks() == b.support.Blocks());
  CHECK(a.support.Blocks().size() == 1);
}

TEST_CASE(
    "A message the Kafka broker refuses fails only its own Order, naming its size, and the chain "
    "goes on") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  auto config = KafkaChannel(kafka.bootstrap_servers(), 2, "60s");
  Node a(config);
  a.Start();
  REQUIRE(a.OrderAll({"before"}) == absl::OkStatus());

  // Kafka error 10, MSG_SIZE_TOO_LARGE: what a broker whose message.max.bytes is below
  // the envelope answers.
  REQUIRE(kafka.Command("produce-error 10") == "ok");
  const auto refused = a.chain->Order(TestEnvelope("refused"), 0);
  CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("kafka refused the") &&
                                                 Catch::Contains("-byte message carrying a") &&
                                                 Catch::Contains("Broker: Message size too large"));
  // Not a connectivity problem: the chain, /healthz and Deliver are unaffected.
  CHECK(a.chain->WaitReady().ok());
  CHECK(a.consenter.Connectivity().ok());
  CHECK_FALSE(a.chain->Errored().stop_requested());

  REQUIRE(a.OrderAll({"after"}) == absl::OkStatus());
  const auto blocks = a.support.WaitForBlocks(1, kWait);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].envelopes == std::vector<std::string>{"before", "after"});
}

TEST_CASE(
    "Two Kafka nodes given different config updates at the same moment apply each exactly once "
    "and write the same blocks") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  const auto spec = KafkaSpec(kafka.bootstrap_servers(), 4, "300ms");
  Node a(ConfigModel{kChannel, spec, "a"});
  Node b(ConfigModel{kChannel, spec, "b"});
  a.Start();
  b.Start();

  std::vector<std::string> all;
  constexpr int kRounds = 3;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    const uint64_t sequence = a.support.ChannelConfig()->sequence();
    REQUIRE(sequence == static_cast<uint64_t>(2 * round));
    // Both computed against the same config; they change different values.
    const auto count_update =
        a.support.ConfigUpdate("MaxMessageCount", std::to_string(2 + round), "client1");
    const auto timeout_update =
        b.support.ConfigUpdate("BatchTimeout", std::to_string(300 + 100 * round) + "ms", "client2");
    const auto prefix = "r" + std::to_string(round);
    const auto from_a_before = Payloads(prefix + "a-before", 3);
    const auto from_a_after = Payloads(prefix + "a-after", 3);
    const auto from_b = Payloads(prefix + "b", 5);
    WorkerThread feed_b([&](FailureLog& failures) {
      failures.ExpectOk(b.chain->Configure(timeout_update, sequence), "configure b");
      failures.ExpectOk(b.OrderAll(from_b), "b");
    });
    CHECK(a.OrderAll(from_a_before) == absl::OkStatus());
    CHECK(a.chain->Configure(count_update, sequence) == absl::OkStatus());
    CHECK(a.OrderAll(from_a_after) == absl::OkStatus());
    REQUIRE(feed_b.Join() == weft::testing::kNoFailures);

    all = Concat(Concat(Concat(all, from_a_before), from_a_after), from_b);
    for (Node* node : {&a, &b}) {
      REQUIRE(node->support.WaitForEnvelopes(all, kWait));
      REQUIRE(weft::testing::WaitUntil(
          [&] {
            return node->support.ConfigVersion("MaxMessageCount") ==
                       static_cast<uint64_t>(round + 1) &&
                   node->support.ConfigVersion("BatchTimeout") == static_cast<uint64_t>(round + 1);
          },
          kWait));
    }
  }
  // Let the last envelopes be cut on both nodes, then compare whole ledgers.
  REQUIRE(
      weft::testing::WaitUntil([&] { return a.support.Blocks() == b.support.Blocks(); }, kWait));
  const auto blocks = a.support.Blocks();
  CHECK_FALSE(HasDuplicates(a.support.Envelopes()));
  int config_blocks = 0;
  for (const auto& block : blocks) config_blocks += block.config ? 1 : 0;
  CHECK(config_blocks == 2 * kRounds);
  CHECK(a.support.ConfigValue("MaxMessageCount") == std::to_string(2 + kRounds - 1));
  CHECK(b.support.ConfigValue("BatchTimeout") == std::to_string(300 + 100 * (kRounds - 1)) + "ms");
  CHECK(a.support.Envelopes().size() == all.size() + 2 * kRounds);
}

TEST_CASE(
    "A Kafka chain restarted while a config message it re-submitted was in flight holds new "
    "envelopes, until its hold timeout or a halt",
    "[slow]") {
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  const auto spec = KafkaSpec(kafka.bootstrap_servers(), 10, "1s");
  // The newest block says: the config message read at offset 5 was re-submitted, and
  // no copy of it has been committed (last_original_offset_processed 0).
  ::orderer::KafkaMetadata metadata;
  metadata.set_last_offset_persisted(-1);  // resumes at the partition's first offset
  metadata.set_last_resubmitted_config_offset(5);
  const std::vector<WrittenBlock> ledger{WrittenBlock{{"x"}, metadata.SerializeAsString(), false}};

  Node node(ConfigModel{kChannel, spec, "a"}, ledger, 500ms);
  auto made = node.consenter.HandleChain(node.support);
  REQUIRE(made.ok());
  node.chain = std::move(*made);
  node.chain->Start();
  REQUIRE(weft::testing::WaitUntil([&] { return node.consenter.Connectivity().ok(); }, kWait));
  const auto held = node.chain->Order(TestEnvelope("held"), 0);
  CHECK(held.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(held.message()),
             Catch::Contains("holds new envelopes until the config message re-submitted from "
                             "offset 5 is ordered"));
  CHECK(node.chain->WaitReady().code() == absl::StatusCode::kUnavailable);

  Node waiting(ConfigModel{kChannel, spec, "b"}, ledger, 10min);
  made = waiting.consenter.HandleChain(waiting.support);
  REQUIRE(made.ok());
  waiting.chain = std::move(*made);
  waiting.chain->Start();
  absl::Status waited;
  WorkerThread client([&](FailureLog&) { waited = waiting.chain->Order(TestEnvelope("w"), 0); });
  waiting.chain->Halt();  // ends the wait long before the ten minutes
  REQUIRE(client.Join() == weft::testing::kNoFailures);
  CHECK(waited.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(waited.message()), Catch::Contains("is halted"));
  CHECK(node.support.Blocks() == ledger);
}

TEST_CASE(
    "A Kafka chain whose resume offset is beyond the partition's end reports Errored although its "
    "partition takes writes") {
  // Fabric's processMessagesToBlocks closes errorChan at once on ErrOffsetOutOfRange:
  // the blocks the node holds do not match the partition, so it must not serve Deliver.
  MockKafkaProcess kafka(WEFT_KAFKA_MOCK, {kChannel});
  auto config = KafkaChannel(kafka.bootstrap_servers(), 10, "1s");
  ::orderer::KafkaMetadata metadata;
  metadata.set_last_offset_persisted(1000);
  Node node(config, {WrittenBlock{{"x"}, metadata.SerializeAsString(), false}});
  auto made = node.consenter.HandleChain(node.support);
  REQUIRE(made.ok());
  node.chain = std::move(*made);
  node.chain->Start();
  REQUIRE(weft::testing::WaitUntil([&] { return node.consenter.Connectivity().ok(); }, kWait));
  CHECK(weft::testing::WaitUntil([&] { return node.chain->Errored().stop_requested(); }, kWait));
  CHECK(node.support.Blocks().size() == 1);
}
