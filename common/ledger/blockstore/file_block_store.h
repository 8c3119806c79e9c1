// FileBlockStore: blocks appended to segment files (blockfile_000000, ...)
// with a LevelDB index (through kvstore). On-disk format and crash-recovery
// rules: common/ledger/blockstore/FORMAT.md.
//
// Thread-safety: thread-safe. Appends are serialized; reads and waits run
// concurrently with an append and with each other.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "common/ledger/blockstore/block_store.h"
#include "common/ledger/kvstore/leveldb_store.h"

namespace weft::common::ledger::blockstore {

struct BlockLocation;

enum class FsyncPolicy {
  // The block file is fsync'ed before the index batch, which is written with
  // sync=true: an acknowledged block survives power loss.
  kEveryBlock,
  // Nothing is fsync'ed: survives a process crash, not an OS crash. Benchmarks.
  kNone,
};

// Points inside an append where tests may stop the process.
enum class AppendPoint {
  kHalfRecordWritten,  // half of the record's bytes are in the file
  kRecordAppended,     // the whole record is in the file (and synced), index not written
};

struct FileBlockStoreOptions {
  // Directory of the segment files; created if missing.
  std::filesystem::path dir;
  // A segment is closed when the next record would take it past this size
  // (a record larger than the limit gets a segment of its own).
  uint64_t max_file_bytes = 64ull << 20;
  FsyncPolicy fsync = FsyncPolicy::kEveryBlock;
  // Testing only: called at each AppendPoint of every append.
  std::function<void(AppendPoint)> append_hook_for_testing;
};

class FileBlockStore final : public BlockStore {
 public:
  // Opens the store with its index in `index`, a namespace of a LevelDB the
  // caller keeps open for the store's lifetime. Recovers from a crash first
  // (see FORMAT.md), so the index and files agree when this returns.
  [[nodiscard]] static StatusOr<std::unique_ptr<FileBlockStore>> Open(FileBlockStoreOptions options,
                                                                      kvstore::Namespace index);
  // Same, with a LevelDB of its own in `<dir>/index`.
  [[nodiscard]] static StatusOr<std::unique_ptr<FileBlockStore>> Open(
      FileBlockStoreOptions options);

  ~FileBlockStore() override;
  FileBlockStore(const FileBlockStore&) = delete;
  FileBlockStore& operator=(const FileBlockStore&) = delete;

  [[nodiscard]] Status AddBlockBytes(uint64_t number, std::string bytes) override;
  [[nodiscard]] Status AddBlock(const ::common::Block& block) override;
  [[nodiscard]] StatusOr<::common::Block> RetrieveBlockByNumber(uint64_t number) const override;
  [[nodiscard]] StatusOr<std::string> RetrieveBlockBytesByNumber(uint64_t number) const override;
  [[nodiscard]] StatusOr<::common::Block> RetrieveBlockByHash(
      const std::string& header_hash) const override;
  [[nodiscard]] StatusOr<::common::Block> RetrieveBlockByTxId(
      const std::string& tx_id) const override;
  [[nodiscard]] StatusOr<TxLocation> RetrieveTxValidationCode(
      const std::string& tx_id) const override;
  BlockchainInfo GetInfo() const override;
  [[nodiscard]] Status WaitForBlock(uint64_t number, std::stop_token stop,
                                    Deadline deadline = Deadline::max()) const override;
  void Close() override;

 private:
  struct WriterState;

  [[nodiscard]] static StatusOr<std::unique_ptr<FileBlockStore>> OpenWith(
      FileBlockStoreOptions options, std::unique_ptr<kvstore::LevelDbStore> owned_db,
      kvstore::Namespace index);
  FileBlockStore(FileBlockStoreOptions options, std::unique_ptr<kvstore::LevelDbStore> owned_db,
                 kvstore::Namespace index);
  [[nodiscard]] Status Recover();
  [[nodiscard]] Status RebuildIndex();
  [[nodiscard]] Status AppendLocked(uint64_t number, const std::string& bytes,
                                    const ::common::Block& block);
  [[nodiscard]] StatusOr<::common::Block> ReadBlockAt(const BlockLocation& location) const;
  [[nodiscard]] StatusOr<std::string> ReadBytesAt(const BlockLocation& location) const;
  [[nodiscard]] StatusOr<BlockLocation> LookUpNumber(uint64_t number) const;
  [[nodiscard]] Status CheckOpen() const;

  const FileBlockStoreOptions options_;
  std::unique_ptr<kvstore::LevelDbStore> owned_db_;  // null when the caller owns the index DB
  kvstore::Namespace index_;

  std::mutex append_mu_;  // serializes appends; guards writer_
  std::unique_ptr<WriterState> writer_;

  // Guards info_ and closed_; readers hold it shared for a whole read so
  // Close waits for them.
  mutable std::shared_mutex mu_;
  mutable std::condition_variable_any block_added_;
  BlockchainInfo info_;
  bool closed_ = false;
};

}  // namespace weft::common::ledger::blockstore
