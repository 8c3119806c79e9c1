#include "common/ledger/blockstore/file_block_store.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <stop_token>
#include <thread>

#include "absl/strings/escaping.h"
#include "common/ledger/blockstore/impl/crc32c.h"
#include "tests/support/temp_dir.h"
#include "tests/support/worker_thread.h"
#include "tests/unit/common/ledger/blockstore/test_blocks.h"

namespace {

namespace fs = std::filesystem;
using weft::common::ledger::blockstore::AppendPoint;
using weft::common::ledger::blockstore::FileBlockStore;
using weft::common::ledger::blockstore::FileBlockStoreOptions;
using weft::common::ledger::blockstore::kTxNotValidated;
using weft::common::protoutil::BlockHeaderHash;
using weft::testing::MakeBlock;
using weft::testing::MakeChain;
using namespace std::chrono_literals;

std::string Message(const absl::Status& status) { return std::string(status.message()); }
std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

std::unique_ptr<FileBlockStore> OpenStore(const fs::path& dir,
                                          uint64_t max_file_bytes = 64ull << 20) {
  FileBlockStoreOptions options;
  options.dir = dir;
  options.max_file_bytes = max_file_bytes;
  auto store = FileBlockStore::Open(options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

void AddAll(FileBlockStore& store, const std::vector<::common::Block>& blocks) {
  for (const auto& block : blocks) {
    auto added = store.AddBlock(block);
    INFO(added.ToString());
    REQUIRE(added.ok());
  }
}

// Every block of `chain` below `height` reads back unchanged by number, hash and tx id.
void RequireRetrievable(const FileBlockStore& store, const std::vector<::common::Block>& chain,
                        uint64_t height) {
  for (uint64_t i = 0; i < height; ++i) {
    const auto& expected = chain[i];
    REQUIRE(store.RetrieveBlockBytesByNumber(i).value() == expected.SerializeAsString());
    REQUIRE(
        store.RetrieveBlockByHash(BlockHeaderHash(expected.header())).value().header().number() ==
        i);
    REQUIRE(store.RetrieveBlockByTxId("tx-" + std::to_string(i) + "-1").value().header().number() ==
            i);
  }
}

std::vector<fs::path> SegmentFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("blockfile_", 0) == 0) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("CRC-32C matches the Castagnoli check value") {
  REQUIRE(weft::common::ledger::blockstore::Crc32c("123456789") == 0xE3069283u);
  REQUIRE(weft::common::ledger::blockstore::Crc32cExtend(
              weft::common::ledger::blockstore::Crc32c("1234"), "56789") == 0xE3069283u);
}

TEST_CASE("FileBlockStore returns appended blocks by number, header hash and tx id") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->GetInfo().height == 0);
  auto chain = MakeChain(3);
  AddAll(*store, chain);

  auto info = store->GetInfo();
  REQUIRE(info.height == 3);
  REQUIRE(info.current_block_hash == BlockHeaderHash(chain[2].header()));
  REQUIRE(info.previous_block_hash == BlockHeaderHash(chain[1].header()));
  RequireRetrievable(*store, chain, 3);
  REQUIRE(store->RetrieveBlockByNumber(1).value().SerializeAsString() ==
          chain[1].SerializeAsString());

  auto tx = store->RetrieveTxValidationCode("tx-2-1").value();
  REQUIRE(tx.block_number == 2);
  REQUIRE(tx.tx_index == 1);

