// Issue [F9]'s Node chaincode flow on real processes (two orgs' peers and a solo
// orderer, TLS on, so the chaincode dials the peer with mutual TLS): an asset-transfer
// contract written for fabric-contract-api 2.5.8 from npm, unmodified, packaged as
// Fabric release-2.5's `peer lifecycle chaincode package --lang node` writes it
// (internal/peer/lifecycle/chaincode/package.go; core/chaincode/platforms/node), goes
// through install, approveformyorg, checkcommitreadiness and commit on both orgs, is
// built and launched by each peer's built-in node builder (npm ci, then npm start, as
// Fabric's node platform and Docker launcher do), invoked through proposals endorsed
// by both orgs, ordered and committed; then an upgrade to sequence 2 with a one-org
// policy lets a single org endorse.
//
// npm must not reach a registry here: the peers get npm_config_offline=true, so every
// package comes from npm's cache, which deploy/setup.sh fills from the contract's
// package-lock.json.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/policies/policy_dsl.h"
#include "tests/support/chaincode_deploy.h"
#include "tests/support/child_process.h"
#include "tests/support/fabric_package.h"
#include "tests/support/temp_dir.h"

using namespace weft::peer_chaincode_test;  // NOLINT: the shared lifecycle helpers

namespace {

const fs::path kContract =
    fs::path(WEFT_SOURCE_DIR) / "tests" / "interop" / "chaincode" / "asset-transfer-basic";
constexpr char kNodeLabel[] = "basic-node_1.0";

bool HaveNpm() { return testing::RunCommand({"sh", "-c", "command -v npm"}).exit_code == 0; }

// Sets an environment variable of this process (and so of the peers it starts) for a
// scope. The test is single-threaded while it is set.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The peer's node build (npm ci --omit=dev --prefer-offline) must succeed offline;
// tried first on a copy so that an empty cache is reported as such rather than as a
// failed endorsement. Returns npm's output when it fails.
std::optional<std::string> OfflineInstallProblem() {
  weft::testing::TempDir copy("weft-node-cc-check");
  for (const char* file : {"package.json", "package-lock.json"}) {
    fs::copy_file(kContract / file, copy / file);
  }
  const testing::CommandResult run = testing::RunCommand(
      {"npm", "ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"},
      {{"npm_config_offline", "true"}, {"npm_config_update_notifier", "false"}}, copy.path());
  if (run.exit_code == 0) return std::nullopt;
  return run.output();
}

// package.go with --lang node: metadata.json {"path","type":"node","label"} and
// code.tar.gz holding the project's files under src/ without node_modules
// (platforms/util/writer.go WriteFolderToTarPackage).
std::string NodePackage() {
  return testing::FabricPackage(kContract.string(), "node", kNodeLabel,
                                testing::FabricCodePackage(kContract));
}

const std::string kAsset7 =
    R"({"AppraisedValue":900,"Color":"purple","ID":"asset7","Owner":"Fabric","Size":20})";

}  // namespace

