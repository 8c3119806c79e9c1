#include "peer/ledger/rwset/rwset.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "common/protoutil/serialize.h"

namespace weft::peer::ledger::rwset {

namespace protoutil = common::protoutil;

std::string EncodeStateMetadata(const StateMetadata& metadata) {
  if (metadata.empty()) return {};
  ::kvrwset::KVMetadataWrite write;
  for (const auto& [name, value] : metadata) {
    auto* entry = write.add_entries();
    entry->set_name(name);
    entry->set_value(value);
  }
  return protoutil::DeterministicSerialize(write);
}

[[nodiscard]] StatusOr<StateMetadata> DecodeStateMetadata(std::string_view bytes) {
  WEFT_ASSIGN_OR_RETURN(
      auto write, protoutil::ParseMessage<::kvrwset::KVMetadataWrite>(bytes, "state metadata"));
  StateMetadata metadata;
  for (const auto& entry : write.entries()) metadata[entry.name()] = entry.value();
  return metadata;
}

[[nodiscard]] StatusOr<TxRwSet> ParseTxRwSet(const ::rwset::TxReadWriteSet& rwset) {
  TxRwSet parsed;
  parsed.reserve(rwset.ns_rwset_size());
  for (const auto& ns_rwset : rwset.ns_rwset()) {
    WEFT_ASSIGN_OR_RETURN(
        auto kv, protoutil::ParseMessage<::kvrwset::KVRWSet>(
                     ns_rwset.rwset(), absl::StrCat("rwset of namespace ", ns_rwset.namespace_())));
    NsRwSet ns_parsed{ns_rwset.namespace_(), std::move(kv), {}};
    for (const auto& collection : ns_rwset.collection_hashed_rwset()) {
      WEFT_ASSIGN_OR_RETURN(
          auto hashed, protoutil::ParseMessage<::kvrwset::HashedRWSet>(
                           collection.hashed_rwset(),
                           absl::StrCat("hashed rwset of collection ", collection.collection_name(),
                                        " of namespace ", ns_rwset.namespace_())));
      ns_parsed.collections.push_back(
          {collection.collection_name(), std::move(hashed), collection.pvt_rwset_hash()});
    }
    parsed.push_back(std::move(ns_parsed));
  }
  return parsed;
}

namespace {
constexpr std::string_view kHashedNamespaceJoiner = "$$h";
constexpr std::string_view kPrivateNamespaceJoiner = "$$p";

std::optional<std::pair<std::string_view, std::string_view>> SplitAt(std::string_view name,
                                                                     std::string_view joiner) {
  auto at = name.find(joiner);
  if (at == std::string_view::npos) return std::nullopt;
  return std::pair(name.substr(0, at), name.substr(at + joiner.size()));
}
}  // namespace

std::string PrivateNamespace(std::string_view ns, std::string_view collection) {
  std::string name(ns);
  name.append(kPrivateNamespaceJoiner);
  name.append(collection);
  return name;
}

std::optional<std::pair<std::string_view, std::string_view>> SplitPrivateNamespace(
    std::string_view name) {
  return SplitAt(name, kPrivateNamespaceJoiner);
}

std::string HashedNamespace(std::string_view ns, std::string_view collection) {
  std::string name(ns);
  name.append(kHashedNamespaceJoiner);
  name.append(collection);
  return name;
}

std::optional<std::pair<std::string_view, std::string_view>> SplitHashedNamespace(
    std::string_view name) {
  return SplitAt(name, kHashedNamespaceJoiner);
}

bool IsDelete(const ::kvrwset::KVWriteHash& write) {
  // Fabric's hashOfZeroLengthByteArray (FAB-18386).
  static const std::string kEmptyValueHash = common::crypto::Sha256("");
  return write.is_delete() || write.value_hash().empty() || write.value_hash() == kEmptyValueHash;
}

[[nodiscard]] StatusOr<TxRwSet> ParseTxRwSet(std::string_view bytes) {
  WEFT_ASSIGN_OR_RETURN(auto rwset,
                        protoutil::ParseMessage<::rwset::TxReadWriteSet>(bytes, "tx rwset"));
  return ParseTxRwSet(rwset);
}

bool IsDelete(const ::kvrwset::KVWrite& write) {
  return write.is_delete() || write.value().empty();
}

::kvrwset::KVRead MakeKvRead(std::string_view key, std::optional<statedb::Version> version) {
  ::kvrwset::KVRead read;
  read.set_key(std::string(key));
  if (version) {
    read.mutable_version()->set_block_num(version->block_num);
    read.mutable_version()->set_tx_num(version->tx_num);
  }
  return read;
}

RwSetBuilder::NsState& RwSetBuilder::Ns(std::string_view ns) {
  return namespaces_.try_emplace(std::string(ns)).first->second;
}

void RwSetBuilder::AddRead(std::string_view ns, std::string_view key,
                           std::optional<statedb::Version> version) {
  Ns(ns).reads.try_emplace(std::string(key), version);
}

void RwSetBuilder::AddWrite(std::string_view ns, std::string_view key, std::string value) {
  Ns(ns).writes.insert_or_assign(std::string(key), std::move(value));
}

void RwSetBuilder::AddDelete(std::string_view ns, std::string_view key) {
  AddWrite(ns, key, std::string());
}

void RwSetBuilder::AddMetadataWrite(std::string_view ns, std::string_view key,
                                    StateMetadata metadata) {
  Ns(ns).metadata_writes.insert_or_assign(std::string(key), std::move(metadata));
}

void RwSetBuilder::AddRangeQuery(std::string_view ns, ::kvrwset::RangeQueryInfo info) {
  auto& queries = Ns(ns).range_queries;
  // Fabric keys range queries by (start, end, exhausted): the first one wins.
  for (const auto& recorded : queries) {
    if (recorded.start_key() == info.start_key() && recorded.end_key() == info.end_key() &&
        recorded.itr_exhausted() == info.itr_exhausted()) {
      return;
    }
  }
  queries.push_back(std::move(info));
}

void RwSetBuilder::AddHashedRead(std::string_view ns, std::string_view collection,
                                 std::string_view key, std::optional<statedb::Version> version) {
  Ns(ns).collections[std::string(collection)].reads.try_emplace(std::string(key), version);
}

void RwSetBuilder::AddPrivateWrite(std::string_view ns, std::string_view collection,
                                   std::string_view key, std::string value) {
  Ns(ns).collections[std::string(collection)].writes.insert_or_assign(std::string(key),
                                                                      std::move(value));
}

::rwset::TxReadWriteSet RwSetBuilder::Build() const { return BuildWithPrivateData().public_rwset; }

SimulationResults RwSetBuilder::BuildWithPrivateData() const {
  SimulationResults results;
  ::rwset::TxReadWriteSet& result = results.public_rwset;
  result.set_data_model(::rwset::TxReadWriteSet::KV);
  for (const auto& [ns, state] : namespaces_) {
    ::kvrwset::KVRWSet kv;
    for (const auto& [key, version] : state.reads) *kv.add_reads() = MakeKvRead(key, version);
    for (const auto& info : state.range_queries) *kv.add_range_queries_info() = info;
    for (const auto& [key, value] : state.writes) {
      auto* write = kv.add_writes();
      write->set_key(key);
      write->set_is_delete(value.empty());
      write->set_value(value);
    }
    for (const auto& [key, metadata] : state.metadata_writes) {
      auto* write = kv.add_metadata_writes();
      write->set_key(key);
      for (const auto& [name, value] : metadata) {
        auto* entry = write->add_entries();
        entry->set_name(name);
        entry->set_value(value);
      }
    }
    auto* ns_rwset = result.add_ns_rwset();
    ns_rwset->set_namespace_(ns);
    ns_rwset->set_rwset(protoutil::DeterministicSerialize(kv));

    ::rwset::NsPvtReadWriteSet* ns_private = nullptr;
    for (const auto& [collection, collection_state] : state.collections) {
      ::kvrwset::HashedRWSet hashed;
      for (const auto& [key, version] : collection_state.reads) {
        auto* read = hashed.add_hashed_reads();
        read->set_key_hash(common::crypto::Sha256(key));
        if (version) {
          read->mutable_version()->set_block_num(version->block_num);
          read->mutable_version()->set_tx_num(version->tx_num);
        }
      }
      ::kvrwset::KVRWSet private_kv;
      for (const auto& [key, value] : collection_state.writes) {
        auto* write = hashed.add_hashed_writes();
        write->set_key_hash(common::crypto::Sha256(key));
        write->set_is_delete(value.empty());
        // Fabric leaves the value hash out of a delete.
        if (!value.empty()) write->set_value_hash(common::crypto::Sha256(value));
        auto* private_write = private_kv.add_writes();
        private_write->set_key(key);
        private_write->set_is_delete(value.empty());
        private_write->set_value(value);
      }
      auto* collection_rwset = ns_rwset->add_collection_hashed_rwset();
      collection_rwset->set_collection_name(collection);
      collection_rwset->set_hashed_rwset(protoutil::DeterministicSerialize(hashed));
      // Only collections with writes have a private rwset (and its hash).
      if (collection_state.writes.empty()) continue;
      std::string private_bytes = protoutil::DeterministicSerialize(private_kv);
      collection_rwset->set_pvt_rwset_hash(common::crypto::Sha256(private_bytes));
      if (!results.private_rwset) {
        results.private_rwset.emplace();
        results.private_rwset->set_data_model(::rwset::TxReadWriteSet::KV);
      }
      if (ns_private == nullptr) {
        ns_private = results.private_rwset->add_ns_pvt_rwset();
        ns_private->set_namespace_(ns);
      }
      auto* collection_private = ns_private->add_collection_pvt_rwset();
      collection_private->set_collection_name(collection);
      collection_private->set_rwset(std::move(private_bytes));
    }
  }
  return results;
}

}  // namespace weft::peer::ledger::rwset
