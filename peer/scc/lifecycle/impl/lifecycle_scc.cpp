#include "peer/scc/lifecycle/lifecycle_scc.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "common/policies.pb.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/serialize.h"
#include "msp/msp_principal.pb.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle.pb.h"
#include "peer/lifecycle/lifecycle_functions.h"
#include "peer/scc/cscc/cscc.h"

namespace weft::peer::scc::lifecycle {
namespace {

namespace lc = weft::peer::lifecycle;
using common::channelconfig::ChannelConfig;

// The functions whose default ACL is the local MSP's Admins (Fabric's
// defaultACLProvider pResourcePolicyMap); the others are channel resources.
bool IsPeerResource(std::string_view function) {
  static const std::set<std::string_view> kPeerFunctions = {kInstallChaincode,
                                                            kQueryInstalledChaincode,
                                                            kGetInstalledChaincodePackage,
                                                            kQueryInstalledChaincodes,
                                                            kApproveChaincodeDefinitionForMyOrg,
                                                            kQueryApprovedChaincodeDefinition};
  return kPeerFunctions.contains(function);
}

::protos::Response Success(const google::protobuf::MessageLite& result) {
  ::protos::Response response;
  response.set_status(200);
  response.set_payload(common::protoutil::DeterministicSerialize(result));
  return response;
}

::protos::Response Error(int32_t status, std::string message) {
  ::protos::Response response;
  response.set_status(status);
  response.set_message(std::move(message));
  return response;
}

// Fabric's default branch of SCC.Invoke's error switch.
::protos::Response BackingError(std::string_view function, std::string_view message) {
  return Error(
      500, fmt::format("failed to invoke backing implementation of '{}': {}", function, message));
}

// Fabric's application capabilities: LifecycleV20 is V2_0 or V2_5.
bool LifecycleV20(const common::channelconfig::ApplicationSection& application) {
  return application.capabilities.contains("V2_0") || application.capabilities.contains("V2_5");
}

// Fabric's ChaincodeNameRegExp, ChaincodeVersionRegExp and collectionNameRegExp.
bool ValidChaincodeName(const std::string& name) {
  static const std::regex kPattern("^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$");
  return std::regex_match(name, kPattern);
}
bool ValidChaincodeVersion(const std::string& version) {
  static const std::regex kPattern("^[A-Za-z0-9_.+-]+$");
  return std::regex_match(version, kPattern);
}
bool ValidCollectionName(const std::string& name) {
  static const std::regex kPattern("^[A-Za-z0-9-]+([A-Za-z0-9_-]+)*$");
  return std::regex_match(name, kPattern);
}

// Fabric's validateSpOrConcat: a member-orgs rule is an OR (1-out-of-n) of
// identities, at every level.
[[nodiscard]] Status ValidateOrConcatenation(const ::common::SignaturePolicy& rule) {
  if (!rule.has_n_out_of()) return absl::OkStatus();
  if (rule.n_out_of().n() != 1) {
    return absl::InvalidArgumentError(
        fmt::format("signature policy is not an OR concatenation, NOutOf {}", rule.n_out_of().n()));
  }
  for (const auto& sub_rule : rule.n_out_of().rules()) {
    WEFT_RETURN_IF_ERROR(ValidateOrConcatenation(sub_rule));
  }
  return absl::OkStatus();
}

// Fabric's validateCollectionConfigs: names, duplicates, peer counts, and a
// member-orgs signature policy that is an OR of principals of the channel's
// orgs (the semantic check Fabric makes by compiling the policy is not made).
[[nodiscard]] Status ValidateCollections(const ::protos::CollectionConfigPackage& collections,
                                         const ChannelConfig& config) {
  std::vector<const ::protos::StaticCollectionConfig*> statics;
  for (const auto& entry : collections.config()) {
    if (!entry.has_static_collection_config()) {
      // Go prints the unset oneof's %T as "<nil>".
      return absl::InvalidArgumentError(
          "collection config contains unexpected payload type: <nil>");
    }
    statics.push_back(&entry.static_collection_config());
  }
  std::set<std::string> names;
  const auto& msps = config.msp_manager().msps();
  for (const auto* collection : statics) {
    const std::string& name = collection->name();
    if (!ValidCollectionName(name)) {
      return absl::InvalidArgumentError(
          fmt::format("invalid collection name '{}'. Names can only consist of alphanumerics, "
                      "'_', and '-' and cannot begin with '_'",
                      name));
    }
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(
          fmt::format("collection-name: {} -- found duplicate in collection configuration", name));
    }
    if (collection->maximum_peer_count() < collection->required_peer_count()) {
      return absl::InvalidArgumentError(fmt::format(
          "collection-name: {} -- maximum peer count ({}) cannot be less than the required peer "
          "count ({})",
          name, collection->maximum_peer_count(), collection->required_peer_count()));
    }
    if (collection->required_peer_count() < 0) {
      return absl::InvalidArgumentError(
          fmt::format("collection-name: {} -- requiredPeerCount ({}) cannot be less than zero",
                      name, collection->required_peer_count()));
    }
    if (!collection->has_member_orgs_policy()) {
      return absl::InvalidArgumentError(
          fmt::format("collection member policy is not set for collection '{}'", name));
    }
    if (!collection->member_orgs_policy().has_signature_policy()) {
      return absl::InvalidArgumentError(
          fmt::format("collection member org policy is empty for collection '{}'", name));
    }
    if (Status or_only =
            ValidateOrConcatenation(collection->member_orgs_policy().signature_policy().rule());
        !or_only.ok()) {
      return Annotate(or_only,
                      fmt::format("collection-name: {} -- error in member org policy", name));
    }
    for (const auto& principal : collection->member_orgs_policy().signature_policy().identities()) {
      std::string msp_id;
      if (principal.principal_classification() == ::common::MSPPrincipal::ROLE) {
        ::common::MSPRole role;
        if (!role.ParseFromString(principal.principal())) {
          return absl::InvalidArgumentError(fmt::format(
              "collection-name: {} -- cannot unmarshal identity bytes into MSPRole", name));
        }
        msp_id = role.msp_identifier();
      } else if (principal.principal_classification() ==
                 ::common::MSPPrincipal::ORGANIZATION_UNIT) {
        ::common::OrganizationUnit unit;
        if (!unit.ParseFromString(principal.principal())) {
          return absl::InvalidArgumentError(fmt::format(
              "collection-name: {} -- cannot unmarshal identity bytes into OrganizationUnit",
              name));
        }
        msp_id = unit.msp_identifier();
      } else if (principal.principal_classification() == ::common::MSPPrincipal::IDENTITY) {
        if (!config.msp_manager().DeserializeIdentity(principal.principal()).ok()) {
          return absl::InvalidArgumentError(fmt::format(
              "collection-name: {} -- contains an identity that is not part of the channel", name));
        }
        continue;
      } else {
        return absl::InvalidArgumentError(fmt::format(
            "collection-name: {} -- principal type {} is not supported", name,
            ::common::MSPPrincipal::Classification_Name(principal.principal_classification())));
      }
      if (!msps.contains(msp_id)) {
        return absl::InvalidArgumentError(
            fmt::format("collection-name: {} -- collection member '{}' is not part of the channel",
                        name, msp_id));
      }
    }
  }
  return absl::OkStatus();
}

// Fabric's validateCollConfigsAgainstCommittedDef: an update keeps every
// committed collection, with the same BlockToLive.
[[nodiscard]] Status ValidateAgainstCommitted(const ::protos::CollectionConfigPackage& proposed,
                                              const ::protos::CollectionConfigPackage& committed) {
  if (committed.config_size() == 0) return absl::OkStatus();
  if (proposed.config_size() == 0) {
    return absl::InvalidArgumentError(
        "the proposed collection config does not contain previously defined collections");
  }
  std::map<std::string, const ::protos::StaticCollectionConfig*> by_name;
  for (const auto& entry : proposed.config()) {
    by_name[entry.static_collection_config().name()] = &entry.static_collection_config();
  }
  for (const auto& entry : committed.config()) {
    if (!entry.has_static_collection_config()) {
      return absl::DataLossError("unknown collection configuration type");
    }
    const auto& old_collection = entry.static_collection_config();
    auto found = by_name.find(old_collection.name());
    if (found == by_name.end()) {
      return absl::InvalidArgumentError(
          fmt::format("existing collection [{}] missing in the proposed collection configuration",
                      old_collection.name()));
    }
    if (found->second->block_to_live() != old_collection.block_to_live()) {
      return absl::InvalidArgumentError(fmt::format(
          "the BlockToLive in an existing collection [{}] modified. Existing value [{}]",
          old_collection.name(), old_collection.block_to_live()));
    }
  }
  return absl::OkStatus();
}

template <typename Args>
lc::ChaincodeDefinition DefinitionFrom(const Args& input) {
  lc::ChaincodeDefinition definition;
  definition.sequence = input.sequence();
  definition.endorsement_info.set_version(input.version());
  definition.endorsement_info.set_endorsement_plugin(input.endorsement_plugin());
  definition.endorsement_info.set_init_required(input.init_required());
  definition.validation_info.set_validation_plugin(input.validation_plugin());
  definition.validation_info.set_validation_parameter(input.validation_parameter());
  // Fabric keeps only the configs (a nil package encodes as an empty one).
  *definition.collections.mutable_config() = input.collections().config();
  return definition;
}

template <typename Result>
void FillDefinition(const lc::ChaincodeDefinition& definition, Result& result) {
  result.set_sequence(definition.sequence);
  result.set_version(definition.endorsement_info.version());
  result.set_endorsement_plugin(definition.endorsement_info.endorsement_plugin());
  result.set_validation_plugin(definition.validation_info.validation_plugin());
  result.set_validation_parameter(definition.validation_info.validation_parameter());
  result.set_init_required(definition.endorsement_info.init_required());
  *result.mutable_collections() = definition.collections;
}

template <typename References>
void FillReferences(const InstalledChaincode& installed, References& references) {
  for (const auto& [channel, chaincodes] : installed.references) {
    auto& entry = references[channel];
    for (const auto& chaincode : chaincodes) {
      auto* added = entry.add_chaincodes();
      added->set_name(chaincode.name);
      added->set_version(chaincode.version);
    }
  }
}

}  // namespace

