#include "orderer/multichannel/registrar.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "common/protoutil/block.h"
#include "tests/support/orderer_fixture.h"
#include "tests/support/wait_until.h"

using weft::orderer::multichannel::ChannelInfo;
using weft::testing::OrdererFixture;
using weft::testing::WaitForBlock;

TEST_CASE("Joining a channel stores its genesis block unchanged and lists the channel") {
  OrdererFixture fixture;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  const ::common::Block genesis = fixture.network.Genesis("mychannel");

  auto info = registrar->JoinChannel(genesis);
  REQUIRE(info.ok());
  CHECK(*info == ChannelInfo{"mychannel", 1, "consenter", "active"});
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
  CHECK(registrar->ListChannels() ==
        std::vector<ChannelInfo>{{"mychannel", 2, "consenter", "active"},
                                 {"quiet", 1, "consenter", "active"}});
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
