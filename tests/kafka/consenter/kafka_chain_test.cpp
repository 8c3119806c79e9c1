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
using weft::testing::FailureLog;
using weft::testing::FakeConsenterSupport;
using weft::testing::MockKafkaProcess;
using weft::testing::TestEnvelope;
using weft::testing::WorkerThread;
using weft::testing::WrittenBlock;

constexpr char kChannel[] = "mychannel";
constexpr auto kWait = 30s;

std::shared_ptr<const ChannelConfig> KafkaChannel(const std::string& brokers,
                                                  uint32_t max_message_count,
                                                  const std::string& batch_timeout) {
  weft::common::channelconfig::ChannelSpec spec;
  weft::common::channelconfig::OrdererSpec orderer;
  orderer.orderer_type = brokers.empty() ? "solo" : "kafka";
  if (!brokers.empty()) orderer.kafka_brokers = {brokers};
  orderer.batch_timeout = batch_timeout;
  orderer.batch_size = {max_message_count, 1 << 20, 1 << 19};
  // Re-submission of stale messages (Fabric's Resubmission capability) is on.
  orderer.capabilities = {"V2_0"};
  spec.orderer = orderer;
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

  static KafkaConsenterOptions Options(std::chrono::milliseconds delivery_timeout) {
    KafkaConsenterOptions options;
    options.settings.retry.short_interval = 200ms;
    options.delivery_timeout = delivery_timeout;
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
