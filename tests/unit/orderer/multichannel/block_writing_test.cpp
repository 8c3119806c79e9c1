#include <catch2/catch.hpp>
#include <vector>

#include "common/configtx/update.h"
#include "common/protoutil/block.h"
#include "common/protoutil/serialize.h"
#include "orderer/multichannel/chain_support.h"
#include "tests/support/orderer_fixture.h"

using weft::common::protoutil::BlockDataHash;
using weft::common::protoutil::BlockHeaderHash;
using weft::common::protoutil::BlockSignatureInput;
using weft::common::protoutil::ParseMessage;
using weft::testing::OrdererFixture;
using weft::testing::WaitForBlock;

namespace {

template <typename M>
M Parse(const std::string& bytes) {
  auto message = ParseMessage<M>(bytes, "test input");
  REQUIRE(message.ok());
  return *std::move(message);
}

uint64_t LastConfigOf(const ::common::Block& block) {
  auto metadata = Parse<::common::Metadata>(block.metadata().metadata(1));
  return Parse<::common::LastConfig>(metadata.value()).index();
}

// Checks the orderer's signature in SIGNATURES and returns the OrdererBlockMetadata.
::common::OrdererBlockMetadata CheckSignedByOrderer(
    const ::common::Block& block, const weft::orderer::multichannel::ChainSupport& chain,
    const weft::msp::SigningIdentity& orderer) {
  auto signatures = Parse<::common::Metadata>(block.metadata().metadata(0));
  REQUIRE(signatures.signatures_size() == 1);
  const auto& entry = signatures.signatures(0);
  auto header = Parse<::common::SignatureHeader>(entry.signature_header());
  CHECK(header.creator() == orderer.serialized());
  CHECK(header.nonce().size() == 24);
  auto identity = chain.ChannelConfig()->msp_manager().Deserialize(header.creator());
  REQUIRE(identity.ok());
  CHECK((*identity)
            ->Verify(
                BlockSignatureInput(signatures.value(), entry.signature_header(), block.header()),
                entry.signature())
            .ok());
  // A different header must not verify: the signature covers it.
  ::common::BlockHeader other = block.header();
  other.set_number(other.number() + 1);
  CHECK_FALSE((*identity)
                  ->Verify(BlockSignatureInput(signatures.value(), entry.signature_header(), other),
                           entry.signature())
                  .ok());
  return Parse<::common::OrdererBlockMetadata>(signatures.value());
}

}  // namespace

TEST_CASE(
    "Ordered blocks are hash-chained, carry their data hash and are signed by the "
    "orderer") {
  OrdererFixture fixture;
  fixture.network.batch_size.max_message_count = 2;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());
  auto* chain = registrar->GetChain("mychannel");

  std::vector<::common::Envelope> sent;
  for (int i = 0; i < 4; ++i) {
    sent.push_back(
        OrdererFixture::Transaction("mychannel", fixture.network.client, "tx" + std::to_string(i)));
    REQUIRE(chain->Chain().Order(sent.back(), 0).ok());
  }
  auto genesis = WaitForBlock(*chain, 0);
  auto block1 = WaitForBlock(*chain, 1);
  auto block2 = WaitForBlock(*chain, 2);

  CHECK(block1.header().number() == 1);
  CHECK(block1.header().previous_hash() == BlockHeaderHash(genesis.header()));
  CHECK(block2.header().previous_hash() == BlockHeaderHash(block1.header()));
  REQUIRE(block1.data().data_size() == 2);
  CHECK(block1.data().data(0) == sent[0].SerializeAsString());
  CHECK(block2.data().data(1) == sent[3].SerializeAsString());
  for (const auto* block : {&block1, &block2}) {
    CHECK(block->header().data_hash() == BlockDataHash(block->data()));
    CHECK(block->metadata().metadata_size() == 5);
    CHECK(LastConfigOf(*block) == 0);
    auto orderer_metadata = CheckSignedByOrderer(*block, *chain, fixture.network.orderer);
    CHECK(orderer_metadata.last_config().index() == 0);
  }
  CHECK(chain->Height() == 3);
  CHECK(chain->LastConsenterMetadata().empty());
}

