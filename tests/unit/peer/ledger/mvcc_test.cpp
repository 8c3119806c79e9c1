#include "peer/ledger/mvcc.h"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "peer/ledger/composite_key.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/ledger/tx_simulator.h"
#include "tests/support/ledger_test_util.h"

namespace {

using weft::peer::ledger::TxToValidate;
using weft::peer::ledger::ValidateAndPrepareBatch;
using weft::peer::ledger::ValidatedBlock;
using weft::peer::ledger::rwset::RwSetBuilder;
using weft::peer::ledger::rwset::TxRwSet;
using weft::peer::ledger::statedb::StateDb;
using weft::peer::ledger::statedb::UpdateBatch;
using weft::peer::ledger::statedb::Version;
using weft::testing::OpenTempStateDb;

constexpr uint64_t kBlock = 5;

// State at height 5: "a"@(1,0), "c"@(2,0), "e"@(3,0) in namespace "cc".
std::shared_ptr<StateDb> SeededState() {
  auto db = OpenTempStateDb();
  UpdateBatch batch;
  batch.Put("cc", "a", {"A", "", {1, 0}});
  batch.Put("cc", "c", {"C", "", {2, 0}});
  batch.Put("cc", "e", {"E", "", {3, 0}});
  REQUIRE(db->ApplyUpdates(batch, kBlock).ok());
  return db;
}

TxRwSet Parsed(const RwSetBuilder& builder) {
  return weft::peer::ledger::rwset::ParseTxRwSet(builder.Build()).value();
}

// A range query over [start, end) that saw `keys` (with their versions).
::kvrwset::RangeQueryInfo Range(const std::string& start, const std::string& end, bool exhausted,
                                std::vector<std::pair<std::string, Version>> keys) {
  ::kvrwset::RangeQueryInfo info;
  info.set_start_key(start);
  info.set_end_key(end);
  info.set_itr_exhausted(exhausted);
  auto* reads = info.mutable_raw_reads();
  for (const auto& [key, version] : keys)
    *reads->add_kv_reads() = weft::peer::ledger::rwset::MakeKvRead(key, version);
  return info;
}

ValidatedBlock Validate(const StateDb& db, const std::vector<TxRwSet>& rwsets,
                        std::vector<::protos::TxValidationCode> codes = {}) {
  codes.resize(rwsets.size(), ::protos::VALID);
  std::vector<TxToValidate> txs;
  for (std::size_t i = 0; i < rwsets.size(); ++i) txs.push_back({&rwsets[i], codes[i]});
  auto result = ValidateAndPrepareBatch(db, kBlock, txs);
  REQUIRE(result.ok());
  return std::move(*result);
}

}  // namespace

TEST_CASE("MVCC rejects a read whose version is stale") {
  auto db = SeededState();
  RwSetBuilder stale;
  stale.AddRead("cc", "a", Version{0, 7});
  stale.AddWrite("cc", "x", "1");
  RwSetBuilder current;
  current.AddRead("cc", "a", Version{1, 0});
  current.AddWrite("cc", "y", "1");
  auto result = Validate(*db, {Parsed(stale), Parsed(current)});
  CHECK(result.codes == std::vector{::protos::MVCC_READ_CONFLICT, ::protos::VALID});
  CHECK(result.updates.Get("cc", "x") == nullptr);
  CHECK(result.updates.Get("cc", "y") != nullptr);
}

TEST_CASE("MVCC rejects a read of a key that has since been deleted") {
  auto db = SeededState();
  UpdateBatch deletion;
  deletion.Delete("cc", "a", {4, 0});
  REQUIRE(db->ApplyUpdates(deletion, kBlock).ok());
  RwSetBuilder reader;
  reader.AddRead("cc", "a", Version{1, 0});
  CHECK(Validate(*db, {Parsed(reader)}).codes == std::vector{::protos::MVCC_READ_CONFLICT});
}

TEST_CASE("MVCC rejects a read of a key created by an earlier transaction of the same block") {
  auto db = SeededState();
  RwSetBuilder creator;
  creator.AddWrite("cc", "new", "1");
  RwSetBuilder reader;
  reader.AddRead("cc", "new", std::nullopt);  // absent when simulated
  auto result = Validate(*db, {Parsed(creator), Parsed(reader)});
  CHECK(result.codes == std::vector{::protos::VALID, ::protos::MVCC_READ_CONFLICT});
}

