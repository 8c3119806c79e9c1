// Two orderer executables joined to one Kafka channel (librdkafka's mock cluster in
// weft-kafka-mock), driven through their admin endpoints, Broadcast and Deliver.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client-sdk/orderer_client.h"
#include "common/channelconfig/channel_config.h"
#include "common/channelconfig/config_builder.h"
#include "common/configtx/update.h"
#include "common/protoutil/envelope.h"
#include "msp/local_msp.h"
#include "orderer/ab.pb.h"
#include "orderer/configuration.pb.h"
#include "orderer/kafka.pb.h"
#include "tests/support/kafka_orderers.h"
#include "tests/support/mock_kafka_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"
#include "tests/support/worker_thread.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using weft::common::channelconfig::ChannelSpec;
using weft::testing::FailureLog;
using weft::testing::MockKafkaProcess;
using weft::testing::OrdererProcess;
using weft::testing::TempDir;
using weft::testing::TestIdentity;
using weft::testing::WorkerThread;
using weft::testing::WriteMspFolder;

constexpr char kChannel[] = "mychannel";

struct BroadcastOutcome {
  std::vector<std::string> accepted;  // serialized envelopes the orderer answered SUCCESS
  std::vector<std::string> refusals;  // why the others were not
};

// Test thread only: reports the refusals as warnings and returns what was accepted.
std::vector<std::string> Accepted(const BroadcastOutcome& outcome) {
  for (const auto& refusal : outcome.refusals) WARN(refusal);
  return outcome.accepted;
}

// The Kafka orderer pair (mock cluster and two orderer folders), crypto material and
// the channel's genesis block.
class Network {
 public:
  Network()
      : orderers_(weft::testing::KafkaOrdererPair::Options::ForChannel(
            WEFT_KAFKA_MOCK, WEFT_ORDERER, dir_.path(), kChannel, dir_ / "orderer-msp")) {
    const TestIdentity orderer_ca = weft::testing::MakeTestCa("ca.example.com", "Orderer");
    const TestIdentity org1_ca = weft::testing::MakeTestCa("ca.org1.example.com", "Org1");
    WriteMspFolder(dir_ / "orderer-msp", orderer_ca,
                   weft::testing::IssueLeaf(orderer_ca, "orderer.example.com", {"orderer"}));
    WriteMspFolder(dir_ / "client-msp", org1_ca,
                   weft::testing::IssueLeaf(org1_ca, "User1@org1.example.com", {"client"}));
    auto client = weft::msp::LoadLocalMsp(dir_ / "client-msp", "Org1MSP");
    REQUIRE(client.ok());
    client_ = std::make_unique<weft::msp::LocalMsp>(*std::move(client));
    // The orderer org's admin signs updates of the Orderer group (mod_policy Admins).
    orderer_admin_ = std::make_unique<weft::msp::SigningIdentity>(weft::testing::MakeSigner(
        weft::testing::IssueLeaf(orderer_ca, "Admin@example.com", {"admin"}), "OrdererMSP"));

    ChannelSpec spec;
    spec.policies = weft::testing::StandardPolicies();
    spec.capabilities = {"V2_0"};
    weft::common::channelconfig::OrdererSpec orderer =
        weft::testing::StandardOrderer(orderer_ca, "500ms");
    orderer.orderer_type = "kafka";
    orderer.kafka_brokers = {orderers_.bootstrap_servers()};
    orderer.batch_size = {5, 1 << 20, 1 << 19};
    spec.orderer = orderer;
    weft::common::channelconfig::ApplicationSpec application;
    application.policies = weft::testing::StandardPolicies();
    application.organizations = {weft::testing::NodeOuOrg("Org1MSP", org1_ca)};
    application.capabilities = {"V2_0"};
    spec.application = application;
    auto config = weft::common::channelconfig::BuildConfig(spec);
    REQUIRE(config.ok());
    auto genesis = weft::common::channelconfig::BuildGenesisBlock(kChannel, *config);
    REQUIRE(genesis.ok());
    genesis_ = genesis->SerializeAsString();
  }

  // Starts orderer `node` ("node1", "node2"); joins it to the channel unless `joined`.
  OrdererProcess* StartOrderer(const std::string& node, bool joined = false) {
    return &orderers_.Start(node == "node1" ? 0 : 1, joined ? "" : genesis_);
  }