  REQUIRE(store->RetrieveBlockByNumber(3).status().code() == absl::StatusCode::kNotFound);
  REQUIRE(store->RetrieveBlockByHash(std::string(32, 'x')).status().code() ==
          absl::StatusCode::kNotFound);
  REQUIRE(store->RetrieveBlockByTxId("no-such-tx").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("AddBlockBytes stores the given bytes unchanged, even in non-canonical field order") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto block = MakeBlock(0, "", {"tx-a"});
  // Fields in reverse order: a re-serialization would put the header first.
  ::common::Block metadata_only, data_only, header_only;
  *metadata_only.mutable_metadata() = block.metadata();
  *data_only.mutable_data() = block.data();
  *header_only.mutable_header() = block.header();
  std::string bytes = metadata_only.SerializeAsString() + data_only.SerializeAsString() +
                      header_only.SerializeAsString();
  REQUIRE(bytes != block.SerializeAsString());

  REQUIRE(store->AddBlockBytes(0, bytes).ok());
  REQUIRE(store->RetrieveBlockBytesByNumber(0).value() == bytes);
  REQUIRE(store->RetrieveBlockByTxId("tx-a").value().header().number() == 0);
}

TEST_CASE("AddBlockBytes rejects bytes that are not a block or carry another number") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto not_a_block = store->AddBlockBytes(0, "\xff\xff\xff");
  REQUIRE(not_a_block.code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(store->AddBlockBytes(0, "").code() == absl::StatusCode::kInvalidArgument);

  auto mismatch = store->AddBlockBytes(1, MakeBlock(0, "", {"t"}).SerializeAsString());
  REQUIRE(mismatch.code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(Message(mismatch).find("number 0") != std::string::npos);
  REQUIRE(store->GetInfo().height == 0);
}

TEST_CASE("Validation codes come from TRANSACTIONS_FILTER, and are NOT_VALIDATED without one") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto orderer_block = MakeBlock(0, "", {"ordered"});
  auto peer_block =
      MakeBlock(1, BlockHeaderHash(orderer_block.header()), {"valid", "conflict", "beyond"},
                std::string("\x00\x0b", 2));  // VALID, MVCC_READ_CONFLICT
  AddAll(*store, {orderer_block, peer_block});

  REQUIRE(store->RetrieveTxValidationCode("ordered").value().validation_code == kTxNotValidated);
  REQUIRE(store->RetrieveTxValidationCode("valid").value().validation_code == 0);
  auto conflict = store->RetrieveTxValidationCode("conflict").value();
  REQUIRE(conflict.validation_code == 11);
  REQUIRE(conflict.block_number == 1);
  REQUIRE(conflict.tx_index == 1);
  // The filter is shorter than the block: the rest were not validated.
  REQUIRE(store->RetrieveTxValidationCode("beyond").value().validation_code == kTxNotValidated);
}

TEST_CASE("The first occurrence of a duplicate tx id keeps the index entry") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto first = MakeBlock(0, "", {"dup", "dup", ""}, std::string("\x00\x09\x00", 3));
  auto second = MakeBlock(1, BlockHeaderHash(first.header()), {"dup"}, std::string("\x00", 1));
  AddAll(*store, {first, second});

