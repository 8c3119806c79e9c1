#include "orderer/multichannel/registrar.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <stop_token>
#include <thread>

#include "common/channelconfig/config_builder.h"
#include "common/protoutil/block.h"
#include "orderer/consensus/solo/solo.h"
#include "tests/support/orderer_fixture.h"
#include "tests/support/wait_until.h"

using weft::orderer::multichannel::ChannelInfo;
namespace consensus = weft::orderer::consensus;

namespace {

// A solo chain whose Errored token the test requests, as a failing Kafka chain would.
class ErroringChain final : public consensus::Chain {
 public:
  ErroringChain(std::unique_ptr<consensus::Chain> inner, std::stop_token errored)
      : inner_(std::move(inner)), errored_(std::move(errored)) {}
  [[nodiscard]] weft::Status Order(::common::Envelope envelope, uint64_t sequence) override {
    return inner_->Order(std::move(envelope), sequence);
  }
  [[nodiscard]] weft::Status Configure(::common::Envelope envelope, uint64_t sequence) override {
    return inner_->Configure(std::move(envelope), sequence);
  }
  [[nodiscard]] weft::Status WaitReady() override { return inner_->WaitReady(); }
  std::stop_token Errored() const override { return errored_; }
  void Start() override { inner_->Start(); }
  void Halt() override { inner_->Halt(); }

 private:
  std::unique_ptr<consensus::Chain> inner_;
  std::stop_token errored_;
};

class ErroringConsenter final : public consensus::Consenter {
 public:
  [[nodiscard]] weft::StatusOr<std::unique_ptr<consensus::Chain>> HandleChain(
      consensus::ConsenterSupport& support) override {
    WEFT_ASSIGN_OR_RETURN(auto chain, solo_.HandleChain(support));
    return std::unique_ptr<consensus::Chain>(
        std::make_unique<ErroringChain>(std::move(chain), errored.get_token()));
  }
  std::stop_source errored;

 private:
  consensus::solo::SoloConsenter solo_;
};

}  // namespace
using weft::testing::OrdererFixture;
using weft::testing::WaitForBlock;

TEST_CASE("Joining a channel stores its genesis block unchanged and lists the channel") {
  OrdererFixture fixture;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  const ::common::Block genesis = fixture.network.Genesis("mychannel");

  auto info = registrar->JoinChannel(genesis);
  REQUIRE(info.ok());
  // Fabric's ChainSupport reports a chain that is not a StatusReporter (solo, Kafka)
  // as ConsensusRelationOther / StatusActive.
  CHECK(*info == ChannelInfo{"mychannel", 1, "other", "active"});
  CHECK(registrar->ListChannels() == std::vector<ChannelInfo>{*info});
  CHECK(*registrar->GetChannelInfo("mychannel") == *info);

  auto* chain = registrar->GetChain("mychannel");
  REQUIRE(chain != nullptr);
  auto stored = chain->Blocks().RetrieveBlockBytesByNumber(0);
  REQUIRE(stored.ok());
  CHECK(*stored == genesis.SerializeAsString());
  CHECK(registrar->GetChain("otherchannel") == nullptr);
  CHECK(registrar->GetChannelInfo("otherchannel").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE(
    "Joining is refused for a joined channel, a non-config block, an unknown consensus "
    "type and a later config block") {
  OrdererFixture fixture;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());

  CHECK(registrar->JoinChannel(fixture.network.Genesis("mychannel")).status().code() ==
        absl::StatusCode::kAlreadyExists);

  ::common::Block not_config = weft::common::protoutil::NewBlock(0, "");
  not_config.mutable_data()->add_data("garbage");
  auto refused = registrar->JoinChannel(not_config);
  CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);

  fixture.network.consensus_type = "etcdraft";
  auto unknown = registrar->JoinChannel(fixture.network.Genesis("raftchannel"));
  CHECK(unknown.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(unknown.status().message()).find("etcdraft") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(fixture.dir / "chains" / "raftchannel"));

  fixture.network.consensus_type = "solo";
  ::common::Block later = fixture.network.Genesis("laterchannel");
  later.mutable_header()->set_number(5);
  CHECK(registrar->JoinChannel(later).status().code() == absl::StatusCode::kUnimplemented);

  CHECK(registrar->JoinChannel(fixture.network.Genesis("Bad_Name")).status().code() ==
        absl::StatusCode::kInvalidArgument);

  // A ledger on disk that Initialize has not reopened is never overwritten.
  std::filesystem::create_directories(fixture.dir / "chains" / "ondisk");
  CHECK(registrar->JoinChannel(fixture.network.Genesis("ondisk")).status().code() ==
        absl::StatusCode::kAlreadyExists);
  CHECK(registrar->ListChannels().size() == 1);
}

