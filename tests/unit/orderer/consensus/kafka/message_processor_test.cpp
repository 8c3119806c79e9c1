// The Kafka chain's deterministic half against an in-memory partition: every node reads
// the same messages, re-submitted copies are appended to the partition as Kafka would,
// and the nodes must write the same blocks and consenter metadata. Expected values follow
// Fabric release-2.2 orderer/consensus/kafka/chain.go (processRegular, processTimeToCut,
// newChain); the fake re-validates config updates as configtx does (a stale update of a
// value that changed since is refused; a valid one is re-signed by the node).
#include "orderer/consensus/kafka/impl/message_processor.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/log/logger_factory.h"
#include "orderer/kafka.pb.h"
#include "tests/support/fake_consenter_support.h"

namespace {

using namespace std::chrono_literals;
using ::orderer::KafkaMessage;
using ::orderer::KafkaMessageRegular;
using ::orderer::KafkaMetadata;
using weft::orderer::consensus::kafka::impl::ChainHooks;
using weft::orderer::consensus::kafka::impl::HoldsIngressAt;
using weft::orderer::consensus::kafka::impl::MessageProcessor;
using weft::orderer::consensus::kafka::impl::ParseKafkaMetadata;
using weft::testing::ConfigModel;
using weft::testing::FakeConsenterSupport;
using weft::testing::TestEnvelope;
using weft::testing::WrittenBlock;
using Payloads = std::vector<std::string>;

constexpr char kChannel[] = "mychannel";
const MessageProcessor::TimePoint kStart{};

ConfigModel Model(const std::string& node, uint32_t max_message_count,
                  uint32_t preferred_max_bytes = 1 << 19,
                  std::vector<std::string> capabilities = {"V2_0"}) {
  weft::common::channelconfig::OrdererSpec orderer;
  orderer.orderer_type = "kafka";
  orderer.kafka_brokers = {"127.0.0.1:9092"};
  orderer.batch_timeout = "2s";
  orderer.batch_size = {max_message_count, 1 << 20, preferred_max_bytes};
  orderer.capabilities = std::move(capabilities);
  weft::common::channelconfig::ChannelSpec spec;
  spec.orderer = orderer;
  return ConfigModel{kChannel, spec, node};
}

KafkaMessage Regular(const ::common::Envelope& envelope, uint64_t config_seq,
                     KafkaMessageRegular::Class message_class = KafkaMessageRegular::NORMAL,
                     int64_t original_offset = 0) {
  KafkaMessage message;
  auto* regular = message.mutable_regular();
  regular->set_payload(envelope.SerializeAsString());
  regular->set_config_seq(config_seq);
  regular->set_class_(message_class);
  regular->set_original_offset(original_offset);
  return message;
}

KafkaMessage Normal(const std::string& payload, uint64_t config_seq = 0) {
  return Regular(TestEnvelope(payload), config_seq);
}

KafkaMessage Config(const ::common::Envelope& envelope, uint64_t config_seq) {
  return Regular(envelope, config_seq, KafkaMessageRegular::CONFIG);
}

KafkaMessage TimeToCut(uint64_t block_number) {
  KafkaMessage message;
  message.mutable_time_to_cut()->set_block_number(block_number);
  return message;
}

KafkaMessage Connect() {
  KafkaMessage message;
  message.mutable_connect();
  return message;
}

KafkaMetadata Metadata(const WrittenBlock& block) {
  KafkaMetadata metadata;
  REQUIRE(metadata.ParseFromString(block.consenter_metadata));
  return metadata;
}

// (last_offset_persisted, last_original_offset_processed, last_resubmitted_config_offset)
std::tuple<int64_t, int64_t, int64_t> Offsets(const WrittenBlock& block) {
  const KafkaMetadata metadata = Metadata(block);
  return {metadata.last_offset_persisted(), metadata.last_original_offset_processed(),
          metadata.last_resubmitted_config_offset()};
}

// Kafka's partition 0, shared by the nodes; offset 0 holds the CONNECT every chain
// posts before it accepts envelopes, so no regular message sits at offset 0.
struct Partition {
  std::vector<KafkaMessage> messages{Connect()};
  int64_t Append(KafkaMessage message) {
    messages.push_back(std::move(message));
    return static_cast<int64_t>(messages.size()) - 1;
  }
};

// One orderer node: its ledger and config (the fake), its processor, and the messages it
// re-submitted that have not reached the partition yet.
class Node final : public ChainHooks {
 public:
  Node(const std::string& name, ConfigModel model, std::vector<WrittenBlock> ledger = {})
      : support(std::move(model), std::move(ledger)),
        logger_(logs_.Get("orderer.consensus.kafka")),
        resume_(Resume(support)),
        processor(support, *logger_, *this, resume_),
        next_offset_(resume_ ? resume_->last_offset_persisted() + 1 : 0),
        holding(resume_ && HoldsIngressAt(*resume_)) {
    (void)name;
  }

