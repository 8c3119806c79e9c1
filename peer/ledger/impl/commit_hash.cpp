#include "peer/ledger/impl/commit_hash.h"

#include <map>

#include "common/crypto/hash.h"
#include "peer/ledger/rwset/rwset.h"

namespace weft::peer::ledger::impl {
namespace {

// Protobuf wire types used by the update-batch message.
constexpr uint32_t kVarintWireType = 0;
constexpr uint32_t kLengthDelimitedWireType = 2;

void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void AppendTag(std::string& out, uint32_t field, uint32_t wire_type) {
  AppendVarint(out, (field << 3) | wire_type);
}

// proto3: an empty bytes/string field is not written.
void AppendBytesField(std::string& out, uint32_t field, std::string_view bytes) {
  if (bytes.empty()) return;
  AppendTag(out, field, kLengthDelimitedWireType);
  AppendVarint(out, bytes.size());
  out.append(bytes);
}

// Fabric's EncodeOrderPreservingVarUint64: one byte holding the number of
// significant big-endian bytes, then those bytes (0 encodes as 0x00).
void AppendOrderPreservingVarUint64(std::string& out, uint64_t number) {
  int size = 0;
  while (size < 8 && (number >> (8 * size)) != 0) ++size;
  out.push_back(static_cast<char>(size));
  for (int i = size - 1; i >= 0; --i) out.push_back(static_cast<char>((number >> (8 * i)) & 0xff));
}

// One txmgr.KVWrite; `ns` (`collection`) is empty except on the first write
// of a namespace (of a collection).
std::string KvWriteBytes(std::string_view ns, std::string_view collection, std::string_view key,
                         const statedb::ValueUpdate& update) {
  std::string out;
  AppendBytesField(out, 1, ns);
  AppendBytesField(out, 2, collection);
  AppendBytesField(out, 3, key);
  if (update.is_delete) {
    AppendTag(out, 4, kVarintWireType);
    AppendVarint(out, 1);
  } else {
    AppendBytesField(out, 5, update.value.value);
  }
  AppendBytesField(out, 6, VersionBytes(update.value.version));
  return out;
}

}  // namespace

std::string VersionBytes(statedb::Version version) {
  std::string out;
  AppendOrderPreservingVarUint64(out, version.block_num);
  AppendOrderPreservingVarUint64(out, version.tx_num);
  return out;
}

std::string UpdateBatchBytes(const statedb::UpdateBatch& updates) {
  // Hashed state lives under derived namespaces; Fabric orders by the real
  // namespace, public writes first, then each collection's hashed writes.
  struct NamespaceUpdates {
    const statedb::UpdateBatch::KeyUpdates* public_updates = nullptr;
    std::map<std::string_view, const statedb::UpdateBatch::KeyUpdates*> collections;
  };
  std::map<std::string_view, NamespaceUpdates> namespaces;
  for (const auto& [name, keys] : updates.updates()) {
    if (auto hashed = rwset::SplitHashedNamespace(name)) {
      namespaces[hashed->first].collections[hashed->second] = &keys;
    } else {
      namespaces[name].public_updates = &keys;
    }
  }
  std::string out;
  for (const auto& [ns, ns_updates] : namespaces) {
    // Fabric leaves out the channel config (namespace ""), whose proto has maps.
    if (ns.empty()) continue;
    bool first_of_namespace = true;
    auto append_writes = [&](const statedb::UpdateBatch::KeyUpdates& keys,
                             std::string_view collection) {
      bool first_of_collection = true;
      for (const auto& [key, update] : keys) {
        AppendBytesField(out, 1,
                         KvWriteBytes(first_of_namespace ? ns : "",
                                      first_of_collection ? collection : "", key, update));
        first_of_namespace = false;
        first_of_collection = false;
      }
    };
    if (ns_updates.public_updates != nullptr) append_writes(*ns_updates.public_updates, "");
    for (const auto& [collection, keys] : ns_updates.collections) append_writes(*keys, collection);
  }
  return out;
}

bool HasCommitHash(uint64_t block_num, std::string_view previous_hash) {
  return block_num == 1 || !previous_hash.empty();
}

std::string NextCommitHash(std::string_view filter, const statedb::UpdateBatch& updates,
                           std::string_view previous_hash) {
  std::string filter_length;
  AppendVarint(filter_length, filter.size());
  return common::crypto::Sha256Hasher()
      .Update(filter_length)
      .Update(filter)
      .Update(UpdateBatchBytes(updates))
      .Update(previous_hash)
      .Finish();
}

}  // namespace weft::peer::ledger::impl
