// VersionedDb on LevelDB (through kvstore). Key and value encodings:
// peer/ledger/FORMAT.md.
//
// Thread-safety: thread-safe (LevelDB is); iterators read a snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ledger/kvstore/leveldb_store.h"
#include "peer/ledger/versioned_db.h"

namespace weft::peer::ledger {

class LevelDbVersionedDb final : public VersionedDb {
 public:
  // `state` holds the keys, `meta` the savepoint; both must be namespaces of
  // the same store, which outlives this object. With `sync`, ApplyUpdates
  // fsyncs before returning.
  LevelDbVersionedDb(common::ledger::kvstore::Namespace state,
                     common::ledger::kvstore::Namespace meta, bool sync);

  [[nodiscard]] StatusOr<std::optional<VersionedValue>> GetState(
      std::string_view ns, std::string_view key) const override;
  [[nodiscard]] StatusOr<std::vector<std::optional<VersionedValue>>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) const override;
  [[nodiscard]] StatusOr<std::unique_ptr<StateIterator>> GetStateRangeScanIterator(
      std::string_view ns, std::string_view start_key, std::string_view end_key) const override;
  [[nodiscard]] Status ApplyUpdates(const UpdateBatch& batch, uint64_t savepoint) override;
  [[nodiscard]] StatusOr<std::optional<uint64_t>> GetSavepoint() const override;

  // Adds the changes of ApplyUpdates to `out` without writing it, so the
  // caller can commit them together with other data (history) in one batch.
  void StageUpdates(const UpdateBatch& batch, uint64_t savepoint,
                    common::ledger::kvstore::WriteBatch& out) const;

 private:
  common::ledger::kvstore::Namespace state_;
  common::ledger::kvstore::Namespace meta_;
  bool sync_;
};

}  // namespace weft::peer::ledger