  void Resubmit(const KafkaMessage& message) override { outbox.push_back(message); }
  void HoldIngress(bool hold, int64_t config_offset) override {
    holding = hold;
    hold_changes.emplace_back(hold, config_offset);
  }

  // Reads every message of `partition` it has not read yet.
  void Read(const Partition& partition, MessageProcessor::TimePoint now = kStart) {
    for (; next_offset_ < static_cast<int64_t>(partition.messages.size()); ++next_offset_) {
      auto handled = processor.Handle(next_offset_,
                                      partition.messages[static_cast<size_t>(next_offset_)], now);
      if (!handled.ok()) errors.push_back(std::string(handled.message()));
    }
  }

  // Kafka takes the node's re-submitted messages, in the order it produced them.
  void Flush(Partition& partition) {
    for (auto& message : outbox) partition.Append(std::move(message));
    outbox.clear();
  }

  std::ostringstream log_output_;
  weft::common::log::LoggerFactory logs_{log_output_};
  FakeConsenterSupport support;

 private:
  static std::optional<KafkaMetadata> Resume(const FakeConsenterSupport& support) {
    auto parsed = ParseKafkaMetadata(support.LastConsenterMetadata());
    if (!parsed.ok()) throw std::runtime_error(std::string(parsed.status().message()));
    return *parsed;
  }
  std::shared_ptr<weft::common::log::Logger> logger_;
  std::optional<KafkaMetadata> resume_;

 public:
  MessageProcessor processor;

 private:
  int64_t next_offset_;

 public:
  bool holding;
  std::vector<KafkaMessage> outbox;
  std::vector<std::pair<bool, int64_t>> hold_changes;
  std::vector<std::string> errors;
};

bool HasDuplicates(Payloads payloads) {
  std::sort(payloads.begin(), payloads.end());
  return std::adjacent_find(payloads.begin(), payloads.end()) != payloads.end();
}

// Payloads of normal envelopes over all blocks, in ledger order.
Payloads NormalEnvelopes(const std::vector<WrittenBlock>& blocks) {
  Payloads all;
  for (const auto& block : blocks) {
    if (!block.config) all.insert(all.end(), block.envelopes.begin(), block.envelopes.end());
  }
  return all;
}

Payloads ConfigEnvelopes(const std::vector<WrittenBlock>& blocks) {
  Payloads all;
  for (const auto& block : blocks) {
    if (block.config) all.push_back(block.envelopes.at(0));
  }
  return all;
}

// A node restarted from each block of `reference`'s ledger re-reads the partition from
// that block's last_offset_persisted + 1 and must end with the same ledger and state.
void CheckResumesFromEveryBlock(const std::string& name, const ConfigModel& model,
                                const Node& reference, const Partition& partition) {
  const auto blocks = reference.support.Blocks();
  for (size_t kept = 1; kept <= blocks.size(); ++kept) {
    INFO(name << " restarted after block " << kept);
    Node restarted(name, model, std::vector<WrittenBlock>(blocks.begin(), blocks.begin() + kept));
    restarted.Read(partition);
    CHECK(restarted.errors.empty());
    CHECK(restarted.support.Blocks() == blocks);
    CHECK(restarted.holding == reference.holding);
    CHECK(restarted.processor.last_original_offset_processed() ==
          reference.processor.last_original_offset_processed());
    CHECK(restarted.processor.last_resubmitted_config_offset() ==
          reference.processor.last_resubmitted_config_offset());
  }
}

}  // namespace

