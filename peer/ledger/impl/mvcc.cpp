#include "peer/ledger/mvcc.h"

#include <map>
#include <optional>
#include <string>

namespace weft::peer::ledger {
namespace {

using rwset::NsRwSet;
using rwset::TxRwSet;
using statedb::StateDb;
using statedb::UpdateBatch;
using statedb::ValueUpdate;
using statedb::Version;
using statedb::VersionedValue;

std::optional<Version> ToVersion(const ::kvrwset::KVRead& read) {
  if (!read.has_version()) return std::nullopt;
  return Version{read.version().block_num(), read.version().tx_num()};
}

// The latest value of a key: this block's pending update first, then state.
[[nodiscard]] StatusOr<std::optional<VersionedValue>> Latest(const StateDb& state,
                                                             const UpdateBatch& batch,
                                                             std::string_view ns,
                                                             std::string_view key) {
  if (const ValueUpdate* update = batch.Get(ns, key)) {
    if (update->is_delete) return std::optional<VersionedValue>();
    return std::optional<VersionedValue>(update->value);
  }
  return state.GetState(ns, key);
}

// Fabric's validateKVRead: a key that an earlier valid transaction of the
// block wrote or deleted is a conflict whatever the versions say; otherwise
// the read version must equal the committed one (absent counts as a version).
[[nodiscard]] StatusOr<bool> ReadsValid(const StateDb& state, const UpdateBatch& batch,
                                        const NsRwSet& ns_rwset) {
  for (const auto& read : ns_rwset.kv.reads()) {
    if (batch.Get(ns_rwset.ns, read.key()) != nullptr) return false;
    WEFT_ASSIGN_OR_RETURN(auto committed, state.GetState(ns_rwset.ns, read.key()));
    std::optional<Version> committed_version;
    if (committed) committed_version = committed->version;
    if (committed_version != ToVersion(read)) return false;
  }
  return true;
}

// Re-executes the range over state + the block's pending updates and
// compares keys and versions with what the simulation saw.
[[nodiscard]] StatusOr<bool> RangeQueryValid(const StateDb& state, const UpdateBatch& batch,
                                             std::string_view ns,
                                             const ::kvrwset::RangeQueryInfo& info) {
  std::string end = info.end_key();
  if (!info.itr_exhausted()) end.push_back('\0');  // the smallest key after end_key
  auto in_range = [&](const std::string& key) {
    return key >= info.start_key() && (end.empty() || key < end);
  };

  std::map<std::string, Version> current;
  WEFT_ASSIGN_OR_RETURN(auto it, state.GetStateRangeScanIterator(ns, info.start_key(), end));
  while (true) {
    WEFT_ASSIGN_OR_RETURN(auto kv, it->Next());
    if (!kv) break;
    current.emplace(std::move(kv->key), kv->value.version);
  }
  if (const auto* pending = batch.Namespace(ns)) {
    for (auto p = pending->lower_bound(info.start_key()); p != pending->end() && in_range(p->first);
         ++p) {
      if (p->second.is_delete) {
        current.erase(p->first);
      } else {
        current.insert_or_assign(p->first, p->second.value.version);
      }
    }
  }

  const auto& reads = info.raw_reads().kv_reads();
  if (static_cast<std::size_t>(reads.size()) != current.size()) return false;
  auto expected = current.begin();
  for (const auto& read : reads) {
    if (read.key() != expected->first || ToVersion(read) != expected->second) return false;
    ++expected;
  }
  return true;
}

[[nodiscard]] StatusOr<::protos::TxValidationCode> ValidateTx(const StateDb& state,
                                                              const UpdateBatch& batch,
                                                              const TxRwSet& rwset) {
  // Fabric's order, namespace by namespace: reads, then range queries (then
  // hashed reads), so the first failure decides the code.
  for (const auto& ns_rwset : rwset) {
    WEFT_ASSIGN_OR_RETURN(bool reads_valid, ReadsValid(state, batch, ns_rwset));
    if (!reads_valid) return ::protos::MVCC_READ_CONFLICT;
    for (const auto& info : ns_rwset.kv.range_queries_info()) {
      // Weft never produces Merkle summaries; one it cannot check is not valid.
      if (info.has_reads_merkle_hashes()) return ::protos::BAD_RWSET;
      WEFT_ASSIGN_OR_RETURN(bool range_valid, RangeQueryValid(state, batch, ns_rwset.ns, info));
      if (!range_valid) return ::protos::PHANTOM_READ_CONFLICT;
    }
  }
  return ::protos::VALID;
}

}  // namespace

[[nodiscard]] Status AddTxWrites(const StateDb& state, const TxRwSet& rwset, Version version,
                                 UpdateBatch& batch) {
  for (const auto& ns_rwset : rwset) {
    const std::string& ns = ns_rwset.ns;
    // Encoded metadata written by this tx, per key; "" deletes the metadata.
    std::map<std::string, std::string> metadata_writes;
    for (const auto& write : ns_rwset.kv.metadata_writes()) {
      rwset::StateMetadata metadata;
      for (const auto& entry : write.entries()) metadata[entry.name()] = entry.value();
      metadata_writes.insert_or_assign(write.key(), rwset::EncodeStateMetadata(metadata));
    }
    for (const auto& write : ns_rwset.kv.writes()) {
      if (rwset::IsDelete(write)) {
        batch.Delete(ns, write.key(), version);
        metadata_writes.erase(write.key());
        continue;
      }
      VersionedValue value{write.value(), {}, version};
      if (auto it = metadata_writes.find(write.key()); it != metadata_writes.end()) {
        value.metadata = it->second;
        metadata_writes.erase(it);
      } else {
        WEFT_ASSIGN_OR_RETURN(auto latest, Latest(state, batch, ns, write.key()));
        if (latest) value.metadata = latest->metadata;
      }
      batch.Put(ns, write.key(), std::move(value));
    }
    // Metadata-only updates keep the current value.
    for (auto& [key, metadata] : metadata_writes) {
      WEFT_ASSIGN_OR_RETURN(auto latest, Latest(state, batch, ns, key));
      if (!latest) continue;
      batch.Put(ns, key, VersionedValue{std::move(latest->value), std::move(metadata), version});
    }
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<ValidatedBlock> ValidateAndPrepareBatch(const StateDb& state,
                                                               uint64_t block_num,
                                                               std::span<const TxToValidate> txs) {
  ValidatedBlock result;
  result.codes.reserve(txs.size());
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const TxToValidate& tx = txs[i];
    ::protos::TxValidationCode code = tx.code;
    if (code == ::protos::VALID && tx.rwset != nullptr) {
      WEFT_ASSIGN_OR_RETURN(code, ValidateTx(state, result.updates, *tx.rwset));
      if (code == ::protos::VALID) {
        WEFT_RETURN_IF_ERROR(AddTxWrites(state, *tx.rwset, Version{block_num, i}, result.updates));
      }
    }
    result.codes.push_back(code);
  }
  return result;
}

}  // namespace weft::peer::ledger
