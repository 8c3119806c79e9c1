#include "common/ledger/kvstore/leveldb_store.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/temp_dir.h"

namespace {

using weft::common::ledger::kvstore::KeyRange;
using weft::common::ledger::kvstore::LevelDbStore;
using weft::common::ledger::kvstore::Options;
using weft::common::ledger::kvstore::WriteBatch;

std::unique_ptr<LevelDbStore> OpenStore(const weft::testing::TempDir& dir, Options options = {}) {
  auto store = LevelDbStore::Open((dir / "db").string(), options);
  REQUIRE(store.ok());
  return std::move(store).value();
}

template <typename Source>
std::vector<std::pair<std::string, std::string>> Collect(const Source& source,
                                                         const KeyRange& range) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = source.NewIterator(range);
  for (; it.Valid(); it.Next()) out.emplace_back(std::string(it.key()), std::string(it.value()));
  REQUIRE(it.status().ok());
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("LevelDbStore returns what was put and NotFound for absent or deleted keys") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->Put("k1", std::string("v\0one", 5)).ok());
  REQUIRE(store->Get("k1").value() == std::string("v\0one", 5));

  auto absent = store->Get("missing");
  REQUIRE(absent.status().code() == absl::StatusCode::kNotFound);
  REQUIRE(std::string(absent.status().message()).find("missing") != std::string::npos);

  REQUIRE(store->Delete("k1").ok());
  REQUIRE(store->Get("k1").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("LevelDbStore keeps data across close and reopen") {
  weft::testing::TempDir dir;
  REQUIRE(OpenStore(dir, Options{.sync_writes = true})->Put("durable", "yes").ok());
  REQUIRE(OpenStore(dir)->Get("durable").value() == "yes");
}

TEST_CASE("LevelDbStore open failures name the path") {
  weft::testing::TempDir dir;
  OpenStore(dir);
  auto again = LevelDbStore::Open((dir / "db").string(), Options{.error_if_exists = true});
  REQUIRE_FALSE(again.ok());
  REQUIRE(std::string(again.status().message()).find((dir / "db").string()) != std::string::npos);

  auto missing = LevelDbStore::Open((dir / "nope").string(), Options{.create_if_missing = false});
  REQUIRE_FALSE(missing.ok());
  REQUIRE(std::string(missing.status().message()).find("open") != std::string::npos);
}

TEST_CASE("A write batch applies all its puts and deletes together, in order") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->Put("old", "1").ok());

  WriteBatch batch;
  batch.Put("a", "1");
  batch.Put("b", "2");
  batch.Delete("old");
  batch.Put("a", "overwritten");
  SECTION("nothing is visible before Write") {
    REQUIRE(store->Get("a").status().code() == absl::StatusCode::kNotFound);
    REQUIRE(store->Get("old").ok());
  }
  SECTION("everything is visible after Write") {
    REQUIRE(store->Write(batch, /*sync=*/true).ok());
    REQUIRE(store->Get("a").value() == "overwritten");
    REQUIRE(store->Get("b").value() == "2");
    REQUIRE(store->Get("old").status().code() == absl::StatusCode::kNotFound);
  }
}

TEST_CASE("Iteration covers exactly the half-open key range") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  for (const char* key : {"a", "b", "ba", "bz", "c", "d"}) REQUIRE(store->Put(key, key).ok());

  REQUIRE(Collect(*store, KeyRange{"b", "c"}) == Pairs{{"b", "b"}, {"ba", "ba"}, {"bz", "bz"}});
  REQUIRE(Collect(*store, KeyRange{"bb", ""}) == Pairs{{"bz", "bz"}, {"c", "c"}, {"d", "d"}});
  REQUIRE(Collect(*store, KeyRange::Prefix("b")).size() == 3);
  REQUIRE(Collect(*store, KeyRange::All()).size() == 6);
  REQUIRE(Collect(*store, KeyRange{"x", ""}).empty());
}

TEST_CASE("A prefix range ending in 0xff bytes still ends at the prefix's successor") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->Put(std::string("a\xff\x01", 3), "inside").ok());
  REQUIRE(store->Put("b", "outside").ok());
  REQUIRE(store->Put("a", "before").ok());
  REQUIRE(Collect(*store, KeyRange::Prefix("a\xff")) ==
          Pairs{{std::string("a\xff\x01", 3), "inside"}});
}

TEST_CASE("Iterator Seek moves forward but never leaves the range") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  for (const char* key : {"a", "b", "c", "d", "e"}) REQUIRE(store->Put(key, key).ok());

  auto it = store->NewIterator(KeyRange{"b", "d"});
  it.Seek("c");
  REQUIRE(it.Valid());
  REQUIRE(it.key() == "c");
  it.Seek("a");  // clamped to the start of the range
  REQUIRE(it.key() == "b");
  it.Seek("d");
  REQUIRE_FALSE(it.Valid());
}

TEST_CASE("An iterator sees the snapshot from its creation") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->Put("a", "1").ok());
  auto it = store->NewIterator();
  REQUIRE(store->Put("b", "2").ok());
  int count = 0;
  for (; it.Valid(); it.Next()) ++count;
  REQUIRE(count == 1);
}

TEST_CASE("Namespaces in one store keep their keys apart") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  auto state = store->OpenNamespace("state");
  auto history = store->OpenNamespace("history");
  auto prefix_of_state = store->OpenNamespace("stat");
  REQUIRE(state.name() == "state");

  REQUIRE(state.Put("k", "state-value").ok());
  REQUIRE(history.Put("k", "history-value").ok());
  REQUIRE(state.Get("k").value() == "state-value");
  REQUIRE(history.Get("k").value() == "history-value");
  REQUIRE(prefix_of_state.Get("ek").status().code() == absl::StatusCode::kNotFound);
  REQUIRE(store->Get(std::string("state\0k", 7)).value() == "state-value");

  REQUIRE(Collect(state, KeyRange::All()) == Pairs{{"k", "state-value"}});
  REQUIRE(Collect(prefix_of_state, KeyRange::All()).empty());

  REQUIRE(history.Delete("k").ok());
  REQUIRE(state.Get("k").ok());
}

TEST_CASE("One batch commits changes to several namespaces atomically") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  auto state = store->OpenNamespace("state");
  auto meta = store->OpenNamespace("meta");
  REQUIRE(state.Put("gone", "x").ok());

  WriteBatch batch;
  state.Put(batch, "k", "v");
  state.Delete(batch, "gone");
  meta.Put(batch, "savepoint", "7");
  REQUIRE(batch.size() == 3);
  REQUIRE(store->Write(batch).ok());

  REQUIRE(state.Get("k").value() == "v");
  REQUIRE(state.Get("gone").status().code() == absl::StatusCode::kNotFound);
  REQUIRE(meta.Get("savepoint").value() == "7");
}

TEST_CASE("Namespace iteration honours a sub-range and strips the prefix") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir);
  auto ns = store->OpenNamespace("ns");
  for (const char* key : {"a1", "a2", "b1"}) REQUIRE(ns.Put(key, "v").ok());
  REQUIRE(store->Put("nt", "outside").ok());

  auto keys = Collect(ns, KeyRange::Prefix("a"));
  REQUIRE(keys == Pairs{{"a1", "v"}, {"a2", "v"}});
  REQUIRE(Collect(ns, KeyRange{"a2", ""}) == Pairs{{"a2", "v"}, {"b1", "v"}});
}
