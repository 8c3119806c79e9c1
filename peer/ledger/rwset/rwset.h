// Read-write sets (fabric-interop.md B.5): building one deterministically
// during simulation, and opening one for validation and commit; also the
// encoding of key-level metadata (a KVMetadataWrite) as the state DB stores it.
// Thread-safety: RwSetBuilder is not thread-safe; the functions are.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status/status.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/statedb/state_db.h"

namespace weft::peer::ledger::rwset {

// Key-level metadata entries (name -> value), e.g. "VALIDATION_PARAMETER".
using StateMetadata = std::map<std::string, std::string>;

// Metadata as stored in VersionedValue::metadata: a deterministically
// serialized kvrwset.KVMetadataWrite with only its entries, sorted by name.
// An empty map encodes as "".
std::string EncodeStateMetadata(const StateMetadata& metadata);
[[nodiscard]] StatusOr<StateMetadata> DecodeStateMetadata(std::string_view bytes);

// The hashed (private-data) part of one namespace's rwset for a collection.
struct CollHashedRwSet {
  std::string collection;
  ::kvrwset::HashedRWSet hashed;
};

struct NsRwSet {
  std::string ns;
  ::kvrwset::KVRWSet kv;
  std::vector<CollHashedRwSet> collections;  // in carried order
};

// Where the hashed state of (ns, collection) lives in the state DB, keyed by
// key hash (Fabric's DeriveHashedDataNs: ns + "$$h" + collection).
std::string HashedNamespace(std::string_view ns, std::string_view collection);
// The (ns, collection) of a HashedNamespace name; nullopt for a public one.
std::optional<std::pair<std::string_view, std::string_view>> SplitHashedNamespace(
    std::string_view name);

// Fabric's IsKVWriteHashDelete: is_delete or an empty value hash.
bool IsDelete(const ::kvrwset::KVWriteHash& write);
// The public read-write set of one transaction, namespaces in carried order.
using TxRwSet = std::vector<NsRwSet>;

// InvalidArgument naming the namespace whose KVRWSet (or the collection
// whose HashedRWSet) does not parse.
[[nodiscard]] StatusOr<TxRwSet> ParseTxRwSet(const ::rwset::TxReadWriteSet& rwset);
[[nodiscard]] StatusOr<TxRwSet> ParseTxRwSet(std::string_view bytes);

// Collects a simulation's reads and writes. Build() gives Fabric's canonical
// shape so every endorser produces identical bytes: namespaces sorted by
// name, reads, writes and metadata writes sorted by key, range queries in the
// order they were added.
class RwSetBuilder {
 public:
  // `version` is the committed version, nullopt when the key did not exist.
  // The first read of a key wins: state does not move during a simulation.
  void AddRead(std::string_view ns, std::string_view key, std::optional<statedb::Version> version);
  // An empty value is a delete (Fabric's rule). The last write of a key wins.
  void AddWrite(std::string_view ns, std::string_view key, std::string value);
  void AddDelete(std::string_view ns, std::string_view key);
  // An empty map deletes the key's metadata.
  void AddMetadataWrite(std::string_view ns, std::string_view key, StateMetadata metadata);
  // A range query with the same start key, end key and exhausted flag as
  // one already added is dropped (Fabric records it once).
  void AddRangeQuery(std::string_view ns, ::kvrwset::RangeQueryInfo info);

  ::rwset::TxReadWriteSet Build() const;

 private:
  struct NsState {
    std::map<std::string, std::optional<statedb::Version>> reads;
    std::map<std::string, std::string> writes;  // empty value = delete
    std::map<std::string, StateMetadata> metadata_writes;
    std::vector<::kvrwset::RangeQueryInfo> range_queries;
  };
  std::map<std::string, NsState, std::less<>> namespaces_;

  NsState& Ns(std::string_view ns);
};

// Fabric's IsKVWriteDelete: a write deletes its key when it says so or when
// its value is empty.
bool IsDelete(const ::kvrwset::KVWrite& write);

::kvrwset::KVRead MakeKvRead(std::string_view key, std::optional<statedb::Version> version);

}  // namespace weft::peer::ledger::rwset
