// A thin adapter over LevelDB, the only LevelDB user in Weft.
//
// One LevelDbStore owns one database directory. Several logical databases can
// share it through Namespace views, which prefix every key with the namespace
// name and a NUL byte; a WriteBatch may span namespaces, so a block index and a
// savepoint (or state and history) move together atomically.
//
// Thread-safety: LevelDbStore and Namespace are thread-safe. WriteBatch and
// Iterator are not; use each from one thread at a time. Iterators and
// Namespaces must not outlive the store they came from.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"

namespace leveldb {
class Cache;
class DB;
class Iterator;
}  // namespace leveldb

namespace weft::common::ledger::kvstore {

struct Options {
  bool create_if_missing = true;
  bool error_if_exists = false;
  // Default for Put, Delete and Write(batch): fsync the LevelDB log before
  // returning. Write(batch, sync) overrides it per call.
  bool sync_writes = false;
  // 0 keeps LevelDB's defaults.
  std::size_t write_buffer_bytes = 0;
  std::size_t block_cache_bytes = 0;
};

// Keys in [start, limit); an empty limit means "to the end".
struct KeyRange {
  std::string start;
  std::string limit;

  static KeyRange All() { return {}; }
  static KeyRange Prefix(std::string_view prefix);
};

// Puts and deletes applied all-or-nothing by LevelDbStore::Write, in the
// order they were added.
class WriteBatch {
 public:
  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  void Clear() { ops_.clear(); }
  std::size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }

 private:
  friend class LevelDbStore;
  struct Op {
    bool is_delete;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops_;
};

// Forward iteration over a key range of a consistent snapshot taken when the
// iterator was created. Keys are returned without the namespace prefix.
//   for (auto it = ns.NewIterator(KeyRange::Prefix("k")); it.Valid(); it.Next()) ...
//   WEFT_RETURN_IF_ERROR(it.status());
class Iterator {
 public:
  Iterator(Iterator&&) noexcept;
  Iterator& operator=(Iterator&&) noexcept;
  ~Iterator();

  bool Valid() const;
  void Next();
  // Moves to the first key >= `key` (clamped to the range).
  void Seek(std::string_view key);
  // REQUIRES: Valid().
  std::string_view key() const;
  std::string_view value() const;
  // Not OK if LevelDB reported an error while iterating (Valid() is then false).
  [[nodiscard]] Status status() const;

 private:
  friend class LevelDbStore;
  Iterator(std::unique_ptr<leveldb::Iterator> it, std::string prefix, KeyRange range,
           std::string path);
  void Settle();

  std::unique_ptr<leveldb::Iterator> it_;
  std::string prefix_;
  KeyRange range_;  // already prefixed
  std::string path_;
  bool valid_ = false;
};

class Namespace;

class LevelDbStore {
 public:
  // Opens (or creates, per options) the database in directory `path`.
  [[nodiscard]] static StatusOr<std::unique_ptr<LevelDbStore>> Open(const std::string& path,
                                                                    const Options& options = {});
  ~LevelDbStore();
  LevelDbStore(const LevelDbStore&) = delete;
  LevelDbStore& operator=(const LevelDbStore&) = delete;

  // NotFound when the key is absent; any other error is a storage failure.
  [[nodiscard]] StatusOr<std::string> Get(std::string_view key) const;
  [[nodiscard]] Status Put(std::string_view key, std::string_view value);
  [[nodiscard]] Status Delete(std::string_view key);
  [[nodiscard]] Status Write(const WriteBatch& batch);
  [[nodiscard]] Status Write(const WriteBatch& batch, bool sync);
  Iterator NewIterator(const KeyRange& range = KeyRange::All()) const;

  // A view whose keys are stored as name + '\0' + key.
  // REQUIRES: `name` is not empty and contains no NUL byte.
  Namespace OpenNamespace(std::string_view name);

  const std::string& path() const { return path_; }

 private:
  friend class Namespace;
  LevelDbStore(std::unique_ptr<leveldb::DB> db, std::string path, const Options& options);
  Iterator NewPrefixedIterator(std::string prefix, const KeyRange& range) const;

  std::string path_;
  Options options_;
  // Declared last: the cache must outlive the DB, which is destroyed first.
  std::unique_ptr<leveldb::Cache> block_cache_;
  std::unique_ptr<leveldb::DB> db_;
};

// A key-prefixed view of a LevelDbStore. Cheap to copy.
class Namespace {
 public:
  [[nodiscard]] StatusOr<std::string> Get(std::string_view key) const;
  [[nodiscard]] Status Put(std::string_view key, std::string_view value) const;
  [[nodiscard]] Status Delete(std::string_view key) const;
  // Stage a change in `batch`, to be applied by store().Write(batch).
  void Put(WriteBatch& batch, std::string_view key, std::string_view value) const;
  void Delete(WriteBatch& batch, std::string_view key) const;
  Iterator NewIterator(const KeyRange& range = KeyRange::All()) const;

  LevelDbStore& store() const { return *store_; }
  // The namespace name (without the separator).
  std::string_view name() const;

 private:
  friend class LevelDbStore;
  Namespace(LevelDbStore* store, std::string prefix) : store_(store), prefix_(std::move(prefix)) {}
  std::string Key(std::string_view key) const;

  LevelDbStore* store_;
  std::string prefix_;  // name + '\0'
};

}  // namespace weft::common::ledger::kvstore
