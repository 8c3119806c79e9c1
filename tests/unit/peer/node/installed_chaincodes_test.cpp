// InstalledChaincodeStore, the peer's InstalledChaincodes for _lifecycle: install as
// Fabric's release-2.5 core/chaincode/lifecycle ExternalFunctions.InstallChaincode
// (parse, save, build; a failed build removes the package), and the references of
// an installed package as Fabric's lifecycle Cache fills them (cache.go update: a
// committed definition this org approved at the committed sequence, with this
// package as its ChaincodeLocalPackage).
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/log/logger_factory.h"
#include "peer/chaincode_package/package_store.h"
#include "peer/chaincode_support/runtime.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/transient_store.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle_functions.h"
#include "peer/lifecycle/state_serializer.h"
#include "peer/node/impl/chaincode_lifecycle.h"
#include "tests/support/fabric_package.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace weft::peer::node {
namespace {

namespace lc = peer::lifecycle;
using scc::lifecycle::ChaincodeReference;

const std::string kChannel = "mychannel";
const std::string kMspId = "Org1MSP";

template <typename T>
T Must(StatusOr<T> value) {
  INFO(value.status().ToString());
  REQUIRE(value.ok());
  return *std::move(value);
}

// A runtime whose builds succeed or fail as the test says, recording each.
class ScriptedRuntime final : public chaincode_support::ChaincodeRuntime {
 public:
  std::optional<std::string> fail_with;
  std::vector<std::string> builds;

  [[nodiscard]] StatusOr<std::optional<chaincode_support::ChaincodeServerInfo>> Build(
      std::string_view package_id) override {
    builds.emplace_back(package_id);
    if (fail_with) return absl::InternalError(*fail_with);
    return std::optional<chaincode_support::ChaincodeServerInfo>();
  }
  [[nodiscard]] Status Start(std::string_view, const chaincode_support::PeerConnection&) override {
    return absl::UnimplementedError("not started in this test");
  }
  [[nodiscard]] Status Stop(std::string_view) override { return absl::OkStatus(); }
  [[nodiscard]] StatusOr<int> Wait(std::string_view) override {
    return absl::UnimplementedError("not started in this test");
  }
};

std::string Package(const std::string& label) {
  testing::TarItem program("src/chaincode", "#!/bin/sh\n");
  return testing::FabricPackage("chaincode", "binary", label,
                                testing::GoGzip(testing::GoTar({program})));
}

lc::ChaincodeDefinition Definition(const std::string& version) {
  lc::ChaincodeDefinition definition;
  definition.sequence = 1;
  definition.endorsement_info.set_version(version);
  definition.endorsement_info.set_endorsement_plugin("escc");
  definition.validation_info.set_validation_plugin("vscc");
  return definition;
}

struct Fixture {
  testing::TempDir dir;
  std::ostringstream log;  // keeps the install log out of the test output
  common::log::LoggerFactory loggers{log};
  std::shared_ptr<ledger::PeerLedger> ledger;
  std::shared_ptr<chaincode_package::PackageStore> packages;
  ScriptedRuntime runtime;
  std::unique_ptr<InstalledChaincodeStore> store;

  Fixture() {
    ledger = Must(ledger::LedgerManager(dir.path() / "ledgersData")
                      .CreateLedger(testing::GenesisBlock(kChannel)));
    packages = Must(chaincode_package::PackageStore::Open(dir.path() / "chaincodes"));
    LifecycleLedgers ledgers;
    ledgers.channel_ids = [] { return std::vector<std::string>{kChannel}; };
    ledgers.ledger = [this](std::string_view id) { return id == kChannel ? ledger : nullptr; };
    store = std::make_unique<InstalledChaincodeStore>(packages, runtime, kMspId, std::move(ledgers),
                                                      loggers.Get("test"));
  }