TEST_CASE("Kafka blocks cut by size record the offset of their last message") {
  // PreferredMaxBytes 100: a 200-byte envelope goes alone, and two 60-byte ones do not
  // fit together (Fabric's blockcutter.Ordered).
  Partition partition;
  Node node("a", Model("a", 3, 100));
  const std::string big(200, 'x');
  const std::string f = "f" + std::string(59, '.');
  const std::string g = "g" + std::string(59, '.');
  partition.Append(Normal("a"));  // 1
  partition.Append(Normal("b"));  // 2
  partition.Append(Normal(big));  // 3: cuts [a b] up to 2, then [big] up to 3
  partition.Append(Normal("c"));  // 4
  partition.Append(Normal("d"));  // 5
  partition.Append(Normal("e"));  // 6: the count completes [c d e] up to 6
  partition.Append(Normal(f));    // 7
  partition.Append(Normal(g));    // 8: overflows, cuts [f] up to 7, g stays pending
  node.Read(partition);
  REQUIRE(node.errors.empty());

  const auto blocks = node.support.Blocks();
  REQUIRE(blocks.size() == 4);
  CHECK(blocks[0].envelopes == Payloads{"a", "b"});
  CHECK(blocks[1].envelopes == Payloads{big});
  CHECK(blocks[2].envelopes == Payloads{"c", "d", "e"});
  CHECK(blocks[3].envelopes == Payloads{f});
  CHECK(Offsets(blocks[0]) == std::tuple<int64_t, int64_t, int64_t>{2, 0, 0});
  CHECK(Offsets(blocks[1]) == std::tuple<int64_t, int64_t, int64_t>{3, 0, 0});
  CHECK(Offsets(blocks[2]) == std::tuple<int64_t, int64_t, int64_t>{6, 0, 0});
  CHECK(Offsets(blocks[3]) == std::tuple<int64_t, int64_t, int64_t>{7, 0, 0});
  CheckResumesFromEveryBlock("a", Model("a", 3, 100), node, partition);
}

TEST_CASE("A Kafka time-to-cut message cuts only the block it names") {
  Partition partition;
  Node node("a", Model("a", 10));
  partition.Append(Normal("a"));  // 1
  node.Read(partition, kStart);
  // The batch timer (2s) only decides when to ask for a cut.
  CHECK_FALSE(node.processor.TimeToCutDue(kStart + 1999ms).has_value());
  const auto due = node.processor.TimeToCutDue(kStart + 2s);
  REQUIRE(due.has_value());
  CHECK(*due == 1);  // the next block after the genesis block
  CHECK(node.support.Blocks().empty());

  partition.Append(TimeToCut(2));  // 2: a block that is not next: ignored
  partition.Append(Normal("b"));   // 3
  partition.Append(TimeToCut(1));  // 4: cuts [a b] up to 4
  partition.Append(TimeToCut(1));  // 5: the other node's request, now stale
  partition.Append(Normal("c"));   // 6
  node.Read(partition, kStart + 2s);
  REQUIRE(node.errors.empty());
  const auto blocks = node.support.Blocks();
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].envelopes == Payloads{"a", "b"});
  CHECK(Offsets(blocks[0]) == std::tuple<int64_t, int64_t, int64_t>{4, 0, 0});
  // "c" is pending under a fresh timer.
  CHECK_FALSE(node.processor.TimeToCutDue(kStart + 3s).has_value());
  CHECK(node.processor.TimeToCutDue(kStart + 4s) == std::optional<uint64_t>(2));
}

