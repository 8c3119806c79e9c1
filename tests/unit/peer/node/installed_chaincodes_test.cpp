// InstalledChaincodeStore, the peer's InstalledChaincodes for _lifecycle: install as
// Fabric's release-2.5 core/chaincode/lifecycle ExternalFunctions.InstallChaincode
// (parse, save, build; a failed build removes the package), and the references of
// an installed package as Fabric's lifecycle Cache fills them (cache.go update: a
// committed definition this org approved at the committed sequence, with this
// package as its ChaincodeLocalPackage).
#include <atomic>
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
#include "peer/lifecycle/cache.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle_functions.h"
#include "peer/lifecycle/state_serializer.h"
#include "peer/node/impl/chaincode_lifecycle.h"
#include "tests/support/fabric_package.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/lifecycle_state.h"
#include "tests/support/require_ok.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"
#include "tests/support/worker_thread.h"

namespace weft::peer::node {
namespace {

using weft::testing::MinimalDefinition;
using weft::testing::RequireOk;

namespace lc = peer::lifecycle;
using scc::lifecycle::ChaincodeReference;

const std::string kChannel = "mychannel";
const std::string kMspId = "Org1MSP";

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

struct Fixture {
  testing::TempDir dir;
  std::ostringstream log;  // keeps the install log out of the test output
  common::log::LoggerFactory loggers{log};
  // The lifecycle cache, a state listener of the ledger as the peer node wires it.
  std::shared_ptr<lc::Cache> cache = std::make_shared<lc::Cache>(kMspId);
  std::shared_ptr<ledger::PeerLedger> ledger;
  std::shared_ptr<chaincode_package::PackageStore> packages;
  ScriptedRuntime runtime;
  std::unique_ptr<InstalledChaincodeStore> store;

  Fixture() {
    ledger::LedgerOptions options;
    options.state_listeners.push_back(cache);
    ledger = RequireOk(ledger::LedgerManager(dir.path() / "ledgersData", options)
                           .CreateLedger(testing::GenesisBlock(kChannel)));
    packages = RequireOk(chaincode_package::PackageStore::Open(dir.path() / "chaincodes"));
    LifecycleLedgers ledgers;
    ledgers.channel_ids = [] { return std::vector<std::string>{kChannel}; };
    ledgers.ledger = [this](std::string_view id) { return id == kChannel ? ledger : nullptr; };
    store = std::make_unique<InstalledChaincodeStore>(packages, runtime, kMspId, std::move(ledgers),
                                                      cache, loggers.Get("test"));
  }

