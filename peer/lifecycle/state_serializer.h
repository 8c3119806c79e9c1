// How _lifecycle keeps structures in a key-value namespace (Fabric's
// core/chaincode/lifecycle/serializer.go): a structure `name` of type T becomes
//   <prefix>/metadata/<name>        -> StateMetadata{datatype: T, fields: [F1, F2, ...]}
//   <prefix>/fields/<name>/<Fi>     -> StateData{Int64 | Bytes | String}
// with the fields in declaration order. Writing touches only keys whose bytes
// change, so that the rwset of a redefinition names exactly what changed —
// endorsers and validators of other implementations compare those rwsets.
//
// Thread-safety: stateless functions; the state objects are the caller's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/protoutil/serialize.h"
#include "common/status/status.h"
#include "peer/lifecycle/db.pb.h"

namespace weft::peer::lifecycle {

// Reads of one namespace (Fabric's ReadableState). An absent key reads as "".
// Not const: a read through a simulator is recorded in its rwset.
class ReadableState {
 public:
  virtual ~ReadableState() = default;
  [[nodiscard]] virtual StatusOr<std::string> GetState(std::string_view key) = 0;
};

class ReadWritableState : public ReadableState {
 public:
  [[nodiscard]] virtual Status PutState(std::string_view key, std::string_view value) = 0;
  [[nodiscard]] virtual Status DelState(std::string_view key) = 0;
};

// Every key starting with a prefix (Fabric's RangeableState), key -> value.
class RangeableState {
 public:
  virtual ~RangeableState() = default;
  [[nodiscard]] virtual StatusOr<std::map<std::string, std::string>> GetStateRange(
      std::string_view prefix) = 0;
};

// Another org's implicit collection, seen only through the hashes of its
// values (Fabric's OpaqueState): every peer can read those.
class OpaqueState {
 public:
  virtual ~OpaqueState() = default;
  // SHA-256 of the value under `key`; empty when the key does not exist.
  [[nodiscard]] virtual StatusOr<std::string> GetStateHash(std::string_view key) = 0;
  virtual std::string CollectionName() const = 0;
};

// One structure to store: Fabric's Go type name and its fields in declaration order.
struct Structure {
  struct Field {
    std::string name;
    ::lifecycle::StateData value;
  };
  std::string datatype;
  std::vector<Field> fields;
};

std::string MetadataKey(std::string_view prefix, std::string_view name);
std::string FieldKey(std::string_view prefix, std::string_view name, std::string_view field);

// Writes `structure` under `prefix`/`name`: changed fields, the metadata when its
// type or field list changed, and deletes of fields the old metadata listed that
// the structure no longer has.
[[nodiscard]] Status Serialize(std::string_view prefix, std::string_view name,
                               const Structure& structure, ReadWritableState& state);

// The metadata of `prefix`/`name`; nullopt when nothing is stored there.
[[nodiscard]] StatusOr<std::optional<::lifecycle::StateMetadata>> DeserializeMetadata(
    std::string_view prefix, std::string_view name, ReadableState& state);

// Whether `structure` is stored under `prefix`/`name` exactly, judged by the
// hashes only (Fabric's IsSerialized): the metadata and every field's
// StateData must hash to what `state` holds. Reads every key's hash (so a
// simulation records hashed reads of all of them).
[[nodiscard]] StatusOr<bool> IsSerialized(std::string_view prefix, std::string_view name,
                                          const Structure& structure, OpaqueState& state);

// The metadata of every structure under `prefix`, by name (Fabric's
// DeserializeAllMetadata). DataLoss naming the key when one does not decode.
[[nodiscard]] StatusOr<std::map<std::string, ::lifecycle::StateMetadata>> DeserializeAllMetadata(
    std::string_view prefix, RangeableState& state);

// A field's value; an absent key or an unset StateData reads as 0 / "" (as Fabric).
// Errors: DataLoss when the stored bytes are not a StateData or hold another type.
[[nodiscard]] StatusOr<int64_t> DeserializeFieldAsInt64(std::string_view prefix,
                                                        std::string_view name,
                                                        std::string_view field,
                                                        ReadableState& state);
[[nodiscard]] StatusOr<std::string> DeserializeFieldAsBytes(std::string_view prefix,
                                                            std::string_view name,
                                                            std::string_view field,
                                                            ReadableState& state);
[[nodiscard]] StatusOr<std::string> DeserializeFieldAsString(std::string_view prefix,
                                                             std::string_view name,
                                                             std::string_view field,
                                                             ReadableState& state);

// A Bytes field holding a marshalled M (an absent field is an empty M).
template <typename M>
[[nodiscard]] StatusOr<M> DeserializeFieldAsProto(std::string_view prefix, std::string_view name,
                                                  std::string_view field, ReadableState& state) {
  WEFT_ASSIGN_OR_RETURN(std::string bytes, DeserializeFieldAsBytes(prefix, name, field, state));
  StatusOr<M> message = common::protoutil::ParseMessage<M>(bytes, FieldKey(prefix, name, field));
  if (!message.ok()) return absl::DataLossError(message.status().message());
  return message;
}

}  // namespace weft::peer::lifecycle
