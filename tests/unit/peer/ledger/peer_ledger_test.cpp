#include "peer/ledger/peer_ledger.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto/hash.h"
#include "common/ledger/blockstore/file_block_store.h"
#include "peer/ledger/rwset/rwset.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace {

namespace blockstore = weft::common::ledger::blockstore;
using weft::peer::ledger::LedgerManager;
using weft::peer::ledger::LedgerOptions;
using weft::peer::ledger::PeerLedger;
using weft::peer::ledger::rwset::RwSetBuilder;
using weft::peer::ledger::statedb::Version;
using Codes = std::vector<::protos::TxValidationCode>;

const std::string kChannel = "mychannel";

// One transaction: (tx id, rwset).
struct Tx {
  std::string id;
  ::rwset::TxReadWriteSet rwset;
};

Tx Write(std::string id, std::map<std::string, std::string> writes,
         std::map<std::string, std::optional<Version>> reads = {}) {
  RwSetBuilder builder;
  for (auto& [key, version] : reads) builder.AddRead("cc", key, version);
  for (auto& [key, value] : writes) builder.AddWrite("cc", key, value);
  return {std::move(id), builder.Build()};
}

// The next block of `ledger` holding `txs`, stamped `seconds`.
::common::Block NextBlock(const PeerLedger& ledger, const std::vector<Tx>& txs,
                          int64_t seconds = 1) {
  auto info = ledger.GetBlockchainInfo();
  std::vector<std::string> envelopes;
  for (const auto& tx : txs) {
    envelopes.push_back(weft::testing::EndorserTxEnvelope(kChannel, tx.id, tx.rwset, seconds));
  }
  return weft::testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
}

Codes Commit(PeerLedger& ledger, const std::vector<Tx>& txs, int64_t seconds = 1) {
  auto codes =
      ledger.CommitBlock(NextBlock(ledger, txs, seconds), Codes(txs.size(), ::protos::VALID));
  INFO(codes.status().ToString());
  REQUIRE(codes.ok());
  return *codes;
}

std::map<std::string, std::string> Dump(PeerLedger& ledger) {
  std::map<std::string, std::string> state;
  auto query = ledger.NewQueryExecutor();
  auto it = query->GetStateRangeScanIterator("cc", "", "").value();
  while (auto kv = it->Next().value()) state[kv->key()] = kv->value();
  query->Done();
  return state;
}

std::unique_ptr<PeerLedger> Create(const LedgerManager& manager) {
  auto ledger = manager.CreateLedger(weft::testing::GenesisBlock(kChannel));
  INFO(ledger.status().ToString());
  REQUIRE(ledger.ok());
  return std::move(*ledger);
}

std::unique_ptr<PeerLedger> Open(const LedgerManager& manager) {
  auto ledger = manager.OpenLedger(kChannel);
  INFO(ledger.status().ToString());
  REQUIRE(ledger.ok());
  return std::move(*ledger);
}

std::string CommitHashOf(const ::common::Block& block) {
  ::common::Metadata metadata;
  REQUIRE(metadata.ParseFromString(block.metadata().metadata(::common::COMMIT_HASH)));
  return metadata.value();
}

}  // namespace

TEST_CASE("CommitBlock applies valid transactions and writes the MVCC codes as the filter") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);
  REQUIRE(Commit(*ledger, {Write("t1", {{"a", "1"}, {"b", "1"}})}) == Codes{::protos::VALID});

  auto codes = Commit(*ledger, {Write("t2", {{"a", "2"}}, {{"a", Version{1, 0}}}),
                                Write("t3", {{"b", "3"}}, {{"a", Version{1, 0}}})});
  CHECK(codes == Codes{::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"a", "2"}, {"b", "1"}});

  auto stored = ledger->GetBlockByNumber(2).value();
  CHECK(stored.metadata().metadata(::common::TRANSACTIONS_FILTER) ==
        std::string{static_cast<char>(::protos::VALID),
                    static_cast<char>(::protos::MVCC_READ_CONFLICT)});
  auto location = ledger->block_store().RetrieveTxValidationCode("t3").value();
  CHECK(location.validation_code == ::protos::MVCC_READ_CONFLICT);
}