  // Commits definition `committed` of `name` and, unless `approved` is nullopt, this
  // org's approval of `approved` at the same sequence with `package_id`, as
  // _lifecycle writes them (the approval as private data via the transient store).
  void Define(const std::string& name, const lc::ChaincodeDefinition& committed,
              const std::optional<lc::ChaincodeDefinition>& approved,
              const std::string& package_id) {
    testing::CommitLifecycleWrites(*ledger, dir.path(), kMspId, name, committed, approved,
                                   package_id);
  }
  // This org's approval alone (no definition committed in the block).
  void Approve(const std::string& name, const lc::ChaincodeDefinition& approved,
               const std::string& package_id) {
    testing::CommitLifecycleWrites(*ledger, dir.path(), kMspId, name, std::nullopt, approved,
                                   package_id);
  }
};

TEST_CASE("Installing saves and builds the package; a failed build keeps nothing") {
  Fixture f;
  const std::string bytes = Package("mycc_1");
  const std::string id = chaincode_package::PackageId("mycc_1", bytes);

  SECTION("a build that succeeds") {
    auto installed = RequireOk(f.store->Install(bytes));
    CHECK(installed.package_id == id);
    CHECK(installed.label == "mycc_1");
    CHECK(f.runtime.builds == std::vector<std::string>{id});
    CHECK(RequireOk(f.store->Load(id)) == bytes);
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
    CHECK(RequireOk(f.store->Install(bytes)).package_id == id);
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
  const std::string id = RequireOk(f.store->Install(bytes)).package_id;
  const std::string other_bytes = Package("other_1");
  const std::string other_id = RequireOk(f.store->Install(other_bytes)).package_id;

  f.Define("mycc", MinimalDefinition("1.0"), MinimalDefinition("1.0"), id);
  // Approved with another package.
  f.Define("othercc", MinimalDefinition("3.0"), MinimalDefinition("3.0"), other_id);
  // Committed but never approved by this org.
  f.Define("unapproved", MinimalDefinition("1.0"), std::nullopt, "");
  // This org approved other parameters than the committed ones: cache.go skips it
  // ("does not have our org's approval").
  f.Define("mismatch", MinimalDefinition("1.0"), MinimalDefinition("2.0"), id);
  // A second definition with the same package.
  f.Define("mycc2", MinimalDefinition("7"), MinimalDefinition("7"), id);

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
  const std::string id = RequireOk(f.store->Install(Package("mycc_1"))).package_id;
  const std::string absent = chaincode_package::PackageId("gone_1", Package("gone_1"));
  f.Define("mycc", MinimalDefinition("1.0"), MinimalDefinition("1.0"), id);
  f.Define("unapproved", MinimalDefinition("1.0"), std::nullopt, "");
  f.Define("mismatch", MinimalDefinition("1.0"), MinimalDefinition("2.0"), id);
  f.Define("uninstalled", MinimalDefinition("1.0"), MinimalDefinition("1.0"), absent);
  f.Define("nopackage", MinimalDefinition("1.0"), MinimalDefinition("1.0"), "");

  CHECK(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 1)) ==
        std::optional<std::string>(id));
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
  CHECK_FALSE(RequireOk(f.store->ResolvePackageId(kChannel, "uninstalled", 1)).has_value());
  CHECK_FALSE(RequireOk(f.store->ResolvePackageId(kChannel, "nopackage", 1)).has_value());
  CHECK(absl::IsNotFound(f.store->ResolvePackageId("otherchannel", "mycc", 1).status()));
}

// The lifecycle cache (Fabric's release-2.5 core/chaincode/lifecycle/cache.go) behind
// ResolvePackageId: what a block commits is what the next proposal runs.

TEST_CASE(
    "A re-approval of the committed sequence with another package runs from the next "
    "proposal") {
  Fixture f;
  const std::string first = RequireOk(f.store->Install(Package("mycc_1"))).package_id;
  const std::string second = RequireOk(f.store->Install(Package("mycc_2"))).package_id;
  f.Define("mycc", MinimalDefinition("1.0"), MinimalDefinition("1.0"), first);
  CHECK(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 1)) ==
        std::optional<std::string>(first));
  CHECK(f.cache->CachedChaincodes(kChannel) == 1);

  // cache.go HandleStateUpdates: a hashed write to one of the org's keys of the
  // committed sequence (here only chaincode-sources/fields/mycc#1/PackageID changes)
  // makes the definition dirty.
  f.Approve("mycc", MinimalDefinition("1.0"), second);
  CHECK(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 1)) ==
        std::optional<std::string>(second));

  // An approval naming no package: approved, but nothing to run here (Fabric's
  // InstallInfo == nil, "exists, but chaincode is not installed" in chaincode support).
  f.Approve("mycc", MinimalDefinition("1.0"), "");
  auto withdrawn = RequireOk(f.store->CachedChaincodeInfo(kChannel, "mycc", 1));
  CHECK(withdrawn.approved);
  CHECK_FALSE(withdrawn.package_id.has_value());
}

TEST_CASE("A package installed after this org's approval runs from the next proposal") {
  Fixture f;
  const std::string bytes = Package("mycc_1");
  const std::string id = chaincode_package::PackageId("mycc_1", bytes);
  f.Define("mycc", MinimalDefinition("1.0"), MinimalDefinition("1.0"), id);
  CHECK_FALSE(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 1)).has_value());
  // cache.go HandleChaincodeInstalled.
  REQUIRE(RequireOk(f.store->Install(bytes)).package_id == id);
  CHECK(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 1)) ==
        std::optional<std::string>(id));

  // cache.go InitializeLocalChaincodes: a store made at a later start knows the
  // packages installed before it.
  auto restarted_cache = std::make_shared<lc::Cache>(kMspId);
  LifecycleLedgers ledgers;
  ledgers.ledger = [&f](std::string_view channel) {
    return channel == kChannel ? f.ledger : nullptr;
  };
  InstalledChaincodeStore restarted(f.packages, f.runtime, kMspId, std::move(ledgers),
                                    restarted_cache, f.loggers.Get("test"));
  CHECK(RequireOk(restarted.ResolvePackageId(kChannel, "mycc", 1)) ==
        std::optional<std::string>(id));
}

TEST_CASE(
    "A newly committed sequence runs from the next proposal and one at the old sequence is "
    "refused") {
  Fixture f;
  const std::string first = RequireOk(f.store->Install(Package("mycc_1"))).package_id;
  const std::string second = RequireOk(f.store->Install(Package("mycc_2"))).package_id;
  f.Define("mycc", MinimalDefinition("1.0"), MinimalDefinition("1.0"), first);
  CHECK(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 1)) ==
        std::optional<std::string>(first));

  f.Define("mycc", MinimalDefinition("2.0", 2), MinimalDefinition("2.0", 2), second);
  auto upgraded = RequireOk(f.store->CachedChaincodeInfo(kChannel, "mycc", 2));
  CHECK(upgraded.definition.sequence == 2);
  CHECK(upgraded.definition.endorsement_info.version() == "2.0");
  CHECK(upgraded.package_id == std::optional<std::string>(second));

  // lifecycle/endorsement_info.go CachedChaincodeInfo: the Sequence the simulation
  // read must be the cached definition's.
  auto stale = f.store->ResolvePackageId(kChannel, "mycc", 1);
  CHECK(absl::IsAborted(stale.status()));
  CHECK(stale.status().message() ==
        "chaincode cache at sequence 2 but current sequence is 1, chaincode definition for "
        "'mycc' changed during invoke");
  // cache.go ChaincodeInfo: "unknown chaincode '%s' for channel '%s'".
  auto unknown = f.store->ResolvePackageId(kChannel, "nobody", 1);
  CHECK(absl::IsNotFound(unknown.status()));
  CHECK(unknown.status().message() ==
        "could not get approved chaincode info from cache: unknown chaincode 'nobody' for channel "
        "'mychannel'");
  CHECK(f.cache->CachedChaincodes(kChannel) == 1);
}

