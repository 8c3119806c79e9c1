// Weft's peer ledger against golden values computed outside Weft by
// ledger_golden.js (Fabric v2.5's rules over @hyperledger/fabric-protos and
// Node's SHA-256): the RangeQueryInfo a simulation records for scans of 0, 1,
// 50, 51 and 2600 results, and the COMMIT_HASH of blocks 1 and 2. The inputs
// here must match the ones described in the script.

#include <absl/strings/escaping.h>
#include <absl/strings/str_format.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "common/protoutil/serialize.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/ledger/tx_simulator.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/node_golden.h"
#include "tests/support/temp_dir.h"

namespace {

using weft::peer::ledger::rwset::RwSetBuilder;
using weft::peer::ledger::statedb::UpdateBatch;
using weft::peer::ledger::statedb::Version;

// Runs ledger_golden.js: golden value name -> bytes.
std::map<std::string, std::string> GoldenValues() {
  return weft::testing::NodeGoldenValues("ledger/ledger_golden.js");
}

// As seededKey / seededVersion in ledger_golden.js.
std::string SeededKey(int i) { return absl::StrFormat("key%05d", i); }
Version SeededVersion(int i) {
  return {static_cast<uint64_t>(i / 7 + 1), static_cast<uint64_t>(i % 7)};
}

}  // namespace

TEST_CASE("A simulated full scan records the RangeQueryInfo Fabric records") {
  const auto golden = GoldenValues();
  for (int count : {0, 1, 50, 51, 2600}) {
    CAPTURE(count);
    auto db = weft::testing::OpenTempStateDb();
    UpdateBatch seed;
    for (int i = 0; i < count; ++i) seed.Put("cc", SeededKey(i), {"value", "", SeededVersion(i)});
    REQUIRE(db->ApplyUpdates(seed, 1000).ok());

    auto sim = weft::peer::ledger::NewTxSimulator(*db);
    auto it = sim->GetStateRangeScanIterator("cc", "", "").value();
    int seen = 0;
    while (it->Next().value()) ++seen;
    CHECK(seen == count);
    auto rwset = sim->GetTxSimulationResults().value();
    REQUIRE(rwset.ns_rwset_size() == 1);
    ::kvrwset::KVRWSet kv;
    REQUIRE(kv.ParseFromString(rwset.ns_rwset(0).rwset()));
    REQUIRE(kv.range_queries_info_size() == 1);
    CHECK(absl::BytesToHexString(
              weft::common::protoutil::DeterministicSerialize(kv.range_queries_info(0))) ==
          absl::BytesToHexString(golden.at("range_query_info/" + std::to_string(count))));
  }
}

TEST_CASE("COMMIT_HASH of committed blocks equals the one Fabric computes") {
  const auto golden = GoldenValues();
  weft::testing::TempDir dir;
  weft::peer::ledger::LedgerManager manager(dir.path());
  auto ledger = manager.CreateLedger(weft::testing::GenesisBlock("mychannel")).value();
  const std::string channel = "mychannel";

  auto next_block = [&](const std::vector<std::string>& envelopes) {
    auto info = ledger->GetBlockchainInfo();
    return weft::testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
  };
  auto commit = [&](const ::common::Block& block) {
    std::vector<::protos::TxValidationCode> codes(block.data().data_size(), ::protos::VALID);
    auto result = ledger->CommitBlock(block, codes);
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    return *result;
  };

  // Block 1: tx 0 writes cc/"" = "e", cc/a = "1", deletes cc/b, writes
  // dd/x = "y", and hashed writes (collections c2 and c1 of cc, c of bb);
  // tx 1 reads cc/a at a stale version.
  RwSetBuilder writer;
  writer.AddWrite("cc", "", "e");
  writer.AddWrite("cc", "a", "1");
  writer.AddDelete("cc", "b");
  writer.AddWrite("dd", "x", "y");
  auto writer_rwset = writer.Build();
  auto add_hashed = [&](const std::string& ns, const std::string& collection,
                        std::vector<std::pair<std::string, std::string>> writes) {
    ::kvrwset::HashedRWSet hashed;
    for (const auto& [key_hash, value_hash] : writes) {
      auto* write = hashed.add_hashed_writes();
      write->set_key_hash(key_hash);
      write->set_is_delete(value_hash.empty());
      write->set_value_hash(value_hash);
    }
    ::rwset::NsReadWriteSet* target = nullptr;
    for (auto& ns_rwset : *writer_rwset.mutable_ns_rwset()) {
      if (ns_rwset.namespace_() == ns) target = &ns_rwset;
    }
    if (target == nullptr) {  // a namespace with hashed writes only
      target = writer_rwset.add_ns_rwset();
      target->set_namespace_(ns);
    }
    auto* coll = target->add_collection_hashed_rwset();
    coll->set_collection_name(collection);
    coll->set_hashed_rwset(hashed.SerializeAsString());
  };
  add_hashed("cc", "c2", {{"h2", "v2"}});
  add_hashed("cc", "c1", {{"h1", "v1"}, {"h0", ""}});
  add_hashed("bb", "c", {{"k", "v"}});

  RwSetBuilder stale;
  stale.AddRead("cc", "a", Version{9, 9});
  stale.AddWrite("cc", "z", "never");
  auto codes =
      commit(next_block({weft::testing::EndorserTxEnvelope(channel, "w1", writer_rwset),
                         weft::testing::EndorserTxEnvelope(channel, "s1", stale.Build())}));
  CHECK(codes == std::vector{::protos::VALID, ::protos::MVCC_READ_CONFLICT});

  // Block 2: 257 transactions; only the last one (tx 256) writes cc/k = "v".
  std::vector<std::string> envelopes;
  for (int i = 0; i < 256; ++i) {
    envelopes.push_back(weft::testing::EndorserTxEnvelope(channel, "e" + std::to_string(i),
                                                          RwSetBuilder().Build()));
  }
  RwSetBuilder last;
  last.AddWrite("cc", "k", "v");
  envelopes.push_back(weft::testing::EndorserTxEnvelope(channel, "last", last.Build()));
  commit(next_block(envelopes));

  for (uint64_t number : {1, 2}) {
    CAPTURE(number);
    auto block = ledger->GetBlockByNumber(number).value();
    CHECK(absl::BytesToHexString(block.metadata().metadata(::common::COMMIT_HASH)) ==
          absl::BytesToHexString(golden.at("commit_hash_metadata/" + std::to_string(number))));
  }
}
