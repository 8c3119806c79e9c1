// The deliver client against two orderer processes ordering one Kafka channel through
// librdkafka's mock cluster: when the orderer it pulls from is killed, it falls over to
// the other orderer, whose blocks have the same headers and data, and hands on every
// block exactly once (blocksprovider.go: a broken stream is a failure, the next attempt
// seeks again from the ledger height).
#include <fmt/format.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client-sdk/orderer_client.h"
#include "common/channelconfig/channel_config.h"
#include "common/channelconfig/config_builder.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "msp/local_msp.h"
#include "peer/deliver_client/deliverer.h"
#include "peer/deliver_client/grpc_connector.h"
#include "tests/support/kafka_orderers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"
#include "tests/support/wait_until.h"

namespace {

namespace fs = std::filesystem;
namespace dc = weft::peer::deliver_client;
using namespace std::chrono_literals;
using weft::testing::TestIdentity;
using weft::testing::WriteMspFolder;

constexpr char kChannel[] = "mychannel";

// Two orderer folders on fixed ports, the mock cluster and the channel's genesis block,
// whose orderer org lists both orderers as OrdererEndpoints.
class KafkaNetwork {
 public:
  KafkaNetwork()
      : orderers_(weft::testing::KafkaOrdererPair::Options::ForChannel(
            WEFT_KAFKA_MOCK, WEFT_ORDERER, dir_.path(), kChannel, dir_ / "orderer-msp")) {
    const TestIdentity orderer_ca = weft::testing::MakeTestCa("ca.example.com", "Orderer");
    const TestIdentity org1_ca = weft::testing::MakeTestCa("ca.org1.example.com", "Org1");
    WriteMspFolder(dir_ / "orderer-msp", orderer_ca,
                   weft::testing::IssueLeaf(orderer_ca, "orderer.example.com", {"orderer"}));
    WriteMspFolder(dir_ / "peer-msp", org1_ca,
                   weft::testing::IssueLeaf(org1_ca, "peer0.org1.example.com", {"peer"}));
    WriteMspFolder(dir_ / "client-msp", org1_ca,
                   weft::testing::IssueLeaf(org1_ca, "User1@org1.example.com", {"client"}));

    weft::common::channelconfig::ChannelSpec spec;
    spec.policies = weft::testing::StandardPolicies();
    spec.capabilities = {"V2_0"};
    auto orderer = weft::testing::StandardOrderer(orderer_ca, "300ms");
    orderer.orderer_type = "kafka";
    orderer.kafka_brokers = {orderers_.bootstrap_servers()};
    orderer.organizations[0].orderer_endpoints = {orderers_.address(0), orderers_.address(1)};
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
    genesis_ = *genesis;
  }

  const fs::path& dir() const { return dir_.path(); }
  const ::common::Block& genesis() const { return genesis_; }
  std::string address(int node) const { return orderers_.address(node); }

  // Starts orderer `node`, joins it to the channel and waits until it is healthy.
  void Start(int node) { orderers_.Start(node, genesis_.SerializeAsString()); }
  void Kill(int node, int signal) { orderers_.Stop(node, signal); }

  // One envelope signed by User1, broadcast to orderer `node` and answered SUCCESS.
  std::string Broadcast(int node, const std::string& data) {
    auto user = weft::msp::LoadLocalMsp(dir_ / "client-msp", "Org1MSP");
    REQUIRE(user.ok());
    auto envelope = weft::common::protoutil::CreateSignedEnvelope(::common::MESSAGE, kChannel,
                                                                  user->signer, data);
    REQUIRE(envelope.ok());
    auto client = weft::client::OrdererClient::Connect(address(node), {});
    REQUIRE(client.ok());
    auto responses = (*client)->Broadcast({*envelope});
    REQUIRE(responses.ok());
    REQUIRE(responses->size() == 1);
    INFO(responses->front().info());
    REQUIRE(responses->front().status() == ::common::SUCCESS);
    return envelope->SerializeAsString();
  }

 private:
  weft::testing::TempDir dir_{"weft-deliver-client-kafka"};
  weft::testing::KafkaOrdererPair orderers_;
  ::common::Block genesis_;
};

// Records the blocks handed on (the deliverer's thread: no assertions).
class RecordingHandler final : public dc::BlockHandler {
 public:
  [[nodiscard]] weft::Status Deliver(const ::common::Block& block) override {
    std::lock_guard lock(mu_);
    blocks_.push_back(block);
    return absl::OkStatus();
  }
  std::vector<::common::Block> blocks() const {
    std::lock_guard lock(mu_);
    return blocks_;
  }
  bool Holds(const std::string& envelope) const {
    for (const auto& block : blocks()) {
      for (const auto& data : block.data().data()) {
        if (data == envelope) return true;
      }
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<::common::Block> blocks_;
};

}  // namespace

TEST_CASE(
    "A killed Kafka orderer: the deliver client takes the rest of the chain from the other "
    "orderer without a gap or a duplicate",
    "[slow]") {
  KafkaNetwork network;
  network.Start(0);
  network.Start(1);

  auto peer_msp = weft::msp::LoadLocalMsp(network.dir() / "peer-msp", "Org1MSP");
  REQUIRE(peer_msp.ok());
  auto config = weft::common::channelconfig::ChannelConfig::FromConfigBlock(network.genesis());
  REQUIRE(config.ok());
  auto connector = dc::NewGrpcConnector({}, 3s);
  RecordingHandler handler;
  std::unique_ptr<dc::Deliverer> deliverer;
  // A shuffle that tries node1 first, so that killing node1 breaks the open stream.
  for (uint64_t seed = 0; seed < 64; ++seed) {
    dc::DelivererOptions options;
    options.channel_id = kChannel;
    options.next_block = 1;
    options.previous_hash = weft::common::protoutil::BlockHeaderHash(network.genesis().header());
    options.config = *config;
    options.signer = &peer_msp->signer;
    options.connector = connector.get();
    options.handler = &handler;
    options.shuffle_seed = seed;
    auto created = dc::Deliverer::Create(std::move(options));
    REQUIRE(created.ok());
    deliverer = *std::move(created);
    if (deliverer->endpoints().front().address == network.address(0)) break;
  }
  REQUIRE(deliverer->endpoints().front().address == network.address(0));
  deliverer->Start();

  std::vector<std::string> sent;
  for (int i = 0; i < 3; ++i) {
    sent.push_back(network.Broadcast(1, fmt::format("before-{}", i)));
    REQUIRE(weft::testing::WaitUntil([&] { return handler.Holds(sent.back()); }, 60s));
  }
  const uint64_t attempts_before = deliverer->attempts();
  network.Kill(0, SIGKILL);
  for (int i = 0; i < 3; ++i) {
    sent.push_back(network.Broadcast(1, fmt::format("after-{}", i)));
    REQUIRE(weft::testing::WaitUntil([&] { return handler.Holds(sent.back()); }, 60s));
  }
  deliverer->Stop();

  CHECK(attempts_before == 1);
  CHECK(deliverer->attempts() >= 2);
  const auto blocks = handler.blocks();
  std::map<std::string, int> seen;
  for (size_t i = 0; i < blocks.size(); ++i) {
    CHECK(blocks[i].header().number() == i + 1);
    for (const auto& data : blocks[i].data().data()) ++seen[data];
  }
  for (const auto& envelope : sent) CHECK(seen[envelope] == 1);
  CHECK(seen.size() == sent.size());
}