TEST_CASE("Joining is refused for a config needing capabilities this orderer lacks") {
  // Fabric's Registrar.JoinChannel -> newLedgerResources -> checkResources: the
  // orderer and channel capabilities must all be supported before a ledger exists.
  OrdererFixture fixture;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  for (bool channel_level : {true, false}) {
    auto spec = fixture.network.Spec();
    if (channel_level) {
      spec.capabilities.push_back("V9_9");
    } else {
      spec.orderer->capabilities.push_back("V9_9");
    }
    const std::string channel = channel_level ? "futurechannel" : "futureorderer";
    auto config = weft::common::channelconfig::BuildConfig(spec);
    REQUIRE(config.ok());
    auto genesis = weft::common::channelconfig::BuildGenesisBlock(channel, *config);
    REQUIRE(genesis.ok());
    auto refused = registrar->JoinChannel(*genesis);
    CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(refused.status().message()),
               Catch::Contains(channel_level ? "unsupported channel capabilities"
                                             : "unsupported orderer capabilities") &&
                   Catch::Contains("V9_9"));
    CHECK_FALSE(std::filesystem::exists(fixture.dir / "chains" / channel));
  }
  CHECK(registrar->ListChannels().empty());
}

TEST_CASE("Removing a channel halts it and deletes its ledger") {
  OrdererFixture fixture;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());

  REQUIRE(registrar->RemoveChannel("mychannel").ok());
  CHECK(registrar->GetChain("mychannel") == nullptr);
  CHECK(registrar->ListChannels().empty());
  CHECK_FALSE(std::filesystem::exists(fixture.dir / "chains" / "mychannel"));
  CHECK(registrar->RemoveChannel("mychannel").code() == absl::StatusCode::kNotFound);

  // The channel can be joined again afterwards.
  auto rejoined = registrar->JoinChannel(fixture.network.Genesis("mychannel"));
  INFO(rejoined.status().ToString());
  CHECK(rejoined.ok());
}

TEST_CASE("A channel held by a stream during removal is halted, and deleted once released") {
  OrdererFixture fixture;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());
  auto held = registrar->FindChain("mychannel");
  REQUIRE(held != nullptr);

  auto removal =
      std::async(std::launch::async, [&] { return registrar->RemoveChannel("mychannel"); });
  // Closing the ledger is the last step of halting.
  CHECK(weft::testing::WaitUntil([&] { return !held->Blocks().RetrieveBlockByNumber(0).ok(); }));
  CHECK(held->Chain().WaitReady().code() == absl::StatusCode::kUnavailable);
  held.reset();
  CHECK(removal.get().ok());
  CHECK_FALSE(std::filesystem::exists(fixture.dir / "chains" / "mychannel"));
}

TEST_CASE(
    "After a restart Initialize reopens every channel at its height and ordering "
    "continues the chain") {
  OrdererFixture fixture;
  fixture.network.batch_size.max_message_count = 2;
  const std::string tx_channel = "mychannel";
  {
    auto registrar = fixture.NewRegistrar();
    REQUIRE(registrar->Initialize().ok());
    REQUIRE(registrar->JoinChannel(fixture.network.Genesis(tx_channel)).ok());
    REQUIRE(registrar->JoinChannel(fixture.network.Genesis("quiet")).ok());
    auto* chain = registrar->GetChain(tx_channel);
    for (int i = 0; i < 2; ++i) {
      REQUIRE(chain->Chain()
                  .Order(OrdererFixture::Transaction(tx_channel, fixture.network.client), 0)
                  .ok());
    }
    WaitForBlock(*chain, 1);
    registrar->HaltAll();
  }
  // An interrupted join leaves an empty ledger directory behind.
  std::filesystem::create_directories(fixture.dir / "chains" / "interrupted");

  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  CHECK(registrar->ListChannels() == std::vector<ChannelInfo>{{"mychannel", 2, "other", "active"},
                                                              {"quiet", 1, "other", "active"}});
  CHECK_FALSE(std::filesystem::exists(fixture.dir / "chains" / "interrupted"));

  auto* chain = registrar->GetChain(tx_channel);
  REQUIRE(chain != nullptr);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(chain->Chain()
                .Order(OrdererFixture::Transaction(tx_channel, fixture.network.client), 0)
                .ok());
  }
  auto block1 = WaitForBlock(*chain, 1);
  auto block2 = WaitForBlock(*chain, 2);
  CHECK(block2.header().previous_hash() ==
        weft::common::protoutil::BlockHeaderHash(block1.header()));
}

TEST_CASE("A genesis block without orderer metadata is joined and reopened as its own config") {
  OrdererFixture fixture;
  ::common::Block genesis = fixture.network.Genesis("mychannel");
  for (auto& slot : *genesis.mutable_metadata()->mutable_metadata()) slot.clear();
  {
    auto registrar = fixture.NewRegistrar();
    REQUIRE(registrar->Initialize().ok());
    REQUIRE(registrar->JoinChannel(genesis).ok());
  }
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  auto* chain = registrar->GetChain("mychannel");
  REQUIRE(chain != nullptr);
  CHECK(chain->LastConfigIndex() == 0);
  CHECK(chain->ChannelConfig()->channel_id() == "mychannel");
}

TEST_CASE("A channel's deliver source reports its chain's Errored token") {
  // Fabric's ChainSupport embeds consensus.Chain, so Deliver's chain.Errored() is the
  // consenter's.
  OrdererFixture fixture;
  auto consenter = std::make_unique<ErroringConsenter>();
  std::stop_source& errored = consenter->errored;
  fixture.consenters["solo"] = std::move(consenter);
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());

  auto source = registrar->FindSource("mychannel");
  REQUIRE(source != nullptr);
  const std::stop_token token = source->Errored();
  CHECK(token.stop_possible());
  CHECK_FALSE(token.stop_requested());
  errored.request_stop();
  CHECK(token.stop_requested());
  CHECK(source->Errored().stop_requested());
}
