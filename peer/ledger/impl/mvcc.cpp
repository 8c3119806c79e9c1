#include "peer/ledger/mvcc.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "peer/ledger/rwset/range_query_summary.h"

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

struct KeyVersion {
  std::string key;
  Version version;
};

// Fabric's combinedIterator: the keys of [start_key, end_key) (end_key ""
// is unbounded) in state overlaid with the block's pending updates (deletes
// hide keys), then, when the simulation did not exhaust its iterator,
// end_key itself (the last key it saw) if it exists.
[[nodiscard]] StatusOr<std::vector<KeyVersion>> CombinedRange(
    const StateDb& state, const UpdateBatch& batch, std::string_view ns,
    const ::kvrwset::RangeQueryInfo& info) {
  const std::string& start = info.start_key();
  const std::string& end = info.end_key();
  std::map<std::string, Version> current;
  WEFT_ASSIGN_OR_RETURN(auto it, state.GetStateRangeScanIterator(ns, start, end));
  while (true) {
    WEFT_ASSIGN_OR_RETURN(auto kv, it->Next());
    if (!kv) break;
    current.emplace(std::move(kv->key), kv->value.version);
  }
  if (const auto* pending = batch.Namespace(ns)) {
    for (auto p = pending->lower_bound(start);
         p != pending->end() && (end.empty() || p->first < end); ++p) {
      if (p->second.is_delete) {
        current.erase(p->first);
      } else {
        current.insert_or_assign(p->first, p->second.value.version);
      }
    }
  }
  std::vector<KeyVersion> keys;
  keys.reserve(current.size() + 1);
  for (auto& [key, version] : current) keys.push_back({key, version});
  if (!info.itr_exhausted()) {
    WEFT_ASSIGN_OR_RETURN(auto last, Latest(state, batch, ns, end));
    if (last) keys.push_back({end, last->version});
  }
  return keys;
}

// Fabric's rangeQueryResultsValidator: the same keys with the same versions.
bool RawReadsMatch(const ::kvrwset::QueryReads& reads, const std::vector<KeyVersion>& current) {
  if (static_cast<std::size_t>(reads.kv_reads_size()) != current.size()) return false;
  for (std::size_t i = 0; i < current.size(); ++i) {
    const auto& read = reads.kv_reads(static_cast<int>(i));
    if (read.key() != current[i].key || ToVersion(read) != current[i].version) return false;
  }
  return true;
}

// Fabric's rangeQueryHashValidator: the Merkle summary of the current
// results, built with the recorded max degree, equals the recorded one.
[[nodiscard]] StatusOr<bool> MerkleSummaryMatches(
    const ::kvrwset::QueryReadsMerkleSummary& recorded, const std::vector<KeyVersion>& current) {
  WEFT_ASSIGN_OR_RETURN(auto results,
                        rwset::RangeQueryResults::Create(true, recorded.max_degree()));
  for (const auto& [key, version] : current) results.AddResult(rwset::MakeKvRead(key, version));
  auto summary = results.Finish().summary;
  if (!summary || summary->max_degree() != recorded.max_degree() ||
      summary->max_level() != recorded.max_level() ||
      summary->max_level_hashes_size() != recorded.max_level_hashes_size()) {
    return false;
  }
  for (int i = 0; i < recorded.max_level_hashes_size(); ++i) {
    if (summary->max_level_hashes(i) != recorded.max_level_hashes(i)) return false;
  }
  return true;
}

// Re-executes the range over state + the block's pending updates and
// compares the results with what the simulation recorded.
[[nodiscard]] StatusOr<bool> RangeQueryValid(const StateDb& state, const UpdateBatch& batch,
                                             std::string_view ns,
                                             const ::kvrwset::RangeQueryInfo& info) {
  WEFT_ASSIGN_OR_RETURN(auto current, CombinedRange(state, batch, ns, info));
  if (info.has_reads_merkle_hashes()) {
    auto matches = MerkleSummaryMatches(info.reads_merkle_hashes(), current);
    if (matches.ok()) return *matches;
    return Annotate(matches.status(),
                    absl::StrCat("range query [\"", info.start_key(), "\", \"", info.end_key(),
                                 "\") in namespace ", std::string(ns)));
  }
  return RawReadsMatch(info.raw_reads(), current);
}

