#include "peer/lifecycle/state_serializer.h"

#include <fmt/format.h>

#include <map>

#include "common/crypto/hash.h"

namespace weft::peer::lifecycle {
namespace {

std::string_view TypeName(::lifecycle::StateData::TypeCase type) {
  switch (type) {
    case ::lifecycle::StateData::kInt64:
      return "Int64";
    case ::lifecycle::StateData::kBytes:
      return "Bytes";
    case ::lifecycle::StateData::kString:
      return "String";
    case ::lifecycle::StateData::TYPE_NOT_SET:
      break;
  }
  return "nothing";
}

[[nodiscard]] StatusOr<::lifecycle::StateData> DeserializeField(std::string_view prefix,
                                                                std::string_view name,
                                                                std::string_view field,
                                                                ReadableState& state) {
  const std::string key = FieldKey(prefix, name, field);
  StatusOr<std::string> bytes = state.GetState(key);
  if (!bytes.ok())
    return Annotate(bytes.status(), fmt::format("could not get state for key {}", key));
  ::lifecycle::StateData data;
  if (!data.ParseFromString(*bytes)) {
    return absl::DataLossError(fmt::format("could not unmarshal state for key {}", key));
  }
  return data;
}

}  // namespace

std::string MetadataKey(std::string_view prefix, std::string_view name) {
  return fmt::format("{}/metadata/{}", prefix, name);
}

std::string FieldKey(std::string_view prefix, std::string_view name, std::string_view field) {
  return fmt::format("{}/fields/{}/{}", prefix, name, field);
}

[[nodiscard]] Status Serialize(std::string_view prefix, std::string_view name,
                               const Structure& structure, ReadWritableState& state) {
  WEFT_ASSIGN_OR_RETURN(std::optional<::lifecycle::StateMetadata> stored,
                        DeserializeMetadata(prefix, name, state));
  ::lifecycle::StateMetadata metadata = stored.value_or(::lifecycle::StateMetadata());

  // Fields the stored metadata lists, with their current bytes.
  std::map<std::string, std::string, std::less<>> existing;
  for (const std::string& field : metadata.fields()) {
    const std::string key = FieldKey(prefix, name, field);
    StatusOr<std::string> value = state.GetState(key);
    if (!value.ok()) {
      return Annotate(value.status(), fmt::format("could not get value for key {}", key));
    }
    existing[key] = *std::move(value);
  }

  for (const Structure::Field& field : structure.fields) {
    const std::string key = FieldKey(prefix, name, field.name);
    const std::string bytes = common::protoutil::DeterministicSerialize(field.value);
    auto found = existing.find(key);
    if (found == existing.end() || found->second != bytes) {
      WEFT_RETURN_IF_ERROR(Annotate(state.PutState(key, bytes), "could not write key into state"));
    }
    if (found != existing.end()) existing.erase(found);
  }

  if (!existing.empty() || metadata.datatype() != structure.datatype ||
      static_cast<size_t>(metadata.fields_size()) != structure.fields.size()) {
    metadata.set_datatype(structure.datatype);
    metadata.clear_fields();
    for (const Structure::Field& field : structure.fields) metadata.add_fields(field.name);
    WEFT_RETURN_IF_ERROR(
        Annotate(state.PutState(MetadataKey(prefix, name),
                                common::protoutil::DeterministicSerialize(metadata)),
                 fmt::format("could not store metadata for namespace {}/{}", prefix, name)));
  }

  for (const auto& [key, unused] : existing) {
    WEFT_RETURN_IF_ERROR(
        Annotate(state.DelState(key), fmt::format("could not delete unneeded key {}", key)));
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<std::optional<::lifecycle::StateMetadata>> DeserializeMetadata(
    std::string_view prefix, std::string_view name, ReadableState& state) {
  StatusOr<std::string> bytes = state.GetState(MetadataKey(prefix, name));
  if (!bytes.ok()) {
    return Annotate(bytes.status(),
                    fmt::format("could not query metadata for namespace {}/{}", prefix, name));
  }
  if (bytes->empty()) return std::optional<::lifecycle::StateMetadata>();
  ::lifecycle::StateMetadata metadata;
  if (!metadata.ParseFromString(*bytes)) {
    return absl::DataLossError(
        fmt::format("could not unmarshal metadata for namespace {}/{}", prefix, name));
  }
  return std::optional<::lifecycle::StateMetadata>(std::move(metadata));
}

[[nodiscard]] StatusOr<int64_t> DeserializeFieldAsInt64(std::string_view prefix,
                                                        std::string_view name,
                                                        std::string_view field,
                                                        ReadableState& state) {
  WEFT_ASSIGN_OR_RETURN(::lifecycle::StateData data, DeserializeField(prefix, name, field, state));
  if (data.Type_case() == ::lifecycle::StateData::TYPE_NOT_SET) return int64_t{0};
  if (data.Type_case() != ::lifecycle::StateData::kInt64) {
    return absl::DataLossError(
        fmt::format("expected key {} to encode a value of type Int64, but it holds {}",
                    FieldKey(prefix, name, field), TypeName(data.Type_case())));
  }
  return data.int64();
}

[[nodiscard]] StatusOr<std::string> DeserializeFieldAsBytes(std::string_view prefix,
                                                            std::string_view name,
                                                            std::string_view field,
                                                            ReadableState& state) {
  WEFT_ASSIGN_OR_RETURN(::lifecycle::StateData data, DeserializeField(prefix, name, field, state));
  if (data.Type_case() == ::lifecycle::StateData::TYPE_NOT_SET) return std::string();
  if (data.Type_case() != ::lifecycle::StateData::kBytes) {
    return absl::DataLossError(
        fmt::format("expected key {} to encode a value of type []byte, but it holds {}",
                    FieldKey(prefix, name, field), TypeName(data.Type_case())));
  }
  return std::move(*data.mutable_bytes());
}

[[nodiscard]] StatusOr<std::string> DeserializeFieldAsString(std::string_view prefix,
                                                             std::string_view name,
                                                             std::string_view field,
                                                             ReadableState& state) {
  WEFT_ASSIGN_OR_RETURN(::lifecycle::StateData data, DeserializeField(prefix, name, field, state));
  if (data.Type_case() == ::lifecycle::StateData::TYPE_NOT_SET) return std::string();
  if (data.Type_case() != ::lifecycle::StateData::kString) {
    return absl::DataLossError(
        fmt::format("expected key {} to encode a value of type String, but it holds {}",
                    FieldKey(prefix, name, field), TypeName(data.Type_case())));
  }
  return std::move(*data.mutable_string());
}

[[nodiscard]] StatusOr<bool> IsSerialized(std::string_view prefix, std::string_view name,
                                          const Structure& structure, OpaqueState& state) {
  // Fabric reads every key's hash before comparing any.
  std::vector<std::string> hashes;
  std::vector<std::string> keys;
  keys.push_back(MetadataKey(prefix, name));
  for (const Structure::Field& field : structure.fields) {
    keys.push_back(FieldKey(prefix, name, field.name));
  }
  for (const std::string& key : keys) {
    StatusOr<std::string> hash = state.GetStateHash(key);
    if (!hash.ok()) {
      return Annotate(hash.status(), fmt::format("could not get value for key {}", key));
    }
    hashes.push_back(*std::move(hash));
  }
  ::lifecycle::StateMetadata metadata;
  metadata.set_datatype(structure.datatype);
  for (const Structure::Field& field : structure.fields) metadata.add_fields(field.name);
  if (hashes[0] != common::crypto::Sha256(common::protoutil::DeterministicSerialize(metadata))) {
    return false;
  }
  for (std::size_t i = 0; i < structure.fields.size(); ++i) {
    const std::string bytes = common::protoutil::DeterministicSerialize(structure.fields[i].value);
    if (hashes[i + 1] != common::crypto::Sha256(bytes)) return false;
  }
  return true;
}

[[nodiscard]] StatusOr<std::map<std::string, ::lifecycle::StateMetadata>> DeserializeAllMetadata(
    std::string_view prefix, RangeableState& state) {
  const std::string key_prefix = fmt::format("{}/metadata/", prefix);
  StatusOr<std::map<std::string, std::string>> entries = state.GetStateRange(key_prefix);
  if (!entries.ok()) {
    return Annotate(entries.status(),
                    fmt::format("could not get state range for namespace {}", prefix));
  }
  std::map<std::string, ::lifecycle::StateMetadata> result;
  for (const auto& [key, value] : *entries) {
    ::lifecycle::StateMetadata metadata;
    if (!metadata.ParseFromString(value)) {
      return absl::DataLossError(fmt::format("error unmarshalling metadata for key {}", key));
    }
    result.emplace(key.substr(key_prefix.size()), std::move(metadata));
  }
  return result;
}

}  // namespace weft::peer::lifecycle
