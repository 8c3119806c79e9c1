// Private data in the peer ledger: the simulator's hashed and private rwsets
// (Fabric's rwsetutil.RWSetBuilder), commit of hashed and private state with
// a transient store as the private-data source, and MVCC on hashed reads.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/crypto/hash.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/ledger/transient_store.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace {

using weft::common::crypto::HexEncode;
using weft::common::crypto::Sha256;
using weft::peer::ledger::LedgerManager;
using weft::peer::ledger::PeerLedger;
using weft::peer::ledger::TransientStore;
using Codes = std::vector<::protos::TxValidationCode>;

const std::string kChannel = "mychannel";
const std::string kCollection = "_implicit_org_Org1MSP";

std::unique_ptr<PeerLedger> CreateLedger(const weft::testing::TempDir& dir) {
  LedgerManager manager(dir.path() / "ledgersData");
  auto ledger = manager.CreateLedger(weft::testing::GenesisBlock(kChannel));
  INFO(ledger.status().ToString());
  REQUIRE(ledger.ok());
  return std::move(*ledger);
}

::common::Block NextBlock(const PeerLedger& ledger,
                          const std::vector<std::pair<std::string, ::rwset::TxReadWriteSet>>& txs) {
  auto info = ledger.GetBlockchainInfo();
  std::vector<std::string> envelopes;
  for (const auto& [id, rwset] : txs) {
    envelopes.push_back(weft::testing::EndorserTxEnvelope(kChannel, id, rwset));
  }
  return weft::testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
}

Codes Commit(PeerLedger& ledger,
             const std::vector<std::pair<std::string, ::rwset::TxReadWriteSet>>& txs,
             weft::peer::ledger::PrivateDataSource* source) {
  auto codes =
      ledger.CommitBlock(NextBlock(ledger, txs), Codes(txs.size(), ::protos::VALID), source);
  INFO(codes.status().ToString());
  REQUIRE(codes.ok());
  return *codes;
}

::kvrwset::HashedRWSet Hashed(const ::rwset::NsReadWriteSet& ns, int index) {
  ::kvrwset::HashedRWSet hashed;
  REQUIRE(hashed.ParseFromString(ns.collection_hashed_rwset(index).hashed_rwset()));
  return hashed;
}

TEST_CASE("A private write puts hashes in the public rwset and the value in the private one") {
  weft::testing::TempDir dir;
  auto ledger = CreateLedger(dir);
  auto sim = ledger->NewTxSimulator();
  REQUIRE(sim->PutPrivateData("cc", kCollection, "k1", "v1").ok());
  REQUIRE(sim->DelPrivateData("cc", kCollection, "k0").ok());
  REQUIRE(sim->GetPrivateDataHash("cc", "other", "k2").value().empty());
  auto results = sim->GetTxSimulationResultsWithPrivateData();
  REQUIRE(results.ok());

  // Public part: one namespace "cc" with an empty KVRWSet and two collections
  // sorted by name ("_implicit..." < "other").
  const auto& pub = results->public_rwset;
  REQUIRE(pub.ns_rwset_size() == 1);
  const auto& ns = pub.ns_rwset(0);
  CHECK(ns.namespace_() == "cc");
  CHECK(ns.rwset().empty());
  REQUIRE(ns.collection_hashed_rwset_size() == 2);
  CHECK(ns.collection_hashed_rwset(0).collection_name() == kCollection);
  CHECK(ns.collection_hashed_rwset(1).collection_name() == "other");

  // Fabric's newPvtKVWriteAndHash: key hash SHA-256(key), value hash
  // SHA-256(value), a delete has is_delete and no value hash; writes sorted by
  // the plain key ("k0" before "k1").
  auto hashed = Hashed(ns, 0);
  REQUIRE(hashed.hashed_writes_size() == 2);
  CHECK(hashed.hashed_writes(0).key_hash() == Sha256("k0"));
  CHECK(hashed.hashed_writes(0).is_delete());
  CHECK(hashed.hashed_writes(0).value_hash().empty());
  CHECK(hashed.hashed_writes(1).key_hash() == Sha256("k1"));
  CHECK_FALSE(hashed.hashed_writes(1).is_delete());
  CHECK(hashed.hashed_writes(1).value_hash() == Sha256("v1"));
  CHECK(hashed.hashed_reads_size() == 0);

  // A read of an absent key: its key hash and no version; no private rwset.
  auto read_only = Hashed(ns, 1);
  REQUIRE(read_only.hashed_reads_size() == 1);
  CHECK(read_only.hashed_reads(0).key_hash() == Sha256("k2"));
  CHECK_FALSE(read_only.hashed_reads(0).has_version());
  CHECK(ns.collection_hashed_rwset(1).pvt_rwset_hash().empty());

  // Private part: KVRWSet{writes: [{key "k0", is_delete}, {key "k1", value "v1"}]},
  // written out by hand from kv_rwset.proto's field numbers.
  REQUIRE(results->private_rwset.has_value());
  const auto& pvt = *results->private_rwset;
  REQUIRE(pvt.ns_pvt_rwset_size() == 1);
  CHECK(pvt.ns_pvt_rwset(0).namespace_() == "cc");
  REQUIRE(pvt.ns_pvt_rwset(0).collection_pvt_rwset_size() == 1);
  const auto& coll = pvt.ns_pvt_rwset(0).collection_pvt_rwset(0);
  CHECK(coll.collection_name() == kCollection);
  CHECK(HexEncode(coll.rwset()) ==
        "1a060a026b301001"
        "1a080a026b311a027631");
  // pvt_rwset_hash = SHA-256 of those bytes (Fabric's setPvtCollectionHash).
  CHECK(ns.collection_hashed_rwset(0).pvt_rwset_hash() == Sha256(coll.rwset()));
}