TEST_CASE("CommitBlock keeps the earlier checks' codes and rejects unreadable transactions") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);
  auto block = NextBlock(*ledger, {Write("t1", {{"a", "1"}}), Write("t2", {{"b", "1"}})});
  block.mutable_data()->add_data("not an envelope");
  block.mutable_header()->set_data_hash(
      weft::testing::LedgerBlock(0, "", {block.data().data().begin(), block.data().data().end()})
          .header()
          .data_hash());
  auto codes = ledger->CommitBlock(
      block, {::protos::ENDORSEMENT_POLICY_FAILURE, ::protos::VALID, ::protos::VALID});
  REQUIRE(codes.ok());
  CHECK(*codes ==
        Codes{::protos::ENDORSEMENT_POLICY_FAILURE, ::protos::VALID, ::protos::BAD_PAYLOAD});
  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"b", "1"}});
  CHECK(absl::IsInvalidArgument(
      ledger->CommitBlock(NextBlock(*ledger, {}), {::protos::VALID}).status()));
}

TEST_CASE("CommitBlock marks reused tx ids DUPLICATE_TXID and applies nothing of them") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);
  REQUIRE(Commit(*ledger, {Write("t1", {{"a", "1"}})}) == Codes{::protos::VALID});

  // Already committed; then twice in one block (the second copy is the duplicate).
  auto codes = Commit(*ledger, {Write("t1", {{"a", "replayed"}}), Write("t2", {{"b", "first"}}),
                                Write("t2", {{"b", "second"}, {"c", "second"}})});
  CHECK(codes == Codes{::protos::DUPLICATE_TXID, ::protos::VALID, ::protos::DUPLICATE_TXID});
  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"a", "1"}, {"b", "first"}});
  CHECK(ledger->GetHistoryForKey("cc", "c").value().empty());

  // Only a transaction still VALID claims its tx id within the block.
  auto block = NextBlock(*ledger, {Write("t3", {{"d", "rejected"}}), Write("t3", {{"d", "kept"}})});
  auto mixed = ledger->CommitBlock(block, {::protos::ENDORSEMENT_POLICY_FAILURE, ::protos::VALID});
  REQUIRE(mixed.ok());
  CHECK(*mixed == Codes{::protos::ENDORSEMENT_POLICY_FAILURE, ::protos::VALID});
  CHECK(Dump(*ledger).at("d") == "kept");
}

TEST_CASE("COMMIT_HASH follows Fabric's rule byte for byte") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);

  // Fabric adds no commit hash to block 0.
  CHECK(ledger->GetBlockByNumber(0).value().metadata().metadata(::common::COMMIT_HASH).empty());
  CHECK(ledger->commit_hash().empty());

  // Block 1: tx 0 writes cc/k = "v". Written out from Fabric's rule by hand:
  // filter {VALID} behind its varint length, then txmgr.Updates{kvwrites:
  // KVWrite{namespace "cc", key "k", value "v", version_bytes 01 01 | 00}},
  // then the (empty) previous hash.
  Commit(*ledger, {Write("t1", {{"k", "v"}})});
  const std::string filter_1("\x01\x00", 2);
  const std::string updates_1(
      "\x0a\x0f"
      "\x0a\x02"
      "cc"
      "\x1a\x01"
      "k"
      "\x2a\x01"
      "v"
      "\x32\x03\x01\x01\x00",
      17);
  const std::string hash_1 = weft::common::crypto::Sha256(filter_1 + updates_1);
  CHECK(CommitHashOf(ledger->GetBlockByNumber(1).value()) == hash_1);

  // Block 2: tx 0 writes a = "1" and deletes k (the builder makes an empty value a delete);
  // tx 1 conflicts (MVCC_READ_CONFLICT = 11) and contributes nothing. The
  // namespace is only on the first KVWrite; the delete has isDelete and no value.
  RwSetBuilder builder;
  builder.AddWrite("cc", "a", "1");
  builder.AddWrite("cc", "k", "");
  Commit(*ledger, {Tx{"t2", builder.Build()}, Write("t3", {{"b", "2"}}, {{"k", Version{9, 9}}})});
  const std::string filter_2("\x02\x00\x0b", 3);
  const std::string updates_2(
      "\x0a\x0f"
      "\x0a\x02"
      "cc"
      "\x1a\x01"
      "a"
      "\x2a\x01"
      "1"
      "\x32\x03\x01\x02\x00"
      "\x0a\x0a"
      "\x1a\x01"
      "k"
      "\x20\x01"
      "\x32\x03\x01\x02\x00",
      29);
  const std::string hash_2 = weft::common::crypto::Sha256(filter_2 + updates_2 + hash_1);
  CHECK(CommitHashOf(ledger->GetBlockByNumber(2).value()) == hash_2);

  // A block without valid writes still hashes its filter and the previous hash.
  Commit(*ledger, {Write("t4", {{"k", "v"}}, {{"k", Version{9, 9}}})});
  const std::string hash_3 = weft::common::crypto::Sha256(std::string("\x01\x0b", 2) + hash_2);
  CHECK(CommitHashOf(ledger->GetBlockByNumber(3).value()) == hash_3);
  CHECK(ledger->commit_hash() == hash_3);
  REQUIRE(ledger->GetBlockByNumber(3).value().metadata().metadata_size() == 5);

  // Reopened, the ledger continues the chain from the stored hash.
  ledger.reset();
  ledger = Open(manager);
  CHECK(ledger->commit_hash() == hash_3);
}