TEST_CASE("MVCC rejects any read of a key an earlier transaction of the block wrote or deleted") {
  // Fabric's validateKVRead checks presence in the block's updates first,
  // whatever the versions say.
  auto db = SeededState();
  SECTION("a delete of a missing key, then a read that found it absent") {
    RwSetBuilder deleter;
    deleter.AddDelete("cc", "never");
    RwSetBuilder reader;
    reader.AddRead("cc", "never", std::nullopt);
    reader.AddWrite("cc", "other", "1");
    auto result = Validate(*db, {Parsed(deleter), Parsed(reader)});
    CHECK(result.codes == std::vector{::protos::VALID, ::protos::MVCC_READ_CONFLICT});
    CHECK(result.updates.Get("cc", "other") == nullptr);
  }
  SECTION("a write, then a read claiming the version that write gets") {
    RwSetBuilder writer;
    writer.AddWrite("cc", "a", "new");
    RwSetBuilder reader;
    reader.AddRead("cc", "a", Version{kBlock, 0});
    auto result = Validate(*db, {Parsed(writer), Parsed(reader)});
    CHECK(result.codes == std::vector{::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  }
}

TEST_CASE("MVCC checks reads then range queries namespace by namespace") {
  // Namespace "aa" (first) has a phantom, "cc" (second) a stale read: Fabric
  // reports the phantom because it finishes "aa" before looking at "cc".
  auto db = SeededState();
  RwSetBuilder tx;
  tx.AddRangeQuery("aa", Range("", "", true, {{"gone", {1, 0}}}));
  tx.AddRead("cc", "a", Version{0, 7});
  CHECK(Validate(*db, {Parsed(tx)}).codes == std::vector{::protos::PHANTOM_READ_CONFLICT});

  // Within one namespace the reads come first.
  RwSetBuilder same_ns;
  same_ns.AddRangeQuery("cc", Range("a", "b", true, {}));
  same_ns.AddRead("cc", "c", Version{0, 7});
  CHECK(Validate(*db, {Parsed(same_ns)}).codes == std::vector{::protos::MVCC_READ_CONFLICT});
}

TEST_CASE("MVCC accepts a read of a missing key that is still missing") {
  auto db = SeededState();
  RwSetBuilder reader;
  reader.AddRead("cc", "never", std::nullopt);
  reader.AddWrite("cc", "never", "now");
  auto result = Validate(*db, {Parsed(reader)});
  CHECK(result.codes == std::vector{::protos::VALID});
  REQUIRE(result.updates.Get("cc", "never") != nullptr);
  CHECK(result.updates.Get("cc", "never")->value.version == Version{kBlock, 0});
}

TEST_CASE("MVCC flags a phantom when a key is inserted inside a scanned range") {
  auto db = SeededState();
  auto scan = Range("a", "d", true, {{"a", {1, 0}}, {"c", {2, 0}}});
  SECTION("by an earlier transaction of the block") {
    RwSetBuilder inserter;
    inserter.AddWrite("cc", "b", "new");
    RwSetBuilder scanner;
    scanner.AddRangeQuery("cc", scan);
    auto result = Validate(*db, {Parsed(inserter), Parsed(scanner)});
    CHECK(result.codes == std::vector{::protos::VALID, ::protos::PHANTOM_READ_CONFLICT});
  }
  SECTION("in committed state") {
    UpdateBatch insert;
    insert.Put("cc", "b", {"new", "", {4, 0}});
    REQUIRE(db->ApplyUpdates(insert, kBlock).ok());
    RwSetBuilder scanner;
    scanner.AddRangeQuery("cc", scan);
    CHECK(Validate(*db, {Parsed(scanner)}).codes == std::vector{::protos::PHANTOM_READ_CONFLICT});
  }
  SECTION("but not when the range is unchanged") {
    RwSetBuilder scanner;
    scanner.AddRangeQuery("cc", scan);
    CHECK(Validate(*db, {Parsed(scanner)}).codes == std::vector{::protos::VALID});
  }
}

TEST_CASE("MVCC flags a phantom when a key inside a scanned range is deleted") {
  auto db = SeededState();
  RwSetBuilder deleter;
  deleter.AddDelete("cc", "c");
  RwSetBuilder scanner;
  scanner.AddRangeQuery("cc", Range("a", "", true, {{"a", {1, 0}}, {"c", {2, 0}}, {"e", {3, 0}}}));
  auto result = Validate(*db, {Parsed(deleter), Parsed(scanner)});
  CHECK(result.codes == std::vector{::protos::VALID, ::protos::PHANTOM_READ_CONFLICT});
}

TEST_CASE("MVCC checks an unexhausted range only up to the last key it returned") {
  auto db = SeededState();
  RwSetBuilder inserter;
  inserter.AddWrite("cc", "d", "after the last key read");
  RwSetBuilder scanner;
  scanner.AddRangeQuery("cc", Range("a", "c", false, {{"a", {1, 0}}, {"c", {2, 0}}}));
  auto result = Validate(*db, {Parsed(inserter), Parsed(scanner)});
  CHECK(result.codes == std::vector{::protos::VALID, ::protos::VALID});
}

TEST_CASE("MVCC accepts write-only transactions") {
  auto db = SeededState();
  RwSetBuilder blind;
  blind.AddWrite("cc", "a", "overwritten");
  blind.AddDelete("cc", "e");
  auto result = Validate(*db, {Parsed(blind)});
  CHECK(result.codes == std::vector{::protos::VALID});
  CHECK(result.updates.Get("cc", "a")->value.value == "overwritten");
  CHECK(result.updates.Get("cc", "e")->is_delete);
}

TEST_CASE("MVCC lets the first of two conflicting transactions win") {
  auto db = SeededState();
  RwSetBuilder first;
  first.AddRead("cc", "a", Version{1, 0});
  first.AddWrite("cc", "a", "first");
  RwSetBuilder second;
  second.AddRead("cc", "a", Version{1, 0});
  second.AddWrite("cc", "a", "second");
  auto result = Validate(*db, {Parsed(first), Parsed(second)});
  CHECK(result.codes == std::vector{::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  CHECK(result.updates.Get("cc", "a")->value.value == "first");
  CHECK(result.updates.Get("cc", "a")->value.version == Version{kBlock, 0});
}

TEST_CASE("MVCC ignores transactions that are already invalid and keeps their codes") {
  auto db = SeededState();
  RwSetBuilder rejected;
  rejected.AddRead("cc", "a", Version{0, 0});  // would conflict, but is never checked
  rejected.AddWrite("cc", "a", "rejected");
  RwSetBuilder later;
  later.AddRead("cc", "a", Version{1, 0});
  later.AddWrite("cc", "b", "later");
  auto result =
      Validate(*db, {Parsed(rejected), Parsed(later)}, {::protos::ENDORSEMENT_POLICY_FAILURE});
  CHECK(result.codes == std::vector{::protos::ENDORSEMENT_POLICY_FAILURE, ::protos::VALID});
  CHECK(result.updates.Get("cc", "a") == nullptr);
}

TEST_CASE(
    "MVCC keeps a key's metadata on value writes and drops metadata writes to missing "
    "keys") {
  auto db = OpenTempStateDb();
  UpdateBatch seed;
  seed.Put("cc", "k", {"v", "stored-metadata", {1, 0}});
  REQUIRE(db->ApplyUpdates(seed, 2).ok());
  RwSetBuilder tx;
  tx.AddWrite("cc", "k", "v2");
  tx.AddMetadataWrite("cc", "ghost", {{"VALIDATION_PARAMETER", "p"}});
  RwSetBuilder metadata_only;
  metadata_only.AddMetadataWrite("cc", "k", {{"VALIDATION_PARAMETER", "p"}});
  auto value_only = Validate(*db, {Parsed(tx)});
  CHECK(value_only.updates.Get("cc", "k")->value.metadata == "stored-metadata");
  auto result = Validate(*db, {Parsed(tx), Parsed(metadata_only)});
  CHECK(result.codes == std::vector{::protos::VALID, ::protos::VALID});
  CHECK(result.updates.Get("cc", "ghost") == nullptr);
  const auto* k = result.updates.Get("cc", "k");
  REQUIRE(k != nullptr);
  CHECK(k->value.value == "v2");
  CHECK(k->value.version == Version{kBlock, 1});
  CHECK(weft::peer::ledger::rwset::DecodeStateMetadata(k->value.metadata).value() ==
        weft::peer::ledger::rwset::StateMetadata{{"VALIDATION_PARAMETER", "p"}});
}

TEST_CASE("MVCC deletes a key's metadata on a metadata write with an empty map") {
  auto db = OpenTempStateDb();
  UpdateBatch seed;
  seed.Put("cc", "k",
           {"v",
            weft::peer::ledger::rwset::EncodeStateMetadata({{"VALIDATION_PARAMETER", "p"}}),
            {1, 0}});
  REQUIRE(db->ApplyUpdates(seed, 2).ok());
  RwSetBuilder clear;
  clear.AddMetadataWrite("cc", "k", {});
  auto result = Validate(*db, {Parsed(clear)});
  CHECK(result.codes == std::vector{::protos::VALID});
  const auto* k = result.updates.Get("cc", "k");
  REQUIRE(k != nullptr);
  CHECK_FALSE(k->is_delete);
  CHECK(k->value.value == "v");
  CHECK(k->value.metadata.empty());
  CHECK(k->value.version == Version{kBlock, 0});
  REQUIRE(db->ApplyUpdates(result.updates, kBlock + 1).ok());
  CHECK(db->GetState("cc", "k").value()->metadata.empty());
}

TEST_CASE("MVCC flags a phantom for a composite key added to a range from the empty key") {
  auto db = SeededState();
  RwSetBuilder inserter;
  inserter.AddWrite("cc", weft::peer::ledger::CreateCompositeKey("asset", {"1"}).value(), "new");
  RwSetBuilder scanner;
  scanner.AddRangeQuery("cc", Range("", "", true, {{"a", {1, 0}}, {"c", {2, 0}}, {"e", {3, 0}}}));
  auto result = Validate(*db, {Parsed(inserter), Parsed(scanner)});
  CHECK(result.codes == std::vector{::protos::VALID, ::protos::PHANTOM_READ_CONFLICT});
}

TEST_CASE("MVCC validates a range summarised in reads_merkle_hashes in that form") {
  // 120 keys: more than the 50 a RangeQueryInfo keeps raw.
  auto db = OpenTempStateDb();
  UpdateBatch seed;
  for (int i = 0; i < 120; ++i) seed.Put("cc", "k" + std::to_string(1000 + i), {"v", "", {1, 0}});
  REQUIRE(db->ApplyUpdates(seed, kBlock).ok());
  auto sim = weft::peer::ledger::NewTxSimulator(*db);
  auto it = sim->GetStateRangeScanIterator("cc", "k", "l").value();
  while (it->Next().value()) {
  }
  auto scan =
      weft::peer::ledger::rwset::ParseTxRwSet(sim->GetTxSimulationResults().value()).value();
  REQUIRE(scan.size() == 1);
  REQUIRE(scan[0].kv.range_queries_info_size() == 1);
  REQUIRE(scan[0].kv.range_queries_info(0).has_reads_merkle_hashes());

  SECTION("unchanged: valid") {
    CHECK(Validate(*db, {scan}).codes == std::vector{::protos::VALID});
  }
  SECTION("a key rewritten by an earlier transaction: phantom") {
    RwSetBuilder writer;
    writer.AddWrite("cc", "k1077", "new");
    CHECK(Validate(*db, {Parsed(writer), scan}).codes ==
          std::vector{::protos::VALID, ::protos::PHANTOM_READ_CONFLICT});
  }
  SECTION("a key inserted after the last one: phantom") {
    RwSetBuilder writer;
    writer.AddWrite("cc", "k9999", "new");
    CHECK(Validate(*db, {Parsed(writer), scan}).codes ==
          std::vector{::protos::VALID, ::protos::PHANTOM_READ_CONFLICT});
  }
  SECTION("a summary with max degree below 2 fails the block, as in Fabric") {
    scan[0].kv.mutable_range_queries_info(0)->mutable_reads_merkle_hashes()->set_max_degree(1);
    std::vector<TxToValidate> txs{{&scan, ::protos::VALID}};
    CHECK(absl::IsInvalidArgument(ValidateAndPrepareBatch(*db, kBlock, txs).status()));
  }
}

TEST_CASE("MVCC re-checks an iterator that read nothing over the rest of the namespace") {
  // Fabric records {start_key, no end key, not exhausted} and validation then
  // requires that no key at or after start_key exists.
  auto db = SeededState();
  ::kvrwset::RangeQueryInfo opened;
  opened.set_start_key("d");
  RwSetBuilder tx;
  tx.AddRangeQuery("cc", opened);
  CHECK(Validate(*db, {Parsed(tx)}).codes == std::vector{::protos::PHANTOM_READ_CONFLICT});
  opened.set_start_key("f");
  RwSetBuilder after_last;
  after_last.AddRangeQuery("cc", opened);
  CHECK(Validate(*db, {Parsed(after_last)}).codes == std::vector{::protos::VALID});
}

namespace {

// One namespace "cc" whose only content is collection "coll"'s hashed reads
// (key hash -> version) and hashed writes (key hash -> value hash, "" deletes).
TxRwSet Hashed(std::vector<std::pair<std::string, std::optional<Version>>> reads,
               std::vector<std::pair<std::string, std::string>> writes) {
  ::kvrwset::HashedRWSet hashed;
  for (const auto& [key_hash, version] : reads) {
    auto* read = hashed.add_hashed_reads();
    read->set_key_hash(key_hash);
    if (version) {
      read->mutable_version()->set_block_num(version->block_num);
      read->mutable_version()->set_tx_num(version->tx_num);
    }
  }
  for (const auto& [key_hash, value_hash] : writes) {
    auto* write = hashed.add_hashed_writes();
    write->set_key_hash(key_hash);
    write->set_value_hash(value_hash);
  }
  return {{"cc", {}, {{"coll", hashed, ""}}}};
}

}  // namespace

TEST_CASE("MVCC checks hashed reads and applies hashed writes to the collection's hashed state") {
  auto db = SeededState();
  const std::string hashed_ns = weft::peer::ledger::rwset::HashedNamespace("cc", "coll");
  UpdateBatch seed;
  seed.Put(hashed_ns, "h1", {"value-hash-1", "", {2, 0}});
  REQUIRE(db->ApplyUpdates(seed, kBlock).ok());

  SECTION("a current hashed read passes and the writes are applied") {
    auto result = Validate(*db, {Hashed({{"h1", Version{2, 0}}, {"h9", std::nullopt}},
                                        {{"h2", "value-hash-2"}, {"h1", ""}})});
    CHECK(result.codes == std::vector{::protos::VALID});
    REQUIRE(result.updates.Get(hashed_ns, "h2") != nullptr);
    CHECK(result.updates.Get(hashed_ns, "h2")->value.value == "value-hash-2");
    CHECK(result.updates.Get(hashed_ns, "h2")->value.version == Version{kBlock, 0});
    // An empty value hash is a delete (Fabric's IsKVWriteHashDelete).
    REQUIRE(result.updates.Get(hashed_ns, "h1") != nullptr);
    CHECK(result.updates.Get(hashed_ns, "h1")->is_delete);
    CHECK(result.updates.Get("cc", "h2") == nullptr);
  }
  SECTION("a stale hashed read is MVCC_READ_CONFLICT and applies nothing") {
    auto result = Validate(*db, {Hashed({{"h1", Version{1, 0}}}, {{"h2", "value-hash-2"}})});
    CHECK(result.codes == std::vector{::protos::MVCC_READ_CONFLICT});
    CHECK(result.updates.empty());
  }
  SECTION("a hashed read of a key hash written earlier in the block conflicts") {
    auto result =
        Validate(*db, {Hashed({}, {{"h3", "value-hash-3"}}), Hashed({{"h3", std::nullopt}}, {})});
    CHECK(result.codes == std::vector{::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  }
  SECTION("hashed reads come after the namespace's public reads and range queries") {
    TxRwSet tx = Hashed({{"h1", Version{1, 0}}}, {});
    *tx[0].kv.add_range_queries_info() = Range("a", "b", true, {});
    CHECK(Validate(*db, {tx}).codes == std::vector{::protos::PHANTOM_READ_CONFLICT});
  }
}
