#include "common/config/peer_config.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/unit/common/config/config_files.h"

using namespace std::chrono_literals;
using weft::common::config::Environment;
using weft::common::config::LoadPeerConfig;
using weft::common::config::MetricsProvider;
using weft::common::config::PeerConfig;
using weft::common::config::testing::SampleDir;
using weft::common::config::testing::WriteFile;

namespace {

using Paths = std::vector<std::filesystem::path>;

constexpr std::string_view kMinimalPeer =
    "  id: peer1\n  address: 127.0.0.1:7151\n  fileSystemPath: data\n  mspConfigPath: msp\n"
    "  localMspId: Org1MSP\n";

// Loads "peer:" + kMinimalPeer + `peer_extra` (more keys under peer) + `extra` (more
// top-level sections) as core.yaml from a fresh temp dir.
struct Attempt {
  weft::testing::TempDir dir;
  weft::StatusOr<weft::common::config::Loaded<PeerConfig>> result = absl::UnknownError("not run");

  explicit Attempt(std::string_view peer_extra, std::string_view extra = "",
                   const Environment& env = {}) {
    std::string yaml =
        "peer:\n" + std::string(kMinimalPeer) + std::string(peer_extra) + std::string(extra);
    result = LoadPeerConfig(WriteFile(dir / "core.yaml", yaml), env);
  }
  std::string Error() const { return std::string(result.status().message()); }
  const PeerConfig& Config() const {
    REQUIRE(result.ok());
    return result->config;
  }
};

}  // namespace

TEST_CASE("The sample core.yaml loads with no warnings") {
  const auto dir = SampleDir();
  auto loaded = LoadPeerConfig(dir / "core.yaml", {});
  REQUIRE(loaded.ok());
  CHECK(loaded->warnings.empty());
  const PeerConfig& config = loaded->config;
  CHECK(config.peer.id == "peer0");
  CHECK(config.peer.address == "127.0.0.1:7051");
  CHECK(config.peer.server.listen_address == "127.0.0.1:7051");
  CHECK(config.peer.chaincode_listen_address == "127.0.0.1:7052");
  CHECK(config.peer.server.tls.certificate == dir / "tls/server.crt");
  CHECK(config.peer.server.tls.root_cas == Paths{dir / "tls/ca.crt"});
  // clientAuthRequired is false: Fabric ignores clientRootCAs then (GetServerConfig).
  CHECK(config.peer.server.tls.client_root_cas.empty());
  CHECK(config.peer.file_system_path == dir / "data/peer0");
  CHECK(config.peer.msp_config_path == dir / "msp");
  CHECK(config.peer.local_msp_id == "SampleOrg");
  CHECK(config.peer.gateway.dial_timeout == 2min);
  CHECK(config.chaincode.install_timeout == 300s);
  CHECK(config.chaincode.external_builders.empty());
  CHECK(config.ledger.state_database == "goleveldb");
  CHECK(config.operations.listen_address == "127.0.0.1:9443");
  CHECK(config.metrics.provider == MetricsProvider::kPrometheus);
}

TEST_CASE("A core.yaml with only the required keys gets Fabric's defaults") {
  Attempt attempt("");
  const PeerConfig& config = attempt.Config();
  CHECK(config.peer.network_id == "dev");
  // Fabric listens on peer.address when no listenAddress is given, and derives the
  // chaincode endpoint from the listen host.
  CHECK(config.peer.server.listen_address == "127.0.0.1:7151");
  CHECK(config.peer.chaincode_listen_address == "127.0.0.1:7052");
  CHECK(config.peer.chaincode_address == "127.0.0.1:7052");
  CHECK(config.peer.server.keepalive.interval == 2h);
  CHECK(config.peer.server.keepalive.min_interval == 60s);
  CHECK(config.peer.client.keepalive.interval == 60s);
  CHECK(config.peer.delivery_client.keepalive.timeout == 20s);
  CHECK(config.peer.delivery_client.conn_timeout == 3s);
  CHECK(config.peer.gateway.enabled);
  CHECK(config.peer.gateway.endorsement_timeout == 30s);
  CHECK(config.peer.limits.gateway_service == 500);
  CHECK(config.chaincode.execute_timeout == 30s);
  CHECK(config.chaincode.keepalive == 0s);
  CHECK(config.ledger.total_query_limit == 100000);
  CHECK(config.ledger.enable_history_database);
  CHECK(config.operations.listen_address == "127.0.0.1:9443");
  CHECK(config.metrics.provider == MetricsProvider::kDisabled);
}

TEST_CASE("CORE_ variables override core.yaml for every value type") {
  const Environment env = {
      {"CORE_PEER_ADDRESS", "peer1.example.com:7251"},
      {"CORE_PEER_TLS_ENABLED", "true"},
      {"CORE_PEER_TLS_CERT_FILE", "tls/server.crt"},
      {"CORE_PEER_TLS_KEY_FILE", "/keys/server.key"},
      {"CORE_PEER_TLS_CLIENTAUTHREQUIRED", "true"},
      {"CORE_PEER_TLS_CLIENTROOTCAS_FILES", "ca1.crt, ca2.crt"},
      {"CORE_PEER_LIMITS_CONCURRENCY_GATEWAYSERVICE", "64"},
      {"CORE_CHAINCODE_EXECUTETIMEOUT", "1m30s"},
      {"CORE_PEER_GATEWAY_ENABLED", "FALSE"},
  };
  Attempt attempt("", "", env);
  const PeerConfig& config = attempt.Config();
  CHECK(config.peer.address == "peer1.example.com:7251");
  CHECK(config.peer.server.tls.enabled);
  CHECK(config.peer.server.tls.certificate == attempt.dir / "tls/server.crt");
  CHECK(config.peer.server.tls.private_key == "/keys/server.key");
  CHECK(config.peer.server.tls.client_root_cas ==
        Paths{attempt.dir / "ca1.crt", attempt.dir / "ca2.crt"});
  CHECK(config.peer.limits.gateway_service == 64);
  CHECK(config.chaincode.execute_timeout == 90s);
  CHECK_FALSE(config.peer.gateway.enabled);
  // The client side follows the server's TLS unless told otherwise.
  CHECK(config.peer.client.tls.enabled);
  CHECK(config.peer.client.tls.private_key == "/keys/server.key");
}

