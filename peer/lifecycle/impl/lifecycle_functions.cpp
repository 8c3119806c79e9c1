#include "peer/lifecycle/lifecycle_functions.h"

#include <fmt/format.h>

#include "common/crypto/hash.h"
#include "common/protoutil/serialize.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/policy.pb.h"

namespace weft::peer::lifecycle {
namespace {

::lifecycle::StateData ProtoData(const google::protobuf::MessageLite& message) {
  ::lifecycle::StateData data;
  data.set_bytes(common::protoutil::DeterministicSerialize(message));
  return data;
}

// Fabric's ChaincodeParameters.Equal, with its messages.
[[nodiscard]] Status ParametersEqual(const ChaincodeDefinition& expected,
                                     const ChaincodeDefinition& passed) {
  const auto& a = expected.endorsement_info;
  const auto& b = passed.endorsement_info;
  const auto& va = expected.validation_info;
  const auto& vb = passed.validation_info;
  if (a.version() != b.version()) {
    return absl::FailedPreconditionError(fmt::format(
        "expected Version '{}' does not match passed Version '{}'", a.version(), b.version()));
  }
  if (a.endorsement_plugin() != b.endorsement_plugin()) {
    return absl::FailedPreconditionError(
        fmt::format("expected EndorsementPlugin '{}' does not match passed EndorsementPlugin '{}'",
                    a.endorsement_plugin(), b.endorsement_plugin()));
  }
  if (a.init_required() != b.init_required()) {
    return absl::FailedPreconditionError(
        fmt::format("expected InitRequired '{}' does not match passed InitRequired '{}'",
                    a.init_required(), b.init_required()));
  }
  if (va.validation_plugin() != vb.validation_plugin()) {
    return absl::FailedPreconditionError(
        fmt::format("expected ValidationPlugin '{}' does not match passed ValidationPlugin '{}'",
                    va.validation_plugin(), vb.validation_plugin()));
  }
  if (va.validation_parameter() != vb.validation_parameter()) {
    return absl::FailedPreconditionError(fmt::format(
        "expected ValidationParameter '{}' does not match passed ValidationParameter '{}'",
        common::crypto::HexEncode(va.validation_parameter()),
        common::crypto::HexEncode(vb.validation_parameter())));
  }
  // proto.Equal on the packages; the deterministic bytes compare the same.
  if (common::protoutil::DeterministicSerialize(expected.collections) !=
      common::protoutil::DeterministicSerialize(passed.collections)) {
    return absl::FailedPreconditionError("Collections do not match");
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<int64_t> CurrentSequence(std::string_view name, ReadableState& state) {
  StatusOr<int64_t> sequence = DeserializeFieldAsInt64(kNamespacesPrefix, name, "Sequence", state);
  if (!sequence.ok()) return Annotate(sequence.status(), "could not get current sequence");
  return sequence;
}

// The parameters stored under `private_name` of `org_state` (Fabric's
// Deserialize into ChaincodeParameters).
[[nodiscard]] StatusOr<ChaincodeDefinition> ReadParameters(std::string_view private_name,
                                                           ReadableState& org_state) {
  ChaincodeDefinition parameters;
  WEFT_ASSIGN_OR_RETURN(parameters.endorsement_info,
                        DeserializeFieldAsProto<::lifecycle::ChaincodeEndorsementInfo>(
                            kNamespacesPrefix, private_name, "EndorsementInfo", org_state));
  WEFT_ASSIGN_OR_RETURN(parameters.validation_info,
                        DeserializeFieldAsProto<::lifecycle::ChaincodeValidationInfo>(
                            kNamespacesPrefix, private_name, "ValidationInfo", org_state));
  WEFT_ASSIGN_OR_RETURN(parameters.collections,
                        DeserializeFieldAsProto<::protos::CollectionConfigPackage>(
                            kNamespacesPrefix, private_name, "Collections", org_state));
  return parameters;
}

}  // namespace

Structure ParametersStructure(const ChaincodeDefinition& definition) {
  Structure structure;
  structure.datatype = std::string(kChaincodeParametersType);
  structure.fields = {
      {"EndorsementInfo", ProtoData(definition.endorsement_info)},
      {"ValidationInfo", ProtoData(definition.validation_info)},
      {"Collections", ProtoData(definition.collections)},
  };
  return structure;
}

Structure LocalPackageStructure(std::string_view package_id) {
  Structure structure;
  structure.datatype = std::string(kChaincodeLocalPackageType);
  ::lifecycle::StateData data;
  data.set_string(std::string(package_id));
  structure.fields = {{"PackageID", std::move(data)}};
  return structure;
}

std::string PrivateName(std::string_view chaincode, int64_t sequence) {
  return fmt::format("{}#{}", chaincode, sequence);
}

[[nodiscard]] Status SetChaincodeDefinitionDefaults(std::string_view channel_id,
                                                    const common::policies::PolicyManager& policies,
                                                    ChaincodeDefinition& definition) {
  if (definition.endorsement_info.endorsement_plugin().empty()) {
    definition.endorsement_info.set_endorsement_plugin(std::string(kDefaultEndorsementPlugin));
  }
  if (definition.validation_info.validation_plugin().empty()) {
    definition.validation_info.set_validation_plugin(std::string(kDefaultValidationPlugin));
  }
  if (definition.validation_info.validation_parameter().empty()) {
    // Fabric's DefaultEndorsementPolicyAsBytes.
    if (!policies.GetPolicy(kDefaultEndorsementPolicyRef).ok()) {
      return absl::FailedPreconditionError(fmt::format(
          "policy '{}' must be defined for channel '{}' before chaincode operations can be "
          "attempted",
          kDefaultEndorsementPolicyRef, channel_id));
    }
    ::protos::ApplicationPolicy policy;
    policy.set_channel_config_policy_reference(std::string(kDefaultEndorsementPolicyRef));
    definition.validation_info.set_validation_parameter(
        common::protoutil::DeterministicSerialize(policy));
  }
  return absl::OkStatus();
}

[[nodiscard]] Status ApproveChaincodeDefinitionForOrg(
    std::string_view channel_id, std::string_view name, ChaincodeDefinition definition,
    std::string_view package_id, const common::policies::PolicyManager& policies,
    ReadableState& public_state, ReadWritableState& org_state) {
  WEFT_ASSIGN_OR_RETURN(int64_t current, CurrentSequence(name, public_state));
  const int64_t requested = definition.sequence;
  if (current == requested && requested == 0) {
    return absl::InvalidArgumentError(
        "requested sequence is 0, but first definable sequence number is 1");
  }
  if (requested < current) {
    return absl::InvalidArgumentError(fmt::format(
        "currently defined sequence {} is larger than requested sequence {}", current, requested));
  }
  if (requested > current + 1) {
    return absl::InvalidArgumentError(
        fmt::format("requested sequence {} is larger than the next available sequence number {}",
                    requested, current + 1));
  }
  WEFT_RETURN_IF_ERROR(Annotate(
      SetChaincodeDefinitionDefaults(channel_id, policies, definition),
      fmt::format("could not set defaults for chaincode definition in channel {}", channel_id)));

  if (requested == current) {
    // Approving the committed sequence again: only with the same parameters.
    StatusOr<std::optional<::lifecycle::StateMetadata>> metadata =
        DeserializeMetadata(kNamespacesPrefix, name, public_state);
    if (!metadata.ok()) {
      return Annotate(metadata.status(), "could not fetch metadata for current definition");
    }
    if (!metadata->has_value()) {
      return absl::DataLossError(
          fmt::format("missing metadata for currently committed sequence number ({})", current));
    }
    StatusOr<std::optional<ChaincodeDefinition>> committed =
        ChaincodeDefinitionIfDefined(name, public_state);
    if (!committed.ok() || !committed->has_value()) {
      return Annotate(committed.ok() ? absl::DataLossError("not a chaincode") : committed.status(),
                      fmt::format("could not deserialize namespace {} as chaincode", name));
    }
    WEFT_RETURN_IF_ERROR(
        Annotate(ParametersEqual(**committed, definition),
                 fmt::format("attempted to redefine the current committed sequence ({}) for "
                             "namespace {} with different parameters",
                             current, name)));
  }

  const std::string private_name = PrivateName(name, requested);
  if (requested == current + 1) {
    // Re-approving the same uncommitted parameters and package would write nothing new.
    StatusOr<std::optional<::lifecycle::StateMetadata>> uncommitted =
        DeserializeMetadata(kNamespacesPrefix, private_name, org_state);
    if (!uncommitted.ok()) {
      return Annotate(uncommitted.status(), "could not fetch uncommitted definition");
    }
    if (uncommitted->has_value()) {
      StatusOr<ChaincodeDefinition> parameters = ReadParameters(private_name, org_state);
      if (!parameters.ok()) {
        return Annotate(
            parameters.status(),
            fmt::format("could not deserialize namespace {} as chaincode", private_name));
      }
      if (ParametersEqual(*parameters, definition).ok()) {
        StatusOr<std::optional<::lifecycle::StateMetadata>> source =
            DeserializeMetadata(kChaincodeSourcesPrefix, private_name, org_state);
        if (!source.ok()) {
          return Annotate(
              source.status(),
              fmt::format("could not deserialize chaincode-source metadata for {}", private_name));
        }
        if (source->has_value()) {
          StatusOr<std::string> stored = DeserializeFieldAsString(
              kChaincodeSourcesPrefix, private_name, "PackageID", org_state);
          if (!stored.ok()) {
            return Annotate(
                stored.status(),
                fmt::format("could not deserialize chaincode package for {}", private_name));
          }
          if (*stored == package_id) {
            return absl::AlreadyExistsError(
                fmt::format("attempted to redefine uncommitted sequence ({}) for namespace {} "
                            "with unchanged content",
                            requested, name));
          }
        }
      }
    }
  }

  WEFT_RETURN_IF_ERROR(Annotate(
      Serialize(kNamespacesPrefix, private_name, ParametersStructure(definition), org_state),
      "could not serialize chaincode parameters to state"));
  // The package id is written even when empty: that is how an org tells its
  // peers to stop endorsing the chaincode.
  return Annotate(Serialize(kChaincodeSourcesPrefix, private_name,
                            LocalPackageStructure(package_id), org_state),
                  "could not serialize chaincode package info to state");
}

[[nodiscard]] StatusOr<ApprovedChaincodeDefinition> QueryApprovedChaincodeDefinition(
    std::string_view channel_id, std::string_view name, int64_t sequence,
    ReadableState& public_state, ReadableState& org_state) {
  int64_t requested = sequence;
  if (requested == 0) {
    WEFT_ASSIGN_OR_RETURN(int64_t current, CurrentSequence(name, public_state));
    requested = current;
    const int64_t next = current + 1;
    StatusOr<std::optional<::lifecycle::StateMetadata>> next_metadata =
        DeserializeMetadata(kNamespacesPrefix, PrivateName(name, next), org_state);
    if (!next_metadata.ok()) {
      return Annotate(
          next_metadata.status(),
          fmt::format("could not deserialize namespace metadata for next sequence {}", next));
    }
    if (next_metadata->has_value()) requested = next;
  }
  const std::string private_name = PrivateName(name, requested);
  const Status not_found = absl::NotFoundError(fmt::format(
      "could not fetch approved chaincode definition (name: '{}', sequence: '{}') on channel '{}'",
      name, sequence, channel_id));
  StatusOr<std::optional<::lifecycle::StateMetadata>> metadata =
      DeserializeMetadata(kNamespacesPrefix, private_name, org_state);
  if (!metadata.ok()) {
    return Annotate(metadata.status(),
                    fmt::format("could not deserialize namespace metadata for {}", private_name));
  }
  if (!metadata->has_value()) return not_found;
  if ((*metadata)->datatype() != kChaincodeParametersType) {
    return absl::DataLossError(
        fmt::format("not a chaincode parameters type: {}", (*metadata)->datatype()));
  }
  StatusOr<ChaincodeDefinition> parameters = ReadParameters(private_name, org_state);
  if (!parameters.ok()) {
    return Annotate(parameters.status(),
                    fmt::format("could not deserialize chaincode parameters for {}", private_name));
  }
  StatusOr<std::optional<::lifecycle::StateMetadata>> source =
      DeserializeMetadata(kChaincodeSourcesPrefix, private_name, org_state);
  if (!source.ok()) {
    return Annotate(source.status(), fmt::format("could not deserialize chaincode-source "
                                                 "metadata for {}",
                                                 private_name));
  }
  if (!source->has_value()) return not_found;
  if ((*source)->datatype() != kChaincodeLocalPackageType) {
    return absl::DataLossError(
        fmt::format("not a chaincode local package type: {}", (*source)->datatype()));
  }
  StatusOr<std::string> package_id =
      DeserializeFieldAsString(kChaincodeSourcesPrefix, private_name, "PackageID", org_state);
  if (!package_id.ok()) {
    return Annotate(package_id.status(),
                    fmt::format("could not deserialize chaincode package for {}", private_name));
  }
  ApprovedChaincodeDefinition approved{*std::move(parameters), *std::move(package_id)};
  approved.definition.sequence = requested;
  return approved;
}

[[nodiscard]] StatusOr<std::map<std::string, bool>> QueryOrgApprovals(
    std::string_view name, const ChaincodeDefinition& definition,
    std::span<OpaqueState* const> org_states) {
  std::map<std::string, bool> approvals;
  const std::string private_name = PrivateName(name, definition.sequence);
  const Structure parameters = ParametersStructure(definition);
  for (OpaqueState* org_state : org_states) {
    StatusOr<bool> match = IsSerialized(kNamespacesPrefix, private_name, parameters, *org_state);
    if (!match.ok()) {
      return Annotate(match.status(),
                      fmt::format("serialization check failed for key {}", private_name));
    }
    approvals[MspIdOfImplicitCollection(org_state->CollectionName()).value_or("")] = *match;
  }
  return approvals;
}

[[nodiscard]] StatusOr<std::map<std::string, bool>> CheckCommitReadiness(
    std::string_view channel_id, std::string_view name, ChaincodeDefinition& definition,
    const common::policies::PolicyManager& policies, ReadableState& public_state,
    std::span<OpaqueState* const> org_states) {
  WEFT_ASSIGN_OR_RETURN(int64_t current, CurrentSequence(name, public_state));
  if (definition.sequence != current + 1) {
    return absl::InvalidArgumentError(
        fmt::format("requested sequence is {}, but new definition must be sequence {}",
                    definition.sequence, current + 1));
  }
  WEFT_RETURN_IF_ERROR(Annotate(
      SetChaincodeDefinitionDefaults(channel_id, policies, definition),
      fmt::format("could not set defaults for chaincode definition in channel {}", channel_id)));
  return QueryOrgApprovals(name, definition, org_states);
}

[[nodiscard]] StatusOr<std::map<std::string, bool>> CommitChaincodeDefinition(
    std::string_view channel_id, std::string_view name, ChaincodeDefinition& definition,
    const common::policies::PolicyManager& policies, ReadWritableState& public_state,
    std::span<OpaqueState* const> org_states) {
  WEFT_ASSIGN_OR_RETURN(auto approvals, CheckCommitReadiness(channel_id, name, definition, policies,
                                                             public_state, org_states));
  WEFT_RETURN_IF_ERROR(
      Annotate(Serialize(kNamespacesPrefix, name, definition.ToStructure(), public_state),
               "could not serialize chaincode definition"));
  return approvals;
}

[[nodiscard]] StatusOr<ChaincodeDefinition> QueryChaincodeDefinition(std::string_view name,
                                                                     ReadableState& public_state) {
  StatusOr<std::optional<::lifecycle::StateMetadata>> metadata =
      DeserializeMetadata(kNamespacesPrefix, name, public_state);
  if (!metadata.ok()) {
    return Annotate(metadata.status(),
                    fmt::format("could not fetch metadata for namespace {}", name));
  }
  if (!metadata->has_value()) {
    return absl::NotFoundError(fmt::format("namespace {} is not defined", name));
  }
  StatusOr<std::optional<ChaincodeDefinition>> definition =
      ChaincodeDefinitionIfDefined(name, public_state);
  if (!definition.ok() || !definition->has_value()) {
    return Annotate(definition.ok() ? absl::DataLossError("not a chaincode") : definition.status(),
                    fmt::format("could not deserialize namespace {} as chaincode", name));
  }
  return **std::move(definition);
}

[[nodiscard]] StatusOr<std::map<std::string, std::string>> QueryNamespaceDefinitions(
    RangeableState& public_state) {
  StatusOr<std::map<std::string, ::lifecycle::StateMetadata>> all =
      DeserializeAllMetadata(kNamespacesPrefix, public_state);
  if (!all.ok()) return Annotate(all.status(), "could not query namespace metadata");
  std::map<std::string, std::string> result;
  for (const auto& [name, metadata] : *all) {
    result[name] = metadata.datatype() == kChaincodeDefinitionType
                       ? std::string(kFriendlyChaincodeDefinitionType)
                       : metadata.datatype();
  }
  return result;
}

}  // namespace weft::peer::lifecycle
