#include "peer/ledger/tx_simulator.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "peer/ledger/composite_key.h"
#include "tests/support/ledger_test_util.h"

namespace {

using weft::peer::ledger::NewTxSimulator;
using weft::peer::ledger::ResultsIterator;
using weft::peer::ledger::statedb::StateDb;
using weft::peer::ledger::statedb::UpdateBatch;
using weft::testing::OpenTempStateDb;

// "cc" holds k1..k5 at versions (1, i) and two composite "asset" keys.
std::shared_ptr<StateDb> SeededState() {
  auto db = OpenTempStateDb();
  UpdateBatch batch;
  for (uint64_t i = 1; i <= 5; ++i) {
    batch.Put("cc", "k" + std::to_string(i), {"v" + std::to_string(i), "", {1, i}});
  }
  batch.Put("cc", weft::peer::ledger::CreateCompositeKey("asset", {"blue", "1"}).value(),
            {"b1", "", {1, 6}});
  batch.Put("cc", weft::peer::ledger::CreateCompositeKey("asset", {"red", "1"}).value(),
            {"r1", "", {1, 7}});
  REQUIRE(db->ApplyUpdates(batch, 2).ok());
  return db;
}

std::vector<std::string> Drain(ResultsIterator& it) {
  std::vector<std::string> keys;
  while (auto kv = it.Next().value()) keys.push_back(kv->key());
  return keys;
}

::kvrwset::KVRWSet OnlyNamespace(const ::rwset::TxReadWriteSet& rwset) {
  REQUIRE(rwset.ns_rwset_size() == 1);
  ::kvrwset::KVRWSet kv;
  REQUIRE(kv.ParseFromString(rwset.ns_rwset(0).rwset()));
  return kv;
}

}  // namespace

TEST_CASE("TxSimulator does not read its own writes") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  REQUIRE(sim->PutState("cc", "k1", "changed").ok());
  REQUIRE(sim->PutState("cc", "fresh", "new").ok());
  CHECK(sim->GetState("cc", "k1").value() == "v1");
  CHECK(sim->GetState("cc", "fresh").value().empty());
}

TEST_CASE("TxSimulator records reads with the committed version, absent for missing keys") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  REQUIRE(sim->GetState("cc", "k2").ok());
  REQUIRE(sim->GetStateMultipleKeys("cc", {"k3", "nope"}).ok());
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.reads_size() == 3);
  CHECK(kv.reads(0).key() == "k2");
  CHECK(kv.reads(0).version().tx_num() == 2);
  CHECK(kv.reads(1).key() == "k3");
  CHECK(kv.reads(2).key() == "nope");
  CHECK_FALSE(kv.reads(2).has_version());
}

TEST_CASE("TxSimulator turns an empty value into a delete") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  REQUIRE(sim->PutState("cc", "k1", "").ok());
  REQUIRE(sim->DelState("cc", "k2").ok());
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.writes_size() == 2);
  CHECK(kv.writes(0).is_delete());
  CHECK(kv.writes(1).is_delete());
}

TEST_CASE("TxSimulator accepts an empty key, as Fabric's LevelDB state does") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  REQUIRE(sim->PutState("cc", "", "value of the empty key").ok());
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.writes_size() == 1);
  CHECK(kv.writes(0).key().empty());
  CHECK(kv.writes(0).value() == "value of the empty key");
}

TEST_CASE("TxSimulator results are sorted and identical whatever the call order") {
  auto db = SeededState();
  auto first = NewTxSimulator(*db);
  REQUIRE(first->PutState("zz", "b", "2").ok());
  REQUIRE(first->GetState("cc", "k5").ok());
  REQUIRE(first->PutState("zz", "a", "1").ok());
  REQUIRE(first->GetState("cc", "k1").ok());
  auto second = NewTxSimulator(*db);
  REQUIRE(second->GetState("cc", "k1").ok());
  REQUIRE(second->PutState("zz", "a", "1").ok());
  REQUIRE(second->GetState("cc", "k5").ok());
  REQUIRE(second->PutState("zz", "b", "2").ok());

  auto a = first->GetTxSimulationResults().value();
  CHECK(a.SerializeAsString() == second->GetTxSimulationResults().value().SerializeAsString());
  REQUIRE(a.ns_rwset_size() == 2);
  CHECK(a.ns_rwset(0).namespace_() == "cc");
  CHECK(a.ns_rwset(1).namespace_() == "zz");
}

TEST_CASE("TxSimulator records a range query with its raw reads and whether it was exhausted") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  auto all = sim->GetStateRangeScanIterator("cc", "k2", "k4").value();
  CHECK(Drain(*all) == std::vector<std::string>{"k2", "k3"});
  auto partial = sim->GetStateRangeScanIterator("cc", "k1", "").value();
  REQUIRE(partial->Next().value()->key() == "k1");
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.range_queries_info_size() == 2);
  const auto& exhausted = kv.range_queries_info(0);
  CHECK(exhausted.itr_exhausted());
  CHECK(exhausted.start_key() == "k2");
  CHECK(exhausted.end_key() == "k4");
  CHECK(exhausted.raw_reads().kv_reads_size() == 2);
  const auto& stopped = kv.range_queries_info(1);
  CHECK_FALSE(stopped.itr_exhausted());
  CHECK(stopped.end_key() == "k1");  // the last key returned
  CHECK(stopped.raw_reads().kv_reads_size() == 1);
}

