#include "peer/ledger/rwset/rwset.h"

#include "absl/strings/str_cat.h"
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
      ns_parsed.collections.push_back({collection.collection_name(), std::move(hashed)});
    }
    parsed.push_back(std::move(ns_parsed));
  }
  return parsed;
}

namespace {
constexpr std::string_view kHashedNamespaceJoiner = "$$h";
}  // namespace

std::string HashedNamespace(std::string_view ns, std::string_view collection) {
  std::string name(ns);
  name.append(kHashedNamespaceJoiner);
  name.append(collection);
  return name;
}

std::optional<std::pair<std::string_view, std::string_view>> SplitHashedNamespace(
    std::string_view name) {
  auto joiner = name.find(kHashedNamespaceJoiner);
  if (joiner == std::string_view::npos) return std::nullopt;
  return std::pair(name.substr(0, joiner), name.substr(joiner + kHashedNamespaceJoiner.size()));
}

bool IsDelete(const ::kvrwset::KVWriteHash& write) {
  return write.is_delete() || write.value_hash().empty();
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

::rwset::TxReadWriteSet RwSetBuilder::Build() const {
  ::rwset::TxReadWriteSet result;
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
  }
  return result;
}

}  // namespace weft::peer::ledger::rwset
