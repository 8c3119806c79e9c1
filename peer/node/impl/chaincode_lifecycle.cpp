#include "peer/node/impl/chaincode_lifecycle.h"

#include <fmt/format.h>

#include <utility>

#include "peer/chaincode_builders/builders.h"
#include "peer/chaincode_package/package.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle_functions.h"

namespace weft::peer::node {
namespace {

namespace lc = peer::lifecycle;
using scc::lifecycle::ChaincodeReference;
using scc::lifecycle::InstalledChaincode;

}  // namespace

InstalledChaincodeStore::InstalledChaincodeStore(
    std::shared_ptr<chaincode_package::PackageStore> store,
    chaincode_support::ChaincodeRuntime& runtime, std::string local_msp_id,
    LifecycleLedgers ledgers, std::shared_ptr<lc::Cache> cache,
    std::shared_ptr<common::log::Logger> logger)
    : store_(std::move(store)),
      runtime_(runtime),
      local_msp_id_(std::move(local_msp_id)),
      ledgers_(std::move(ledgers)),
      cache_(std::move(cache)),
      logger_(std::move(logger)) {
  // Fabric's InitializeLocalChaincodes: what was installed before this start.
  auto listed = store_->ListInstalled();
  if (!listed.ok()) {
    logger_->Warn("listing installed chaincodes for the lifecycle cache: {}",
                  std::string(listed.status().message()));
    return;
  }
  std::vector<std::string> package_ids;
  for (const auto& package : *listed) package_ids.push_back(package.package_id);
  cache_->InitializeLocalChaincodes(package_ids);
}

StatusOr<InstalledChaincode> InstalledChaincodeStore::Install(std::string_view package_bytes) {
  // Fabric serialises installs of one package id with a build lock; Weft runs one
  // install at a time, so a second install of the same bytes sees the first's outcome.
  std::lock_guard lock(install_mu_);
  // Parse (errors "could not parse as a chaincode install package: ..."), then save;
  // AlreadyExists "chaincode already successfully installed (package ID '<id>')".
  WEFT_ASSIGN_OR_RETURN(std::string package_id, store_->Install(package_bytes));
  WEFT_ASSIGN_OR_RETURN(auto parts, chaincode_package::ParsePackageId(package_id));
  auto built = runtime_.Build(package_id);
  if (!built.ok()) {
    // Fabric's InstallChaincode: a package that does not build is not kept.
    if (Status deleted = store_->Delete(package_id); !deleted.ok()) {
      logger_->Warn("removing package {} after its failed build: {}", package_id,
                    std::string(deleted.message()));
    }
    return Status(built.status().code(), fmt::format("could not build chaincode: {}",
                                                     std::string(built.status().message())));
  }
  // Fabric's HandleChaincodeInstalled: approved definitions naming it become runnable.
  cache_->HandleChaincodeInstalled(package_id);
  logger_->Info("Successfully installed chaincode with package ID '{}'", package_id);
  InstalledChaincode installed;
  installed.package_id = package_id;
  installed.label = parts.label;
  return installed;
}

InstalledChaincodeStore::ReferenceMap InstalledChaincodeStore::References() const {
  ReferenceMap references;
  if (!ledgers_.channel_ids || !ledgers_.ledger) return references;
  for (const auto& channel_id : ledgers_.channel_ids()) {
    auto ledger = ledgers_.ledger(channel_id);
    if (!ledger) continue;
    auto executor = ledger->NewQueryExecutor();
    lc::LifecycleQueryState public_state(*executor);
    lc::LifecyclePrivateState org_state(*executor, nullptr,
                                        lc::ImplicitCollectionName(local_msp_id_));
    auto names = lc::QueryNamespaceDefinitions(public_state);
    if (!names.ok()) {
      logger_->Warn("[{}] listing chaincode definitions for installed-package references: {}",
                    channel_id, std::string(names.status().message()));
      executor->Done();
      continue;
    }
    for (const auto& [name, type] : *names) {
      if (type != lc::kFriendlyChaincodeDefinitionType) continue;
      auto committed = lc::QueryChaincodeDefinition(name, public_state);
      if (!committed.ok()) continue;
      // As Fabric's lifecycle Cache: only a committed definition this org approved
      // (same parameters at the committed sequence) with a package of its own.
      lc::OpaqueState* org_states[] = {&org_state};
      auto approvals = lc::QueryOrgApprovals(name, *committed, org_states);
      if (!approvals.ok() || !approvals->begin()->second) continue;
      auto approved = lc::QueryApprovedChaincodeDefinition(channel_id, name, committed->sequence,
                                                           public_state, org_state);
      if (!approved.ok() || approved->package_id.empty()) continue;
      references[approved->package_id][channel_id].push_back(
          ChaincodeReference{name, committed->endorsement_info.version()});
    }
    executor->Done();
  }
  return references;
}

std::optional<InstalledChaincode> InstalledChaincodeStore::Find(std::string_view package_id) const {
  auto parts = chaincode_package::ParsePackageId(package_id);
  if (!parts.ok()) return std::nullopt;
  auto listed = store_->ListInstalled();
  if (!listed.ok()) {
    logger_->Warn("listing installed chaincodes: {}", std::string(listed.status().message()));
    return std::nullopt;
  }
  for (const auto& package : *listed) {
    if (package.package_id != package_id) continue;
    InstalledChaincode installed;
    installed.package_id = package.package_id;
    installed.label = package.label;
    auto references = References();
    if (auto found = references.find(package.package_id); found != references.end()) {
      installed.references = std::move(found->second);
    }
    return installed;
  }
  return std::nullopt;
}

std::vector<InstalledChaincode> InstalledChaincodeStore::List() const {
  std::vector<InstalledChaincode> result;
  auto listed = store_->ListInstalled();
  if (!listed.ok()) {
    logger_->Warn("listing installed chaincodes: {}", std::string(listed.status().message()));
    return result;
  }
  auto references = References();
  for (const auto& package : *listed) {
    InstalledChaincode installed;
    installed.package_id = package.package_id;
    installed.label = package.label;
    if (auto found = references.find(package.package_id); found != references.end()) {
      installed.references = found->second;
    }
    result.push_back(std::move(installed));
  }
  return result;
}

StatusOr<std::string> InstalledChaincodeStore::Load(std::string_view package_id) const {
  return store_->Load(package_id);
}

StatusOr<lc::LocalChaincodeInfo> InstalledChaincodeStore::CachedChaincodeInfo(
    std::string_view channel_id, std::string_view name, int64_t sequence) const {
  std::shared_ptr<ledger::PeerLedger> ledger =
      ledgers_.ledger ? ledgers_.ledger(channel_id) : nullptr;
  if (!ledger) return absl::NotFoundError(fmt::format("channel '{}' not found", channel_id));
  WEFT_ASSIGN_OR_RETURN(std::optional<lc::LocalChaincodeInfo> info,
                        cache_->ChaincodeInfo(channel_id, name, ledger->state()));
  if (!info.has_value()) {
    // Fabric's Cache.ChaincodeInfo, wrapped by CachedChaincodeInfo.
    return absl::NotFoundError(fmt::format(
        "could not get approved chaincode info from cache: unknown chaincode '{}' for channel "
        "'{}'",
        name, channel_id));
  }
  if (info->definition.sequence != sequence) {
    // Never a stale cache (it drops definitions under the commit lock) but a caller
    // whose simulation reads other state than the cache was filled from.
    return absl::AbortedError(fmt::format(
        "chaincode cache at sequence {} but current sequence is {}, chaincode definition for "
        "'{}' changed during invoke",
        info->definition.sequence, sequence, name));
  }
  if (!info->approved) {
    return absl::FailedPreconditionError(
        fmt::format("chaincode definition for '{}' at sequence {} on channel '{}' has not yet "
                    "been approved by this org",
                    name, sequence, channel_id));
  }
  return *std::move(info);
}

StatusOr<std::optional<std::string>> InstalledChaincodeStore::ResolvePackageId(
    std::string_view channel_id, std::string_view name, int64_t sequence) const {
  WEFT_ASSIGN_OR_RETURN(lc::LocalChaincodeInfo info,
                        CachedChaincodeInfo(channel_id, name, sequence));
  return std::move(info.package_id);
}

StatusOr<std::unique_ptr<ChaincodeLifecycle>> ChaincodeLifecycle::Create(Options options) {
  const common::config::PeerConfig& config = *options.config;
  std::unique_ptr<ChaincodeLifecycle> parts(new ChaincodeLifecycle());
  auto store = chaincode_package::PackageStore::Open(
      chaincode_package::InstallDir(config.peer.file_system_path));
  if (!store.ok()) return Annotate(store.status(), "opening the chaincode package store");
  parts->store_ = *std::move(store);
  auto runtime = chaincode_builders::NewChaincodeRuntime(
      chaincode_builders::BuilderSettingsFromConfig(config, std::move(options.environment)),
      parts->store_, options.builder_logger);
  if (!runtime.ok()) return Annotate(runtime.status(), "making the chaincode runtime");
  parts->runtime_ = *std::move(runtime);
  if (options.cache == nullptr) {
    return absl::InvalidArgumentError("the chaincode lifecycle needs the lifecycle cache");
  }
  parts->installed_ = std::make_unique<InstalledChaincodeStore>(
      parts->store_, *parts->runtime_, options.local_msp->id(), std::move(options.ledgers),
      std::move(options.cache), options.logger);
  parts->scc_ = std::make_unique<scc::lifecycle::LifecycleScc>(
      *options.local_msp, *options.acl, std::move(options.configs), *parts->installed_);
  return parts;
}

chaincode_support::CachedDefinitionSource ChaincodeLifecycle::definition_source() const {
  const InstalledChaincodeStore* installed = installed_.get();
  return [installed](std::string_view channel_id, std::string_view name,
                     int64_t sequence) -> StatusOr<chaincode_support::ChaincodeEndorsementInfo> {
    WEFT_ASSIGN_OR_RETURN(lc::LocalChaincodeInfo cached,
                          installed->CachedChaincodeInfo(channel_id, name, sequence));
    const ::lifecycle::ChaincodeEndorsementInfo& endorsement = cached.definition.endorsement_info;
    chaincode_support::ChaincodeEndorsementInfo info;
    info.version = endorsement.version();
    info.enforce_init = endorsement.init_required();
    info.endorsement_plugin = endorsement.endorsement_plugin();
    info.chaincode_id = cached.package_id.value_or("");
    return info;
  };
}

::protos::Response ChaincodeLifecycle::InvokeWithoutSimulator(
    const std::vector<std::string>& args, const ::protos::SignedProposal& proposal) const {
  return scc_->Invoke(args, proposal, nullptr);
}

::protos::Response ChaincodeLifecycle::Invoke(const std::vector<std::string>& args,
                                              const ::protos::SignedProposal& proposal,
                                              ledger::TxSimulator* simulator) const {
  return scc_->Invoke(args, proposal, simulator);
}

}  // namespace weft::peer::node
