#include "tests/support/lifecycle_state.h"

#include <map>
#include <stdexcept>
#include <string_view>

#include "peer/ledger/transient_store.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle_functions.h"
#include "peer/lifecycle/state_serializer.h"
#include "tests/support/ledger_test_util.h"

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

peer::lifecycle::ChaincodeDefinition MinimalDefinition(const std::string& version,
                                                       int64_t sequence) {
  peer::lifecycle::ChaincodeDefinition definition;
  definition.sequence = sequence;
  definition.endorsement_info.set_version(version);
  definition.endorsement_info.set_endorsement_plugin("escc");
  definition.validation_info.set_validation_plugin("vscc");
  return definition;
}

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

void CommitLifecycleWrites(peer::ledger::PeerLedger& ledger,
                           const std::filesystem::path& scratch_dir, const std::string& msp_id,
                           const std::string& name,
                           const std::optional<peer::lifecycle::ChaincodeDefinition>& committed,
                           const std::optional<peer::lifecycle::ChaincodeDefinition>& approved,
                           const std::string& package_id) {
  namespace lc = peer::lifecycle;
  const auto check = [&](const Status& status, const std::string& what) {
    if (!status.ok()) {
      throw std::runtime_error(what + " of " + name + ": " + std::string(status.message()));
    }
  };
  const auto info = ledger.GetBlockchainInfo();
  const std::string tx_id = "lifecycle-" + name + "-" + std::to_string(info.height);
  std::unique_ptr<peer::ledger::TxSimulator> simulator = ledger.NewTxSimulator();
  if (committed) {
    lc::LifecycleSimulatorState public_state(*simulator);
    check(lc::WriteChaincodeDefinition(name, *committed, public_state), "writing the definition");
  }
  if (approved) {
    lc::LifecyclePrivateState org_state(*simulator, simulator.get(),
                                        lc::ImplicitCollectionName(msp_id));
    const std::string private_name = lc::PrivateName(name, approved->sequence);
    check(lc::Serialize(lc::kNamespacesPrefix, private_name, lc::ParametersStructure(*approved),
                        org_state),
          "writing the approval");
    check(lc::Serialize(lc::kChaincodeSourcesPrefix, private_name,
                        lc::LocalPackageStructure(package_id), org_state),
          "writing the approved package");
  }
  auto results = simulator->GetTxSimulationResultsWithPrivateData();
  check(results.status(), "simulating");
  auto transient = peer::ledger::TransientStore::Open(scratch_dir / ("transient-" + tx_id));
  check(transient.status(), "opening a transient store");
  if (results->private_rwset) {
    check((*transient)->Persist(tx_id, info.height, *results->private_rwset),
          "keeping the private writes");
  }
  auto codes = ledger.CommitBlock(
      LedgerBlock(info.height, info.current_block_hash,
                  {EndorserTxEnvelope(ledger.channel_id(), tx_id, results->public_rwset)}),
      {::protos::VALID}, transient->get());
  check(codes.status(), "committing the block");
  if ((*codes)[0] != ::protos::VALID) {
    throw std::runtime_error("the lifecycle transaction of " + name + " did not commit VALID");
  }
}

}  // namespace weft::testing