  auto tx = store->RetrieveTxValidationCode("dup").value();
  REQUIRE(tx.block_number == 0);
  REQUIRE(tx.tx_index == 0);
  REQUIRE(tx.validation_code == 0);
  REQUIRE(store->RetrieveTxValidationCode("").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("A block whose number is not the height is rejected, naming both numbers") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto chain = MakeChain(3);
  AddAll(*store, {chain[0]});

  auto skipped = store->AddBlock(chain[2]);
  REQUIRE(skipped.code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(Message(skipped).find("block number 2") != std::string::npos);
  REQUIRE(Message(skipped).find("height is 1") != std::string::npos);
  REQUIRE(store->AddBlock(chain[0]).code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(store->GetInfo().height == 1);
  REQUIRE(store->AddBlock(chain[1]).ok());
}

TEST_CASE("A block whose previous hash is not the current header hash is rejected, naming both") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto chain = MakeChain(1);
  AddAll(*store, chain);
  const std::string wrong(32, '\x42');
  auto rejected = store->AddBlock(MakeBlock(1, wrong, {"t"}));
  REQUIRE(rejected.code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(Message(rejected).find(Hex(wrong)) != std::string::npos);
  REQUIRE(Message(rejected).find(Hex(BlockHeaderHash(chain[0].header()))) != std::string::npos);
  REQUIRE(store->GetInfo().height == 1);
}

TEST_CASE("Segment files roll at the size limit and blocks are read across them") {
  weft::testing::TempDir dir;
  auto chain = MakeChain(12);
  const uint64_t block_size = chain[5].SerializeAsString().size();
  {
    auto store = OpenStore(dir.path(), 3 * block_size + 30);  // about three records per file
    AddAll(*store, chain);
    RequireRetrievable(*store, chain, 12);
  }
  auto files = SegmentFiles(dir.path());
  REQUIRE(files.size() >= 4);
  REQUIRE(files[0].filename() == "blockfile_000000");
  REQUIRE(files[1].filename() == "blockfile_000001");
  for (const auto& file : files) REQUIRE(fs::file_size(file) <= 3 * block_size + 30);

  auto reopened = OpenStore(dir.path(), 3 * block_size + 30);
  RequireRetrievable(*reopened, chain, 12);
  REQUIRE(reopened->AddBlock(MakeBlock(12, BlockHeaderHash(chain[11].header()), {"after"})).ok());
}

TEST_CASE("A block larger than the size limit gets a segment of its own") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path(), 64);
  auto chain = MakeChain(3);
  AddAll(*store, chain);
  REQUIRE(SegmentFiles(dir.path()).size() == 3);
  RequireRetrievable(*store, chain, 3);
}

TEST_CASE("Reopening the store restores its info and indexes") {
  weft::testing::TempDir dir;
  auto chain = MakeChain(4);
  {
    auto store = OpenStore(dir.path());
    AddAll(*store, chain);
  }
  auto store = OpenStore(dir.path());
  auto info = store->GetInfo();
  REQUIRE(info.height == 4);
  REQUIRE(info.current_block_hash == BlockHeaderHash(chain[3].header()));
  REQUIRE(info.previous_block_hash == BlockHeaderHash(chain[2].header()));
  RequireRetrievable(*store, chain, 4);
  REQUIRE(store->AddBlock(MakeBlock(3, info.previous_block_hash, {"x"})).code() ==
          absl::StatusCode::kFailedPrecondition);
  REQUIRE(store->AddBlock(MakeBlock(4, info.current_block_hash, {"x"})).ok());
}

TEST_CASE("Recovery indexes blocks that reached the files but not the index") {
  weft::testing::TempDir dir;
  auto chain = MakeChain(6);
  const fs::path saved_index = dir / "saved-index";
  {
    auto store = OpenStore(dir / "store");
    AddAll(*store, {chain.begin(), chain.begin() + 3});
  }
  fs::copy(dir / "store" / "index", saved_index);
  {
    auto store = OpenStore(dir / "store");
    AddAll(*store, {chain.begin() + 3, chain.end()});
  }
  // Put back the index as it was after block 2: blocks 3..5 are only in the file.
  fs::remove_all(dir / "store" / "index");
  fs::copy(saved_index, dir / "store" / "index");

  auto store = OpenStore(dir / "store");
  REQUIRE(store->GetInfo().height == 6);
  REQUIRE(store->GetInfo().current_block_hash == BlockHeaderHash(chain[5].header()));
  RequireRetrievable(*store, chain, 6);
}

TEST_CASE("A lost index is rebuilt from the block files") {
  weft::testing::TempDir dir;
  auto chain = MakeChain(5);
  {
    auto store = OpenStore(dir.path(), 1024);
    AddAll(*store, chain);
  }
  fs::remove_all(dir / "index");
  auto store = OpenStore(dir.path(), 1024);
  REQUIRE(store->GetInfo().height == 5);
  RequireRetrievable(*store, chain, 5);
}

TEST_CASE("A torn last record is cut off and the chain continues from the block before it") {
  weft::testing::TempDir dir;
  auto chain = MakeChain(5);
  {
    auto store = OpenStore(dir.path());
    AddAll(*store, chain);
  }
  const fs::path file = dir / "blockfile_000000";
  const auto full_size = fs::file_size(file);
  fs::resize_file(file, full_size - 7);

  auto store = OpenStore(dir.path());
  auto info = store->GetInfo();
  REQUIRE(info.height == 4);
  REQUIRE(info.current_block_hash == BlockHeaderHash(chain[3].header()));
  RequireRetrievable(*store, chain, 4);
  REQUIRE(store->RetrieveBlockByNumber(4).status().code() == absl::StatusCode::kNotFound);
  REQUIRE(store->RetrieveBlockByTxId("tx-4-0").status().code() == absl::StatusCode::kNotFound);
  REQUIRE(fs::file_size(file) < full_size - 7);  // the partial record is gone

  auto replacement = MakeBlock(4, info.current_block_hash, {"replacement"});
  REQUIRE(store->AddBlock(replacement).ok());
  store.reset();
  auto reopened = OpenStore(dir.path());
  REQUIRE(reopened->GetInfo().height == 5);
  REQUIRE(reopened->RetrieveBlockByTxId("replacement").value().header().number() == 4);
}

TEST_CASE("A zero-filled or garbage tail after the last block is cut off") {
  weft::testing::TempDir dir;
  auto chain = MakeChain(3);
  {
    auto store = OpenStore(dir.path());
    AddAll(*store, chain);
  }
  const fs::path file = dir / "blockfile_000000";
  const auto size = fs::file_size(file);
  SECTION("zeros") { fs::resize_file(file, size + 100); }
  SECTION("a header promising more bytes than follow") {
    std::FILE* f = std::fopen(file.c_str(), "ab");
    std::fwrite("\x50\x00\x00\x00\x01\x02\x03\x04partial", 1, 15, f);
    std::fclose(f);
  }
  auto store = OpenStore(dir.path());
  REQUIRE(store->GetInfo().height == 3);
  REQUIRE(fs::file_size(file) == size);
  REQUIRE(store->AddBlock(MakeBlock(3, BlockHeaderHash(chain[2].header()), {"next"})).ok());
}

TEST_CASE("A record torn in the middle of an append is cut off on reopen") {
  weft::testing::TempDir dir;
  auto chain = MakeChain(3);
  {
    FileBlockStoreOptions options;
    options.dir = dir.path();
    bool tear = false;
    options.append_hook_for_testing = [&](AppendPoint point) {
      // Stands in for a crash: copy the half-written file aside.
      if (tear && point == AppendPoint::kHalfRecordWritten) {
        fs::copy_file(dir / "blockfile_000000", dir / "torn", fs::copy_options::overwrite_existing);
      }
    };
    auto store = FileBlockStore::Open(options).value();
    AddAll(*store, {chain[0], chain[1]});
    tear = true;
    AddAll(*store, {chain[2]});
  }
  fs::rename(dir / "torn", dir / "blockfile_000000");
  auto store = OpenStore(dir.path());
  REQUIRE(store->GetInfo().height == 2);
  RequireRetrievable(*store, chain, 2);
  REQUIRE(store->AddBlock(chain[2]).ok());
}

TEST_CASE("Two block stores share one LevelDB through namespaces") {
  weft::testing::TempDir dir;
  auto db = weft::common::ledger::kvstore::LevelDbStore::Open((dir / "db").string()).value();
  FileBlockStoreOptions a_options, b_options;
  a_options.dir = dir / "a";
  b_options.dir = dir / "b";
  auto a = FileBlockStore::Open(a_options, db->OpenNamespace("a")).value();
  auto b = FileBlockStore::Open(b_options, db->OpenNamespace("b")).value();
  auto chain = MakeChain(2);
  AddAll(*a, chain);
  AddAll(*b, {chain[0]});
  REQUIRE(a->GetInfo().height == 2);
  REQUIRE(b->GetInfo().height == 1);
  REQUIRE(b->RetrieveBlockByTxId("tx-1-0").status().code() == absl::StatusCode::kNotFound);
  REQUIRE(a->RetrieveBlockByTxId("tx-1-0").ok());
}

TEST_CASE("WaitForBlock returns at once for a stored block and wakes when the block is added") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto chain = MakeChain(2);
  AddAll(*store, {chain[0]});
  REQUIRE(store->WaitForBlock(0, {}).ok());