TEST_CASE("A write of an empty value is a delete in state, history and the commit hash") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);
  Commit(*ledger, {Write("t1", {{"k", "v"}, {"", "empty key"}})});
  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"", "empty key"}, {"k", "v"}});

  // A KVWrite with an empty value and is_delete unset, as another endorser
  // may send it: Fabric's IsKVWriteDelete treats it as a delete.
  ::kvrwset::KVRWSet kv;
  auto* write = kv.add_writes();
  write->set_key("k");
  ::rwset::TxReadWriteSet raw;
  raw.set_data_model(::rwset::TxReadWriteSet::KV);
  auto* ns_rwset = raw.add_ns_rwset();
  ns_rwset->set_namespace_("cc");
  ns_rwset->set_rwset(kv.SerializeAsString());
  Commit(*ledger, {Tx{"t2", raw}});

  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"", "empty key"}});
  auto history = ledger->GetHistoryForKey("cc", "k").value();
  REQUIRE(history.size() == 2);
  CHECK(history[0].tx_id() == "t2");
  CHECK(history[0].is_delete());
  CHECK(history[0].value().empty());
  CHECK_FALSE(history[1].is_delete());
  // KVWrite{namespace "cc", key "k", isDelete true, version_bytes 01 02 | 00},
  // written out by hand from Fabric's rule.
  const std::string updates(
      "\x0a\x0e"
      "\x0a\x02"
      "cc"
      "\x1a\x01"
      "k"
      "\x20\x01"
      "\x32\x03\x01\x02\x00",
      16);
  CHECK(CommitHashOf(ledger->GetBlockByNumber(2).value()) ==
        weft::common::crypto::Sha256(std::string("\x01\x00", 2) + updates +
                                     CommitHashOf(ledger->GetBlockByNumber(1).value())));
}

TEST_CASE("A valid CONFIG transaction stores its ConfigEnvelope under CHANNEL_CONFIG_ENV_BYTES") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);
  // GenesisBlock's config transaction carries "config of <channel>" as payload data.
  auto query = ledger->NewQueryExecutor();
  CHECK(query->GetState("", "CHANNEL_CONFIG_ENV_BYTES").value() == "config of " + kChannel);
  query->Done();
  CHECK(ledger->GetHistoryForKey("", "CHANNEL_CONFIG_ENV_BYTES").value().empty());

  auto block = NextBlock(*ledger, {});
  block.mutable_data()->add_data(weft::testing::ConfigTxEnvelope("other"));
  block.mutable_header()->set_data_hash(
      weft::testing::LedgerBlock(0, "", {block.data().data().begin(), block.data().data().end()})
          .header()
          .data_hash());
  REQUIRE(ledger->CommitBlock(block, {::protos::VALID}).ok());
  query = ledger->NewQueryExecutor();
  CHECK(query->GetState("", "CHANNEL_CONFIG_ENV_BYTES").value() == "config of other");
  query->Done();
  // Reopened (state replayed from the block store if needed), the same.
  ledger.reset();
  ledger = Open(manager);
  query = ledger->NewQueryExecutor();
  CHECK(query->GetState("", "CHANNEL_CONFIG_ENV_BYTES").value() == "config of other");
  query->Done();
}

