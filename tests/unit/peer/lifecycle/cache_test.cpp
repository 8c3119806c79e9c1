// The lifecycle cache as Fabric's release-2.5 core/chaincode/lifecycle/cache.go:
// a definition is read from the state once and kept until a block writes its
// public keys or this org's hashed keys of its committed sequence
// (HandleStateUpdates: SequenceMatcher and InterestingHashes); approvals and
// packages are judged by hashes (IsSerialized, hashOfCCHash); installs make an
// approved package runnable (HandleChaincodeInstalled).
#include "peer/lifecycle/cache.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto/hash.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle_functions.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/lifecycle_state.h"
#include "tests/support/require_ok.h"
#include "tests/support/temp_dir.h"

namespace weft::peer::lifecycle {
namespace {

using weft::testing::MinimalDefinition;
using weft::testing::RequireOk;

namespace statedb = ledger::statedb;

const std::string kChannel = "mychannel";
const std::string kMspId = "Org1MSP";

// The state DB seam with its reads counted (and, optionally, something done on the
// first read, to put a commit between a lookup's read and its insertion).
class CountingStateDb final : public statedb::StateDb {
 public:
  explicit CountingStateDb(const statedb::StateDb& state) : state_(state) {}

  mutable std::atomic<int> reads{0};
  std::function<void()> on_first_read;

  [[nodiscard]] StatusOr<std::optional<statedb::VersionedValue>> GetState(
      std::string_view ns, std::string_view key) const override {
    Count();
    return state_.GetState(ns, key);
  }
  [[nodiscard]] StatusOr<std::vector<std::optional<statedb::VersionedValue>>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) const override {
    Count();
    return state_.GetStateMultipleKeys(ns, keys);
  }
  [[nodiscard]] StatusOr<std::unique_ptr<statedb::StateIterator>> GetStateRangeScanIterator(
      std::string_view ns, std::string_view start_key, std::string_view end_key) const override {
    Count();
    return state_.GetStateRangeScanIterator(ns, start_key, end_key);
  }
  // A read-only view for the cache under test, which never writes; the ledger writes
  // to the state DB it wraps. A write through the view is a test bug and is refused.
  [[nodiscard]] Status ApplyUpdates(const statedb::UpdateBatch&, uint64_t) override {
    return absl::FailedPreconditionError("CountingStateDb is read-only: the cache only reads");
  }
  void StageUpdates(const statedb::UpdateBatch&, uint64_t,
                    common::ledger::kvstore::WriteBatch&) const override {}
  [[nodiscard]] StatusOr<std::optional<uint64_t>> GetSavepoint() const override {
    return state_.GetSavepoint();
  }

 private:
  void Count() const {
    if (reads++ == 0 && on_first_read) on_first_read();
  }
  const statedb::StateDb& state_;
};

struct Fixture {
  testing::TempDir dir;
  std::shared_ptr<Cache> cache = std::make_shared<Cache>(kMspId);
  std::shared_ptr<ledger::PeerLedger> ledger;

  Fixture() {
    ledger::LedgerOptions options;
    options.state_listeners.push_back(cache);
    ledger = RequireOk(ledger::LedgerManager(dir.path() / "ledgersData", options)
                           .CreateLedger(testing::GenesisBlock(kChannel)));
  }

  void Commit(const std::string& name, const std::optional<ChaincodeDefinition>& committed,
              const std::optional<ChaincodeDefinition>& approved, const std::string& package_id,
              const std::string& msp_id = kMspId) {
    testing::CommitLifecycleWrites(*ledger, dir.path(), msp_id, name, committed, approved,
                                   package_id);
  }

