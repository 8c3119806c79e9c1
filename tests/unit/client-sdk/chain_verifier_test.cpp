// The client's ChainVerifier over blocks a real registrar (solo) ordered and signed:
// hash chain, data hash and orderer signatures, with tampered blocks refused by a
// message naming the block.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "client-sdk/orderer_client.h"
#include "common/protoutil/block.h"
#include "tests/support/block_signing.h"
#include "tests/support/orderer_fixture.h"

namespace {

using weft::client::ChainVerifier;
using weft::testing::OrdererFixture;

constexpr char kChannel[] = "mychannel";

// The genesis block and blocks 1..count of a channel, one transaction per block.
struct OrderedChain {
  OrdererFixture orderer;
  ::common::Block genesis;
  std::vector<::common::Block> blocks;  // blocks[i] is block i + 1

  explicit OrderedChain(int count) {
    orderer.network.batch_size.max_message_count = 1;
    genesis = orderer.network.Genesis(kChannel);
    auto registrar = orderer.NewRegistrar();
    REQUIRE(registrar->Initialize().ok());
    REQUIRE(registrar->JoinChannel(genesis).ok());
    auto* chain = registrar->GetChain(kChannel);
    REQUIRE(chain != nullptr);
    for (int i = 1; i <= count; ++i) {
      REQUIRE(chain->Chain()
                  .Order(OrdererFixture::Transaction(kChannel, orderer.network.client,
                                                     "tx" + std::to_string(i)),
                         0)
                  .ok());
      blocks.push_back(weft::testing::WaitForBlock(*chain, i));
    }
  }

  ChainVerifier Verifier() const {
    auto verifier = ChainVerifier::FromGenesis(genesis);
    REQUIRE(verifier.ok());
    return *std::move(verifier);
  }
};

}  // namespace

TEST_CASE("ChainVerifier accepts an orderer's blocks in order and follows the hash chain") {
  OrderedChain chain(3);
  ChainVerifier verifier = chain.Verifier();
  CHECK(verifier.next_number() == 1);
  CHECK(verifier.last_hash() == weft::common::protoutil::BlockHeaderHash(chain.genesis.header()));
  for (const auto& block : chain.blocks) {
    INFO("block " << block.header().number());
    const auto status = verifier.Verify(block);
    INFO(status.ToString());
    REQUIRE(status.ok());
    CHECK(verifier.last_hash() == weft::common::protoutil::BlockHeaderHash(block.header()));
  }
  CHECK(verifier.next_number() == 4);
}

TEST_CASE("ChainVerifier refuses a block whose data was tampered with, naming the block") {
  OrderedChain chain(2);
  ChainVerifier verifier = chain.Verifier();
  REQUIRE(verifier.Verify(chain.blocks[0]).ok());
  ::common::Block tampered = chain.blocks[1];
  tampered.mutable_data()->mutable_data(0)->back() ^= 0x01;
  const auto status = verifier.Verify(tampered);
  CHECK_FALSE(status.ok());
  CHECK_THAT(std::string(status.message()),
             Catch::Contains("block 2") && Catch::Contains("data hash"));
  // A refused block does not move the verifier; the genuine block still fits.
  CHECK(verifier.next_number() == 2);
  CHECK(verifier.Verify(chain.blocks[1]).ok());
}

TEST_CASE("ChainVerifier refuses a block that does not chain onto the previous one") {
  OrderedChain chain(2);
  ChainVerifier verifier = chain.Verifier();

  // Out of order: block 2 before block 1.
  auto skipped = verifier.Verify(chain.blocks[1]);
  CHECK(skipped.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(skipped.message()) == "expected block 1, got block 2");

  // Block 1 of another chain of the same channel: its previous hash is another genesis.
  OrderedChain other(1);
  auto foreign = verifier.Verify(other.blocks[0]);
  CHECK_FALSE(foreign.ok());
  CHECK_THAT(std::string(foreign.message()),
             Catch::Contains("block 1") && Catch::Contains("previous hash"));
}

TEST_CASE("ChainVerifier refuses a block without orderer signatures, naming the block") {
  OrderedChain chain(1);
  ChainVerifier verifier = chain.Verifier();
  ::common::Block unsigned_block = chain.blocks[0];
  unsigned_block.mutable_metadata()->set_metadata(::common::SIGNATURES, "");
  auto empty = verifier.Verify(unsigned_block);
  CHECK(empty.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(empty.message()), Catch::Contains("block 1"));

  unsigned_block.mutable_metadata()->clear_metadata();
  auto missing = verifier.Verify(unsigned_block);
  CHECK(missing.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(missing.message()),
             Catch::Contains("block 1") && Catch::Contains("SIGNATURES"));
}

TEST_CASE("ChainVerifier refuses a block signed by someone the BlockValidation policy excludes") {
  OrderedChain chain(1);
  ChainVerifier verifier = chain.Verifier();
  // A channel member, but not an orderer organisation Writer.
  ::common::Block forged = chain.blocks[0];
  weft::testing::SignBlockAs(forged, chain.orderer.network.client);
  auto status = verifier.Verify(forged);
  CHECK(status.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(status.message()),
             Catch::Contains("block 1") && Catch::Contains("BlockValidation"));

  // Re-signed by the orderer itself, the same block is accepted.
  weft::testing::SignBlockAs(forged, chain.orderer.network.orderer);
  CHECK(verifier.Verify(forged).ok());
}

TEST_CASE("ChainVerifier needs block 0 as its trust anchor") {
  OrderedChain chain(1);
  auto verifier = ChainVerifier::FromGenesis(chain.blocks[0]);
  CHECK(verifier.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(verifier.status().message() == "block 1 is not a genesis block");
}
