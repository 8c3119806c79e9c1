#include "peer/ledger/history/history_db.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/ledger/blockstore/file_block_store.h"
#include "common/ledger/kvstore/leveldb_store.h"
#include "peer/ledger/history/factory.h"
#include "peer/ledger/rwset/block_txs.h"
#include "peer/ledger/rwset/rwset.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace {

namespace blockstore = weft::common::ledger::blockstore;
namespace kvstore = weft::common::ledger::kvstore;
using weft::peer::ledger::history::HistoryDb;
using weft::peer::ledger::rwset::ReadBlockTxs;
using weft::peer::ledger::rwset::RwSetBuilder;
using Codes = std::vector<::protos::TxValidationCode>;

const std::string kChannel = "mychannel";

// A block store and a history DB in one temp dir, fed block by block the way
// PeerLedger does: append the block, then write its staged history entries.
class HistoryFixture {
 public:
  HistoryFixture() {
    blockstore::FileBlockStoreOptions options;
    options.dir = dir_ / "chain";
    options.fsync = blockstore::FsyncPolicy::kNone;
    blocks_ = blockstore::FileBlockStore::Open(options).value();
    store_ = kvstore::LevelDbStore::Open((dir_ / "history").string()).value();
    history_ = weft::peer::ledger::history::NewLevelDbHistoryDb(*store_, *blocks_);
    REQUIRE(blocks_->AddBlock(weft::testing::GenesisBlock(kChannel)).ok());
  }
  ~HistoryFixture() { blocks_->Close(); }

  // Appends a block holding `txs` (id -> writes of "cc") stamped `seconds`
  // and indexes it with `codes` (all VALID when empty).
  void Commit(const std::vector<std::pair<std::string, std::map<std::string, std::string>>>& txs,
              int64_t seconds, Codes codes = {}) {
    auto info = blocks_->GetInfo();
    std::vector<std::string> envelopes;
    for (const auto& [id, writes] : txs) {
      envelopes.push_back(weft::testing::EndorserTxEnvelope(kChannel, id, Writes(writes), seconds));
    }
    auto block = weft::testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
    REQUIRE(blocks_->AddBlock(block).ok());
    Index(block, std::move(codes));
  }

  // Stages the history entries of `block` (which need not be the stored
  // block of that number) and writes them.
  void Index(const ::common::Block& block, Codes codes = {}) {
    auto block_txs = ReadBlockTxs(block);
    codes.resize(block_txs.size(), ::protos::VALID);
    kvstore::WriteBatch batch;
    history_->StageBlock(block.header().number(), block_txs, codes, batch);
    REQUIRE(store_->Write(batch, false).ok());
  }

  const HistoryDb& history() const { return *history_; }

  static ::rwset::TxReadWriteSet Writes(const std::map<std::string, std::string>& writes) {
    RwSetBuilder builder;
    for (const auto& [key, value] : writes) builder.AddWrite("cc", key, value);
    return builder.Build();
  }

 private:
  weft::testing::TempDir dir_;
  std::unique_ptr<blockstore::FileBlockStore> blocks_;
  std::unique_ptr<kvstore::LevelDbStore> store_;
  std::unique_ptr<HistoryDb> history_;
};

}  // namespace

TEST_CASE(
    "HistoryDb lists a key's writes newest first with tx id, timestamp and delete flag, "
    "skipping invalid transactions") {
  HistoryFixture fixture;
  fixture.Commit({{"t1", {{"k", "one"}, {"k2", "other key"}}}}, 100);
  fixture.Commit({{"t2", {{"k", "two"}}}, {"t3", {{"k", "rejected"}}}}, 200,
                 {::protos::VALID, ::protos::MVCC_READ_CONFLICT});
  fixture.Commit({{"t4", {{"k", ""}}}}, 300);

  auto history = fixture.history().GetHistoryForKey("cc", "k");
  REQUIRE(history.ok());
  REQUIRE(history->size() == 3);
  CHECK((*history)[0].tx_id() == "t4");
  CHECK((*history)[0].is_delete());
  CHECK((*history)[0].value().empty());
  CHECK((*history)[0].timestamp().seconds() == 300);
  CHECK((*history)[1].tx_id() == "t2");
  CHECK((*history)[1].value() == "two");
  CHECK_FALSE((*history)[1].is_delete());
  CHECK((*history)[2].tx_id() == "t1");
  CHECK((*history)[2].value() == "one");
  CHECK((*history)[2].timestamp().seconds() == 100);

  // "k" is a prefix of "k2" but not of its entries.
  auto other = fixture.history().GetHistoryForKey("cc", "k2").value();
  REQUIRE(other.size() == 1);
  CHECK(other[0].value() == "other key");
  CHECK(fixture.history().GetHistoryForKey("cc", "never").value().empty());
  CHECK(fixture.history().GetHistoryForKey("other", "k").value().empty());
}

TEST_CASE("HistoryDb reports DataLoss when an entry has no matching write in its block") {
  HistoryFixture fixture;
  fixture.Commit({{"t1", {{"a", "1"}}}}, 100);
  // An entry for block 1 claiming a write of "k" that block 1 does not hold.
  auto forged = weft::testing::LedgerBlock(
      1, "", {weft::testing::EndorserTxEnvelope(kChannel, "forged", fixture.Writes({{"k", "x"}}))});
  fixture.Index(forged);

  auto history = fixture.history().GetHistoryForKey("cc", "k");
  CHECK(absl::IsDataLoss(history.status()));
  CHECK(fixture.history().GetHistoryForKey("cc", "a").value().size() == 1);
}
