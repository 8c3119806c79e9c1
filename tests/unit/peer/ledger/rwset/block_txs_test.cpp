#include "peer/ledger/rwset/block_txs.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "peer/ledger/rwset/rwset.h"
#include "tests/support/ledger_test_util.h"

namespace {

using weft::peer::ledger::rwset::ReadBlockTxs;
using weft::peer::ledger::rwset::RwSetBuilder;

const std::string kChannel = "mychannel";

}  // namespace

TEST_CASE(
    "ReadBlockTxs gives each envelope's tx id, timestamp, type and rwset in order, the channel "
    "config for a CONFIG transaction") {
  RwSetBuilder builder;
  builder.AddWrite("cc", "k", "v");
  auto block = weft::testing::LedgerBlock(
      1, "previous",
      {weft::testing::EndorserTxEnvelope(kChannel, "t1", builder.Build(), 42),
       weft::testing::ConfigTxEnvelope(kChannel)});

  auto txs = ReadBlockTxs(block);
  REQUIRE(txs.size() == 2);
  CHECK(txs[0].tx_id == "t1");
  CHECK(txs[0].type == ::common::ENDORSER_TRANSACTION);
  CHECK(txs[0].timestamp.seconds() == 42);
  CHECK(txs[0].parse_code == ::protos::VALID);
  REQUIRE(txs[0].rwset.has_value());
  REQUIRE(txs[0].rwset->size() == 1);
  CHECK((*txs[0].rwset)[0].ns == "cc");
  REQUIRE((*txs[0].rwset)[0].kv.writes_size() == 1);
  CHECK((*txs[0].rwset)[0].kv.writes(0).value() == "v");
  CHECK(txs[1].type == ::common::CONFIG);
  CHECK(txs[1].parse_code == ::protos::VALID);
  // Fabric's configtx processor: the ConfigEnvelope (payload data, here
  // "config of <channel>") under namespace "", key CHANNEL_CONFIG_ENV_BYTES.
  REQUIRE(txs[1].rwset.has_value());
  REQUIRE(txs[1].rwset->size() == 1);
  CHECK((*txs[1].rwset)[0].ns.empty());
  REQUIRE((*txs[1].rwset)[0].kv.writes_size() == 1);
  CHECK((*txs[1].rwset)[0].kv.writes(0).key() == "CHANNEL_CONFIG_ENV_BYTES");
  CHECK((*txs[1].rwset)[0].kv.writes(0).value() == "config of " + kChannel);
}

TEST_CASE("ReadBlockTxs reports unreadable envelopes and rwsets through parse_code") {
  ::rwset::TxReadWriteSet broken_rwset;
  auto* ns_rwset = broken_rwset.add_ns_rwset();
  ns_rwset->set_namespace_("cc");
  ns_rwset->set_rwset("\xff\xff not a KVRWSet");
  auto block = weft::testing::LedgerBlock(
      1, "previous",
      {"not an envelope", weft::testing::EndorserTxEnvelope(kChannel, "t2", broken_rwset)});

  auto txs = ReadBlockTxs(block);
  REQUIRE(txs.size() == 2);
  CHECK(txs[0].parse_code == ::protos::BAD_PAYLOAD);
  CHECK_FALSE(txs[0].rwset.has_value());
  CHECK(txs[1].tx_id == "t2");
  CHECK(txs[1].parse_code == ::protos::BAD_RWSET);
  CHECK_FALSE(txs[1].rwset.has_value());
}