TEST_CASE(
    "A Kafka normal message validated under an older config is re-submitted with its offset and "
    "committed once, from the first copy read") {
  Partition partition;
  const auto model_a = Model("a", 2);
  const auto model_b = Model("b", 2);
  Node a("a", model_a);
  Node b("b", model_b);
  const auto update = a.support.ConfigUpdate("MaxMessageCount", "3");
  const int64_t config_offset = partition.Append(Config(update, 0));  // 1
  const int64_t stale = partition.Append(Normal("stale", 0));         // 2
  partition.Append(Normal("bad-stale", 0));                           // 3: now invalid
  partition.Append(Normal("fresh", 1));                               // 4
  a.Read(partition);
  b.Read(partition);

  // The config block holds the envelope as read from the partition.
  auto blocks = a.support.Blocks();
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].config);
  CHECK(blocks[0].envelopes == Payloads{update.payload()});
  CHECK(Offsets(blocks[0]) == std::tuple<int64_t, int64_t, int64_t>{config_offset, 0, 0});
  // Each node re-submits the still valid stale envelope, same bytes, at sequence 1.
  for (Node* node : {&a, &b}) {
    REQUIRE(node->outbox.size() == 1);
    const auto& regular = node->outbox[0].regular();
    CHECK(regular.payload() == TestEnvelope("stale").SerializeAsString());
    CHECK(regular.config_seq() == 1);
    CHECK(regular.class_() == KafkaMessageRegular::NORMAL);
    CHECK(regular.original_offset() == stale);
  }
  b.Flush(partition);                   // 5: B's copy first
  a.Flush(partition);                   // 6: A's copy, dropped
  partition.Append(Normal("last", 1));  // 7: completes [fresh stale last]
  a.Read(partition);
  b.Read(partition);
  REQUIRE(a.errors.empty());
  REQUIRE(b.errors.empty());

  blocks = a.support.Blocks();
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[1].envelopes == Payloads{"fresh", "stale", "last"});
  CHECK(Offsets(blocks[1]) == std::tuple<int64_t, int64_t, int64_t>{7, stale, 0});
  CHECK(b.support.Blocks() == blocks);
  CHECK(a.outbox.empty());
  CHECK_FALSE(a.holding);
  CheckResumesFromEveryBlock("a", model_a, a, partition);
}

TEST_CASE(
    "Two config updates sent to two Kafka nodes at once are each applied once, from bytes read "
    "from the partition, with new envelopes held meanwhile") {
  // Both updates were computed against sequence 0 and change different values, so the
  // second one is still valid after the first (configtx checks the versions it read).
  Partition partition;
  const auto model_a = Model("a", 10);
  const auto model_b = Model("b", 10);
  Node a("a", model_a);
  Node b("b", model_b);
  const auto count_update = a.support.ConfigUpdate("MaxMessageCount", "2", "client1");
  const auto timeout_update = b.support.ConfigUpdate("BatchTimeout", "5s", "client2");
  partition.Append(Normal("n0"));                                      // 1
  const int64_t first = partition.Append(Config(count_update, 0));     // 2
  const int64_t second = partition.Append(Config(timeout_update, 0));  // 3: stale now
  partition.Append(Normal("n1", 0));                                   // 4: stale, re-submitted
  a.Read(partition);
  b.Read(partition);

  // [n0] was cut before the first update's block.
  auto blocks = a.support.Blocks();
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].envelopes == Payloads{"n0"});
  CHECK(Offsets(blocks[0]) == std::tuple<int64_t, int64_t, int64_t>{first - 1, 0, 0});
  CHECK(blocks[1].envelopes == Payloads{count_update.payload()});
  CHECK(Offsets(blocks[1]) == std::tuple<int64_t, int64_t, int64_t>{first, 0, 0});
  // Both nodes re-validated the second update, each signing its own copy, and hold.
  for (Node* node : {&a, &b}) {
    REQUIRE(node->outbox.size() == 2);
    CHECK(node->outbox[0].regular().class_() == KafkaMessageRegular::CONFIG);
    CHECK(node->outbox[0].regular().original_offset() == second);
    CHECK(node->outbox[0].regular().config_seq() == 1);
    CHECK(node->outbox[1].regular().original_offset() == second + 1);
    CHECK(node->holding);
    CHECK(node->processor.last_resubmitted_config_offset() == second);
  }
  CHECK(a.outbox[0].regular().payload() != b.outbox[0].regular().payload());

  b.Flush(partition);  // B's copies first: B's re-signed update goes into the chain
  a.Flush(partition);
  a.Read(partition);
  b.Read(partition);
  // n1's copies landed after the second update's block: stale once more, so the first
  // copy read is re-submitted again under its own offset and the other copy is dropped.
  for (Node* node : {&a, &b}) {
    REQUIRE(node->outbox.size() == 1);
    CHECK(node->outbox[0].regular().payload() == TestEnvelope("n1").SerializeAsString());
    CHECK(node->outbox[0].regular().config_seq() == 2);
    CHECK_FALSE(node->holding);
  }
  a.Flush(partition);
  b.Flush(partition);
  partition.Append(Normal("n2", 2));  // completes [n1 n2] under MaxMessageCount 2
  a.Read(partition);
  b.Read(partition);
  REQUIRE(a.errors.empty());
  REQUIRE(b.errors.empty());

  blocks = a.support.Blocks();
  CHECK(b.support.Blocks() == blocks);
  REQUIRE(blocks.size() == 4);
  CHECK(blocks[2].config);
  CHECK_THAT(blocks[2].envelopes.at(0), Catch::Contains("key=BatchTimeout") &&
                                            Catch::Contains("by=b") && Catch::Contains("seq=2"));
  CHECK(blocks[3].envelopes == Payloads{"n1", "n2"});
  for (Node* node : {&a, &b}) {
    CHECK(node->support.ConfigVersion("MaxMessageCount") == 1);
    CHECK(node->support.ConfigVersion("BatchTimeout") == 1);
    CHECK(node->support.ConfigValue("BatchTimeout") == "5s");
    CHECK(node->support.ChannelConfig()->sequence() == 2);
    CHECK(node->hold_changes ==
          std::vector<std::pair<bool, int64_t>>{{true, second}, {false, second}});
  }
  CHECK_FALSE(HasDuplicates(NormalEnvelopes(blocks)));
  CHECK(ConfigEnvelopes(blocks).size() == 2);
  // Every block's metadata carries the re-submission offsets.
  CHECK(std::get<2>(Offsets(blocks[2])) == second);
  CHECK(std::get<1>(Offsets(blocks[2])) == second);
  CHECK(std::get<2>(Offsets(blocks[3])) == second);
  CheckResumesFromEveryBlock("a", model_a, a, partition);
  CheckResumesFromEveryBlock("b", model_b, b, partition);
}

