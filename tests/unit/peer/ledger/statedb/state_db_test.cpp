#include "peer/ledger/statedb/state_db.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/ledger/kvstore/leveldb_store.h"
#include "peer/ledger/statedb/factory.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace {

namespace kvstore = weft::common::ledger::kvstore;
using weft::peer::ledger::statedb::NewLevelDbStateDb;
using weft::peer::ledger::statedb::StateDb;
using weft::peer::ledger::statedb::UpdateBatch;
using weft::peer::ledger::statedb::Version;
using weft::peer::ledger::statedb::VersionedValue;
using weft::testing::OpenTempStateDb;

std::vector<std::string> ScanKeys(const StateDb& db, const std::string& ns,
                                  const std::string& start, const std::string& end) {
  std::vector<std::string> keys;
  auto it = db.GetStateRangeScanIterator(ns, start, end).value();
  while (auto kv = it->Next().value()) keys.push_back(kv->key);
  return keys;
}

}  // namespace

TEST_CASE("StateDb returns the values, metadata and versions that ApplyUpdates wrote") {
  auto db = OpenTempStateDb();
  REQUIRE_FALSE(db->GetSavepoint().value().has_value());

  UpdateBatch batch;
  batch.Put("cc", "k1", VersionedValue{"v1", "meta", Version{3, 1}});
  batch.Put("cc", "k2", VersionedValue{"v2", "", Version{3, 2}});
  REQUIRE(db->ApplyUpdates(batch, 4).ok());

  auto k1 = db->GetState("cc", "k1").value();
  REQUIRE(k1.has_value());
  CHECK(*k1 == VersionedValue{"v1", "meta", Version{3, 1}});
  CHECK_FALSE(db->GetState("cc", "missing").value().has_value());
  CHECK_FALSE(db->GetState("other", "k1").value().has_value());
  auto several = db->GetStateMultipleKeys("cc", {"k2", "missing", "k1"}).value();
  REQUIRE(several.size() == 3);
  CHECK(several[0]->value == "v2");
  CHECK_FALSE(several[1].has_value());
  CHECK(several[2]->version == Version{3, 1});
  CHECK(db->GetSavepoint().value() == std::optional<uint64_t>(4));
}

TEST_CASE(
    "StateDb range scans are ordered, end-exclusive, unbounded for an empty end and "
    "confined to their namespace") {
  auto db = OpenTempStateDb();
  UpdateBatch batch;
  for (const char* key : {"d", "a", "c", "b"}) batch.Put("cc", key, {"x", "", {1, 0}});
  batch.Put("c", "z", {"x", "", {1, 0}});
  batch.Put("cc2", "a", {"x", "", {1, 0}});
  REQUIRE(db->ApplyUpdates(batch, 2).ok());

  CHECK(ScanKeys(*db, "cc", "b", "d") == std::vector<std::string>{"b", "c"});
  CHECK(ScanKeys(*db, "cc", "", "") == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(ScanKeys(*db, "cc", "c", "") == std::vector<std::string>{"c", "d"});
  CHECK(ScanKeys(*db, "c", "", "") == std::vector<std::string>{"z"});
}

TEST_CASE("StateDb deletes remove keys and the savepoint moves with the batch") {
  auto db = OpenTempStateDb();
  UpdateBatch first;
  first.Put("cc", "k", {"v", "", {1, 0}});
  REQUIRE(db->ApplyUpdates(first, 2).ok());
  UpdateBatch second;
  second.Delete("cc", "k", {2, 0});
  REQUIRE(db->ApplyUpdates(second, 3).ok());
  CHECK_FALSE(db->GetState("cc", "k").value().has_value());
  CHECK(db->GetSavepoint().value() == std::optional<uint64_t>(3));
}

TEST_CASE("StateDb range iterators read the snapshot taken when they were created") {
  auto db = OpenTempStateDb();
  UpdateBatch before;
  before.Put("cc", "a", {"1", "", {1, 0}});
  REQUIRE(db->ApplyUpdates(before, 2).ok());
  auto it = db->GetStateRangeScanIterator("cc", "", "").value();
  UpdateBatch after;
  after.Put("cc", "b", {"2", "", {2, 0}});
  REQUIRE(db->ApplyUpdates(after, 3).ok());
  std::vector<std::string> keys;
  while (auto kv = it->Next().value()) keys.push_back(kv->key);
  CHECK(keys == std::vector<std::string>{"a"});
}

TEST_CASE(
    "StateDb StageUpdates writes nothing until the caller's batch commits with its own keys") {
  weft::testing::TempDir dir;
  auto store = kvstore::LevelDbStore::Open((dir / "db").string()).value();
  auto db = NewLevelDbStateDb(*store, false);
  auto other = store->OpenNamespace("other");

  UpdateBatch updates;
  updates.Put("cc", "k", {"v", "", {4, 0}});
  kvstore::WriteBatch batch;
  db->StageUpdates(updates, 5, batch);
  other.Put(batch, "entry", "x");
  CHECK_FALSE(db->GetState("cc", "k").value().has_value());
  CHECK_FALSE(db->GetSavepoint().value().has_value());

  REQUIRE(store->Write(batch, false).ok());
  CHECK(db->GetState("cc", "k").value() ==
        std::optional<VersionedValue>(VersionedValue{"v", "", {4, 0}}));
  CHECK(db->GetSavepoint().value() == std::optional<uint64_t>(5));
  CHECK(other.Get("entry").value() == "x");
}

TEST_CASE("The LevelDB StateDb keeps state and savepoint across a reopen") {
  weft::testing::TempDir dir;
  {
    auto store = kvstore::LevelDbStore::Open((dir / "db").string()).value();
    auto db = NewLevelDbStateDb(*store, true);
    UpdateBatch batch;
    batch.Put("cc", "k", {"value", "m", {7, 2}});
    REQUIRE(db->ApplyUpdates(batch, 8).ok());
  }
  auto store = kvstore::LevelDbStore::Open((dir / "db").string()).value();
  auto db = NewLevelDbStateDb(*store, true);
  CHECK(db->GetState("cc", "k").value() ==
        std::optional<VersionedValue>(VersionedValue{"value", "m", {7, 2}}));
  CHECK(db->GetSavepoint().value() == std::optional<uint64_t>(8));
}