// One invocation: what the dispatch functions share.
struct LifecycleScc::Call {
  const LifecycleScc& scc;
  std::string function;
  std::string channel_id;
  std::shared_ptr<const ChannelConfig> config;  // null for a channel-less call
  ledger::TxSimulator* simulator;

  // Fabric's Invocation.validateInput.
  [[nodiscard]] Status ValidateInput(const std::string& name, const std::string& version,
                                     const ::protos::CollectionConfigPackage& collections) const {
    if (!ValidChaincodeName(name)) {
      return absl::InvalidArgumentError(
          fmt::format("invalid chaincode name '{}'. Names can only consist of alphanumerics, "
                      "'_', and '-' and can only begin with alphanumerics",
                      name));
    }
    static const std::set<std::string> kSystemChaincodes = {"cscc", "escc", "lscc", "qscc", "vscc"};
    if (kSystemChaincodes.contains(name)) {
      return absl::InvalidArgumentError(
          fmt::format("chaincode name '{}' is the name of a system chaincode", name));
    }
    if (!ValidChaincodeVersion(version)) {
      return absl::InvalidArgumentError(
          fmt::format("invalid chaincode version '{}'. Versions can only consist of "
                      "alphanumerics, '_', '-', '+', and '.'",
                      version));
    }
    if (config == nullptr) {
      return absl::FailedPreconditionError(
          fmt::format("could not get channelconfig for channel '{}'", channel_id));
    }
    WEFT_RETURN_IF_ERROR(ValidateCollections(collections, *config));
    WEFT_RETURN_IF_ERROR(RequireSimulator());
    // Fabric reads the committed definition through the transaction's simulator
    // (DeployedCCInfoProvider.ChaincodeInfo), so these reads are in the rwset,
    // including lscc's entry for a name _lifecycle does not define.
    lc::LifecycleSimulatorState public_state(*simulator);
    StatusOr<std::optional<lc::ChaincodeDefinition>> committed =
        lc::ChaincodeDefinitionIfDefined(name, public_state);
    if (!committed.ok()) {
      return Annotate(
          Annotate(committed.status(), "could not get info about chaincode"),
          fmt::format("could not retrieve committed definition for chaincode '{}'", name));
    }
    if (!committed->has_value()) {
      StatusOr<std::string> legacy = simulator->GetState("lscc", name);
      if (!legacy.ok()) {
        return Annotate(legacy.status(), fmt::format("could not retrieve committed definition "
                                                     "for chaincode '{}'",
                                                     name));
      }
      return absl::OkStatus();  // Weft has no legacy chaincodes
    }
    return ValidateAgainstCommitted(collections, (*committed)->collections);
  }