  MockKafkaProcess& kafka() { return orderers_.kafka(); }

  // A CONFIG_UPDATE envelope setting the Orderer group's `key` value ("BatchSize"'s
  // MaxMessageCount or "BatchTimeout") in `current`, signed by the orderer org's admin.
  ::common::Envelope ConfigUpdate(const ::common::Config& current, const std::string& key,
                                  const std::string& value) const {
    ::common::Config updated = current;
    auto& values =
        *updated.mutable_channel_group()->mutable_groups()->at("Orderer").mutable_values();
    if (key == "MaxMessageCount") {
      ::orderer::BatchSize batch_size;
      REQUIRE(batch_size.ParseFromString(values.at("BatchSize").value()));
      batch_size.set_max_message_count(static_cast<uint32_t>(std::stoul(value)));
      values.at("BatchSize").set_value(batch_size.SerializeAsString());
    } else {
      ::orderer::BatchTimeout timeout;
      timeout.set_timeout(value);
      values.at("BatchTimeout").set_value(timeout.SerializeAsString());
    }
    auto update = weft::common::configtx::ComputeUpdate(kChannel, current, updated);
    REQUIRE(update.ok());
    const weft::common::protoutil::Signer* signers[] = {orderer_admin_.get()};
    auto envelope =
        weft::common::configtx::CreateSignedConfigUpdateEnvelope(*update, signers, *orderer_admin_);
    REQUIRE(envelope.ok());
    return *std::move(envelope);
  }

  std::vector<::common::Envelope> Envelopes(const std::string& prefix, int count) const {
    std::vector<::common::Envelope> envelopes;
    for (int i = 0; i < count; ++i) {
      auto envelope = weft::common::protoutil::CreateSignedEnvelope(
          ::common::MESSAGE, kChannel, client_->signer, fmt::format("{}{}", prefix, i));
      REQUIRE(envelope.ok());
      envelopes.push_back(*std::move(envelope));
    }
    return envelopes;
  }

  // Broadcasts each envelope on its own stream. Asserts nothing, as it also runs on
  // worker threads: the test thread reports the outcome through Accepted().
  BroadcastOutcome Broadcast(const OrdererProcess& orderer,
                             const std::vector<::common::Envelope>& envelopes) const {
    BroadcastOutcome outcome;
    auto client = weft::client::OrdererClient::Connect(orderer.grpc(), {});
    if (!client.ok()) {
      outcome.refusals.push_back("connecting to " + orderer.grpc() + ": " +
                                 client.status().ToString());
      return outcome;
    }
    for (const auto& envelope : envelopes) {
      auto responses = (*client)->Broadcast({envelope});
      if (responses.ok() && responses->size() == 1 &&
          (*responses)[0].status() == ::common::SUCCESS) {
        outcome.accepted.push_back(envelope.SerializeAsString());
      } else if (!responses.ok()) {
        outcome.refusals.push_back("broadcast to " + orderer.grpc() + ": " +
                                   std::string(responses.status().message()));
      } else if (!responses->empty()) {
        outcome.refusals.push_back("broadcast to " + orderer.grpc() + ": " +
                                   ::common::Status_Name((*responses)[0].status()) + " " +
                                   (*responses)[0].info());
      }
    }
    return outcome;
  }

  // Every block the orderer has, once its blocks hold all of `wanted` (serialized
  // envelopes); fails the test after `timeout`.
  std::vector<::common::Block> BlocksHolding(const OrdererProcess& orderer,
                                             const std::vector<std::string>& wanted,
                                             std::chrono::seconds timeout = 60s) const {
    auto client = weft::client::OrdererClient::Connect(orderer.grpc(), {});
    REQUIRE(client.ok());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<::common::Block> blocks;
    while (std::chrono::steady_clock::now() < deadline) {
      blocks.clear();
      auto status = (*client)->Deliver(kChannel, 0, UINT64_MAX, client_->signer, false,
                                       [&](const ::common::Block& block) {
                                         blocks.push_back(block);
                                         return true;
                                       });
      std::multiset<std::string> have;
      for (const auto& block : blocks) {
        for (const auto& data : block.data().data()) have.insert(data);
      }
      if (std::all_of(wanted.begin(), wanted.end(),
                      [&](const std::string& envelope) { return have.count(envelope) > 0; })) {
        return blocks;
      }
      std::this_thread::sleep_for(200ms);
    }
    FAIL("orderer " << orderer.grpc() << " did not deliver all " << wanted.size()
                    << " envelopes in time");
    return blocks;
  }

