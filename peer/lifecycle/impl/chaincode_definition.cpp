#include "peer/lifecycle/chaincode_definition.h"

#include <fmt/format.h>

#include "common/protoutil/serialize.h"

namespace weft::peer::lifecycle {
namespace {

::lifecycle::StateData Int64Data(int64_t value) {
  ::lifecycle::StateData data;
  data.set_int64(value);
  return data;
}

::lifecycle::StateData ProtoData(const google::protobuf::MessageLite& message) {
  ::lifecycle::StateData data;
  data.set_bytes(common::protoutil::DeterministicSerialize(message));
  return data;
}

[[nodiscard]] StatusOr<ChaincodeDefinition> ReadFields(std::string_view name,
                                                       ReadableState& state) {
  ChaincodeDefinition definition;
  WEFT_ASSIGN_OR_RETURN(definition.sequence,
                        DeserializeFieldAsInt64(kNamespacesPrefix, name, "Sequence", state));
  WEFT_ASSIGN_OR_RETURN(definition.endorsement_info,
                        DeserializeFieldAsProto<::lifecycle::ChaincodeEndorsementInfo>(
                            kNamespacesPrefix, name, "EndorsementInfo", state));
  WEFT_ASSIGN_OR_RETURN(definition.validation_info,
                        DeserializeFieldAsProto<::lifecycle::ChaincodeValidationInfo>(
                            kNamespacesPrefix, name, "ValidationInfo", state));
  WEFT_ASSIGN_OR_RETURN(definition.collections,
                        DeserializeFieldAsProto<::protos::CollectionConfigPackage>(
                            kNamespacesPrefix, name, "Collections", state));
  return definition;
}

}  // namespace

Structure ChaincodeDefinition::ToStructure() const {
  Structure structure;
  structure.datatype = std::string(kChaincodeDefinitionType);
  structure.fields = {
      {"Sequence", Int64Data(sequence)},
      {"EndorsementInfo", ProtoData(endorsement_info)},
      {"ValidationInfo", ProtoData(validation_info)},
      {"Collections", ProtoData(collections)},
  };
  return structure;
}

[[nodiscard]] Status WriteChaincodeDefinition(std::string_view name,
                                              const ChaincodeDefinition& definition,
                                              ReadWritableState& state) {
  return Annotate(Serialize(kNamespacesPrefix, name, definition.ToStructure(), state),
                  fmt::format("could not store the definition of chaincode {}", name));
}

[[nodiscard]] StatusOr<std::optional<ChaincodeDefinition>> ChaincodeDefinitionIfDefined(
    std::string_view name, ReadableState& state) {
  if (name == kLifecycleNamespace) return std::optional<ChaincodeDefinition>(ChaincodeDefinition());
  StatusOr<std::optional<::lifecycle::StateMetadata>> metadata =
      DeserializeMetadata(kNamespacesPrefix, name, state);
  if (!metadata.ok()) {
    return Annotate(metadata.status(),
                    fmt::format("could not deserialize metadata for chaincode {}", name));
  }
  if (!metadata->has_value()) return std::optional<ChaincodeDefinition>();
  if ((*metadata)->datatype() != kChaincodeDefinitionType) {
    return absl::DataLossError(fmt::format("not a chaincode type: {}", (*metadata)->datatype()));
  }
  StatusOr<ChaincodeDefinition> definition = ReadFields(name, state);
  if (!definition.ok()) {
    return Annotate(
        definition.status(),
        fmt::format("could not deserialize chaincode definition for chaincode {}", name));
  }
  return std::optional<ChaincodeDefinition>(*std::move(definition));
}

}  // namespace weft::peer::lifecycle