TEST_CASE("A committed private write is readable where the transient store had it") {
  weft::testing::TempDir dir;
  auto ledger = CreateLedger(dir);
  auto store = TransientStore::Open(dir.path() / "transient");
  REQUIRE(store.ok());

  auto sim = ledger->NewTxSimulator();
  REQUIRE(sim->PutPrivateData("cc", kCollection, "k1", "v1").ok());
  auto results = sim->GetTxSimulationResultsWithPrivateData().value();
  REQUIRE((*store)->Persist("tx1", 1, *results.private_rwset).ok());

  CHECK(Commit(*ledger, {{"tx1", results.public_rwset}}, store->get()) == Codes{::protos::VALID});

  auto query = ledger->NewQueryExecutor();
  CHECK(query->GetPrivateData("cc", kCollection, "k1").value() == "v1");
  CHECK(query->GetPrivateDataHash("cc", kCollection, "k1").value() == Sha256("v1"));
  query->Done();
  // Purged once committed (Fabric's coordinator purges by tx id).
  CHECK((*store)->GetPrivateData("tx1").value().empty());

  // A later tx reads it: the hashed read carries the committed version (1, 0).
  auto reader = ledger->NewTxSimulator();
  CHECK(reader->GetPrivateData("cc", kCollection, "k1").value() == "v1");
  auto pub = reader->GetTxSimulationResults().value();
  auto hashed = Hashed(pub.ns_rwset(0), 0);
  REQUIRE(hashed.hashed_reads_size() == 1);
  CHECK(hashed.hashed_reads(0).key_hash() == Sha256("k1"));
  CHECK(hashed.hashed_reads(0).version().block_num() == 1);
  CHECK(hashed.hashed_reads(0).version().tx_num() == 0);
}

TEST_CASE("A peer without the private data has the hash but not the value") {
  weft::testing::TempDir dir;
  auto ledger = CreateLedger(dir);
  auto sim = ledger->NewTxSimulator();
  REQUIRE(sim->PutPrivateData("cc", kCollection, "k1", "v1").ok());
  auto pub = sim->GetTxSimulationResults().value();
  CHECK(Commit(*ledger, {{"tx1", pub}}, nullptr) == Codes{::protos::VALID});

  auto query = ledger->NewQueryExecutor();
  CHECK(query->GetPrivateDataHash("cc", kCollection, "k1").value() == Sha256("v1"));
  // Fabric's queryExecutor.GetPrivateData refuses a value that does not match
  // the hash version.
  auto value = query->GetPrivateData("cc", kCollection, "k1");
  REQUIRE(absl::IsFailedPrecondition(value.status()));
  CHECK_THAT(std::string(value.status().message()),
             Catch::Contains("private data matching public hash version is not available"));
}

TEST_CASE("Private data whose hash does not match the block is not applied") {
  weft::testing::TempDir dir;
  auto ledger = CreateLedger(dir);
  auto store = TransientStore::Open(dir.path() / "transient");
  REQUIRE(store.ok());
  auto endorsed = ledger->NewTxSimulator();
  REQUIRE(endorsed->PutPrivateData("cc", kCollection, "k1", "v1").ok());
  auto pub = endorsed->GetTxSimulationResults().value();
  auto other = ledger->NewTxSimulator();
  REQUIRE(other->PutPrivateData("cc", kCollection, "k1", "forged").ok());
  REQUIRE((*store)
              ->Persist("tx1", 1, *other->GetTxSimulationResultsWithPrivateData()->private_rwset)
              .ok());

  CHECK(Commit(*ledger, {{"tx1", pub}}, store->get()) == Codes{::protos::VALID});
  auto query = ledger->NewQueryExecutor();
  CHECK(absl::IsFailedPrecondition(query->GetPrivateData("cc", kCollection, "k1").status()));
}