  // Commits definition `committed` of `name` and, unless `approved` is nullopt, this
  // org's approval of `approved` at the same sequence with `package_id`, as
  // _lifecycle writes them (the approval as private data via the transient store).
  void Define(const std::string& name, const lc::ChaincodeDefinition& committed,
              const std::optional<lc::ChaincodeDefinition>& approved,
              const std::string& package_id) {
    auto simulator = ledger->NewTxSimulator();
    lc::LifecycleSimulatorState public_state(*simulator);
    REQUIRE(lc::WriteChaincodeDefinition(name, committed, public_state).ok());
    if (approved) {
      lc::LifecyclePrivateState org_state(*simulator, simulator.get(),
                                          lc::ImplicitCollectionName(kMspId));
      const std::string private_name = lc::PrivateName(name, approved->sequence);
      REQUIRE(lc::Serialize(lc::kNamespacesPrefix, private_name, lc::ParametersStructure(*approved),
                            org_state)
                  .ok());
      REQUIRE(lc::Serialize(lc::kChaincodeSourcesPrefix, private_name,
                            lc::LocalPackageStructure(package_id), org_state)
                  .ok());
    }
    auto results = Must(simulator->GetTxSimulationResultsWithPrivateData());
    auto transient = Must(ledger::TransientStore::Open(dir.path() / ("transient-" + name)));
    const std::string tx_id = "define-" + name;
    const auto info = ledger->GetBlockchainInfo();
    if (results.private_rwset) {
      REQUIRE(transient->Persist(tx_id, info.height, *results.private_rwset).ok());
    }
    auto codes = ledger->CommitBlock(
        testing::LedgerBlock(info.height, info.current_block_hash,
                             {testing::EndorserTxEnvelope(kChannel, tx_id, results.public_rwset)}),
        {::protos::VALID}, transient.get());
    INFO(codes.status().ToString());
    REQUIRE(codes.ok());
    REQUIRE((*codes)[0] == ::protos::VALID);
  }
};

TEST_CASE("Installing saves and builds the package; a failed build keeps nothing") {
  Fixture f;
  const std::string bytes = Package("mycc_1");
  const std::string id = chaincode_package::PackageId("mycc_1", bytes);

  SECTION("a build that succeeds") {
    auto installed = Must(f.store->Install(bytes));
    CHECK(installed.package_id == id);
    CHECK(installed.label == "mycc_1");
    CHECK(f.runtime.builds == std::vector<std::string>{id});
    CHECK(Must(f.store->Load(id)) == bytes);
    // lifecycle.go: "chaincode already successfully installed (package ID '<id>')",
    // and no second build.
    auto again = f.store->Install(bytes);
    CHECK(again.status().message() ==
          "chaincode already successfully installed (package ID '" + id + "')");
    CHECK(f.runtime.builds.size() == 1);
  }
  SECTION("a build that fails") {
    f.runtime.fail_with = "no builder detected the package";
    auto installed = f.store->Install(bytes);
    REQUIRE_FALSE(installed.ok());
    // lifecycle.go: errors.WithMessage(err, "could not build chaincode").
    CHECK(installed.status().message() ==
          "could not build chaincode: no builder detected the package");
    CHECK(f.store->List().empty());
    CHECK_FALSE(f.store->Find(id).has_value());
    CHECK(absl::IsNotFound(f.store->Load(id).status()));
    // Fabric deletes the package, so the same bytes may be installed again.
    f.runtime.fail_with.reset();
    CHECK(Must(f.store->Install(bytes)).package_id == id);
  }
  SECTION("bytes that are not a package are not saved") {
    auto installed = f.store->Install("not a package");
    CHECK_THAT(std::string(installed.status().message()),
               Catch::StartsWith("could not parse as a chaincode install package: "));
    CHECK(f.runtime.builds.empty());
    CHECK(f.store->List().empty());
  }
}

TEST_CASE("An installed package lists the committed definitions this org approved with it") {
  Fixture f;
  const std::string bytes = Package("mycc_1");
  const std::string id = Must(f.store->Install(bytes)).package_id;
  const std::string other_bytes = Package("other_1");
  const std::string other_id = Must(f.store->Install(other_bytes)).package_id;

  f.Define("mycc", Definition("1.0"), Definition("1.0"), id);
  // Approved with another package.
  f.Define("othercc", Definition("3.0"), Definition("3.0"), other_id);
  // Committed but never approved by this org.
  f.Define("unapproved", Definition("1.0"), std::nullopt, "");
  // This org approved other parameters than the committed ones: cache.go skips it
  // ("does not have our org's approval").
  f.Define("mismatch", Definition("1.0"), Definition("2.0"), id);
  // A second definition with the same package.
  f.Define("mycc2", Definition("7"), Definition("7"), id);

  auto mine = f.store->Find(id);
  REQUIRE(mine.has_value());
  REQUIRE(mine->references.size() == 1);
  const auto& on_channel = mine->references.at(kChannel);
  std::set<std::pair<std::string, std::string>> names;
  for (const ChaincodeReference& reference : on_channel) {
    names.emplace(reference.name, reference.version);
  }
  CHECK(names == std::set<std::pair<std::string, std::string>>{{"mycc", "1.0"}, {"mycc2", "7"}});

  auto listed = f.store->List();
  REQUIRE(listed.size() == 2);
  for (const auto& installed : listed) {
    INFO(installed.package_id);
    if (installed.package_id == other_id) {
      REQUIRE(installed.references.count(kChannel) == 1);
      REQUIRE(installed.references.at(kChannel).size() == 1);
      CHECK(installed.references.at(kChannel)[0].name == "othercc");
      CHECK(installed.references.at(kChannel)[0].version == "3.0");
    } else {
      CHECK(installed.package_id == id);
      CHECK(installed.references.at(kChannel).size() == 2);
    }
  }
  CHECK_FALSE(f.store->Find(chaincode_package::PackageId("mycc_1", "other")).has_value());
  CHECK_FALSE(f.store->Find("not an id").has_value());
}

TEST_CASE("Chaincode support runs the installed package this org approved for the definition") {
  // Fabric's ChaincodeEndorsementInfoSource.CachedChaincodeInfo (release-2.5
  // core/chaincode/lifecycle/lifecycle.go).
  Fixture f;
  const std::string id = Must(f.store->Install(Package("mycc_1"))).package_id;
  const std::string absent = chaincode_package::PackageId("gone_1", Package("gone_1"));
  f.Define("mycc", Definition("1.0"), Definition("1.0"), id);
  f.Define("unapproved", Definition("1.0"), std::nullopt, "");
  f.Define("mismatch", Definition("1.0"), Definition("2.0"), id);
  f.Define("uninstalled", Definition("1.0"), Definition("1.0"), absent);
  f.Define("nopackage", Definition("1.0"), Definition("1.0"), "");

  CHECK(Must(f.store->ResolvePackageId(kChannel, "mycc", 1)) == std::optional<std::string>(id));
  for (const char* name : {"unapproved", "mismatch"}) {
    INFO(name);
    auto resolved = f.store->ResolvePackageId(kChannel, name, 1);
    CHECK(absl::IsFailedPrecondition(resolved.status()));
    CHECK(resolved.status().message() ==
          "chaincode definition for '" + std::string(name) +
              "' at sequence 1 on channel 'mychannel' has not yet been approved by this org");
  }
  // Approved, but this peer has no such package: "chaincode definition for '<cc>'
  // exists, but chaincode is not installed" is chaincode support's answer to nullopt.
  CHECK_FALSE(Must(f.store->ResolvePackageId(kChannel, "uninstalled", 1)).has_value());
  CHECK_FALSE(Must(f.store->ResolvePackageId(kChannel, "nopackage", 1)).has_value());
  CHECK(absl::IsNotFound(f.store->ResolvePackageId("otherchannel", "mycc", 1).status()));
}

}  // namespace
}  // namespace weft::peer::node