TEST_CASE(
    "Node asset-transfer-basic (fabric-contract-api from npm): built and launched by both "
    "peers' node builder, endorsed by both orgs with identical state, then upgraded to a "
    "one-org policy") {
  if (!HaveNpm()) {
    WARN("npm is not installed; Node chaincode is not tested (deploy/setup.sh installs it)");
    return;
  }
  {
    const std::optional<std::string> problem = OfflineInstallProblem();
    INFO("npm ci cannot install " << kContract.string() << " offline: run deploy/setup.sh to "
                                  << "fill npm's cache. npm said:\n"
                                  << problem.value_or(""));
    REQUIRE_FALSE(problem.has_value());
  }
  const ScopedEnv offline("npm_config_offline", "true");

  ChaincodeNetwork net;
  const std::string package = NodePackage();
  const std::string package_id = DefineOnBoth(net, package, kNodeLabel);

  // Org1's client; both peers endorse, which meets MAJORITY of two orgs. The first
  // invocation builds (npm ci) and starts (npm start) the chaincode on each peer.
  const SigningIdentity& creator = net.user(1);
  CHECK(CodeName(net.Invoke(creator, kChaincode, "InitLedger", {}, {1, 2})) == "VALID");
  CHECK(CodeName(net.Invoke(creator, kChaincode, "CreateAsset",
                            {"asset7", "purple", "20", "Weft", "900"}, {1, 2})) == "VALID");
  std::string old_owner;
  CHECK(CodeName(net.Invoke(creator, kChaincode, "TransferAsset", {"asset7", "Fabric"}, {1, 2},
                            &old_owner)) == "VALID");
  CHECK(old_owner == "Weft");  // a returned string is the payload's text (D.7 dispatch)

  // The same client-side expectations as for the C++ sample: compact JSON, sorted keys.
  CHECK(net.ReadOnBoth("asset7") == kAsset7);
  CHECK(net.ReadOnBoth("asset1") ==
        R"({"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5,)"
        R"("docType":"asset"})");
  {
    const ::protos::Response first = net.Evaluate(1, kChaincode, "GetAllAssets", {});
    const ::protos::Response second = net.Evaluate(2, kChaincode, "GetAllAssets", {});
    REQUIRE(first.status() == 200);
    REQUIRE(second.status() == 200);
    CHECK(first.payload() == second.payload());
    const auto all = nlohmann::json::parse(first.payload());
    REQUIRE(all.size() == 7);
    CHECK(all[6].dump() == kAsset7);
    CHECK(net.Evaluate(1, kChaincode, "AssetExists", {"asset3"}).payload() == "true");
    CHECK(net.Evaluate(2, kChaincode, "AssetExists", {"asset404"}).payload() == "false");
  }

  {  // it really is fabric-contract-api: its system contract describes the contract
    const ::protos::Response metadata =
        net.Evaluate(2, kChaincode, "org.hyperledger.fabric:GetMetadata", {});
    INFO(metadata.message());
    REQUIRE(metadata.status() == 200);
    const auto parsed = nlohmann::json::parse(metadata.payload());
    CHECK(parsed.at("contracts").contains("AssetTransferContract"));
  }

  {  // a thrown error reaches the client as the contract's 500 and message, unendorsed
     // (fabric-contract-api answers Response{500, error.message}; Fabric's endorser.go
     // returns a chaincode response >= 400 without an endorsement)
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const ::protos::ProposalResponse missing =
          net.Ask(org, net.Proposal(creator, kChaincode, "ReadAsset", {"asset404"}));
      CHECK(missing.response().status() == 500);
      CHECK(missing.response().message() == "The asset asset404 does not exist");
      CHECK(missing.endorsement().signature().empty());
    }
  }

  {  // one org's endorsement does not meet MAJORITY (v20 validation plugin)
    CHECK(CodeName(net.Invoke(creator, kChaincode, "CreateAsset",
                              {"asset8", "grey", "1", "Nobody", "1"}, {1})) ==
          "ENDORSEMENT_POLICY_FAILURE");
    for (int org = 1; org <= 2; ++org) {
      CHECK(net.Evaluate(org, kChaincode, "AssetExists", {"asset8"}).payload() == "false");
    }
  }

  {  // upgrade: sequence 2, same package, OR('Org1MSP.peer','Org2MSP.peer')
    const Definition upgrade =
        SignaturePolicyDefinition(2, "2.0", "OR('Org1MSP.peer','Org2MSP.peer')");
    net.ApproveAndCommitOnBoth(upgrade, package_id);
    CHECK(CodeName(net.Invoke(creator, kChaincode, "CreateAsset",
                              {"asset9", "orange", "3", "Solo", "30"}, {1})) == "VALID");
    CHECK(CodeName(net.Invoke(net.user(2), kChaincode, "TransferAsset", {"asset9", "Duo"}, {2})) ==
          "VALID");
    CHECK(CodeName(net.Invoke(net.user(2), kChaincode, "DeleteAsset", {"asset6"}, {2})) == "VALID");
    CHECK(net.ReadOnBoth("asset9") ==
          R"({"AppraisedValue":30,"Color":"orange","ID":"asset9","Owner":"Duo","Size":3})");
    CHECK(net.ReadOnBoth("asset7") == kAsset7);
  }

  {  // both ledgers, read after the peers stopped, hold the same blocks and state
    auto state = CompareStoppedLedgers(net, {kChaincode, "_lifecycle"});
    std::vector<std::string> keys;
    for (const auto& [key, value] : state[kChaincode]) keys.push_back(key);
    // asset8 failed validation; asset6 was deleted.
    CHECK(keys == std::vector<std::string>{"asset1", "asset2", "asset3", "asset4", "asset5",
                                           "asset7", "asset9"});
  }
}
