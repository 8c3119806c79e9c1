// tools/bench/run.sh OUTDIR in its short mode: 1,000 CreateAsset transactions per
// scenario (create-1org, create-2org) against this build tree's programs, then the
// schema of OUTDIR/results.json and the ECDSA operations counted on the nodes' /metrics
// and by weft-bench. Speed is not checked.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kScript = fs::path(WEFT_SOURCE_DIR) / "tools" / "bench" / "run.sh";
constexpr int kTransactions = 1000;

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// The "signs" or "verifies" of `process` in results.json's ecdsa_per_process, -1 when absent.
int64_t Count(const json& per_process, const std::string& process, const char* kind) {
  if (!per_process.contains(process)) return -1;
  return per_process[process].value(kind, int64_t{-1});
}

bool IsNumber(const json& result, const char* key) {
  return result.contains(key) && result[key].is_number();
}

}  // namespace

TEST_CASE("run.sh commits 1,000 VALID transactions per scenario and writes results.json") {
  weft::testing::TempDir dir("weft-bench-run");
  const fs::path out = dir.path() / "out";
  const weft::testing::CommandResult run = weft::testing::RunCommand(
      {"bash", kScript.string(), out.string()}, {{"WEFT_BUILD_DIR", WEFT_BINARY_DIR},
                                                 {"BENCH_TX_COUNT", std::to_string(kTransactions)},
                                                 {"BENCH_CLIENTS", "32"}});
  INFO(run.output());
  REQUIRE(run.exit_code == 0);

  // Every node of both networks was stopped (run.sh wrote "<pid> <node>" per node).
  for (const char* scenario : {"create-1org", "create-2org"}) {
    std::ifstream nodes(out / (std::string(scenario) + ".nodes"));
    int nodes_seen = 0;
    for (std::string line; std::getline(nodes, line);) {
      const pid_t pid = std::stoi(line);
      INFO(scenario << " node still running: " << line);
      CHECK(kill(pid, 0) != 0);
      ++nodes_seen;
    }
    // The orderer and one peer per org.
    CHECK(nodes_seen == (std::string(scenario) == "create-1org" ? 2 : 3));
  }

  const json results = ReadJson(out / "results.json");
  INFO(results.dump(2));
  REQUIRE(results.is_array());
  REQUIRE(results.size() == 2);
  for (size_t i = 0; i < results.size(); ++i) {
    const json& result = results[i];
    const std::string name = i == 0 ? "create-1org" : "create-2org";
    INFO("scenario " << name);
    CHECK(result.value("name", "") == name);
    for (const char* key :
         {"committed_tps", "p50_ms", "p99_ms", "signs_per_tx", "verifies_per_tx", "ceiling_tps"}) {
      INFO("key " << key);
      REQUIRE(IsNumber(result, key));
      CHECK(result[key].get<double>() > 0);
    }
    CHECK(result["p99_ms"].get<double>() >= result["p50_ms"].get<double>());
    REQUIRE(result.contains("codes"));
    REQUIRE(result["codes"].is_object());
    // CreateAsset of new keys cannot conflict: every transaction is VALID.
    CHECK(result["codes"].value("VALID", 0) == kTransactions);
    CHECK(result["codes"].size() == 1);

    // The lower bounds of the ECDSA operations per transaction, by Fabric's flow:
    // the client signs the proposal and the envelope (fabric-gateway's client), each
    // endorser signs its endorsement (core/endorser: endorsement via escc) after
    // verifying the proposal's signature (core/endorser/msgvalidation.go), the orderer
    // verifies the envelope's creator signature (orderer/common/msgprocessor
    // sigfilter.go), and every committing peer verifies the creator signature
    // (core/common/validation/msgvalidation.go) and each endorsement (builtin vscc's
    // endorsement policy evaluation).
    const int orgs = i == 0 ? 1 : 2;
    CHECK(result["signs_per_tx"].get<double>() >= 2 + orgs);
    CHECK(result["verifies_per_tx"].get<double>() >= orgs + 1 + orgs * (1 + orgs));
    // Per process: the nodes' counts are the deltas of crypto_ecdsa_*_count on their
    // /metrics, weft-bench's its own (its result's "ecdsa").
    REQUIRE(result.contains("ecdsa_per_process"));
    const json& per_process = result["ecdsa_per_process"];
    CHECK(per_process.size() == static_cast<size_t>(2 + orgs));
    CHECK(per_process.contains("peer0.org2") == (orgs == 2));
    // weft-bench signs the proposal, the envelope and the commit-status request of each
    // transaction (gateway.proto's SignedCommitStatusRequest carries a signature) and
    // verifies nothing.
    CHECK(Count(per_process, "weft-bench", "signs") >= 3 * kTransactions);
    CHECK(Count(per_process, "weft-bench", "verifies") == 0);
    REQUIRE(result.contains("bench"));
    CHECK(result["bench"].value("ecdsa", json::object()).value("signs", int64_t{-2}) ==
          Count(per_process, "weft-bench", "signs"));
    // The orderer signs blocks (at least one) and verifies each envelope's signature.
    CHECK(Count(per_process, "orderer", "signs") >= 1);
    CHECK(Count(per_process, "orderer", "verifies") >= kTransactions);
    // Each peer endorses each transaction (the MAJORITY of one or two orgs needs every
    // org): it verifies the proposal and signs the endorsement; then it validates the
    // block: the creator's signature and every endorsement.
    for (const std::string peer : {"peer0.org1", "peer0.org2"}) {
      if (peer == "peer0.org2" && orgs == 1) continue;
      INFO("node " << peer);
      CHECK(Count(per_process, peer, "signs") >= kTransactions);
      CHECK(Count(per_process, peer, "verifies") >= (2 + orgs) * kTransactions);
    }
    // signs_per_tx and verifies_per_tx are these counts over the committed transactions.
    double signs = 0;
    double verifies = 0;
    for (const json& counts : per_process) {
      signs += counts.value("signs", 0.0);
      verifies += counts.value("verifies", 0.0);
    }
    CHECK(result["signs_per_tx"].get<double>() == Approx(signs / kTransactions));
    CHECK(result["verifies_per_tx"].get<double>() == Approx(verifies / kTransactions));
  }
}