 private:
  TempDir dir_{"weft-kafka-orderers"};
  weft::testing::KafkaOrdererPair orderers_;
  std::unique_ptr<weft::msp::LocalMsp> client_;
  std::unique_ptr<weft::msp::SigningIdentity> orderer_admin_;
  std::string genesis_;
};

// Blocks are numbered 0..n-1 and no envelope appears twice.
void CheckNoGapNoDuplicate(const std::vector<::common::Block>& blocks) {
  std::multiset<std::string> seen;
  for (size_t i = 0; i < blocks.size(); ++i) {
    CHECK(blocks[i].header().number() == i);
    for (const auto& data : blocks[i].data().data()) seen.insert(data);
  }
  for (const auto& envelope : seen) CHECK(seen.count(envelope) == 1);
}

// OrdererBlockMetadata.consenter_metadata of a block (from the SIGNATURES metadata).
std::string ConsenterMetadata(const ::common::Block& block) {
  if (block.metadata().metadata_size() <= ::common::SIGNATURES) return "";
  ::common::Metadata signatures;
  ::common::OrdererBlockMetadata orderer_metadata;
  REQUIRE(signatures.ParseFromString(block.metadata().metadata(::common::SIGNATURES)));
  REQUIRE(orderer_metadata.ParseFromString(signatures.value()));
  return orderer_metadata.consenter_metadata();
}

// Header, data and consenter metadata bytes of each block (the signatures differ: each
// node signs with its own identity).
void CheckSameBlocks(const std::vector<::common::Block>& a, const std::vector<::common::Block>& b) {
  const size_t common_height = std::min(a.size(), b.size());
  REQUIRE(common_height > 1);
  for (size_t i = 0; i < common_height; ++i) {
    INFO("block " << i);
    CHECK(a[i].header().SerializeAsString() == b[i].header().SerializeAsString());
    CHECK(a[i].data().SerializeAsString() == b[i].data().SerializeAsString());
    CHECK(ConsenterMetadata(a[i]) == ConsenterMetadata(b[i]));
  }
}

// The ConfigEnvelopes of the config blocks after the genesis block, in order.
std::vector<::common::ConfigEnvelope> ConfigUpdates(const std::vector<::common::Block>& blocks) {
  std::vector<::common::ConfigEnvelope> updates;
  for (size_t i = 1; i < blocks.size(); ++i) {
    auto contents = weft::common::channelconfig::OpenConfigBlock(blocks[i]);
    if (contents.ok()) updates.push_back(contents->envelope);
  }
  return updates;
}