TEST_CASE("Paginated range queries return pages linked by bookmarks") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  auto page1 = sim->GetStateRangeScanIteratorWithPagination("cc", "k", "l", 2, "").value();
  CHECK(Drain(*page1) == std::vector<std::string>{"k1", "k2"});
  std::string bookmark = page1->GetBookmarkAndClose().value();
  CHECK(bookmark == "k3");
  auto page2 = sim->GetStateRangeScanIteratorWithPagination("cc", "k", "l", 2, bookmark).value();
  CHECK(Drain(*page2) == std::vector<std::string>{"k3", "k4"});
  auto page3 = sim->GetStateRangeScanIteratorWithPagination("cc", "k", "l", 2,
                                                            page2->GetBookmarkAndClose().value())
                   .value();
  CHECK(Drain(*page3) == std::vector<std::string>{"k5"});
  CHECK(page3->GetBookmarkAndClose().value().empty());
}

TEST_CASE("Partial composite key queries return exactly the keys with that prefix") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  auto blue = sim->GetStateByPartialCompositeKey("cc", "asset", {"blue"}).value();
  auto keys = Drain(*blue);
  REQUIRE(keys.size() == 1);
  CHECK(weft::peer::ledger::SplitCompositeKey(keys[0]).value().second ==
        std::vector<std::string>{"blue", "1"});
  auto all = sim->GetStateByPartialCompositeKey("cc", "asset", {}).value();
  CHECK(Drain(*all).size() == 2);
}

TEST_CASE("TxSimulator writes and reads key metadata") {
  auto db = OpenTempStateDb();
  UpdateBatch batch;
  batch.Put("cc", "k",
            {"v",
             weft::peer::ledger::rwset::EncodeStateMetadata({{"VALIDATION_PARAMETER", "policy"}}),
             {1, 0}});
  REQUIRE(db->ApplyUpdates(batch, 2).ok());
  auto sim = NewTxSimulator(*db);
  CHECK(sim->GetStateMetadata("cc", "k").value() ==
        weft::peer::ledger::rwset::StateMetadata{{"VALIDATION_PARAMETER", "policy"}});
  CHECK(sim->GetStateMetadata("cc", "none").value().empty());
  REQUIRE(sim->SetStateMetadata("cc", "k", {{"VALIDATION_PARAMETER", "new"}}).ok());
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.metadata_writes_size() == 1);
  CHECK(kv.metadata_writes(0).entries(0).value() == "new");
  CHECK(kv.reads_size() == 2);
}

TEST_CASE("TxSimulator refuses every call after Done") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  auto it = sim->GetStateRangeScanIterator("cc", "", "").value();
  sim->Done();
  CHECK(absl::IsFailedPrecondition(sim->GetState("cc", "k1").status()));
  CHECK(absl::IsFailedPrecondition(sim->PutState("cc", "k1", "x")));
  CHECK(absl::IsFailedPrecondition(it->Next().status()));
}

TEST_CASE("A query executor reads committed state and has no history without a history database") {
  auto db = SeededState();
  auto query = weft::peer::ledger::NewQueryExecutor(*db);
  CHECK(query->GetState("cc", "k1").value() == "v1");
  CHECK(absl::IsFailedPrecondition(query->GetHistoryForKey("cc", "k1").status()));
}

TEST_CASE("TxSimulator holds the commit lock in shared mode until Done") {
  auto db = SeededState();
  weft::peer::ledger::CommitLock commit_mu;
  auto sim = NewTxSimulator(*db, {}, std::shared_lock(commit_mu));
  CHECK_FALSE(commit_mu.try_lock());
  sim->Done();
  CHECK(commit_mu.try_lock());
  commit_mu.unlock();
}

TEST_CASE("TxSimulator records every range query once, raw reads only when it had results") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  // Opened but never read: recorded with its start key only (Fabric does too).
  auto unread = sim->GetStateRangeScanIterator("cc", "k2", "k4").value();
  // Read to the end twice: identical (start, end, exhausted), recorded once.
  for (int i = 0; i < 2; ++i) {
    auto it = sim->GetStateRangeScanIterator("cc", "k1", "k3").value();
    CHECK(Drain(*it) == std::vector<std::string>{"k1", "k2"});
  }
  // Exhausted with no results: no raw reads at all.
  auto empty = sim->GetStateRangeScanIterator("cc", "x", "y").value();
  CHECK(Drain(*empty).empty());
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.range_queries_info_size() == 3);
  CHECK(kv.range_queries_info(0).start_key() == "k2");
  CHECK(kv.range_queries_info(0).end_key().empty());
  CHECK_FALSE(kv.range_queries_info(0).itr_exhausted());
  CHECK_FALSE(kv.range_queries_info(0).has_raw_reads());
  CHECK(kv.range_queries_info(1).end_key() == "k3");
  CHECK(kv.range_queries_info(1).itr_exhausted());
  CHECK(kv.range_queries_info(1).raw_reads().kv_reads_size() == 2);
  CHECK(kv.range_queries_info(2).itr_exhausted());
  CHECK_FALSE(kv.range_queries_info(2).has_raw_reads());
  CHECK_FALSE(kv.range_queries_info(2).has_reads_merkle_hashes());
}