  [[nodiscard]] Status RequireSimulator() const {
    if (channel_id.empty()) return absl::FailedPreconditionError("invalid channel-less operation");
    if (simulator == nullptr) {
      return absl::InternalError(
          fmt::format("no transaction simulator for channel '{}'", channel_id));
    }
    return absl::OkStatus();
  }

  // createOpaqueStates: every application org's implicit collection.
  [[nodiscard]] StatusOr<std::vector<std::unique_ptr<lc::LifecycleOpaqueState>>> OpaqueStates()
      const {
    if (config == nullptr || !config->application()) {
      return absl::FailedPreconditionError(
          fmt::format("no application config for channel '{}'", channel_id));
    }
    std::vector<std::unique_ptr<lc::LifecycleOpaqueState>> states;
    for (const auto& [unused, org] : config->application()->organizations) {
      states.push_back(std::make_unique<lc::LifecycleOpaqueState>(
          *simulator, lc::ImplicitCollectionName(org.msp_id)));
    }
    return states;
  }

  ::protos::Response Fail(const Status& status) const {
    return BackingError(function, std::string(status.message()));
  }

  ::protos::Response Install(const ::lifecycle::InstallChaincodeArgs& input) const {
    StatusOr<InstalledChaincode> installed =
        scc.installed_.Install(input.chaincode_install_package());
    if (!installed.ok()) return Fail(installed.status());
    ::lifecycle::InstallChaincodeResult result;
    result.set_package_id(installed->package_id);
    result.set_label(installed->label);
    return Success(result);
  }