// The channel config as of the newest config block in `blocks`.
::common::Config CurrentConfig(const std::vector<::common::Block>& blocks) {
  for (auto block = blocks.rbegin(); block != blocks.rend(); ++block) {
    auto contents = weft::common::channelconfig::OpenConfigBlock(*block);
    if (contents.ok()) return contents->envelope.config();
  }
  FAIL("no config block");
  return {};
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE(
    "Two orderers fed different envelopes through one Kafka channel deliver byte-identical "
    "blocks") {
  Network network;
  auto first = network.StartOrderer("node1");
  auto second = network.StartOrderer("node2");

  BroadcastOutcome to_second;
  const auto from_b = network.Envelopes("b", 8);
  WorkerThread feed([&](FailureLog&) { to_second = network.Broadcast(*second, from_b); });
  auto accepted_first = Accepted(network.Broadcast(*first, network.Envelopes("a", 8)));
  REQUIRE(feed.Join() == weft::testing::kNoFailures);
  const auto accepted_second = Accepted(to_second);
  REQUIRE(accepted_first.size() == 8);
  REQUIRE(accepted_second.size() == 8);

  const auto all = Concat(accepted_first, accepted_second);
  const auto from_first = network.BlocksHolding(*first, all);
  const auto from_second = network.BlocksHolding(*second, all);
  CheckSameBlocks(from_first, from_second);
  CheckNoGapNoDuplicate(from_first);
}

TEST_CASE(
    "An orderer killed with SIGKILL and restarted catches up through Kafka with no gap or "
    "duplicate") {
  Network network;
  auto first = network.StartOrderer("node1");
  auto second = network.StartOrderer("node2");

  const auto before = Accepted(network.Broadcast(*first, network.Envelopes("before", 7)));
  REQUIRE(before.size() == 7);
  network.BlocksHolding(*first, before);
  first->Stop(SIGKILL);

  const auto during = Accepted(network.Broadcast(*second, network.Envelopes("during", 6)));
  REQUIRE(during.size() == 6);
  first->Start();  // its ledger already holds the channel
  first->WaitHealthy();
  const auto after = Accepted(network.Broadcast(*first, network.Envelopes("after", 3)));
  REQUIRE(after.size() == 3);

  const auto all = Concat(Concat(before, during), after);
  const auto from_first = network.BlocksHolding(*first, all);
  const auto from_second = network.BlocksHolding(*second, all);
  CheckSameBlocks(from_first, from_second);
  CheckNoGapNoDuplicate(from_first);
}

TEST_CASE(
    "With the Kafka partition leader down and up again no envelope answered SUCCESS is lost") {
  Network network;
  REQUIRE(network.kafka().Command("leader mychannel 1") == "ok");
  auto first = network.StartOrderer("node1");
  auto second = network.StartOrderer("node2");
  auto accepted = Accepted(network.Broadcast(*first, network.Envelopes("up", 3)));
  REQUIRE(accepted.size() == 3);

  REQUIRE(network.kafka().Command("down 1") == "ok");
  BroadcastOutcome during_outage;
  const auto outage = network.Envelopes("outage", 4);
  WorkerThread clients([&](FailureLog&) { during_outage = network.Broadcast(*second, outage); });
  std::this_thread::sleep_for(3s);  // the outage clients live through
  REQUIRE(network.kafka().Command("up 1") == "ok");
  REQUIRE(clients.Join() == weft::testing::kNoFailures);
  const auto accepted_during = Accepted(during_outage);

  // After recovery the channel orders again.
  std::vector<std::string> accepted_after;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (accepted_after.empty() && std::chrono::steady_clock::now() < deadline) {
    accepted_after = Accepted(network.Broadcast(*first, network.Envelopes("recovered", 1)));
    if (accepted_after.empty()) std::this_thread::sleep_for(200ms);
  }
  REQUIRE(accepted_after.size() == 1);

  const auto all = Concat(Concat(accepted, accepted_during), accepted_after);
  const auto from_first = network.BlocksHolding(*first, all);
  const auto from_second = network.BlocksHolding(*second, all);
  CheckSameBlocks(from_first, from_second);
  CheckNoGapNoDuplicate(from_first);
}

TEST_CASE(
    "Two config updates broadcast to two Kafka orderers at the same moment are each applied once, "
    "in byte-identical blocks, also across a restart") {
  // Fabric release-2.2 kafka/chain.go processRegular: the update that reaches the
  // partition second is stale; every orderer re-validates it and re-submits it with its
  // original offset, and the first copy read at the current sequence is committed.
  Network network;
  auto first = network.StartOrderer("node1");
  auto second = network.StartOrderer("node2");

  constexpr int kRounds = 3;
  constexpr int kRestartRound = 1;
  std::vector<std::string> all;
  std::set<std::string> sent_updates;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    const auto current = CurrentConfig(network.BlocksHolding(*second, all));
    REQUIRE(current.sequence() == static_cast<uint64_t>(2 * round));
    // Different values of the Orderer group, both computed against the same config.
    const auto count_update =
        network.ConfigUpdate(current, "MaxMessageCount", std::to_string(2 + round));
    const auto timeout_update =
        network.ConfigUpdate(current, "BatchTimeout", std::to_string(400 + 100 * round) + "ms");
    sent_updates.insert(count_update.SerializeAsString());
    sent_updates.insert(timeout_update.SerializeAsString());
    const std::string prefix = "r" + std::to_string(round);
    const auto first_before = network.Envelopes(prefix + "-1-before", 3);
    const auto first_after = network.Envelopes(prefix + "-1-after", 2);
    const auto second_before = network.Envelopes(prefix + "-2-before", 3);
    const auto second_after = network.Envelopes(prefix + "-2-after", 2);

    BroadcastOutcome to_second;
    std::latch updates_ready(2);  // both updates leave at the same moment
    WorkerThread feed([&](FailureLog&) {
      to_second = network.Broadcast(*second, second_before);
      updates_ready.arrive_and_wait();
      const auto update = network.Broadcast(*second, {timeout_update});
      const auto after = network.Broadcast(*second, second_after);
      to_second.refusals.insert(to_second.refusals.end(), update.refusals.begin(),
                                update.refusals.end());
      to_second.refusals.insert(to_second.refusals.end(), after.refusals.begin(),
                                after.refusals.end());
      to_second.accepted.insert(to_second.accepted.end(), after.accepted.begin(),
                                after.accepted.end());
      if (update.accepted.size() != 1) to_second.refusals.push_back("timeout update refused");
    });
    auto accepted = Accepted(network.Broadcast(*first, first_before));
    updates_ready.arrive_and_wait();
    CHECK(Accepted(network.Broadcast(*first, {count_update})).size() == 1);
    if (round == kRestartRound) {
      // A crash right after the update was acknowledged, while the other is in flight.
      first->Stop(SIGKILL);
      first->Start();
      first->WaitHealthy();
    }
    const auto accepted_after = Accepted(network.Broadcast(*first, first_after));
    REQUIRE(feed.Join() == weft::testing::kNoFailures);
    const auto accepted_second = Accepted(to_second);
    CHECK(to_second.refusals.empty());
    REQUIRE(accepted.size() == 3);
    REQUIRE(accepted_after.size() == 2);
    REQUIRE(accepted_second.size() == 5);
    all = Concat(Concat(Concat(all, accepted), accepted_after), accepted_second);

    // Both updates are in before the next round starts.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline &&
           ConfigUpdates(network.BlocksHolding(*first, all)).size() <
               static_cast<size_t>(2 * (round + 1))) {
      std::this_thread::sleep_for(200ms);
    }
  }

  const auto from_first = network.BlocksHolding(*first, all);
  auto from_second = network.BlocksHolding(*second, all);
  // The last normal envelopes may still be pending on one of them: wait for equal heights.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (from_second.size() < from_first.size() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    from_second = network.BlocksHolding(*second, all);
  }
  REQUIRE(from_first.size() == from_second.size());
  CheckSameBlocks(from_first, from_second);
  CheckNoGapNoDuplicate(from_first);

  // Each update exactly once: the config blocks' last_update are the envelopes sent.
  const auto updates = ConfigUpdates(from_first);
  REQUIRE(updates.size() == static_cast<size_t>(2 * kRounds));
  std::multiset<std::string> applied;
  for (const auto& update : updates) applied.insert(update.last_update().SerializeAsString());
  CHECK(applied == std::multiset<std::string>(sent_updates.begin(), sent_updates.end()));
  CHECK(updates.back().config().sequence() == static_cast<uint64_t>(2 * kRounds));
  const ::common::Config final_config = CurrentConfig(from_first);
  const auto& orderer_values = final_config.channel_group().groups().at("Orderer").values();
  ::orderer::BatchSize batch_size;
  REQUIRE(batch_size.ParseFromString(orderer_values.at("BatchSize").value()));
  CHECK(batch_size.max_message_count() == 2 + kRounds - 1);
  ::orderer::BatchTimeout timeout;
  REQUIRE(timeout.ParseFromString(orderer_values.at("BatchTimeout").value()));
  CHECK(timeout.timeout() == std::to_string(400 + 100 * (kRounds - 1)) + "ms");
  // The race did happen: some update reached the partition stale and was re-submitted.
  ::common::Metadata wrapped;  // consenter_metadata wraps the KafkaMetadata in a Metadata
  REQUIRE(wrapped.ParseFromString(ConsenterMetadata(from_first.back())));
  ::orderer::KafkaMetadata metadata;
  REQUIRE(metadata.ParseFromString(wrapped.value()));
  CHECK(metadata.last_resubmitted_config_offset() > 0);
  CHECK(metadata.last_original_offset_processed() >= metadata.last_resubmitted_config_offset());
}