// Fabric's validateKVReadHash: as a public read, on the collection's hashed state.
[[nodiscard]] StatusOr<bool> HashedReadsValid(const StateDb& state, const UpdateBatch& batch,
                                              const NsRwSet& ns_rwset) {
  for (const auto& collection : ns_rwset.collections) {
    const std::string hashed_ns = rwset::HashedNamespace(ns_rwset.ns, collection.collection);
    for (const auto& read : collection.hashed.hashed_reads()) {
      if (batch.Get(hashed_ns, read.key_hash()) != nullptr) return false;
      WEFT_ASSIGN_OR_RETURN(auto committed, state.GetState(hashed_ns, read.key_hash()));
      std::optional<Version> committed_version;
      if (committed) committed_version = committed->version;
      std::optional<Version> read_version;
      if (read.has_version())
        read_version = Version{read.version().block_num(), read.version().tx_num()};
      if (committed_version != read_version) return false;
    }
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
      WEFT_ASSIGN_OR_RETURN(bool range_valid, RangeQueryValid(state, batch, ns_rwset.ns, info));
      if (!range_valid) return ::protos::PHANTOM_READ_CONFLICT;
    }
    WEFT_ASSIGN_OR_RETURN(bool hashed_reads_valid, HashedReadsValid(state, batch, ns_rwset));
    if (!hashed_reads_valid) return ::protos::MVCC_READ_CONFLICT;
  }
  return ::protos::VALID;
}

struct KeyWrite {
  const std::string& key;
  bool is_delete;
  const std::string& value;
};

template <typename Entries>
std::string EncodedMetadata(const Entries& entries) {
  rwset::StateMetadata metadata;
  for (const auto& entry : entries) metadata[entry.name()] = entry.value();
  return rwset::EncodeStateMetadata(metadata);
}

// Fabric's txops rules for one namespace (public, or a collection's hashed
// state): a value write keeps the key's existing metadata unless the same tx
// writes metadata ("" deletes it); a metadata write to a key that does not
// exist is dropped; a delete drops the tx's metadata write.
[[nodiscard]] Status ApplyWrites(const StateDb& state, const std::string& ns,
                                 const std::vector<KeyWrite>& writes,
                                 std::map<std::string, std::string> metadata_writes,
                                 Version version, UpdateBatch& batch) {
  for (const auto& write : writes) {
    if (write.is_delete) {
      batch.Delete(ns, write.key, version);
      metadata_writes.erase(write.key);
      continue;
    }
    VersionedValue value{write.value, {}, version};
    if (auto it = metadata_writes.find(write.key); it != metadata_writes.end()) {
      value.metadata = it->second;
      metadata_writes.erase(it);
    } else {
      WEFT_ASSIGN_OR_RETURN(auto latest, Latest(state, batch, ns, write.key));
      if (latest) value.metadata = latest->metadata;
    }
    batch.Put(ns, write.key, std::move(value));
  }
  // Metadata-only updates keep the current value.
  for (auto& [key, metadata] : metadata_writes) {
    WEFT_ASSIGN_OR_RETURN(auto latest, Latest(state, batch, ns, key));
    if (!latest) continue;
    batch.Put(ns, key, VersionedValue{std::move(latest->value), std::move(metadata), version});
  }
  return absl::OkStatus();
}

}  // namespace

[[nodiscard]] Status AddTxWrites(const StateDb& state, const TxRwSet& rwset, Version version,
                                 UpdateBatch& batch) {
  for (const auto& ns_rwset : rwset) {
    std::vector<KeyWrite> writes;
    std::map<std::string, std::string> metadata_writes;
    for (const auto& write : ns_rwset.kv.writes()) {
      writes.push_back({write.key(), rwset::IsDelete(write), write.value()});
    }
    for (const auto& write : ns_rwset.kv.metadata_writes()) {
      metadata_writes.insert_or_assign(write.key(), EncodedMetadata(write.entries()));
    }
    WEFT_RETURN_IF_ERROR(
        ApplyWrites(state, ns_rwset.ns, writes, std::move(metadata_writes), version, batch));
    // Hashed writes go to the collection's hashed state with the same rules.
    for (const auto& collection : ns_rwset.collections) {
      writes.clear();
      metadata_writes.clear();
      for (const auto& write : collection.hashed.hashed_writes()) {
        writes.push_back({write.key_hash(), rwset::IsDelete(write), write.value_hash()});
      }
      for (const auto& write : collection.hashed.metadata_writes()) {
        metadata_writes.insert_or_assign(write.key_hash(), EncodedMetadata(write.entries()));
      }
      WEFT_RETURN_IF_ERROR(ApplyWrites(state,
                                       rwset::HashedNamespace(ns_rwset.ns, collection.collection),
                                       writes, std::move(metadata_writes), version, batch));
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