  ::protos::Response QueryInstalled(const ::lifecycle::QueryInstalledChaincodeArgs& input) const {
    std::optional<InstalledChaincode> installed = scc.installed_.Find(input.package_id());
    if (!installed) {
      return Fail(absl::NotFoundError(
          fmt::format("could not find chaincode with package id '{}'", input.package_id())));
    }
    ::lifecycle::QueryInstalledChaincodeResult result;
    result.set_package_id(installed->package_id);
    result.set_label(installed->label);
    FillReferences(*installed, *result.mutable_references());
    return Success(result);
  }

  ::protos::Response GetPackage(const ::lifecycle::GetInstalledChaincodePackageArgs& input) const {
    StatusOr<std::string> bytes = scc.installed_.Load(input.package_id());
    if (!bytes.ok()) return Fail(Annotate(bytes.status(), "could not load cc install package"));
    ::lifecycle::GetInstalledChaincodePackageResult result;
    result.set_chaincode_install_package(*std::move(bytes));
    return Success(result);
  }

  ::protos::Response QueryAllInstalled(const ::lifecycle::QueryInstalledChaincodesArgs&) const {
    std::vector<InstalledChaincode> installed = scc.installed_.List();
    // Fabric lists its cache's map in random order; Weft sorts by package id.
    std::sort(installed.begin(), installed.end(),
              [](const auto& a, const auto& b) { return a.package_id < b.package_id; });
    ::lifecycle::QueryInstalledChaincodesResult result;
    for (const auto& chaincode : installed) {
      auto* entry = result.add_installed_chaincodes();
      entry->set_package_id(chaincode.package_id);
      entry->set_label(chaincode.label);
      FillReferences(chaincode, *entry->mutable_references());
    }
    return Success(result);
  }

