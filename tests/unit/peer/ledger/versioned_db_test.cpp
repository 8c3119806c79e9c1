#include "peer/ledger/versioned_db.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/ledger/kvstore/leveldb_store.h"
#include "peer/ledger/leveldb_versioned_db.h"
#include "tests/support/temp_dir.h"

namespace {

namespace kvstore = weft::common::ledger::kvstore;
using weft::peer::ledger::LevelDbVersionedDb;
using weft::peer::ledger::UpdateBatch;
using weft::peer::ledger::Version;
using weft::peer::ledger::VersionedDb;
using weft::peer::ledger::VersionedValue;

// One implementation under test, with whatever keeps it alive.
struct DbUnderTest {
  weft::testing::TempDir dir;
  std::unique_ptr<kvstore::LevelDbStore> store;
  std::unique_ptr<VersionedDb> db;
};

std::unique_ptr<DbUnderTest> MakeDb(bool leveldb) {
  auto made = std::make_unique<DbUnderTest>();
  if (leveldb) {
    made->store = kvstore::LevelDbStore::Open((made->dir / "db").string()).value();
    made->db = std::make_unique<LevelDbVersionedDb>(made->store->OpenNamespace("state"),
                                                    made->store->OpenNamespace("meta"), false);
  } else {
    made->db = weft::peer::ledger::NewInMemoryVersionedDb();
  }
  return made;
}

std::vector<std::string> ScanKeys(const VersionedDb& db, const std::string& ns,
                                  const std::string& start, const std::string& end) {
  std::vector<std::string> keys;
  auto it = db.GetStateRangeScanIterator(ns, start, end).value();
  while (auto kv = it->Next().value()) keys.push_back(kv->key);
  return keys;
}

}  // namespace

TEST_CASE("VersionedDb returns the values, metadata and versions that ApplyUpdates wrote") {
  for (bool leveldb : {false, true}) {
    INFO("leveldb " << leveldb);
    auto made = MakeDb(leveldb);
    VersionedDb& db = *made->db;
    REQUIRE_FALSE(db.GetSavepoint().value().has_value());

    UpdateBatch batch;
    batch.Put("cc", "k1", VersionedValue{"v1", "meta", Version{3, 1}});
    batch.Put("cc", "k2", VersionedValue{"v2", "", Version{3, 2}});
    REQUIRE(db.ApplyUpdates(batch, 4).ok());

    auto k1 = db.GetState("cc", "k1").value();
    REQUIRE(k1.has_value());
    CHECK(*k1 == VersionedValue{"v1", "meta", Version{3, 1}});
    CHECK_FALSE(db.GetState("cc", "missing").value().has_value());
    CHECK_FALSE(db.GetState("other", "k1").value().has_value());
    auto several = db.GetStateMultipleKeys("cc", {"k2", "missing", "k1"}).value();
    REQUIRE(several.size() == 3);
    CHECK(several[0]->value == "v2");
    CHECK_FALSE(several[1].has_value());
    CHECK(several[2]->version == Version{3, 1});
    CHECK(db.GetSavepoint().value() == std::optional<uint64_t>(4));
  }
}

TEST_CASE(
    "VersionedDb range scans are ordered, end-exclusive, unbounded for an empty end and "
    "confined to their namespace") {
  for (bool leveldb : {false, true}) {
    INFO("leveldb " << leveldb);
    auto made = MakeDb(leveldb);
    UpdateBatch batch;
    for (const char* key : {"d", "a", "c", "b"}) batch.Put("cc", key, {"x", "", {1, 0}});
    batch.Put("c", "z", {"x", "", {1, 0}});
    batch.Put("cc2", "a", {"x", "", {1, 0}});
    REQUIRE(made->db->ApplyUpdates(batch, 2).ok());

    CHECK(ScanKeys(*made->db, "cc", "b", "d") == std::vector<std::string>{"b", "c"});
    CHECK(ScanKeys(*made->db, "cc", "", "") == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(ScanKeys(*made->db, "cc", "c", "") == std::vector<std::string>{"c", "d"});
    CHECK(ScanKeys(*made->db, "c", "", "") == std::vector<std::string>{"z"});
  }
}

TEST_CASE("VersionedDb deletes remove keys and the savepoint moves with the batch") {
  for (bool leveldb : {false, true}) {
    INFO("leveldb " << leveldb);
    auto made = MakeDb(leveldb);
    UpdateBatch first;
    first.Put("cc", "k", {"v", "", {1, 0}});
    REQUIRE(made->db->ApplyUpdates(first, 2).ok());
    UpdateBatch second;
    second.Delete("cc", "k", {2, 0});
    REQUIRE(made->db->ApplyUpdates(second, 3).ok());
    CHECK_FALSE(made->db->GetState("cc", "k").value().has_value());
    CHECK(made->db->GetSavepoint().value() == std::optional<uint64_t>(3));
  }
}

TEST_CASE("LevelDbVersionedDb keeps state and savepoint across a reopen") {
  weft::testing::TempDir dir;
  {
    auto store = kvstore::LevelDbStore::Open((dir / "db").string()).value();
    LevelDbVersionedDb db(store->OpenNamespace("state"), store->OpenNamespace("meta"), true);
    UpdateBatch batch;
    batch.Put("cc", "k", {"value", "m", {7, 2}});
    REQUIRE(db.ApplyUpdates(batch, 8).ok());
  }
  auto store = kvstore::LevelDbStore::Open((dir / "db").string()).value();
  LevelDbVersionedDb db(store->OpenNamespace("state"), store->OpenNamespace("meta"), true);
  CHECK(db.GetState("cc", "k").value() ==
        std::optional<VersionedValue>(VersionedValue{"value", "m", {7, 2}}));
  CHECK(db.GetSavepoint().value() == std::optional<uint64_t>(8));
}