TEST_CASE("A committed sequence this org has not approved is refused until the org approves it") {
  Fixture f;
  const std::string id = RequireOk(f.store->Install(Package("mycc_1"))).package_id;
  f.Define("mycc", MinimalDefinition("1.0"), MinimalDefinition("1.0"), id);
  CHECK(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 1)) ==
        std::optional<std::string>(id));
  // Other orgs committed sequence 2 without this org.
  f.Define("mycc", MinimalDefinition("2.0", 2), std::nullopt, "");
  auto refused = f.store->ResolvePackageId(kChannel, "mycc", 2);
  // lifecycle/endorsement_info.go CachedChaincodeInfo.
  CHECK(absl::IsFailedPrecondition(refused.status()));
  CHECK(refused.status().message() ==
        "chaincode definition for 'mycc' at sequence 2 on channel 'mychannel' has not yet been "
        "approved by this org");
  // Approving the committed sequence afterwards (its keys are the interesting hashes).
  f.Approve("mycc", MinimalDefinition("2.0", 2), id);
  CHECK(RequireOk(f.store->ResolvePackageId(kChannel, "mycc", 2)) ==
        std::optional<std::string>(id));
}

TEST_CASE("Proposals resolving while blocks commit get the definition their simulation reads") {
  Fixture f;
  std::vector<std::string> packages;
  for (const char* label : {"mycc_a", "mycc_b", "mycc_c"}) {
    packages.push_back(RequireOk(f.store->Install(Package(label))).package_id);
  }
  f.Define("mycc", MinimalDefinition("1"), MinimalDefinition("1"), packages[0]);

  std::atomic<int> resolved{0};
  auto resolver = [&](testing::FailureLog& failures, std::stop_token stop) {
    while (!stop.stop_requested()) {
      // As an endorsement: the Sequence and the approved package read in the
      // simulation, the rest from the cache.
      auto simulator = f.ledger->NewTxSimulator();
      lc::LifecycleSimulatorState public_state(*simulator);
      auto sequence =
          lc::DeserializeFieldAsInt64(lc::kNamespacesPrefix, "mycc", "Sequence", public_state);
      if (!failures.ExpectOk(sequence.status(), "reading the sequence")) return;
      lc::LifecyclePrivateState org_state(*simulator, nullptr, lc::ImplicitCollectionName(kMspId));
      auto approved = lc::DeserializeFieldAsString(
          lc::kChaincodeSourcesPrefix, lc::PrivateName("mycc", *sequence), "PackageID", org_state);
      if (!failures.ExpectOk(approved.status(), "reading the approval")) return;
      auto info = f.store->CachedChaincodeInfo(kChannel, "mycc", *sequence);
      if (!failures.ExpectOk(info.status(), "resolving at sequence " + std::to_string(*sequence))) {
        return;
      }
      failures.Expect(
          info->definition.sequence == *sequence &&
              info->definition.endorsement_info.version() == std::to_string(*sequence) &&
              info->package_id == std::optional<std::string>(*approved),
          "resolved " + info->package_id.value_or("nothing") + " at sequence " +
              std::to_string(info->definition.sequence) + ", the simulation read " + *approved +
              " at sequence " + std::to_string(*sequence));
      simulator->Done();
      ++resolved;
    }
  };
  testing::WorkerThread first(resolver);
  testing::WorkerThread second(resolver);
  int64_t sequence = 1;
  for (int round = 0; round < 12; ++round) {
    const std::string& next = packages[(round + 1) % packages.size()];
    if (round % 2 == 0) {
      f.Approve("mycc", MinimalDefinition(std::to_string(sequence), sequence), next);
    } else {
      ++sequence;
      const auto definition = MinimalDefinition(std::to_string(sequence), sequence);
      f.Define("mycc", definition, definition, next);
    }
    // Let the resolvers see each state before the next commit.
    const int seen = resolved.load();
    REQUIRE(testing::WaitUntil([&] { return resolved.load() >= seen + 4; }));
  }
  first.RequestStop();
  second.RequestStop();
  CHECK(first.Join() == testing::kNoFailures);
  CHECK(second.Join() == testing::kNoFailures);
  CHECK(f.cache->CachedChaincodes(kChannel) == 1);
}

}  // namespace
}  // namespace weft::peer::node