  ::protos::Response Approve(
      const ::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs& input) const {
    if (Status valid = ValidateInput(input.name(), input.version(), input.collections());
        !valid.ok()) {
      return Fail(Annotate(valid, "error validating chaincode definition"));
    }
    std::string package_id;
    if (input.source().has_local_package())
      package_id = input.source().local_package().package_id();
    lc::LifecycleSimulatorState public_state(*simulator);
    lc::LifecyclePrivateState org_state(*simulator, simulator,
                                        lc::ImplicitCollectionName(scc.local_msp_.id()));
    Status approved = lc::ApproveChaincodeDefinitionForOrg(
        channel_id, input.name(), DefinitionFrom(input), package_id, config->policy_manager(),
        public_state, org_state);
    if (!approved.ok()) return Fail(approved);
    return Success(::lifecycle::ApproveChaincodeDefinitionForMyOrgResult());
  }

  ::protos::Response QueryApproved(
      const ::lifecycle::QueryApprovedChaincodeDefinitionArgs& input) const {
    if (Status ready = RequireSimulator(); !ready.ok()) return Fail(ready);
    lc::LifecycleSimulatorState public_state(*simulator);
    lc::LifecyclePrivateState org_state(*simulator, nullptr,
                                        lc::ImplicitCollectionName(scc.local_msp_.id()));
    StatusOr<lc::ApprovedChaincodeDefinition> approved = lc::QueryApprovedChaincodeDefinition(
        channel_id, input.name(), input.sequence(), public_state, org_state);
    if (!approved.ok()) return Fail(approved.status());
    ::lifecycle::QueryApprovedChaincodeDefinitionResult result;
    FillDefinition(approved->definition, result);
    if (approved->package_id.empty()) {
      result.mutable_source()->mutable_unavailable();
    } else {
      result.mutable_source()->mutable_local_package()->set_package_id(approved->package_id);
    }
    return Success(result);
  }

  ::protos::Response CheckReadiness(const ::lifecycle::CheckCommitReadinessArgs& input) const {
    if (Status ready = RequireSimulator(); !ready.ok()) return Fail(ready);
    StatusOr<std::vector<std::unique_ptr<lc::LifecycleOpaqueState>>> states = OpaqueStates();
    if (!states.ok()) return Fail(states.status());
    std::vector<lc::OpaqueState*> views;
    for (auto& state : *states) views.push_back(state.get());
    lc::LifecycleSimulatorState public_state(*simulator);
    lc::ChaincodeDefinition definition = DefinitionFrom(input);
    StatusOr<std::map<std::string, bool>> approvals = lc::CheckCommitReadiness(
        channel_id, input.name(), definition, config->policy_manager(), public_state, views);
    if (!approvals.ok()) return Fail(approvals.status());
    ::lifecycle::CheckCommitReadinessResult result;
    for (const auto& [org, approved] : *approvals) (*result.mutable_approvals())[org] = approved;
    return Success(result);
  }

  ::protos::Response Commit(const ::lifecycle::CommitChaincodeDefinitionArgs& input) const {
    if (Status valid = ValidateInput(input.name(), input.version(), input.collections());
        !valid.ok()) {
      return Fail(Annotate(valid, "error validating chaincode definition"));
    }
    StatusOr<std::vector<std::unique_ptr<lc::LifecycleOpaqueState>>> states = OpaqueStates();
    if (!states.ok()) return Fail(states.status());
    std::vector<lc::OpaqueState*> views;
    bool my_org = false;
    for (auto& state : *states) {
      views.push_back(state.get());
      if (state->CollectionName() == lc::ImplicitCollectionName(scc.local_msp_.id())) my_org = true;
    }
    if (!my_org) {
      return Fail(absl::FailedPreconditionError(
          "impossibly, this peer's org is processing requests for a channel it is not a member "
          "of"));
    }
    lc::LifecycleSimulatorState public_state(*simulator);
    lc::ChaincodeDefinition definition = DefinitionFrom(input);
    StatusOr<std::map<std::string, bool>> approvals = lc::CommitChaincodeDefinition(
        channel_id, input.name(), definition, config->policy_manager(), public_state, views);
    if (!approvals.ok()) return Fail(approvals.status());
    if (!(*approvals)[scc.local_msp_.id()]) {
      return Fail(absl::FailedPreconditionError(
          fmt::format("chaincode definition not agreed to by this org ({})", scc.local_msp_.id())));
    }
    return Success(::lifecycle::CommitChaincodeDefinitionResult());
  }