TEST_CASE("Consenter metadata is written wrapped in Metadata and read back after a restart") {
  OrdererFixture fixture;
  {
    auto registrar = fixture.NewRegistrar();
    REQUIRE(registrar->Initialize().ok());
    REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());
    auto* chain = registrar->GetChain("mychannel");
    chain->Chain().Halt();  // write directly, as a consenter's ordering thread would
    REQUIRE(chain
                ->WriteBlock({OrdererFixture::Transaction("mychannel", fixture.network.client)},
                             "offset=42")
                .ok());
    auto block = WaitForBlock(*chain, 1);
    auto orderer_metadata = CheckSignedByOrderer(block, *chain, fixture.network.orderer);
    CHECK(Parse<::common::Metadata>(orderer_metadata.consenter_metadata()).value() == "offset=42");
    CHECK(Parse<::common::Metadata>(block.metadata().metadata(3)).value() == "offset=42");
    CHECK(chain->LastConsenterMetadata() == "offset=42");
  }
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  CHECK(registrar->GetChain("mychannel")->LastConsenterMetadata() == "offset=42");
}

TEST_CASE("A config update changing BatchSize gets its own block and applies to later blocks") {
  OrdererFixture fixture;
  fixture.network.batch_size.max_message_count = 3;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());
  auto* chain = registrar->GetChain("mychannel");

  // One pending envelope is cut ahead of the config block.
  REQUIRE(chain->Chain()
              .Order(OrdererFixture::Transaction("mychannel", fixture.network.client, "early"), 0)
              .ok());

  const ::common::Config original = fixture.network.Config();
  fixture.network.batch_size.max_message_count = 1;
  auto update =
      weft::common::configtx::ComputeUpdate("mychannel", original, fixture.network.Config());
  REQUIRE(update.ok());
  const weft::common::protoutil::Signer* admins[] = {&fixture.network.orderer_admin};
  auto update_envelope = weft::common::configtx::CreateSignedConfigUpdateEnvelope(
      *update, admins, fixture.network.orderer_admin);
  REQUIRE(update_envelope.ok());
  auto config_message = chain->Processor().ProcessConfigUpdateMsg(*update_envelope);
  REQUIRE(config_message.ok());
  CHECK(config_message->config_sequence == 0);
  REQUIRE(chain->Chain().Configure(config_message->config, 0).ok());

  auto block1 = WaitForBlock(*chain, 1);
  auto config_block = WaitForBlock(*chain, 2);
  CHECK(block1.data().data_size() == 1);
  REQUIRE(config_block.data().data_size() == 1);
  CHECK(config_block.data().data(0) == config_message->config.SerializeAsString());
  CHECK(LastConfigOf(config_block) == 2);
  CheckSignedByOrderer(config_block, *chain, fixture.network.orderer);
  CHECK(chain->ChannelConfig()->sequence() == 1);
  CHECK(chain->ChannelConfig()->orderer()->batch_size.max_message_count == 1);
  CHECK(chain->LastConfigIndex() == 2);

  // MaxMessageCount 1 now: every envelope is a block by itself.
  REQUIRE(chain->Chain()
              .Order(OrdererFixture::Transaction("mychannel", fixture.network.client, "late"), 1)
              .ok());
  auto block3 = WaitForBlock(*chain, 3);
  CHECK(block3.data().data_size() == 1);
  CHECK(LastConfigOf(block3) == 2);

  // A restart finds the new config through the last block's metadata.
  registrar.reset();
  auto reopened = fixture.NewRegistrar();
  REQUIRE(reopened->Initialize().ok());
  CHECK(reopened->GetChain("mychannel")->ChannelConfig()->sequence() == 1);
  CHECK(reopened->GetChain("mychannel")->LastConfigIndex() == 2);
}

// Fabric's BlockWriter.WriteConfigBlock refuses a config without an Orderer group
// ("OrdererConfig missing from bundle"); nothing is written and the config stays.
TEST_CASE("A config block whose config has no Orderer group is refused") {
  OrdererFixture fixture;
  auto registrar = fixture.NewRegistrar();
  REQUIRE(registrar->Initialize().ok());
  REQUIRE(registrar->JoinChannel(fixture.network.Genesis("mychannel")).ok());
  auto* chain = registrar->GetChain("mychannel");
  chain->Chain().Halt();  // write directly, as a consenter's ordering thread would
  ::common::ConfigEnvelope contents;
  *contents.mutable_config() = fixture.network.Config();
  contents.mutable_config()->set_sequence(1);
  contents.mutable_config()->mutable_channel_group()->mutable_groups()->erase("Orderer");
  auto envelope = weft::common::protoutil::CreateSignedEnvelope(
      ::common::CONFIG, "mychannel", fixture.network.orderer, contents.SerializeAsString());
  REQUIRE(envelope.ok());
  auto written = chain->WriteConfigBlock(*envelope, "");
  CHECK(written.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(written.message()).find("has no Orderer group") != std::string::npos);
  CHECK(chain->Height() == 1);
  CHECK(chain->ChannelConfig()->orderer().has_value());
}