TEST_CASE("A stale Kafka config update whose value changed since is dropped on every node") {
  Partition partition;
  Node a("a", Model("a", 10));
  Node b("b", Model("b", 10));
  const auto first = a.support.ConfigUpdate("MaxMessageCount", "2");
  const auto conflicting = a.support.ConfigUpdate("MaxMessageCount", "7");
  partition.Append(Config(first, 0));
  partition.Append(Config(conflicting, 0));
  partition.Append(Normal("n0", 1));
  a.Read(partition);
  b.Read(partition);
  for (Node* node : {&a, &b}) {
    CHECK(node->errors.empty());
    CHECK(node->outbox.empty());
    CHECK_FALSE(node->holding);
    CHECK(node->support.ConfigValue("MaxMessageCount") == "2");
    CHECK(node->support.Blocks().size() == 1);
  }
}

TEST_CASE(
    "A Kafka node holds new envelopes until the newest re-submitted config message is read at "
    "the current sequence, whoever sent it") {
  Partition partition;
  const auto model = Model("a", 10);
  Node a("a", model);
  const auto first = a.support.ConfigUpdate("MaxMessageCount", "2");
  const auto second = a.support.ConfigUpdate("BatchTimeout", "3s");
  partition.Append(Config(first, 0));
  const int64_t second_offset = partition.Append(Config(second, 0));
  a.Read(partition);
  REQUIRE(a.holding);
  REQUIRE(a.outbox.size() == 1);

  // Another node's copy of the same message (A's own was lost) releases A.
  ::common::Envelope other;
  REQUIRE(other.ParseFromString(a.outbox[0].regular().payload()));
  other.set_signature("sig-b");
  const int64_t copy =
      partition.Append(Regular(other, 1, KafkaMessageRegular::CONFIG, second_offset));
  a.outbox.clear();
  a.Read(partition);
  CHECK_FALSE(a.holding);
  CHECK(a.processor.last_original_offset_processed() == second_offset);
  const auto blocks = a.support.Blocks();
  REQUIRE(blocks.size() == 2);
  CHECK(Offsets(blocks[1]) ==
        std::tuple<int64_t, int64_t, int64_t>{copy, second_offset, second_offset});

  // A node that did not re-submit a config message follows one it sees (Fabric: "somebody
  // resubmitted message at offset X, whereas we didn't").
  KafkaMetadata before;
  before.set_last_offset_persisted(second_offset);  // it never read the original
  WrittenBlock resumed{{"x"}, before.SerializeAsString(), false};
  Node late("late", model, {WrittenBlock{{first.payload()}, {}, true}, resumed});
  CHECK_FALSE(late.holding);
  late.Read(partition);
  CHECK(late.processor.last_resubmitted_config_offset() == second_offset);
  CHECK(late.processor.last_original_offset_processed() == second_offset);
}

