// Committed chaincode definitions as _lifecycle stores them in the channel's
// public state (Fabric's lifecycle.ChaincodeDefinition under the "namespaces"
// prefix of the _lifecycle namespace):
//   namespaces/metadata/<cc>                 StateMetadata{"ChaincodeDefinition",
//                                              [Sequence, EndorsementInfo,
//                                               ValidationInfo, Collections]}
//   namespaces/fields/<cc>/Sequence          StateData{Int64}
//   namespaces/fields/<cc>/EndorsementInfo   StateData{Bytes: ChaincodeEndorsementInfo}
//   namespaces/fields/<cc>/ValidationInfo    StateData{Bytes: ChaincodeValidationInfo}
//   namespaces/fields/<cc>/Collections       StateData{Bytes: CollectionConfigPackage}
// The validator and the endorser read definitions through this file; [F9]'s
// _lifecycle functions write them.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status/status.h"
#include "peer/collection.pb.h"
#include "peer/lifecycle/chaincode_definition.pb.h"
#include "peer/lifecycle/state_serializer.h"

namespace weft::peer::lifecycle {

// The system chaincode's own namespace in the ledger.
inline constexpr std::string_view kLifecycleNamespace = "_lifecycle";
// Prefix, inside kLifecycleNamespace, of the definitions of other namespaces.
inline constexpr std::string_view kNamespacesPrefix = "namespaces";
inline constexpr std::string_view kChaincodeDefinitionType = "ChaincodeDefinition";

struct ChaincodeDefinition {
  int64_t sequence = 0;
  ::lifecycle::ChaincodeEndorsementInfo endorsement_info;
  ::lifecycle::ChaincodeValidationInfo validation_info;
  ::protos::CollectionConfigPackage collections;

  // The fields in Fabric's declaration order, ready for Serialize.
  Structure ToStructure() const;
};

// Stores `definition` for chaincode `name` into `state` (the _lifecycle namespace).
[[nodiscard]] Status WriteChaincodeDefinition(std::string_view name,
                                              const ChaincodeDefinition& definition,
                                              ReadWritableState& state);

// The committed definition of `name`, or nullopt when it has none (Fabric's
// ChaincodeDefinitionIfDefined). _lifecycle itself is always defined, with empty
// endorsement and validation info. Errors: DataLoss when the stored metadata names
// another type or a field does not decode — the message names the chaincode.
[[nodiscard]] StatusOr<std::optional<ChaincodeDefinition>> ChaincodeDefinitionIfDefined(
    std::string_view name, ReadableState& state);

}  // namespace weft::peer::lifecycle
