#include "common/ledger/kvstore/leveldb_store.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/write_batch.h"

namespace weft::common::ledger::kvstore {
namespace {

leveldb::Slice ToSlice(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }
std::string_view ToView(const leveldb::Slice& s) { return std::string_view(s.data(), s.size()); }

// Keys are binary; show a bounded, printable form in error messages.
std::string PrintableKey(std::string_view key) {
  constexpr std::size_t kMaxShown = 64;
  std::string shown =
      absl::CHexEscape(absl::string_view(key.data(), std::min(key.size(), kMaxShown)));
  if (key.size() > kMaxShown) shown += "...";
  return shown;
}

[[nodiscard]] Status FromLevelDb(const leveldb::Status& s, std::string_view operation,
                                 const std::string& path) {
  if (s.ok()) return absl::OkStatus();
  std::string message =
      absl::StrCat("leveldb ", absl::string_view(operation.data(), operation.size()), " on ", path,
                   ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupportedError()) return absl::UnimplementedError(message);
  return absl::InternalError(message);  // IOError and anything new
}

// The smallest string greater than every string starting with `prefix`, or ""
// (unbounded) when no such string exists.
std::string PrefixSuccessor(std::string_view prefix) {
  std::string limit(prefix);
  while (!limit.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(limit.back());
    if (last != 0xff) {
      ++last;
      return limit;
    }
    limit.pop_back();
  }
  return limit;
}

}  // namespace

KeyRange KeyRange::Prefix(std::string_view prefix) {
  return KeyRange{std::string(prefix), PrefixSuccessor(prefix)};
}

void WriteBatch::Put(std::string_view key, std::string_view value) {
  ops_.push_back(Op{false, std::string(key), std::string(value)});
}

void WriteBatch::Delete(std::string_view key) {
  ops_.push_back(Op{true, std::string(key), std::string()});
}

// ---- Iterator ----

Iterator::Iterator(std::unique_ptr<leveldb::Iterator> it, std::string prefix, KeyRange range,
                   std::string path)
    : it_(std::move(it)),
      prefix_(std::move(prefix)),
      range_(std::move(range)),
      path_(std::move(path)) {
  it_->Seek(ToSlice(range_.start));
  Settle();
}

Iterator::Iterator(Iterator&&) noexcept = default;
Iterator& Iterator::operator=(Iterator&&) noexcept = default;
Iterator::~Iterator() = default;

void Iterator::Settle() {
  valid_ = it_->Valid() && (range_.limit.empty() || ToView(it_->key()) < range_.limit);
}

bool Iterator::Valid() const { return valid_; }

void Iterator::Next() {
  assert(valid_);
  it_->Next();
  Settle();
}

void Iterator::Seek(std::string_view key) {
  std::string target = prefix_ + std::string(key);
  if (target < range_.start) target = range_.start;
  it_->Seek(ToSlice(target));
  Settle();
}

std::string_view Iterator::key() const {
  assert(valid_);
  return ToView(it_->key()).substr(prefix_.size());
}

std::string_view Iterator::value() const {
  assert(valid_);
  return ToView(it_->value());
}

Status Iterator::status() const { return FromLevelDb(it_->status(), "iterate", path_); }

// ---- LevelDbStore ----

StatusOr<std::unique_ptr<LevelDbStore>> LevelDbStore::Open(const std::string& path,
                                                           const Options& options) {
  leveldb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.error_if_exists = options.error_if_exists;
  if (options.write_buffer_bytes > 0) db_options.write_buffer_size = options.write_buffer_bytes;
  std::unique_ptr<leveldb::Cache> cache;
  if (options.block_cache_bytes > 0) {
    cache.reset(leveldb::NewLRUCache(options.block_cache_bytes));
    db_options.block_cache = cache.get();
  }
  leveldb::DB* raw = nullptr;
  WEFT_RETURN_IF_ERROR(FromLevelDb(leveldb::DB::Open(db_options, path, &raw), "open", path));
  auto store = std::unique_ptr<LevelDbStore>(
      new LevelDbStore(std::unique_ptr<leveldb::DB>(raw), path, options));
  store->block_cache_ = std::move(cache);
  return store;
}

LevelDbStore::LevelDbStore(std::unique_ptr<leveldb::DB> db, std::string path,
                           const Options& options)
    : path_(std::move(path)), options_(options), db_(std::move(db)) {}

LevelDbStore::~LevelDbStore() = default;

StatusOr<std::string> LevelDbStore::Get(std::string_view key) const {
  std::string value;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), ToSlice(key), &value);
  if (!s.ok()) return FromLevelDb(s, absl::StrCat("get of key \"", PrintableKey(key), "\""), path_);
  return value;
}

Status LevelDbStore::Put(std::string_view key, std::string_view value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(batch);
}

Status LevelDbStore::Delete(std::string_view key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(batch);
}

Status LevelDbStore::Write(const WriteBatch& batch) { return Write(batch, options_.sync_writes); }

Status LevelDbStore::Write(const WriteBatch& batch, bool sync) {
  leveldb::WriteBatch db_batch;
  for (const auto& op : batch.ops_) {
    if (op.is_delete) {
      db_batch.Delete(ToSlice(op.key));
    } else {
      db_batch.Put(ToSlice(op.key), ToSlice(op.value));
    }
  }
  leveldb::WriteOptions write_options;
  write_options.sync = sync;
  return FromLevelDb(db_->Write(write_options, &db_batch),
                     absl::StrCat("write of a batch of ", batch.size()), path_);
}

Iterator LevelDbStore::NewIterator(const KeyRange& range) const {
  return NewPrefixedIterator(std::string(), range);
}

Iterator LevelDbStore::NewPrefixedIterator(std::string prefix, const KeyRange& range) const {
  KeyRange prefixed{prefix + range.start,
                    range.limit.empty() ? PrefixSuccessor(prefix) : prefix + range.limit};
  return Iterator(std::unique_ptr<leveldb::Iterator>(db_->NewIterator(leveldb::ReadOptions())),
                  std::move(prefix), std::move(prefixed), path_);
}

Namespace LevelDbStore::OpenNamespace(std::string_view name) {
  assert(!name.empty() && name.find('\0') == std::string_view::npos);
  std::string prefix(name);
  prefix.push_back('\0');
  return Namespace(this, std::move(prefix));
}

// ---- Namespace ----

std::string Namespace::Key(std::string_view key) const {
  std::string full;
  full.reserve(prefix_.size() + key.size());
  full.append(prefix_).append(key);
  return full;
}

std::string_view Namespace::name() const {
  return std::string_view(prefix_).substr(0, prefix_.size() - 1);
}

StatusOr<std::string> Namespace::Get(std::string_view key) const { return store_->Get(Key(key)); }

Status Namespace::Put(std::string_view key, std::string_view value) const {
  return store_->Put(Key(key), value);
}

Status Namespace::Delete(std::string_view key) const { return store_->Delete(Key(key)); }

void Namespace::Put(WriteBatch& batch, std::string_view key, std::string_view value) const {
  batch.Put(Key(key), value);
}

void Namespace::Delete(WriteBatch& batch, std::string_view key) const { batch.Delete(Key(key)); }

Iterator Namespace::NewIterator(const KeyRange& range) const {
  return store_->NewPrefixedIterator(prefix_, range);
}

}  // namespace weft::common::ledger::kvstore