TEST_CASE("GetHistoryForKey returns every committed write of a key, newest first") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);
  Commit(*ledger, {Write("t1", {{"k", "one"}})}, 100);
  Commit(*ledger, {Write("t2", {{"other", "x"}}), Write("t3", {{"k", "two"}})}, 200);
  Commit(*ledger, {Write("t4", {{"k", ""}})}, 300);

  auto history = ledger->GetHistoryForKey("cc", "k").value();
  REQUIRE(history.size() == 3);
  CHECK(history[0].tx_id() == "t4");
  CHECK(history[0].is_delete());
  CHECK(history[0].timestamp().seconds() == 300);
  CHECK(history[1].tx_id() == "t3");
  CHECK(history[1].value() == "two");
  CHECK(history[2].tx_id() == "t1");
  CHECK(history[2].value() == "one");
  CHECK(history[2].timestamp().seconds() == 100);

  auto sim = ledger->NewTxSimulator();
  CHECK(sim->GetHistoryForKey("cc", "k").value().size() == 3);
  sim->Done();
}

TEST_CASE("Enabling history on an existing ledger rebuilds it from block 0") {
  weft::testing::TempDir dir;
  LedgerOptions without_history;
  without_history.enable_history = false;
  {
    auto ledger = Create(LedgerManager(dir.path(), without_history));
    Commit(*ledger, {Write("t1", {{"k", "one"}})});
  }
  {
    // History on: rebuilt from the block store, then kept by every commit.
    auto ledger = Open(LedgerManager(dir.path()));
    Commit(*ledger, {Write("t2", {{"k", "two"}})});
    auto history = ledger->GetHistoryForKey("cc", "k").value();
    REQUIRE(history.size() == 2);
    CHECK(history[0].tx_id() == "t2");
    CHECK(history[1].tx_id() == "t1");
  }
  {
    // Off again for a block, then on: history catches up from its savepoint.
    auto ledger = Open(LedgerManager(dir.path(), without_history));
    Commit(*ledger, {Write("t3", {{"k", "three"}})});
  }
  auto ledger = Open(LedgerManager(dir.path()));
  auto history = ledger->GetHistoryForKey("cc", "k").value();
  REQUIRE(history.size() == 3);
  CHECK(history[0].tx_id() == "t3");
  CHECK(history[0].value() == "three");
  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"k", "three"}});
}

TEST_CASE("A ledger with history disabled refuses history queries") {
  weft::testing::TempDir dir;
  LedgerOptions options;
  options.enable_history = false;
  LedgerManager manager(dir.path(), options);
  auto ledger = Create(manager);
  Commit(*ledger, {Write("t1", {{"k", "one"}})});
  CHECK(absl::IsFailedPrecondition(ledger->GetHistoryForKey("cc", "k").status()));
}

TEST_CASE("Reopening a ledger restores its state, height and commit hash") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  std::string commit_hash;
  {
    auto ledger = Create(manager);
    Commit(*ledger, {Write("t1", {{"a", "1"}, {"b", "2"}})});
    Commit(*ledger, {Write("t2", {{"a", ""}})});
    commit_hash = ledger->commit_hash();
  }
  auto ledger = Open(manager);
  CHECK(ledger->GetBlockchainInfo().height == 3);
  CHECK(ledger->commit_hash() == commit_hash);
  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"b", "2"}});
  CHECK(Commit(*ledger, {Write("t3", {{"c", "3"}})}) == Codes{::protos::VALID});
}

TEST_CASE("Opening a ledger whose state lags the block store replays the missing blocks") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  {
    auto ledger = Create(manager);
    Commit(*ledger, {Write("t1", {{"a", "1"}})});
  }
  {
    // A crash between the block append and the state batch leaves this.
    blockstore::FileBlockStoreOptions options;
    options.dir = dir / "chains" / kChannel;
    auto store = blockstore::FileBlockStore::Open(options).value();
    auto info = store->GetInfo();
    auto block = weft::testing::LedgerBlock(
        info.height, info.current_block_hash,
        {weft::testing::EndorserTxEnvelope(kChannel, "t2", Write("t2", {{"a", "2"}}).rwset),
         weft::testing::EndorserTxEnvelope(kChannel, "t3", Write("t3", {{"b", "3"}}).rwset)});
    block.mutable_metadata()->set_metadata(
        ::common::TRANSACTIONS_FILTER,
        std::string{static_cast<char>(::protos::VALID),
                    static_cast<char>(::protos::MVCC_READ_CONFLICT)});
    REQUIRE(store->AddBlock(block).ok());
  }
  auto ledger = Open(manager);
  CHECK(Dump(*ledger) == std::map<std::string, std::string>{{"a", "2"}});
  CHECK(ledger->GetHistoryForKey("cc", "a").value().size() == 2);
  auto sim = ledger->NewTxSimulator();
  REQUIRE(sim->GetState("cc", "a").ok());
  auto kv = ::kvrwset::KVRWSet();
  REQUIRE(kv.ParseFromString(sim->GetTxSimulationResults().value().ns_rwset(0).rwset()));
  CHECK(kv.reads(0).version().block_num() == 2);
}

