// The peer's world state (Fabric's statedb.VersionedDB): (namespace, key) ->
// VersionedValue, where the version is the height (block, tx) of the
// transaction that last wrote the key. StateDb is the seam; the LevelDB
// implementation is made by NewLevelDbStateDb (factory.h), its encoding is in
// FORMAT.md next to this file.
//
// Thread-safety: StateDb implementations are thread-safe; a StateIterator
// reads a consistent snapshot and must be used from one thread. UpdateBatch is
// a plain value (not synchronized).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ledger/kvstore/leveldb_store.h"
#include "common/status/status.h"

namespace weft::peer::ledger::statedb {

// Fabric's height: block number and index of the transaction in the block.
struct Version {
  uint64_t block_num = 0;
  uint64_t tx_num = 0;

  auto operator<=>(const Version&) const = default;
};

struct VersionedValue {
  std::string value;
  // Serialized kvrwset.KVMetadataWrite{entries sorted by name}; empty = none.
  std::string metadata;
  Version version;

  bool operator==(const VersionedValue&) const = default;
};

struct VersionedKv {
  std::string key;
  VersionedValue value;
};

// One key's pending change; a delete still carries the deleting tx's version.
struct ValueUpdate {
  bool is_delete = false;
  VersionedValue value;

  bool operator==(const ValueUpdate&) const = default;
};

// The state changes of one block, ordered by namespace then key (so
// iterating it is already the canonical order).
class UpdateBatch {
 public:
  using KeyUpdates = std::map<std::string, ValueUpdate, std::less<>>;
  using Updates = std::map<std::string, KeyUpdates, std::less<>>;

  void Put(std::string_view ns, std::string_view key, VersionedValue value);
  void Delete(std::string_view ns, std::string_view key, Version version);
  // The pending change of the key, or null.
  const ValueUpdate* Get(std::string_view ns, std::string_view key) const;
  // The pending changes of a namespace, or null when it has none.
  const KeyUpdates* Namespace(std::string_view ns) const;

  const Updates& updates() const { return updates_; }
  bool empty() const { return updates_.empty(); }
  std::size_t size() const;

 private:
  Updates updates_;
};

// Forward iteration over a key range, in key order.
class StateIterator {
 public:
  virtual ~StateIterator() = default;
  // The next entry, or nullopt once the range is exhausted.
  [[nodiscard]] virtual StatusOr<std::optional<VersionedKv>> Next() = 0;
};

class StateDb {
 public:
  virtual ~StateDb() = default;

  // nullopt when the key does not exist.
  [[nodiscard]] virtual StatusOr<std::optional<VersionedValue>> GetState(
      std::string_view ns, std::string_view key) const = 0;
  // One entry per key, in the order given.
  [[nodiscard]] virtual StatusOr<std::vector<std::optional<VersionedValue>>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) const = 0;
  // Keys of `ns` in [start_key, end_key); an empty end_key means unbounded.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<StateIterator>> GetStateRangeScanIterator(
      std::string_view ns, std::string_view start_key, std::string_view end_key) const = 0;
  // Applies `batch` and records `savepoint` (the number of blocks whose
  // updates the state now reflects) all-or-nothing.
  [[nodiscard]] virtual Status ApplyUpdates(const UpdateBatch& batch, uint64_t savepoint) = 0;
  // Adds what ApplyUpdates would write to `out` without writing it, so the
  // ledger can commit the state together with other data (history) in one
  // atomic batch of the store this database lives in.
  virtual void StageUpdates(const UpdateBatch& batch, uint64_t savepoint,
                            common::ledger::kvstore::WriteBatch& out) const = 0;
  // nullopt before the first ApplyUpdates (or staged batch written).
  [[nodiscard]] virtual StatusOr<std::optional<uint64_t>> GetSavepoint() const = 0;
};

}  // namespace weft::peer::ledger::statedb
