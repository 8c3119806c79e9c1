#include "tests/support/lifecycle_state.h"

#include <map>
#include <stdexcept>
#include <string_view>

#include "peer/lifecycle/state_serializer.h"

namespace weft::testing {
namespace {

// _lifecycle's public state, collected to be committed at one version.
class CollectedState final : public peer::lifecycle::ReadWritableState {
 public:
  std::map<std::string, std::string> values;
  [[nodiscard]] StatusOr<std::string> GetState(std::string_view key) override {
    auto it = values.find(std::string(key));
    return it == values.end() ? std::string() : it->second;
  }
  [[nodiscard]] Status PutState(std::string_view key, std::string_view value) override {
    values[std::string(key)] = std::string(value);
    return absl::OkStatus();
  }
  [[nodiscard]] Status DelState(std::string_view key) override {
    values.erase(std::string(key));
    return absl::OkStatus();
  }
};

}  // namespace

void StoreChaincodeDefinition(peer::ledger::statedb::StateDb& state, const std::string& name,
                              const peer::lifecycle::ChaincodeDefinition& definition,
                              uint64_t block) {
  CollectedState collected;
  if (Status written = peer::lifecycle::WriteChaincodeDefinition(name, definition, collected);
      !written.ok()) {
    throw std::runtime_error("cannot store the definition of " + name + ": " +
                             std::string(written.message()));
  }
  peer::ledger::statedb::UpdateBatch batch;
  for (const auto& [key, value] : collected.values) {
    batch.Put(peer::lifecycle::kLifecycleNamespace, key, {value, {}, {block, 0}});
  }
  if (Status applied = state.ApplyUpdates(batch, block); !applied.ok()) {
    throw std::runtime_error("cannot commit the definition of " + name + ": " +
                             std::string(applied.message()));
  }
}

}  // namespace weft::testing