TEST_CASE("A Kafka chain resumed from metadata with a re-submitted config in flight holds") {
  KafkaMetadata metadata;
  metadata.set_last_offset_persisted(9);
  CHECK_FALSE(HoldsIngressAt(metadata));  // nothing re-submitted
  metadata.set_last_resubmitted_config_offset(7);
  metadata.set_last_original_offset_processed(5);
  CHECK(HoldsIngressAt(metadata));  // offset 7's copy not committed yet
  metadata.set_last_original_offset_processed(7);
  CHECK_FALSE(HoldsIngressAt(metadata));
  metadata.set_last_original_offset_processed(8);  // a later re-submitted normal message
  CHECK_FALSE(HoldsIngressAt(metadata));

  auto empty = ParseKafkaMetadata("");
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->has_value());
  CHECK(ParseKafkaMetadata("\xff\xff").status().code() == absl::StatusCode::kDataLoss);
}

TEST_CASE(
    "Without a re-submission capability a Kafka node validates in place and commits the "
    "envelope as read") {
  // Fabric's compatibility mode (orderer capability below V1_1): no re-ordering.
  Partition partition;
  Node node("a", Model("a", 2, 1 << 19, {}));
  ::common::Payload payload;
  ::common::ChannelHeader header;
  header.set_type(::common::ENDORSER_TRANSACTION);
  header.set_channel_id(kChannel);
  payload.mutable_header()->set_channel_header(header.SerializeAsString());
  ::common::Envelope envelope;
  envelope.set_payload(payload.SerializeAsString());
  partition.Append(Regular(envelope, 0));
  partition.Append(Regular(envelope, 0, KafkaMessageRegular::UNKNOWN));
  partition.Append(Normal("no header"));  // unreadable channel header: skipped
  node.Read(partition);
  CHECK(node.errors.empty());
  CHECK(node.outbox.empty());
  const auto blocks = node.support.Blocks();
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].envelopes == Payloads{envelope.payload(), envelope.payload()});
}

TEST_CASE(
    "A re-submitted Kafka copy left pending by a size cut still counts as processed, so its other "
    "copy is dropped") {
  // Fabric's commitNormalMsg leaves last_original_offset_processed behind when a batch is
  // cut before the envelope and the envelope stays pending; the other copy would then
  // be committed a second time.
  Partition partition;
  const auto model = Model("a", 10, 100);
  Node a("a", model);
  Node b("b", Model("b", 10, 100));
  const std::string p = "p" + std::string(59, '.');
  const std::string g = "g" + std::string(59, '.');
  partition.Append(Config(a.support.ConfigUpdate("BatchTimeout", "3s"), 0));  // 1
  const int64_t stale = partition.Append(Normal(g, 0));                       // 2
  partition.Append(Normal(p, 1));                                             // 3: pending
  a.Read(partition);
  b.Read(partition);
  a.Flush(partition);              // 4: overflows: cuts [p] up to 3, g pending
  b.Flush(partition);              // 5: the other copy
  partition.Append(TimeToCut(3));  // 6
  a.Read(partition);
  REQUIRE(a.errors.empty());

  const auto blocks = a.support.Blocks();
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[1].envelopes == Payloads{p});
  CHECK(Offsets(blocks[1]) == std::tuple<int64_t, int64_t, int64_t>{3, 0, 0});
  CHECK(blocks[2].envelopes == Payloads{g});
  CHECK(Offsets(blocks[2]) == std::tuple<int64_t, int64_t, int64_t>{6, stale, 0});
  CheckResumesFromEveryBlock("a", model, a, partition);
}