  auto waiter = std::async(std::launch::async, [&] { return store->WaitForBlock(1, {}); });
  REQUIRE(waiter.wait_for(50ms) == std::future_status::timeout);
  AddAll(*store, {chain[1]});
  REQUIRE(waiter.get().ok());
}

TEST_CASE("WaitForBlock gives up at the deadline, on stop, and on Close") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());

  SECTION("deadline") {
    auto status = store->WaitForBlock(0, {}, std::chrono::steady_clock::now() + 20ms);
    REQUIRE(status.code() == absl::StatusCode::kDeadlineExceeded);
  }
  SECTION("stop token") {
    std::stop_source stop;
    auto waiter =
        std::async(std::launch::async, [&] { return store->WaitForBlock(0, stop.get_token()); });
    REQUIRE(waiter.wait_for(50ms) == std::future_status::timeout);
    stop.request_stop();
    REQUIRE(waiter.get().code() == absl::StatusCode::kCancelled);
  }
  SECTION("close") {
    auto waiter = std::async(std::launch::async, [&] { return store->WaitForBlock(0, {}); });
    REQUIRE(waiter.wait_for(50ms) == std::future_status::timeout);
    store->Close();
    REQUIRE(waiter.get().code() == absl::StatusCode::kCancelled);
  }
}

TEST_CASE("A closed store refuses appends and reads") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path());
  auto chain = MakeChain(2);
  AddAll(*store, {chain[0]});
  store->Close();
  store->Close();
  REQUIRE(store->AddBlock(chain[1]).code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(store->RetrieveBlockByNumber(0).status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Readers see every block while a writer appends") {
  weft::testing::TempDir dir;
  auto store = OpenStore(dir.path(), 2048);
  auto chain = MakeChain(40);
  weft::testing::WorkerThread writer([&](weft::testing::FailureLog& failures) {
    for (const auto& block : chain) {
      const std::string what = "AddBlock(" + std::to_string(block.header().number()) + ")";
      if (!failures.ExpectOk(store->AddBlock(block), what)) return;
    }
  });
  for (uint64_t i = 0; i < chain.size(); ++i) {
    REQUIRE(store->WaitForBlock(i, {}, std::chrono::steady_clock::now() + 30s).ok());
    REQUIRE(store->RetrieveBlockBytesByNumber(i).value() == chain[i].SerializeAsString());
  }
  REQUIRE(writer.Join() == weft::testing::kNoFailures);
}
