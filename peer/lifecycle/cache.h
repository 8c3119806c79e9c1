// This peer's view of the chaincodes committed on its channels, kept in memory so a
// proposal needs no _lifecycle state read beyond the Sequence its simulation records
// (Fabric's release-2.5 core/chaincode/lifecycle/cache.go, Cache): per channel, each
// committed definition, whether this org approved exactly it, and the hash of the
// package ID this org approved it with (chaincode-sources/fields/<cc>#<seq>/PackageID
// in this org's implicit collection, read as a hash as Fabric does, so no private
// value is needed); and the installed packages, by the hash of their
// StateData{String: package ID}.
//
// Filled lazily: a definition is read from the state on its first use and kept until
// a block writes the _lifecycle keys it came from, public (namespaces/.../<cc>/...)
// or this org's implicit collection (the hashed keys of <cc>#<committed sequence>,
// Fabric's InterestingHashes). The cache is a ledger::StateListener: the ledger calls
// it under its exclusive commit lock, after writing a block's state and before any
// reader sees it, so an entry read under a reader's shared lock is exactly the state
// that reader simulates against, and no entry outlives the state it was read from.
// Fabric's check stays with the callers: a definition whose sequence is not the one
// the simulation read is an error ("chaincode cache at sequence ...").
// Installs are learnt through HandleChaincodeInstalled; InitializeLocalChaincodes
// loads what was installed before the peer started. Entries are bounded by the
// committed chaincodes of the channels.
//
// Thread-safety: thread-safe (a reader/writer lock; lookups share it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"
#include "peer/ledger/state_listener.h"
#include "peer/ledger/statedb/state_db.h"
#include "peer/lifecycle/chaincode_definition.h"

namespace weft::peer::lifecycle {

// Fabric's LocalChaincodeInfo.
struct LocalChaincodeInfo {
  ChaincodeDefinition definition;  // the committed definition
  // This org approved exactly the committed definition (its parameters at the
  // committed sequence, judged by hashes).
  bool approved = false;
  // The installed package this org approved the definition with; nullopt when it is
  // not installed here, when the approval names no package, or when not approved
  // (Fabric's InstallInfo == nil).
  std::optional<std::string> package_id;
};

// SHA-256 of StateData{String: package_id}, which is what the hashed state of this
// org's chaincode-sources/fields/<cc>#<seq>/PackageID holds (Fabric's hashOfCCHash).
std::string PackageIdHash(std::string_view package_id);

class Cache final : public ledger::StateListener {
 public:
  explicit Cache(std::string local_msp_id);

  // Fabric's InitializeLocalChaincodes: the packages installed before the start.
  void InitializeLocalChaincodes(const std::vector<std::string>& package_ids);
  // Fabric's HandleChaincodeInstalled: definitions approved with this package become
  // runnable from the next lookup on.
  void HandleChaincodeInstalled(std::string_view package_id);

  // Fabric's ChaincodeInfo: what the peer knows of committed chaincode `name` on
  // `channel_id`; nullopt when `state` holds no definition of it. On a miss the
  // definition and this org's approval are read from `state` (the channel's state DB,
  // read without the ledger's lock: the caller holds it through its simulator, so
  // no commit lands between the read and its insertion). Errors are the state's.
  [[nodiscard]] StatusOr<std::optional<LocalChaincodeInfo>> ChaincodeInfo(
      std::string_view channel_id, std::string_view name, const ledger::statedb::StateDb& state);

  // ledger::StateListener: "_lifecycle".
  std::vector<std::string> InterestedInNamespaces() const override;
  // Drops the definitions a block rewrote (Fabric's HandleStateUpdates marks them
  // dirty); they are read again on next use.
  void HandleStateUpdates(const ledger::StateUpdateTrigger& trigger) override;

  // How many definitions of `channel_id` are cached (for tests and logs).
  std::size_t CachedChaincodes(std::string_view channel_id) const;

 private:
  struct Entry {
    ChaincodeDefinition definition;
    bool approved = false;
    // Hash of this org's PackageID field, when its ChaincodeLocalPackage metadata
    // is there; compared with PackageIdHash of the installed packages.
    std::optional<std::string> package_hash;
    std::vector<std::string> key_hashes;  // of the org's keys of <cc>#<sequence>
  };
  struct ChannelCache {
    std::map<std::string, Entry, std::less<>> chaincodes;
    // Key hash in this org's implicit collection -> chaincode (InterestingHashes).
    std::map<std::string, std::string, std::less<>> interesting_hashes;
    // Moves on every state update of the channel: a lookup that read the state
    // before an update does not insert what it read.
    uint64_t generation = 0;
  };

  [[nodiscard]] StatusOr<std::optional<Entry>> Load(std::string_view channel_id,
                                                    std::string_view name,
                                                    const ledger::statedb::StateDb& state) const;
  LocalChaincodeInfo Info(const Entry& entry) const;          // mu_ held (any mode)
  void Forget(ChannelCache& channel, std::string_view name);  // mu_ held exclusively

  const std::string local_msp_id_;
  const std::string collection_;  // this org's implicit collection
  mutable std::shared_mutex mu_;
  std::map<std::string, ChannelCache, std::less<>> channels_;  // guarded by mu_
  // PackageIdHash -> package ID of every installed package; guarded by mu_.
  std::map<std::string, std::string, std::less<>> installed_;
};

}  // namespace weft::peer::lifecycle