// Fabric's peer.validatorPoolSize; 0 (one worker per core) when absent.
TEST_CASE("peer.validatorPoolSize is read from core.yaml and CORE_PEER_VALIDATORPOOLSIZE") {
  CHECK(Attempt("").Config().peer.validator_pool_size == 0);
  CHECK(Attempt("  validatorPoolSize: 4\n").Config().peer.validator_pool_size == 4);
  CHECK(Attempt("", "", {{"CORE_PEER_VALIDATORPOOLSIZE", "7"}}).Config().peer.validator_pool_size ==
        7);
}

TEST_CASE("A missing peer.address is named") {
  weft::testing::TempDir dir;
  auto loaded = LoadPeerConfig(
      WriteFile(dir / "core.yaml",
                "peer:\n  id: p\n  fileSystemPath: d\n  mspConfigPath: m\n  localMspId: O\n"),
      {});
  REQUIRE_FALSE(loaded.ok());
  CHECK(std::string(loaded.status().message()) ==
        "core.yaml: peer.address: required key is missing");
}

TEST_CASE("Mistyped core.yaml values are reported with file, key and the bad text") {
  SECTION("integer") {
    Attempt attempt("  limits:\n    concurrency:\n      endorserService: many\n");
    CHECK(attempt.Error() ==
          "core.yaml: peer.limits.concurrency.endorserService: expected an integer, got 'many'");
  }
  SECTION("bool") {
    Attempt attempt("", "", {{"CORE_PEER_TLS_ENABLED", "yes please"}});
    CHECK(attempt.Error() ==
          "core.yaml: peer.tls.enabled (set by CORE_PEER_TLS_ENABLED): expected true or "
          "false, got 'yes please'");
  }
  SECTION("duration") {
    Attempt attempt("", "chaincode:\n  executetimeout: 30 seconds\n");
    CHECK(attempt.Error() ==
          "core.yaml: chaincode.executetimeout: expected a duration such as 10s, 2m or 1h30m, "
          "got '30 seconds'");
  }
  SECTION("byte size") {
    Attempt attempt("  maxRecvMsgSize: 100 megabytes\n");
    CHECK(attempt.Error() ==
          "core.yaml: peer.maxRecvMsgSize: expected a byte size such as 512 KB, 10 MB or "
          "1048576, got '100 megabytes'");
  }
  SECTION("address") {
    Attempt attempt("", "", {{"CORE_PEER_ADDRESS", "peer0"}});
    CHECK(attempt.Error() ==
          "core.yaml: peer.address (set by CORE_PEER_ADDRESS): expected host:port, got 'peer0'");
  }
}

TEST_CASE("Only LevelDB is accepted as the state database") {
  Attempt attempt("", "ledger:\n  state:\n    stateDatabase: CouchDB\n");
  CHECK(attempt.Error() ==
        "core.yaml: ledger.state.stateDatabase: expected one of goleveldb, leveldb, got "
        "'CouchDB'");
}

TEST_CASE("External builders and orderer address overrides are read with resolved paths") {
  Attempt attempt(
      "  deliveryclient:\n    addressOverrides:\n"
      "      - from: orderer.example.com:7050\n        to: 127.0.0.1:7050\n"
      "        caCertsFile: tls/orderer-ca.crt\n",
      "chaincode:\n  externalBuilders:\n"
      "    - name: ccaas\n      path: /opt/builders/ccaas\n      propagateEnvironment: [HOME]\n"
      "    - name: local\n      path: builders/local\n");
  const PeerConfig& config = attempt.Config();
  REQUIRE(config.peer.delivery_client.address_overrides.size() == 1);
  const auto& entry = config.peer.delivery_client.address_overrides[0];
  CHECK(entry.from == "orderer.example.com:7050");
  CHECK(entry.to == "127.0.0.1:7050");
  CHECK(entry.ca_certs_file == attempt.dir / "tls/orderer-ca.crt");
  REQUIRE(config.chaincode.external_builders.size() == 2);
  CHECK(config.chaincode.external_builders[0].name == "ccaas");
  CHECK(config.chaincode.external_builders[0].path == "/opt/builders/ccaas");
  CHECK(config.chaincode.external_builders[0].propagate_environment ==
        std::vector<std::string>{"HOME"});
  CHECK(config.chaincode.external_builders[1].path == attempt.dir / "builders/local");
}

TEST_CASE("An external builder without a path is rejected") {
  Attempt attempt("", "chaincode:\n  externalBuilders:\n    - name: broken\n");
  CHECK(attempt.Error() ==
        "core.yaml: chaincode.externalBuilders[0].path: required key is missing");
}

TEST_CASE("Fabric peer sections Weft does not implement become warnings") {
  Attempt attempt("  gossip:\n    bootstrap: 127.0.0.1:7051\n",
                  "vm:\n  endpoint: unix:///var/run/docker.sock\n");
  REQUIRE(attempt.result.ok());
  CHECK(attempt.result->warnings ==
        std::vector<std::string>{"core.yaml: peer.gossip: unknown key, ignored",
                                 "core.yaml: vm: unknown key, ignored"});
}
