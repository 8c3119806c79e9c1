#include "common/ledger/blockstore/file_block_store.h"

#include <optional>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "common/ledger/blockstore/impl/index_codec.h"
#include "common/ledger/blockstore/impl/segment_file.h"
#include "common/protoutil/block.h"

namespace weft::common::ledger::blockstore {
namespace {

namespace fs = std::filesystem;

// The ChannelHeader.tx_id of a BlockData entry, or "" when it has none or
// does not parse (such entries are stored but not indexed, as in Fabric).
std::string TxIdOf(const std::string& envelope_bytes) {
  ::common::Envelope envelope;
  ::common::Payload payload;
  ::common::ChannelHeader channel_header;
  if (!envelope.ParseFromString(envelope_bytes) || !payload.ParseFromString(envelope.payload()) ||
      !channel_header.ParseFromString(payload.header().channel_header())) {
    return std::string();
  }
  return channel_header.tx_id();
}

// Code of transaction `tx_index` from TRANSACTIONS_FILTER; blocks without a
// filter entry for it (orderer blocks) were never validated.
uint8_t ValidationCodeOf(const ::common::Block& block, std::size_t tx_index) {
  const auto& metadata = block.metadata().metadata();
  if (metadata.size() <= ::common::TRANSACTIONS_FILTER) return kTxNotValidated;
  const std::string& filter = metadata.Get(::common::TRANSACTIONS_FILTER);
  if (tx_index >= filter.size()) return kTxNotValidated;
  return static_cast<uint8_t>(filter[tx_index]);
}

// Block `block`, claimed to be number `number`, must be the next one after a
// chain of `height` blocks ending in header hash `current_hash`. Any previous
// hash is accepted for block 0.
[[nodiscard]] Status CheckExtendsChain(uint64_t number, const ::common::Block& block,
                                       uint64_t height, const std::string& current_hash) {
  if (!block.has_header()) {
    return absl::InvalidArgumentError(absl::StrCat("block ", number, " has no header"));
  }
  if (block.header().number() != number) {
    return absl::InvalidArgumentError(
        absl::StrCat("block bytes say number ", block.header().number(), ", caller says ", number));
  }
  if (number != height) {
    return absl::FailedPreconditionError(
        absl::StrCat("block number ", number, " is not the next block: height is ", height));
  }
  if (height > 0 && block.header().previous_hash() != current_hash) {
    return absl::FailedPreconditionError(absl::StrCat(
        "block ", number, " has previous hash ", crypto::HexEncode(block.header().previous_hash()),
        " but the header hash of block ", height - 1, " is ", crypto::HexEncode(current_hash)));
  }
  return absl::OkStatus();
}

// Stages the index entries of `block` and the checkpoint just past it. A tx
// id already indexed, or earlier in the same block, keeps its first entry.
[[nodiscard]] Status StageBlockIndex(const kvstore::Namespace& index, kvstore::WriteBatch& batch,
                                     const ::common::Block& block, const std::string& header_hash,
                                     const BlockLocation& location, const Checkpoint& next) {
  const uint64_t number = block.header().number();
  index.Put(batch, BlockNumberKey(number), EncodeLocation(location));
  index.Put(batch, BlockHashKey(header_hash), EncodeNumber(number));
  std::unordered_set<std::string> seen_in_block;
  for (int i = 0; i < block.data().data_size(); ++i) {
    std::string tx_id = TxIdOf(block.data().data(i));
    if (tx_id.empty() || !seen_in_block.insert(tx_id).second) continue;
    auto existing = index.Get(TxIdKey(tx_id));
    if (existing.ok()) continue;
    if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
    TxLocation tx{number, static_cast<uint32_t>(i), ValidationCodeOf(block, i)};
    index.Put(batch, TxIdKey(tx_id), EncodeTxLocation(tx));
  }
  index.Put(batch, CheckpointKey(), EncodeCheckpoint(next));
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<::common::Block> ParseBlock(const std::string& bytes,
                                                   std::string_view what) {
  ::common::Block block;
  if (!block.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("stored bytes of ",
                                            absl::string_view(what.data(), what.size()),
                                            " do not parse as a Block"));
  }
  return block;
}

[[nodiscard]] Status CreateDirectory(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("creating block store directory ", dir.string(), ": ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace

struct FileBlockStore::WriterState {
  std::optional<SegmentWriter> file;
  uint32_t segment = 0;
  uint64_t height = 0;
  std::string current_hash;
  std::string previous_hash;
};

// ---- Opening and recovery ----

StatusOr<std::unique_ptr<FileBlockStore>> FileBlockStore::Open(FileBlockStoreOptions options,
                                                               kvstore::Namespace index) {
  return OpenWith(std::move(options), nullptr, index);
}

StatusOr<std::unique_ptr<FileBlockStore>> FileBlockStore::Open(FileBlockStoreOptions options) {
  WEFT_RETURN_IF_ERROR(CreateDirectory(options.dir));
  WEFT_ASSIGN_OR_RETURN(auto db, kvstore::LevelDbStore::Open((options.dir / "index").string()));
  kvstore::Namespace index = db->OpenNamespace("blocks");
  return OpenWith(std::move(options), std::move(db), index);
}

StatusOr<std::unique_ptr<FileBlockStore>> FileBlockStore::OpenWith(
    FileBlockStoreOptions options, std::unique_ptr<kvstore::LevelDbStore> owned_db,
    kvstore::Namespace index) {
  if (options.dir.empty() || options.max_file_bytes == 0) {
    return absl::InvalidArgumentError(
        "block store needs a directory and a non-zero max_file_bytes");
  }
  WEFT_RETURN_IF_ERROR(CreateDirectory(options.dir));
  std::unique_ptr<FileBlockStore> store(
      new FileBlockStore(std::move(options), std::move(owned_db), index));
  WEFT_RETURN_IF_ERROR(Annotate(
      store->Recover(), absl::StrCat("opening block store ", store->options_.dir.string())));
  return store;
}

FileBlockStore::FileBlockStore(FileBlockStoreOptions options,
                               std::unique_ptr<kvstore::LevelDbStore> owned_db,
                               kvstore::Namespace index)
    : options_(std::move(options)),
      owned_db_(std::move(owned_db)),
      index_(index),
      writer_(std::make_unique<WriterState>()) {}

FileBlockStore::~FileBlockStore() { Close(); }

Status FileBlockStore::Recover() {
  const bool sync = options_.fsync == FsyncPolicy::kEveryBlock;
  Checkpoint checkpoint;
  auto stored = index_.Get(CheckpointKey());
  if (stored.ok()) {
    WEFT_ASSIGN_OR_RETURN(checkpoint, DecodeCheckpoint(*stored));
  } else if (stored.status().code() != absl::StatusCode::kNotFound) {
    return stored.status();
  }

  // The index must never point past the files. Files can only be behind it
  // after an OS crash under FsyncPolicy::kNone; start the index over then.
  if (checkpoint.height > 0) {
    std::error_code error;
    const fs::path file = SegmentPath(options_.dir, checkpoint.segment);
    const auto size = fs::file_size(file, error);
    if (error || size < checkpoint.end_offset) {
      WEFT_RETURN_IF_ERROR(RebuildIndex());
      checkpoint = Checkpoint{};
    }
  }

  WriterState& w = *writer_;
  w.height = checkpoint.height;
  if (w.height > 0) {
    WEFT_ASSIGN_OR_RETURN(BlockLocation last, LookUpNumber(w.height - 1));
    WEFT_ASSIGN_OR_RETURN(::common::Block block, ReadBlockAt(last));
    w.current_hash = protoutil::BlockHeaderHash(block.header());
    w.previous_hash = block.header().previous_hash();
  }

  // Index every complete record after the checkpoint; cut off a torn one.
  std::optional<Checkpoint> last_indexed;
  uint32_t segment = checkpoint.segment;
  uint64_t offset = checkpoint.end_offset;
  while (fs::exists(SegmentPath(options_.dir, segment))) {
    WEFT_ASSIGN_OR_RETURN(SegmentScanner scanner,
                          SegmentScanner::Open(SegmentPath(options_.dir, segment), offset));
    while (true) {
      WEFT_ASSIGN_OR_RETURN(std::optional<SegmentScanner::Record> record, scanner.Next());
      if (!record) break;
      const std::string where = absl::StrCat("the record at offset ", record->offset, " of ",
                                             SegmentPath(options_.dir, segment).string());
      WEFT_ASSIGN_OR_RETURN(::common::Block block, ParseBlock(record->payload, where));
      Status chained = CheckExtendsChain(block.header().number(), block, w.height, w.current_hash);
      if (!chained.ok()) return absl::DataLossError(absl::StrCat(where, ": ", chained.message()));
      std::string hash = protoutil::BlockHeaderHash(block.header());
      kvstore::WriteBatch batch;
      WEFT_RETURN_IF_ERROR(
          StageBlockIndex(index_, batch, block, hash,
                          BlockLocation{segment, record->offset, record->payload.size()},
                          Checkpoint{w.height + 1, segment, scanner.valid_end()}));
      // Synced once after the scan, not per block: a rebuild can be long.
      WEFT_RETURN_IF_ERROR(index_.store().Write(batch, /*sync=*/false));
      last_indexed = Checkpoint{w.height + 1, segment, scanner.valid_end()};
      ++w.height;
      w.previous_hash = block.header().previous_hash();
      w.current_hash = std::move(hash);
    }
    if (scanner.torn()) {
      WEFT_ASSIGN_OR_RETURN(SegmentWriter file,
                            SegmentWriter::Open(SegmentPath(options_.dir, segment)));
      WEFT_RETURN_IF_ERROR(file.Truncate(scanner.valid_end()));
      // Later segments can only hold blocks after the torn one: unreachable.
      for (uint32_t later = segment + 1; fs::exists(SegmentPath(options_.dir, later)); ++later) {
        std::error_code error;
        fs::remove(SegmentPath(options_.dir, later), error);
        if (error) {
          return absl::InternalError(absl::StrCat(
              "removing ", SegmentPath(options_.dir, later).string(), ": ", error.message()));
        }
      }
      break;
    }
    if (!fs::exists(SegmentPath(options_.dir, segment + 1))) break;
    ++segment;
    offset = 0;
  }

  if (last_indexed && sync) {
    kvstore::WriteBatch batch;
    index_.Put(batch, CheckpointKey(), EncodeCheckpoint(*last_indexed));
    WEFT_RETURN_IF_ERROR(index_.store().Write(batch, /*sync=*/true));
  }

  WEFT_ASSIGN_OR_RETURN(SegmentWriter file,
                        SegmentWriter::Open(SegmentPath(options_.dir, segment)));
  w.file.emplace(std::move(file));
  w.segment = segment;
  WEFT_RETURN_IF_ERROR(SyncDirectory(options_.dir));
  info_ = BlockchainInfo{w.height, w.current_hash, w.previous_hash};
  return absl::OkStatus();
}

Status FileBlockStore::RebuildIndex() {
  kvstore::WriteBatch batch;
  auto it = index_.NewIterator();
  for (; it.Valid(); it.Next()) index_.Delete(batch, it.key());
  WEFT_RETURN_IF_ERROR(it.status());
  return index_.store().Write(batch, /*sync=*/true);
}

// ---- Appending ----

Status FileBlockStore::AddBlockBytes(uint64_t number, std::string bytes) {
  ::common::Block block;
  if (bytes.empty() || !block.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(absl::StrCat("bytes given for block ", number, " (",
                                                   bytes.size(), " bytes) are not a Block"));
  }
  std::lock_guard append_lock(append_mu_);
  WEFT_RETURN_IF_ERROR(CheckOpen());
  return AppendLocked(number, bytes, block);
}

Status FileBlockStore::AddBlock(const ::common::Block& block) {
  std::string bytes;
  if (!block.SerializeToString(&bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("block ", block.header().number(), " does not serialize"));
  }
  std::lock_guard append_lock(append_mu_);
  WEFT_RETURN_IF_ERROR(CheckOpen());
  return AppendLocked(block.header().number(), bytes, block);
}

Status FileBlockStore::AppendLocked(uint64_t number, const std::string& bytes,
                                    const ::common::Block& block) {
  WriterState& w = *writer_;
  WEFT_RETURN_IF_ERROR(CheckExtendsChain(number, block, w.height, w.current_hash));
  std::string hash = protoutil::BlockHeaderHash(block.header());
  if (bytes.size() > UINT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("block ", number, " has ", bytes.size(),
                                                   " bytes, more than a record can hold"));
  }
  const bool sync = options_.fsync == FsyncPolicy::kEveryBlock;

  std::string record = EncodeRecordHeader(bytes);
  record.append(bytes);
  if (w.file->size() > 0 && w.file->size() + record.size() > options_.max_file_bytes) {
    WEFT_ASSIGN_OR_RETURN(SegmentWriter next,
                          SegmentWriter::Open(SegmentPath(options_.dir, w.segment + 1)));
    if (sync) WEFT_RETURN_IF_ERROR(SyncDirectory(options_.dir));
    w.file.emplace(std::move(next));
    ++w.segment;
  }

  const uint64_t start = w.file->size();
  Status written;
  if (options_.append_hook_for_testing) {
    const std::string_view view(record);
    written = w.file->Append(view.substr(0, view.size() / 2));
    if (written.ok()) options_.append_hook_for_testing(AppendPoint::kHalfRecordWritten);
    if (written.ok()) written = w.file->Append(view.substr(view.size() / 2));
  } else {
    written = w.file->Append(record);
  }
  if (written.ok() && sync) written = w.file->Sync();
  if (written.ok() && options_.append_hook_for_testing) {
    options_.append_hook_for_testing(AppendPoint::kRecordAppended);
  }

  kvstore::WriteBatch batch;
  if (written.ok()) {
    written =
        StageBlockIndex(index_, batch, block, hash, BlockLocation{w.segment, start, bytes.size()},
                        Checkpoint{w.height + 1, w.segment, w.file->size()});
  }
  if (written.ok()) written = index_.store().Write(batch, sync);
  if (!written.ok()) {
    // Leave the files as they were so the index and files keep agreeing.
    Status cut = w.file->Truncate(start);
    std::string context = absl::StrCat("appending block ", number);
    if (!cut.ok())
      absl::StrAppend(&context, " (cutting the record off failed too: ", cut.message(), ")");
    return Annotate(written, context);
  }

  ++w.height;
  w.previous_hash = block.header().previous_hash();
  w.current_hash = std::move(hash);
  {
    std::unique_lock lock(mu_);
    info_ = BlockchainInfo{w.height, w.current_hash, w.previous_hash};
  }
  block_added_.notify_all();
  return absl::OkStatus();
}

// ---- Reading ----

Status FileBlockStore::CheckOpen() const {
  if (closed_)
    return absl::FailedPreconditionError(
        absl::StrCat("block store ", options_.dir.string(), " is closed"));
  return absl::OkStatus();
}

StatusOr<BlockLocation> FileBlockStore::LookUpNumber(uint64_t number) const {
  auto value = index_.Get(BlockNumberKey(number));
  if (value.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(
        absl::StrCat("block ", number, " is not in block store ", options_.dir.string()));
  }
  WEFT_RETURN_IF_ERROR(value.status());
  return DecodeLocation(*value);
}

StatusOr<std::string> FileBlockStore::ReadBytesAt(const BlockLocation& location) const {
  return ReadRecord(SegmentPath(options_.dir, location.segment), location.offset, location.length);
}

StatusOr<::common::Block> FileBlockStore::ReadBlockAt(const BlockLocation& location) const {
  WEFT_ASSIGN_OR_RETURN(std::string bytes, ReadBytesAt(location));
  return ParseBlock(bytes, absl::StrCat("the block at offset ", location.offset, " of segment ",
                                        location.segment));
}

StatusOr<std::string> FileBlockStore::RetrieveBlockBytesByNumber(uint64_t number) const {
  std::shared_lock lock(mu_);
  WEFT_RETURN_IF_ERROR(CheckOpen());
  WEFT_ASSIGN_OR_RETURN(BlockLocation location, LookUpNumber(number));
  return ReadBytesAt(location);
}

StatusOr<::common::Block> FileBlockStore::RetrieveBlockByNumber(uint64_t number) const {
  std::shared_lock lock(mu_);
  WEFT_RETURN_IF_ERROR(CheckOpen());
  WEFT_ASSIGN_OR_RETURN(BlockLocation location, LookUpNumber(number));
  return ReadBlockAt(location);
}

StatusOr<::common::Block> FileBlockStore::RetrieveBlockByHash(
    const std::string& header_hash) const {
  std::shared_lock lock(mu_);
  WEFT_RETURN_IF_ERROR(CheckOpen());
  auto value = index_.Get(BlockHashKey(header_hash));
  if (value.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(
        absl::StrCat("no block with header hash ", crypto::HexEncode(header_hash)));
  }
  WEFT_RETURN_IF_ERROR(value.status());
  WEFT_ASSIGN_OR_RETURN(uint64_t number, DecodeNumber(*value));
  WEFT_ASSIGN_OR_RETURN(BlockLocation location, LookUpNumber(number));
  return ReadBlockAt(location);
}

StatusOr<TxLocation> FileBlockStore::RetrieveTxValidationCode(const std::string& tx_id) const {
  std::shared_lock lock(mu_);
  WEFT_RETURN_IF_ERROR(CheckOpen());
  auto value = index_.Get(TxIdKey(tx_id));
  if (value.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(
        absl::StrCat("no transaction with tx id \"", absl::CHexEscape(tx_id), "\""));
  }
  WEFT_RETURN_IF_ERROR(value.status());
  return DecodeTxLocation(*value);
}

StatusOr<::common::Block> FileBlockStore::RetrieveBlockByTxId(const std::string& tx_id) const {
  WEFT_ASSIGN_OR_RETURN(TxLocation tx, RetrieveTxValidationCode(tx_id));
  return RetrieveBlockByNumber(tx.block_number);
}

BlockchainInfo FileBlockStore::GetInfo() const {
  std::shared_lock lock(mu_);
  return info_;
}

Status FileBlockStore::WaitForBlock(uint64_t number, std::stop_token stop,
                                    Deadline deadline) const {
  std::shared_lock lock(mu_);
  auto ready = [&] { return closed_ || info_.height > number; };
  if (deadline == Deadline::max()) {
    block_added_.wait(lock, stop, ready);
  } else {
    block_added_.wait_until(lock, stop, deadline, ready);
  }
  if (closed_) {
    return absl::CancelledError(absl::StrCat("block store ", options_.dir.string(),
                                             " closed while waiting for block ", number));
  }
  if (info_.height > number) return absl::OkStatus();
  if (stop.stop_requested()) {
    return absl::CancelledError(absl::StrCat("stopped waiting for block ", number));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("block ", number, " not stored before the deadline; height is ", info_.height));
}

void FileBlockStore::Close() {
  std::lock_guard append_lock(append_mu_);
  {
    std::unique_lock lock(mu_);
    if (closed_) return;
    closed_ = true;
    writer_->file.reset();
  }
  block_added_.notify_all();
}

}  // namespace weft::common::ledger::blockstore