  ::protos::Response QueryDefinition(const ::lifecycle::QueryChaincodeDefinitionArgs& input) const {
    if (Status ready = RequireSimulator(); !ready.ok()) return Fail(ready);
    lc::LifecycleSimulatorState public_state(*simulator);
    StatusOr<lc::ChaincodeDefinition> definition =
        lc::QueryChaincodeDefinition(input.name(), public_state);
    if (!definition.ok()) {
      // Fabric's ErrNamespaceNotDefined is the one error answered with 404.
      if (absl::IsNotFound(definition.status())) {
        return Error(404, std::string(definition.status().message()));
      }
      return Fail(definition.status());
    }
    StatusOr<std::vector<std::unique_ptr<lc::LifecycleOpaqueState>>> states = OpaqueStates();
    if (!states.ok()) return Fail(states.status());
    std::vector<lc::OpaqueState*> views;
    for (auto& state : *states) views.push_back(state.get());
    StatusOr<std::map<std::string, bool>> approvals =
        lc::QueryOrgApprovals(input.name(), *definition, views);
    if (!approvals.ok()) return Fail(approvals.status());
    ::lifecycle::QueryChaincodeDefinitionResult result;
    FillDefinition(*definition, result);
    for (const auto& [org, approved] : *approvals) (*result.mutable_approvals())[org] = approved;
    return Success(result);
  }

  ::protos::Response QueryDefinitions(const ::lifecycle::QueryChaincodeDefinitionsArgs&) const {
    if (Status ready = RequireSimulator(); !ready.ok()) return Fail(ready);
    lc::LifecycleSimulatorState public_state(*simulator);
    StatusOr<std::map<std::string, std::string>> namespaces =
        lc::QueryNamespaceDefinitions(public_state);
    if (!namespaces.ok()) return Fail(namespaces.status());
    // Fabric walks a map (random order); Weft lists by name.
    ::lifecycle::QueryChaincodeDefinitionsResult result;
    for (const auto& [name, type] : *namespaces) {
      if (type != lc::kFriendlyChaincodeDefinitionType) continue;
      StatusOr<lc::ChaincodeDefinition> definition =
          lc::QueryChaincodeDefinition(name, public_state);
      if (!definition.ok()) return Fail(definition.status());
      auto* entry = result.add_chaincode_definitions();
      entry->set_name(name);
      FillDefinition(*definition, *entry);
    }
    return Success(result);
  }

  // Fabric's Dispatcher: decode args[1] as the function's Args message.
  template <typename Args, typename Handler>
  ::protos::Response Dispatch(const std::string& input, Handler handler) const {
    Args args;
    if (!args.ParseFromString(input)) {
      return Fail(absl::InvalidArgumentError(
          fmt::format("could not decode input arg for *lifecycle.Invocation.{}: proto: cannot "
                      "parse invalid wire-format data",
                      function)));
    }
    return (this->*handler)(args);
  }
};

LifecycleScc::LifecycleScc(const msp::Msp& local_msp, const aclmgmt::AclProvider& acl,
                           ConfigLookup configs, InstalledChaincodes& installed)
    : local_msp_(local_msp), acl_(acl), configs_(std::move(configs)), installed_(installed) {}

::protos::Response LifecycleScc::Init() const {
  ::protos::Response response;
  response.set_status(200);
  return response;
}