TEST_CASE("A paginated query and a write exclude each other in one transaction") {
  // Fabric's checkBeforePaginatedQueries / checkPaginatedQueryPerformed.
  auto db = SeededState();
  SECTION("a write, then a paginated query") {
    auto sim = NewTxSimulator(*db);
    REQUIRE(sim->PutState("cc", "k1", "changed").ok());
    auto page = sim->GetStateRangeScanIteratorWithPagination("cc", "k", "l", 2, "");
    CHECK(absl::IsFailedPrecondition(page.status()));
  }
  SECTION("a paginated query, then a write, a delete or a metadata write") {
    auto sim = NewTxSimulator(*db);
    REQUIRE(sim->GetStateRangeScanIteratorWithPagination("cc", "k", "l", 2, "").ok());
    CHECK(absl::IsFailedPrecondition(sim->PutState("cc", "k1", "changed")));
    CHECK(absl::IsFailedPrecondition(sim->DelState("cc", "k1")));
    CHECK(absl::IsFailedPrecondition(sim->SetStateMetadata("cc", "k1", {})));
    auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
    CHECK(kv.writes_size() == 0);
  }
  SECTION("a query executor has neither rule (it cannot write anyway)") {
    auto query = weft::peer::ledger::NewQueryExecutor(*db);
    CHECK(query->GetStateRangeScanIteratorWithPagination("cc", "k", "l", 2, "").ok());
  }
}

TEST_CASE("A full page is recorded as Fabric records it: exhausted up to the query's end key") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  auto page = sim->GetStateRangeScanIteratorWithPagination("cc", "k", "l", 2, "").value();
  CHECK(Drain(*page) == std::vector<std::string>{"k1", "k2"});
  CHECK(page->GetBookmarkAndClose().value() == "k3");
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.range_queries_info_size() == 1);
  const auto& info = kv.range_queries_info(0);
  CHECK(info.start_key() == "k");
  CHECK(info.end_key() == "l");
  CHECK(info.itr_exhausted());
  REQUIRE(info.raw_reads().kv_reads_size() == 2);
  CHECK(info.raw_reads().kv_reads(1).key() == "k2");
}

TEST_CASE("A range from the empty key includes composite keys, which sort first") {
  // Composite keys start with 0x00: at the ledger a scan from "" returns them
  // (Fabric's shims exclude them by starting simple-key scans at 0x01).
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  auto all = sim->GetStateRangeScanIterator("cc", "", "").value();
  auto keys = Drain(*all);
  REQUIRE(keys.size() == 7);
  CHECK(weft::peer::ledger::SplitCompositeKey(keys[0]).value().first == "asset");
  CHECK(weft::peer::ledger::SplitCompositeKey(keys[1]).value().first == "asset");
  CHECK(keys[2] == "k1");
  auto simple = sim->GetStateRangeScanIterator("cc", std::string("\x01", 1), "").value();
  CHECK(Drain(*simple).size() == 5);
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.range_queries_info_size() == 2);
  CHECK(kv.range_queries_info(0).raw_reads().kv_reads_size() == 7);
}

TEST_CASE("SetStateMetadata with an empty map records a metadata write with no entries") {
  auto db = SeededState();
  auto sim = NewTxSimulator(*db);
  REQUIRE(sim->SetStateMetadata("cc", "k1", {}).ok());
  auto kv = OnlyNamespace(sim->GetTxSimulationResults().value());
  REQUIRE(kv.metadata_writes_size() == 1);
  CHECK(kv.metadata_writes(0).key() == "k1");
  CHECK(kv.metadata_writes(0).entries_size() == 0);
}

TEST_CASE("CommitLock prefers writers: a waiting commit stops new readers") {
  weft::peer::ledger::CommitLock lock;
  lock.lock_shared();  // an open simulator
  std::atomic<bool> writer_done = false;
  std::thread commit([&] {
    lock.lock();
    writer_done = true;
    lock.unlock();
  });
  while (lock.waiting_writers() == 0) std::this_thread::yield();
  // A new simulator may not start while the commit waits.
  CHECK_FALSE(lock.try_lock_shared());
  CHECK_FALSE(writer_done);
  lock.unlock_shared();
  commit.join();
  CHECK(writer_done);
  REQUIRE(lock.try_lock_shared());
  CHECK_FALSE(lock.try_lock());
  lock.unlock_shared();
  CHECK(lock.try_lock());
  lock.unlock();
}