TEST_CASE("RebuildDatabases reproduces state and history from the block store") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  auto ledger = Create(manager);
  for (int i = 0; i < 5; ++i) {
    std::string n = std::to_string(i);
    Commit(*ledger,
           {Write("t" + n, {{"k" + n, n}, {"shared", n}}), Write("u" + n, {{"gone" + n, ""}})});
  }
  auto before = Dump(*ledger);
  auto history_before = ledger->GetHistoryForKey("cc", "shared").value();
  REQUIRE(ledger->RebuildDatabases().ok());
  CHECK(Dump(*ledger) == before);
  auto history_after = ledger->GetHistoryForKey("cc", "shared").value();
  REQUIRE(history_after.size() == history_before.size());
  CHECK(history_after.front().tx_id() == "t4");
  CHECK(Commit(*ledger, {Write("after", {{"shared", "x"}})}) == Codes{::protos::VALID});
}

TEST_CASE("Readers never see a block in the block store whose state is not yet applied") {
  weft::testing::TempDir dir;
  LedgerOptions options;
  options.fsync = blockstore::FsyncPolicy::kNone;
  LedgerManager manager(dir.path(), options);
  auto ledger = Create(manager);

  // The reader only records what it saw (Catch2 is not thread-safe); the test
  // thread asserts after joining it.
  std::atomic<int> reads = 0;
  std::atomic<int> mismatches = 0;
  std::atomic<bool> reader_failed = false;
  std::mutex first_problem_mu;
  std::string first_problem;  // guarded by first_problem_mu
  auto record_problem = [&](std::string problem) {
    std::lock_guard lock(first_problem_mu);
    if (first_problem.empty()) first_problem = std::move(problem);
  };
  // Declared after `ledger`, so a failing REQUIRE below stops and joins the
  // reader before the ledger goes away.
  std::jthread reader([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      auto query = ledger->NewQueryExecutor();
      auto last = query->GetState("cc", "last");
      // The executor holds the read lock, so the store cannot move meanwhile.
      uint64_t height = ledger->block_store().GetInfo().height;
      query->Done();
      if (!last.ok()) {
        record_problem("GetState failed: " + last.status().ToString());
        reader_failed = true;
        return;
      }
      if (!last->empty() && std::stoull(*last) != height - 1) {
        ++mismatches;
        record_problem("read last=" + *last + " at height " + std::to_string(height));
      }
      ++reads;
    }
  });
  for (int i = 1; i <= 200; ++i)
    Commit(*ledger, {Write("t" + std::to_string(i), {{"last", std::to_string(i)}})});
  while (reads < 10 && !reader_failed) std::this_thread::yield();
  reader.request_stop();
  reader.join();

  INFO(first_problem);
  CHECK_FALSE(reader_failed);
  CHECK(reads >= 10);
  CHECK(mismatches == 0);
}

TEST_CASE("LedgerManager lists its ledgers and refuses to create one twice") {
  weft::testing::TempDir dir;
  LedgerManager manager(dir.path());
  CHECK(manager.ListLedgerIds().value().empty());
  CHECK(absl::IsNotFound(manager.OpenLedger(kChannel).status()));
  {
    auto ledger = Create(manager);
    CHECK(ledger->channel_id() == kChannel);
    auto other = manager.CreateLedger(weft::testing::GenesisBlock("zother"));
    REQUIRE(other.ok());
  }
  CHECK(manager.ListLedgerIds().value() == std::vector<std::string>{kChannel, "zother"});
  CHECK(
      absl::IsAlreadyExists(manager.CreateLedger(weft::testing::GenesisBlock(kChannel)).status()));
}
