#include "peer/lifecycle/cache.h"

#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <utility>

#include "common/crypto/hash.h"
#include "common/protoutil/serialize.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle_functions.h"

namespace weft::peer::lifecycle {
namespace {

// The chaincode whose committed definition a public _lifecycle key belongs to:
// namespaces/metadata/<cc> or namespaces/fields/<cc>/<field>. Fabric's
// SequenceMatcher looks at the Sequence only; every commit of a definition
// writes it, and dropping on any of the definition's keys is never less safe.
std::optional<std::string_view> DefinitionOfKey(std::string_view key) {
  for (std::string_view kind : {"/metadata/", "/fields/"}) {
    const std::string prefix = std::string(kNamespacesPrefix) + std::string(kind);
    if (key.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = key.substr(prefix.size());
    std::string_view name = rest.substr(0, rest.find('/'));
    if (!name.empty()) return name;
  }
  return std::nullopt;
}

// Hash of the metadata a ChaincodeLocalPackage is stored with (Fabric's
// IsMetadataSerialized for &ChaincodeLocalPackage{}).
std::string LocalPackageMetadataHash() {
  ::lifecycle::StateMetadata metadata;
  metadata.set_datatype(std::string(kChaincodeLocalPackageType));
  metadata.add_fields("PackageID");
  return common::crypto::Sha256(common::protoutil::DeterministicSerialize(metadata));
}

}  // namespace

std::string PackageIdHash(std::string_view package_id) {
  ::lifecycle::StateData data;
  data.set_string(std::string(package_id));
  return common::crypto::Sha256(common::protoutil::DeterministicSerialize(data));
}

Cache::Cache(std::string local_msp_id)
    : local_msp_id_(std::move(local_msp_id)), collection_(ImplicitCollectionName(local_msp_id_)) {}

void Cache::InitializeLocalChaincodes(const std::vector<std::string>& package_ids) {
  std::unique_lock lock(mu_);
  for (const auto& package_id : package_ids) installed_[PackageIdHash(package_id)] = package_id;
}

void Cache::HandleChaincodeInstalled(std::string_view package_id) {
  // Entries keep the approved package's hash, not whether it is installed, so
  // nothing cached needs to change.
  std::unique_lock lock(mu_);
  installed_[PackageIdHash(package_id)] = std::string(package_id);
}

StatusOr<std::optional<Cache::Entry>> Cache::Load(std::string_view channel_id,
                                                  std::string_view name,
                                                  const ledger::statedb::StateDb& state) const {
  // No lock of its own: the caller's simulator holds the ledger's.
  std::unique_ptr<ledger::QueryExecutor> executor = ledger::NewQueryExecutor(state);
  LifecycleQueryState public_state(*executor);
  LifecycleOpaqueState org_state(*executor, collection_);
  StatusOr<std::optional<ChaincodeDefinition>> defined =
      ChaincodeDefinitionIfDefined(name, public_state);
  if (!defined.ok()) {
    return Annotate(defined.status(),
                    fmt::format("could not get chaincode definition for '{}' on channel '{}'", name,
                                channel_id));
  }
  if (!defined->has_value()) return std::optional<Entry>();
  Entry entry;
  entry.definition = **std::move(defined);
  // Fabric's update(): the org's keys of the committed sequence are the ones whose
  // writes make this entry stale (the chaincode-sources metadata too, which Fabric
  // leaves out: an extra reload is harmless, a missed one is not).
  const std::string private_name = PrivateName(name, entry.definition.sequence);
  for (const std::string& key : {MetadataKey(kNamespacesPrefix, private_name),
                                 FieldKey(kNamespacesPrefix, private_name, "EndorsementInfo"),
                                 FieldKey(kNamespacesPrefix, private_name, "ValidationInfo"),
                                 FieldKey(kNamespacesPrefix, private_name, "Collections"),
                                 MetadataKey(kChaincodeSourcesPrefix, private_name),
                                 FieldKey(kChaincodeSourcesPrefix, private_name, "PackageID")}) {
    entry.key_hashes.push_back(common::crypto::Sha256(key));
  }
  const auto opaque_error = [&](const Status& status, std::string_view what) {
    return Annotate(status, fmt::format("could not check opaque org state for {} for '{}' on "
                                        "channel '{}'",
                                        what, name, channel_id));
  };
  StatusOr<bool> approved = IsSerialized(kNamespacesPrefix, private_name,
                                         ParametersStructure(entry.definition), org_state);
  if (!approved.ok()) return opaque_error(approved.status(), "the approval");
  entry.approved = *approved;
  if (entry.approved) {
    StatusOr<std::string> metadata_hash =
        org_state.GetStateHash(MetadataKey(kChaincodeSourcesPrefix, private_name));
    if (!metadata_hash.ok()) return opaque_error(metadata_hash.status(), "chaincode source");
    if (*metadata_hash == LocalPackageMetadataHash()) {
      StatusOr<std::string> package_hash =
          org_state.GetStateHash(FieldKey(kChaincodeSourcesPrefix, private_name, "PackageID"));
      if (!package_hash.ok()) {
        return opaque_error(package_hash.status(), "chaincode source hash");
      }
      entry.package_hash = *std::move(package_hash);
    }
  }
  executor->Done();
  return std::optional<Entry>(std::move(entry));
}

LocalChaincodeInfo Cache::Info(const Entry& entry) const {
  LocalChaincodeInfo info;
  info.definition = entry.definition;
  info.approved = entry.approved;
  if (entry.approved && entry.package_hash.has_value()) {
    if (auto found = installed_.find(*entry.package_hash); found != installed_.end()) {
      info.package_id = found->second;
    }
  }
  return info;
}

StatusOr<std::optional<LocalChaincodeInfo>> Cache::ChaincodeInfo(
    std::string_view channel_id, std::string_view name, const ledger::statedb::StateDb& state) {
  uint64_t generation = 0;
  {
    std::shared_lock lock(mu_);
    if (auto channel = channels_.find(channel_id); channel != channels_.end()) {
      if (auto cached = channel->second.chaincodes.find(name);
          cached != channel->second.chaincodes.end()) {
        return std::optional<LocalChaincodeInfo>(Info(cached->second));
      }
      generation = channel->second.generation;
    }
  }
  WEFT_ASSIGN_OR_RETURN(std::optional<Entry> loaded, Load(channel_id, name, state));
  if (!loaded.has_value()) return std::optional<LocalChaincodeInfo>();
  std::unique_lock lock(mu_);
  ChannelCache& channel = channels_.try_emplace(std::string(channel_id)).first->second;
  LocalChaincodeInfo info = Info(*loaded);
  // A state update since the read means the read may be stale: answer it (it is the
  // state the caller saw) but do not keep it.
  if (channel.generation == generation && !channel.chaincodes.contains(name)) {
    for (const std::string& hash : loaded->key_hashes) {
      channel.interesting_hashes[hash] = std::string(name);
    }
    channel.chaincodes.emplace(std::string(name), *std::move(loaded));
  }
  return std::optional<LocalChaincodeInfo>(std::move(info));
}

std::vector<std::string> Cache::InterestedInNamespaces() const {
  return {std::string(kLifecycleNamespace)};
}

void Cache::Forget(ChannelCache& channel, std::string_view name) {
  auto cached = channel.chaincodes.find(name);
  if (cached == channel.chaincodes.end()) return;
  for (const std::string& hash : cached->second.key_hashes) {
    if (auto interesting = channel.interesting_hashes.find(hash);
        interesting != channel.interesting_hashes.end() && interesting->second == name) {
      channel.interesting_hashes.erase(interesting);
    }
  }
  channel.chaincodes.erase(cached);
}

void Cache::HandleStateUpdates(const ledger::StateUpdateTrigger& trigger) {
  auto updates = trigger.updates.find(std::string(kLifecycleNamespace));
  if (updates == trigger.updates.end()) return;
  std::unique_lock lock(mu_);
  ChannelCache& channel = channels_.try_emplace(trigger.channel_id).first->second;
  ++channel.generation;
  for (const std::string& key : updates->second.public_keys) {
    if (auto name = DefinitionOfKey(key)) Forget(channel, *name);
  }
  // Only this org's implicit collection holds what the entries were read from.
  auto hashes = updates->second.collection_key_hashes.find(collection_);
  if (hashes == updates->second.collection_key_hashes.end()) return;
  for (const std::string& hash : hashes->second) {
    auto interesting = channel.interesting_hashes.find(hash);
    if (interesting == channel.interesting_hashes.end()) continue;
    const std::string name = interesting->second;  // Forget erases the map's copy
    Forget(channel, name);
  }
}

std::size_t Cache::CachedChaincodes(std::string_view channel_id) const {
  std::shared_lock lock(mu_);
  auto channel = channels_.find(channel_id);
  return channel == channels_.end() ? 0 : channel->second.chaincodes.size();
}

}  // namespace weft::peer::lifecycle
