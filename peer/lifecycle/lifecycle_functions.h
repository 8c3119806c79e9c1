// The chaincode-definition functions of _lifecycle (Fabric's
// core/chaincode/lifecycle/lifecycle.go ExternalFunctions, release-2.5), over
// the state interfaces of state_serializer.h so the SCC runs them inside a
// simulation:
//   public state (_lifecycle namespace)   namespaces/metadata/<cc>, namespaces/fields/<cc>/...
//   an org's implicit collection          namespaces/metadata/<cc>#<seq> "ChaincodeParameters"
//                                         namespaces/fields/<cc>#<seq>/{EndorsementInfo,
//                                           ValidationInfo, Collections}
//                                         chaincode-sources/metadata/<cc>#<seq>
//                                         "ChaincodeLocalPackage"
//                                         chaincode-sources/fields/<cc>#<seq>/PackageID (String)
// Approvals are compared by hash (IsSerialized), so any peer can tell whether
// another org approved a definition. Errors carry Fabric's messages; NotFound
// is Fabric's ErrNamespaceNotDefined (the SCC answers it with status 404).
//
// Thread-safety: stateless functions; the states are the caller's.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/policies/policy_manager.h"
#include "common/status/status.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/state_serializer.h"

namespace weft::peer::lifecycle {

inline constexpr std::string_view kChaincodeSourcesPrefix = "chaincode-sources";
inline constexpr std::string_view kChaincodeParametersType = "ChaincodeParameters";
inline constexpr std::string_view kChaincodeLocalPackageType = "ChaincodeLocalPackage";
inline constexpr std::string_view kFriendlyChaincodeDefinitionType = "Chaincode";
inline constexpr std::string_view kDefaultEndorsementPolicyRef = "/Channel/Application/Endorsement";
inline constexpr std::string_view kDefaultEndorsementPlugin = "escc";
inline constexpr std::string_view kDefaultValidationPlugin = "vscc";

// The fields of a definition an org approves (Fabric's ChaincodeParameters):
// everything but the sequence, which is in the key ("<cc>#<seq>").
Structure ParametersStructure(const ChaincodeDefinition& definition);
// Fabric's ChaincodeLocalPackage{PackageID}.
Structure LocalPackageStructure(std::string_view package_id);
// "<cc>#<sequence>", the name of an approval in an implicit collection.
std::string PrivateName(std::string_view chaincode, int64_t sequence);

// Fabric's SetChaincodeDefinitionDefaults: plugins "escc" / "vscc" and, for an
// empty validation parameter, ApplicationPolicy{channel_config_policy_reference:
// "/Channel/Application/Endorsement"} when the channel defines that policy
// (FailedPrecondition otherwise).
[[nodiscard]] Status SetChaincodeDefinitionDefaults(std::string_view channel_id,
                                                    const common::policies::PolicyManager& policies,
                                                    ChaincodeDefinition& definition);

// Records this org's approval of `definition` (sequence = committed or
// committed + 1) with `package_id` ("" = not invocable here) in `org_state`.
[[nodiscard]] Status ApproveChaincodeDefinitionForOrg(
    std::string_view channel_id, std::string_view name, ChaincodeDefinition definition,
    std::string_view package_id, const common::policies::PolicyManager& policies,
    ReadableState& public_state, ReadWritableState& org_state);

struct ApprovedChaincodeDefinition {
  ChaincodeDefinition definition;
  std::string package_id;  // empty: ChaincodeSource.unavailable
};

// This org's approval of `name` at `sequence`, or with sequence 0 the latest
// (committed + 1 if approved, else the committed one).
[[nodiscard]] StatusOr<ApprovedChaincodeDefinition> QueryApprovedChaincodeDefinition(
    std::string_view channel_id, std::string_view name, int64_t sequence,
    ReadableState& public_state, ReadableState& org_state);

// For each org state: whether it holds an approval of exactly `definition`
// (keyed by the MSP ID of its implicit collection).
[[nodiscard]] StatusOr<std::map<std::string, bool>> QueryOrgApprovals(
    std::string_view name, const ChaincodeDefinition& definition,
    std::span<OpaqueState* const> org_states);

// Checks the sequence (committed + 1), applies the defaults to `definition`
// and returns the orgs' approvals.
[[nodiscard]] StatusOr<std::map<std::string, bool>> CheckCommitReadiness(
    std::string_view channel_id, std::string_view name, ChaincodeDefinition& definition,
    const common::policies::PolicyManager& policies, ReadableState& public_state,
    std::span<OpaqueState* const> org_states);

// CheckCommitReadiness, then writes the definition to public state. Whether
// enough orgs approved is the LifecycleEndorsement policy's business at
// validation, not this function's.
[[nodiscard]] StatusOr<std::map<std::string, bool>> CommitChaincodeDefinition(
    std::string_view channel_id, std::string_view name, ChaincodeDefinition& definition,
    const common::policies::PolicyManager& policies, ReadWritableState& public_state,
    std::span<OpaqueState* const> org_states);

// The committed definition; NotFound "namespace <name> is not defined".
[[nodiscard]] StatusOr<ChaincodeDefinition> QueryChaincodeDefinition(std::string_view name,
                                                                     ReadableState& public_state);

// Every defined namespace -> "Chaincode" (or its stored type if another).
[[nodiscard]] StatusOr<std::map<std::string, std::string>> QueryNamespaceDefinitions(
    RangeableState& public_state);

}  // namespace weft::peer::lifecycle