  // A lookup through a fresh counting view of the state; returns how many reads it made.
  int Lookup(const std::string& name, std::optional<LocalChaincodeInfo>* info = nullptr) {
    CountingStateDb counting(ledger->state());
    auto found = RequireOk(cache->ChaincodeInfo(kChannel, name, counting));
    if (info != nullptr) *info = std::move(found);
    return counting.reads.load();
  }
};

TEST_CASE("A cached definition is served without reading the state") {
  Fixture f;
  const std::string package = "mycc_1:0123";
  f.cache->HandleChaincodeInstalled(package);
  f.Commit("mycc", MinimalDefinition("1.0", 1), MinimalDefinition("1.0", 1), package);

  std::optional<LocalChaincodeInfo> info;
  CHECK(f.Lookup("mycc", &info) > 0);  // the miss reads the definition and approval
  REQUIRE(info.has_value());
  CHECK(info->definition.sequence == 1);
  CHECK(info->definition.endorsement_info.version() == "1.0");
  CHECK(info->approved);
  CHECK(info->package_id == std::optional<std::string>(package));

  info.reset();
  CHECK(f.Lookup("mycc", &info) == 0);
  REQUIRE(info.has_value());
  CHECK(info->package_id == std::optional<std::string>(package));
  CHECK(f.cache->CachedChaincodes(kChannel) == 1);

  // Nothing is kept for a chaincode without a definition (entries stay bounded by
  // the committed chaincodes).
  CHECK(f.Lookup("nobody", &info) > 0);
  CHECK_FALSE(info.has_value());
  CHECK(f.cache->CachedChaincodes(kChannel) == 1);
}

TEST_CASE("Only blocks writing a definition or this org's keys of its sequence drop it") {
  Fixture f;
  f.cache->HandleChaincodeInstalled("mycc_1:0123");
  f.cache->HandleChaincodeInstalled("mycc_2:4567");
  f.Commit("mycc", MinimalDefinition("1.0", 1), MinimalDefinition("1.0", 1), "mycc_1:0123");
  f.Commit("other", MinimalDefinition("1.0", 1), MinimalDefinition("1.0", 1), "mycc_1:0123");
  REQUIRE(f.Lookup("mycc") > 0);
  REQUIRE(f.Lookup("other") > 0);

  // Another chaincode's definition, another org's approval of mycc's sequence and this
  // org's approval of the next (uncommitted) sequence leave mycc's entry alone.
  f.Commit("other", MinimalDefinition("2.0", 2), MinimalDefinition("2.0", 2), "mycc_2:4567");
  f.Commit("mycc", std::nullopt, MinimalDefinition("1.0", 1), "", "Org2MSP");
  f.Commit("mycc", std::nullopt, MinimalDefinition("2.0", 2), "mycc_2:4567");
  CHECK(f.Lookup("mycc") == 0);
  CHECK(f.Lookup("other") > 0);

  // This org's re-approval of the committed sequence with another package.
  f.Commit("mycc", std::nullopt, MinimalDefinition("1.0", 1), "mycc_2:4567");
  std::optional<LocalChaincodeInfo> info;
  CHECK(f.Lookup("mycc", &info) > 0);
  REQUIRE(info.has_value());
  CHECK(info->package_id == std::optional<std::string>("mycc_2:4567"));

  // The next sequence committed (already approved above).
  f.Commit("mycc", MinimalDefinition("2.0", 2), std::nullopt, "");
  CHECK(f.Lookup("mycc", &info) > 0);
  REQUIRE(info.has_value());
  CHECK(info->definition.sequence == 2);
  CHECK(info->approved);
  CHECK(info->package_id == std::optional<std::string>("mycc_2:4567"));
  CHECK(f.Lookup("mycc") == 0);
}

TEST_CASE("Approvals are judged by hashes and installs make approved packages runnable") {
  Fixture f;
  f.Commit("mycc", MinimalDefinition("1.0", 1), MinimalDefinition("1.0", 1), "mycc_1:0123");
  f.Commit("mismatch", MinimalDefinition("1.0", 1), MinimalDefinition("9.9", 1), "mycc_1:0123");
  f.Commit("unapproved", MinimalDefinition("1.0", 1), std::nullopt, "");

  std::optional<LocalChaincodeInfo> info;
  f.Lookup("mycc", &info);
  REQUIRE(info.has_value());
  CHECK(info->approved);
  CHECK_FALSE(info->package_id.has_value());  // not installed yet
  // cache.go HandleChaincodeInstalled: no state read, the cached entry now runs it.
  f.cache->HandleChaincodeInstalled("mycc_1:0123");
  CHECK(f.Lookup("mycc", &info) == 0);
  CHECK(info->package_id == std::optional<std::string>("mycc_1:0123"));

  // cache.go update: "does not have our org's approval" when the parameters differ.
  for (const char* name : {"mismatch", "unapproved"}) {
    INFO(name);
    f.Lookup(name, &info);
    REQUIRE(info.has_value());
    CHECK_FALSE(info->approved);
    CHECK_FALSE(info->package_id.has_value());
  }

  // InitializeLocalChaincodes on a cache made at a later start.
  Cache restarted(kMspId);
  restarted.InitializeLocalChaincodes({"mycc_1:0123"});
  CountingStateDb counting(f.ledger->state());
  auto again = RequireOk(restarted.ChaincodeInfo(kChannel, "mycc", counting));
  REQUIRE(again.has_value());
  CHECK(again->package_id == std::optional<std::string>("mycc_1:0123"));
}

TEST_CASE("A lookup whose read raced a state update answers it but does not keep it") {
  Fixture f;
  f.Commit("mycc", MinimalDefinition("1.0", 1), MinimalDefinition("1.0", 1), "");
  CountingStateDb counting(f.ledger->state());
  // As a commit of the channel landing between the lookup's read and its insertion
  // (possible only for a caller not holding the ledger's read lock).
  counting.on_first_read = [&] {
    ledger::StateUpdateTrigger trigger;
    trigger.channel_id = kChannel;
    trigger.block_number = 9;
    trigger.updates[std::string(kLifecycleNamespace)].public_keys.push_back(
        "namespaces/fields/mycc/Sequence");
    f.cache->HandleStateUpdates(trigger);
  };
  auto info = RequireOk(f.cache->ChaincodeInfo(kChannel, "mycc", counting));
  REQUIRE(info.has_value());
  CHECK(info->definition.sequence == 1);
  CHECK(f.cache->CachedChaincodes(kChannel) == 0);
  CHECK(f.Lookup("mycc") > 0);
  CHECK(f.cache->CachedChaincodes(kChannel) == 1);
}

TEST_CASE("The ledger tells its state listeners the public and hashed keys a block wrote") {
  // Fabric's StateUpdateTrigger: the listener's namespaces only, public keys and
  // collection key hashes; private values are not part of it.
  struct Recorder final : ledger::StateListener {
    std::vector<ledger::StateUpdateTrigger> triggers;
    std::vector<std::string> InterestedInNamespaces() const override {
      return {std::string(kLifecycleNamespace)};
    }
    void HandleStateUpdates(const ledger::StateUpdateTrigger& trigger) override {
      triggers.push_back(trigger);
    }
  };
  testing::TempDir dir;
  auto recorder = std::make_shared<Recorder>();
  ledger::LedgerOptions options;
  options.state_listeners.push_back(recorder);
  auto opened = RequireOk(ledger::LedgerManager(dir.path() / "ledgersData", options)
                              .CreateLedger(testing::GenesisBlock(kChannel)));
  CHECK(recorder->triggers.empty());  // the genesis block writes no _lifecycle key
  testing::CommitLifecycleWrites(*opened, dir.path(), kMspId, "mycc", std::nullopt,
                                 MinimalDefinition("1.0", 1), "mycc_1:0123");
  REQUIRE(recorder->triggers.size() == 1);
  const auto& trigger = recorder->triggers[0];
  CHECK(trigger.channel_id == kChannel);
  CHECK(trigger.block_number == 1);
  REQUIRE(trigger.updates.size() == 1);
  const auto& lifecycle_updates = trigger.updates.at(std::string(kLifecycleNamespace));
  CHECK(lifecycle_updates.public_keys.empty());
  REQUIRE(lifecycle_updates.collection_key_hashes.size() == 1);
  const auto& hashes = lifecycle_updates.collection_key_hashes.at(ImplicitCollectionName(kMspId));
  CHECK(std::find(hashes.begin(), hashes.end(),
                  common::crypto::Sha256("chaincode-sources/fields/mycc#1/PackageID")) !=
        hashes.end());
}

}  // namespace
}  // namespace weft::peer::lifecycle