TEST_CASE("A hashed read of a key changed before commit is an MVCC conflict") {
  weft::testing::TempDir dir;
  auto ledger = CreateLedger(dir);
  auto first = ledger->NewTxSimulator();
  REQUIRE(first->PutPrivateData("cc", kCollection, "k1", "v1").ok());
  auto first_rwset = first->GetTxSimulationResults().value();
  CHECK(Commit(*ledger, {{"tx1", first_rwset}}, nullptr) == Codes{::protos::VALID});

  // Both read the hash at (1, 0); the first to commit changes it.
  auto reader = ledger->NewTxSimulator();
  REQUIRE(reader->GetPrivateDataHash("cc", kCollection, "k1").ok());
  REQUIRE(reader->PutState("cc", "out", "x").ok());
  auto reader_rwset = reader->GetTxSimulationResults().value();
  auto writer = ledger->NewTxSimulator();
  REQUIRE(writer->GetPrivateDataHash("cc", kCollection, "k1").ok());
  REQUIRE(writer->PutPrivateData("cc", kCollection, "k1", "v2").ok());
  auto writer_rwset = writer->GetTxSimulationResults().value();

  CHECK(Commit(*ledger, {{"tx2", writer_rwset}, {"tx3", reader_rwset}}, nullptr) ==
        Codes{::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  auto query = ledger->NewQueryExecutor();
  CHECK(query->GetPrivateDataHash("cc", kCollection, "k1").value() == Sha256("v2"));
  CHECK(query->GetState("cc", "out").value().empty());
}

TEST_CASE("The transient store keeps entries across reopen and purges them by height") {
  weft::testing::TempDir dir;
  ::rwset::TxPvtReadWriteSet a;
  a.add_ns_pvt_rwset()->set_namespace_("a");
  ::rwset::TxPvtReadWriteSet b;
  b.add_ns_pvt_rwset()->set_namespace_("b");
  {
    auto store = TransientStore::Open(dir.path()).value();
    REQUIRE(store->Persist("tx1", 5, a).ok());
    REQUIRE(store->Persist("tx1", 5, a).ok());  // the same endorsement twice: stored once
    REQUIRE(store->Persist("tx1", 7, b).ok());
    REQUIRE(store->Persist("tx2", 9, b).ok());
    CHECK_FALSE(store->Persist("", 1, a).ok());
  }
  auto store = TransientStore::Open(dir.path()).value();
  auto tx1 = store->GetPrivateData("tx1").value();
  REQUIRE(tx1.size() == 2);
  CHECK(tx1[0].ns_pvt_rwset(0).namespace_() == "a");
  CHECK(tx1[1].ns_pvt_rwset(0).namespace_() == "b");

  REQUIRE(store->PurgeBelowHeight(7).ok());
  tx1 = store->GetPrivateData("tx1").value();
  REQUIRE(tx1.size() == 1);
  CHECK(tx1[0].ns_pvt_rwset(0).namespace_() == "b");
  REQUIRE(store->PurgeByTxids({"tx1"}).ok());
  CHECK(store->GetPrivateData("tx1").value().empty());
  CHECK(store->GetPrivateData("tx2").value().size() == 1);
}

TEST_CASE("Committing a multiple of the retention purges older endorsements") {
  // Fabric's RetrievedPvtdata.Purge with transientstoreMaxBlockRetention 5.
  weft::testing::TempDir dir;
  auto store = TransientStore::Open(dir.path(), 5).value();
  ::rwset::TxPvtReadWriteSet pvt;
  pvt.add_ns_pvt_rwset()->set_namespace_("cc");
  REQUIRE(store->Persist("old", 4, pvt).ok());
  REQUIRE(store->Persist("recent", 5, pvt).ok());
  REQUIRE(store->Persist("committed", 9, pvt).ok());
  store->PurgeCommitted({"committed"}, 9);  // not a multiple of 5: tx ids only
  CHECK(store->GetPrivateData("committed").value().empty());
  CHECK(store->GetPrivateData("old").value().size() == 1);
  store->PurgeCommitted({}, 10);  // below 10 - 5
  CHECK(store->GetPrivateData("old").value().empty());
  CHECK(store->GetPrivateData("recent").value().size() == 1);
  CHECK_FALSE(TransientStore::Open(dir.path() / "zero", 0).ok());
}

TEST_CASE("Private values do not change the commit hash") {
  // Fabric's commit hash covers public and hashed writes only
  // (update_batch_bytes.go), so peers with and without the data agree.
  weft::testing::TempDir with_dir;
  weft::testing::TempDir without_dir;
  auto with = CreateLedger(with_dir);
  auto without = CreateLedger(without_dir);
  auto store = TransientStore::Open(with_dir.path() / "transient").value();
  auto sim = with->NewTxSimulator();
  REQUIRE(sim->PutPrivateData("cc", kCollection, "k1", "v1").ok());
  REQUIRE(sim->PutState("cc", "pub", "x").ok());
  auto results = sim->GetTxSimulationResultsWithPrivateData().value();
  REQUIRE(store->Persist("tx1", 1, *results.private_rwset).ok());
  CHECK(Commit(*with, {{"tx1", results.public_rwset}}, store.get()) == Codes{::protos::VALID});
  CHECK(Commit(*without, {{"tx1", results.public_rwset}}, nullptr) == Codes{::protos::VALID});
  CHECK_FALSE(with->commit_hash().empty());
  CHECK(with->commit_hash() == without->commit_hash());
  auto query = with->NewQueryExecutor();
  CHECK(query->GetPrivateData("cc", kCollection, "k1").value() == "v1");
}

}  // namespace
