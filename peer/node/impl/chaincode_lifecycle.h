// The peer's chaincode lifecycle parts, built by the composition root: the package
// store (<peer.fileSystemPath>/lifecycle/chaincodes), the chaincode runtime (external
// and built-in builders), InstalledChaincodes over both (what _lifecycle's install and
// installed-package queries use) and _lifecycle itself.
//
// InstalledChaincodeStore follows Fabric's release-2.5 core/chaincode/lifecycle
// ExternalFunctions.InstallChaincode: parse, save, build; a failed build deletes the
// saved package ("could not build chaincode: ..."). The references of an installed
// package are worked out on each query from the channels' ledgers, as Fabric's
// lifecycle Cache keeps them: for every committed definition on a joined channel, the
// package this org approved for that definition's name and committed sequence
// (chaincode-sources/fields/<cc>#<seq>/PackageID in its implicit collection).
// What a proposal runs comes from the lifecycle cache (peer/lifecycle/cache.h), which
// the store tells of every install; the ledgers tell it of every _lifecycle write.
//
// Thread-safety: InstalledChaincodeStore and ChaincodeLifecycle are thread-safe;
// installs are serialised (one build at a time through _lifecycle).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/peer_config.h"
#include "common/log/logger.h"
#include "common/status/status.h"
#include "msp/msp.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/chaincode_package/package_store.h"
#include "peer/chaincode_support/chaincode_support.h"
#include "peer/chaincode_support/runtime.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/lifecycle/cache.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/scc/lifecycle/lifecycle_scc.h"

namespace weft::peer::node {

// The joined channels' ledgers, for the references of installed packages.
struct LifecycleLedgers {
  std::function<std::vector<std::string>()> channel_ids;
  // nullptr when the channel is not (or no longer) joined.
  std::function<std::shared_ptr<ledger::PeerLedger>(std::string_view channel_id)> ledger;
};

class InstalledChaincodeStore final : public scc::lifecycle::InstalledChaincodes {
 public:
  // `runtime` must outlive this object. `local_msp_id` names this org's implicit
  // collection; `ledgers` may have empty functions (then no references and nothing
  // resolves). `cache` (required) must be a state listener of those ledgers; it is
  // told of the packages installed so far here and of every later install.
  InstalledChaincodeStore(std::shared_ptr<chaincode_package::PackageStore> store,
                          chaincode_support::ChaincodeRuntime& runtime, std::string local_msp_id,
                          LifecycleLedgers ledgers, std::shared_ptr<lifecycle::Cache> cache,
                          std::shared_ptr<common::log::Logger> logger);

  [[nodiscard]] StatusOr<scc::lifecycle::InstalledChaincode> Install(
      std::string_view package_bytes) override;
  std::optional<scc::lifecycle::InstalledChaincode> Find(
      std::string_view package_id) const override;
  std::vector<scc::lifecycle::InstalledChaincode> List() const override;
  [[nodiscard]] StatusOr<std::string> Load(std::string_view package_id) const override;

  // Fabric's ChaincodeEndorsementInfoSource.CachedChaincodeInfo for chaincode `name`
  // whose Sequence the caller's simulation read as `sequence`, from the lifecycle
  // cache: NotFound "channel '<ch>' not found" / "could not get approved chaincode
  // info from cache: unknown chaincode '<cc>' for channel '<ch>'"; Aborted "chaincode
  // cache at sequence <c> but current sequence is <n>, chaincode definition for '<cc>'
  // changed during invoke"; FailedPrecondition "chaincode definition for '<cc>' at
  // sequence <n> on channel '<ch>' has not yet been approved by this org"; else the
  // definition with package_id set when the package this org approved is installed.
  // Call it while holding the channel's ledger read lock (an open simulator): a miss
  // reads the state without taking the lock.
  [[nodiscard]] StatusOr<lifecycle::LocalChaincodeInfo> CachedChaincodeInfo(
      std::string_view channel_id, std::string_view name, int64_t sequence) const;
  // CachedChaincodeInfo's package: nullopt when the approved package is not installed.
  [[nodiscard]] StatusOr<std::optional<std::string>> ResolvePackageId(std::string_view channel_id,
                                                                      std::string_view name,
                                                                      int64_t sequence) const;

 private:
  // package id -> channel -> the committed definitions this org approved with it.
  using ReferenceMap =
      std::map<std::string, std::map<std::string, std::vector<scc::lifecycle::ChaincodeReference>>>;
  ReferenceMap References() const;

  std::shared_ptr<chaincode_package::PackageStore> store_;
  chaincode_support::ChaincodeRuntime& runtime_;
  const std::string local_msp_id_;
  LifecycleLedgers ledgers_;
  std::shared_ptr<lifecycle::Cache> cache_;
  std::shared_ptr<common::log::Logger> logger_;
  std::mutex install_mu_;  // one install (save + build) at a time
};

class ChaincodeLifecycle {
 public:
  struct Options {
    const common::config::PeerConfig* config = nullptr;
    common::config::Environment environment;  // the peer's own (builders read it)
    const msp::Msp* local_msp = nullptr;
    const aclmgmt::AclProvider* acl = nullptr;
    scc::lifecycle::LifecycleScc::ConfigLookup configs;
    LifecycleLedgers ledgers;
    // Required: the lifecycle cache, registered as a state listener of the ledgers
    // (LedgerOptions::state_listeners) before any channel opens.
    std::shared_ptr<lifecycle::Cache> cache;
    std::shared_ptr<common::log::Logger> logger;          // lifecycle
    std::shared_ptr<common::log::Logger> builder_logger;  // builders and chaincode output
  };

  // Opens the package store under peer.fileSystemPath and makes the runtime.
  [[nodiscard]] static StatusOr<std::unique_ptr<ChaincodeLifecycle>> Create(Options options);

  // For chaincode support: builds and runs installed packages.
  chaincode_support::ChaincodeRuntime& runtime() const { return *runtime_; }
  std::shared_ptr<const chaincode_package::PackageStore> package_store() const { return store_; }
  scc::lifecycle::InstalledChaincodes& installed() const { return *installed_; }
  const scc::lifecycle::LifecycleScc& scc() const { return *scc_; }
  // For chaincode_support::NewCachedDefinitionLifecycle
  // (InstalledChaincodeStore::CachedChaincodeInfo).
  chaincode_support::CachedDefinitionSource definition_source() const;

  // _lifecycle as the endorser's SystemChaincode (args, signed proposal): no
  // simulator, so only the channel-less functions succeed (a channel function
  // answers "no transaction simulator for channel ...").
  ::protos::Response InvokeWithoutSimulator(const std::vector<std::string>& args,
                                            const ::protos::SignedProposal& proposal) const;
  // _lifecycle with the channel's simulation of the proposal (null for channel-less
  // calls): the form to register once the endorser gives system chaincodes a simulator.
  ::protos::Response Invoke(const std::vector<std::string>& args,
                            const ::protos::SignedProposal& proposal,
                            ledger::TxSimulator* simulator) const;

 private:
  ChaincodeLifecycle() = default;

  std::shared_ptr<chaincode_package::PackageStore> store_;
  std::unique_ptr<chaincode_support::ChaincodeRuntime> runtime_;
  std::unique_ptr<InstalledChaincodeStore> installed_;
  std::unique_ptr<scc::lifecycle::LifecycleScc> scc_;
};

}  // namespace weft::peer::node
