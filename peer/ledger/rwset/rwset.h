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
  // SHA-256 of the collection's private KVRWSet bytes; empty when the
  // transaction wrote nothing to the collection.
  std::string pvt_rwset_hash;
};

struct NsRwSet {
  std::string ns;
  ::kvrwset::KVRWSet kv;
  std::vector<CollHashedRwSet> collections;  // in carried order
};

// Where the hashed state of (ns, collection) lives in the state DB, keyed by
// key hash (Fabric's DeriveHashedDataNs: ns + "$$h" + collection).
std::string HashedNamespace(std::string_view ns, std::string_view collection);
// Where the private values of (ns, collection) live in the state DB, keyed by
// the plain key (Fabric's derivePvtDataNs: ns + "$$p" + collection). Only a
// peer that has the private data writes there; the commit hash skips it.
std::string PrivateNamespace(std::string_view ns, std::string_view collection);
// The (ns, collection) of a PrivateNamespace name; nullopt otherwise.
std::optional<std::pair<std::string_view, std::string_view>> SplitPrivateNamespace(
    std::string_view name);
// The (ns, collection) of a HashedNamespace name; nullopt for a public one.
std::optional<std::pair<std::string_view, std::string_view>> SplitHashedNamespace(
    std::string_view name);

// Fabric's IsKVWriteHashDelete: is_delete, an empty value hash, or the hash
// of an empty value.
bool IsDelete(const ::kvrwset::KVWriteHash& write);
// The public read-write set of one transaction, namespaces in carried order.
using TxRwSet = std::vector<NsRwSet>;

// InvalidArgument naming the namespace whose KVRWSet (or the collection
// whose HashedRWSet) does not parse.
[[nodiscard]] StatusOr<TxRwSet> ParseTxRwSet(const ::rwset::TxReadWriteSet& rwset);
[[nodiscard]] StatusOr<TxRwSet> ParseTxRwSet(std::string_view bytes);

// Both halves of a simulation's results (Fabric's TxSimulationResults): the
// public rwset, whose namespaces carry each collection's HashedRWSet, and
// the private rwset with the plain values written to collections (nullopt
// when the transaction wrote no private data). The private rwset never
// goes into a block; peers keep it in their transient store.
struct SimulationResults {
  ::rwset::TxReadWriteSet public_rwset;
  std::optional<::rwset::TxPvtReadWriteSet> private_rwset;
};

// Collects a simulation's reads and writes. Build() gives Fabric's canonical
// shape (rwsetutil.RWSetBuilder) so every endorser produces identical bytes:
// namespaces sorted by name, reads, writes and metadata writes sorted by key,
// range queries in the order they were added; collections sorted by name, their
// hashed reads and writes sorted by the plain key (not the hash), key hash =
// SHA-256(key), value hash = SHA-256(value), and pvt_rwset_hash = SHA-256 of
// the collection's private KVRWSet bytes.
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
  // A read of a collection key: recorded as its key hash and the version of
  // the hashed state. The first read of a key wins.
  void AddHashedRead(std::string_view ns, std::string_view collection, std::string_view key,
                     std::optional<statedb::Version> version);
  // A write of a collection key: the plain value goes to the private rwset,
  // its hashes to the public one. An empty value is a delete; the last
  // write of a key wins.
  void AddPrivateWrite(std::string_view ns, std::string_view collection, std::string_view key,
                       std::string value);

  // The public rwset (what BuildWithPrivateData().public_rwset holds).
  ::rwset::TxReadWriteSet Build() const;
  SimulationResults BuildWithPrivateData() const;

 private:
  struct CollectionState {
    std::map<std::string, std::optional<statedb::Version>> reads;
    std::map<std::string, std::string> writes;  // empty value = delete
  };
  struct NsState {
    std::map<std::string, std::optional<statedb::Version>> reads;
    std::map<std::string, std::string> writes;  // empty value = delete
    std::map<std::string, StateMetadata> metadata_writes;
    std::vector<::kvrwset::RangeQueryInfo> range_queries;
    std::map<std::string, CollectionState> collections;
  };
  std::map<std::string, NsState, std::less<>> namespaces_;

  NsState& Ns(std::string_view ns);
};

// Fabric's IsKVWriteDelete: a write deletes its key when it says so or when
// its value is empty.
bool IsDelete(const ::kvrwset::KVWrite& write);

::kvrwset::KVRead MakeKvRead(std::string_view key, std::optional<statedb::Version> version);

}  // namespace weft::peer::ledger::rwset