::protos::Response LifecycleScc::Invoke(const std::vector<std::string>& args,
                                        const ::protos::SignedProposal& signed_proposal,
                                        ledger::TxSimulator* simulator) const {
  if (args.empty()) return Error(500, "lifecycle scc must be invoked with arguments");
  if (args.size() != 2) {
    return Error(
        500, fmt::format("lifecycle scc operations require exactly two arguments but received {}",
                         args.size()));
  }
  StatusOr<common::protoutil::OpenedProposal> proposal =
      common::protoutil::OpenSignedProposal(signed_proposal);
  if (!proposal.ok()) {
    return Error(500, fmt::format("Failed getting signed proposal from stub: [{}]",
                                  std::string(proposal.status().message())));
  }
  Call call{*this, args[0], proposal->channel_header.channel_id(), nullptr, simulator};
  if (!call.channel_id.empty()) {
    call.config = configs_(call.channel_id);
    if (call.config == nullptr) {
      return Error(500,
                   fmt::format("could not get channelconfig for channel '{}'", call.channel_id));
    }
    if (!call.config->application()) {
      return Error(
          500, fmt::format("could not get application config for channel '{}'", call.channel_id));
    }
    if (!LifecycleV20(*call.config->application())) {
      return Error(500, fmt::format("cannot use new lifecycle for channel '{}' as it does not "
                                    "have the required capabilities enabled",
                                    call.channel_id));
    }
  }

  // Fabric's ACL: peer resources are checked against the local MSP's Admins
  // unless the channel's ACLs name them; channel resources by the channel.
  const std::string resource = fmt::format("{}/{}", kName, call.function);
  Status allowed;
  if (IsPeerResource(call.function) &&
      (call.config == nullptr || aclmgmt::ConfiguredPolicy(*call.config, resource).empty())) {
    allowed = cscc::CheckLocalPolicy(local_msp_, "Admins", signed_proposal);
  } else {
    allowed = acl_.CheckAcl(resource, call.channel_id, signed_proposal);
  }
  if (!allowed.ok()) {
    return Error(500, fmt::format("Failed to authorize invocation due to failed ACL check: {}",
                                  std::string(allowed.message())));
  }

  const std::string& input = args[1];
  const std::string& f = call.function;
  if (f == kInstallChaincode) {
    return call.Dispatch<::lifecycle::InstallChaincodeArgs>(input, &Call::Install);
  }
  if (f == kQueryInstalledChaincode) {
    return call.Dispatch<::lifecycle::QueryInstalledChaincodeArgs>(input, &Call::QueryInstalled);
  }
  if (f == kGetInstalledChaincodePackage) {
    return call.Dispatch<::lifecycle::GetInstalledChaincodePackageArgs>(input, &Call::GetPackage);
  }
  if (f == kQueryInstalledChaincodes) {
    return call.Dispatch<::lifecycle::QueryInstalledChaincodesArgs>(input,
                                                                    &Call::QueryAllInstalled);
  }
  if (f == kApproveChaincodeDefinitionForMyOrg) {
    return call.Dispatch<::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs>(input,
                                                                              &Call::Approve);
  }
  if (f == kQueryApprovedChaincodeDefinition) {
    return call.Dispatch<::lifecycle::QueryApprovedChaincodeDefinitionArgs>(input,
                                                                            &Call::QueryApproved);
  }
  if (f == kCheckCommitReadiness) {
    return call.Dispatch<::lifecycle::CheckCommitReadinessArgs>(input, &Call::CheckReadiness);
  }
  if (f == kCommitChaincodeDefinition) {
    return call.Dispatch<::lifecycle::CommitChaincodeDefinitionArgs>(input, &Call::Commit);
  }
  if (f == kQueryChaincodeDefinition) {
    return call.Dispatch<::lifecycle::QueryChaincodeDefinitionArgs>(input, &Call::QueryDefinition);
  }
  if (f == kQueryChaincodeDefinitions) {
    return call.Dispatch<::lifecycle::QueryChaincodeDefinitionsArgs>(input,
                                                                     &Call::QueryDefinitions);
  }
  // Reached only when the channel's ACLs map an unknown function.
  return call.Fail(absl::UnimplementedError(
      fmt::format("receiver *lifecycle.Invocation.{} does not exist", call.function)));
}

}  // namespace weft::peer::scc::lifecycle
