#include "common/config/orderer_config.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/unit/common/config/config_files.h"

using namespace std::chrono_literals;
using weft::common::config::Environment;
using weft::common::config::LoadOrdererConfig;
using weft::common::config::MetricsProvider;
using weft::common::config::OrdererConfig;
using weft::common::config::testing::SampleDir;
using weft::common::config::testing::WriteFile;

namespace {

constexpr std::string_view kMinimal =
    "General:\n  LocalMSPDir: msp\n  LocalMSPID: OrdererMSP\nFileLedger:\n  Location: ledger\n";

// Loads `yaml` as orderer.yaml from a fresh temp dir.
struct Attempt {
  weft::testing::TempDir dir;
  weft::StatusOr<weft::common::config::Loaded<OrdererConfig>> result =
      absl::UnknownError("not run");

  explicit Attempt(std::string_view yaml, const Environment& env = {}) {
    result = LoadOrdererConfig(WriteFile(dir / "orderer.yaml", yaml), env);
  }
  std::string Error() const { return std::string(result.status().message()); }
  const OrdererConfig& Config() const {
    REQUIRE(result.ok());
    return result->config;
  }
};

// kMinimal plus more top-level sections (never General or FileLedger again).
std::string Minimal(std::string_view extra) { return std::string(kMinimal) + std::string(extra); }

}  // namespace

TEST_CASE("The sample orderer.yaml loads with no warnings") {
  const auto dir = SampleDir();
  auto loaded = LoadOrdererConfig(dir / "orderer.yaml", {});
  REQUIRE(loaded.ok());
  const OrdererConfig& config = loaded->config;
  CHECK(loaded->warnings.empty());
  CHECK(config.general.server.listen_address == "127.0.0.1:7050");
  CHECK(config.general.server.tls.certificate == dir / "tls/server.crt");
  CHECK(config.general.server.tls.root_cas ==
        std::vector<std::filesystem::path>{dir / "tls/ca.crt"});
  CHECK(config.general.local_msp_dir == dir / "msp");
  CHECK(config.general.local_msp_id == "SampleOrg");
  CHECK(config.general.bootstrap_method == "none");
  CHECK(config.file_ledger.location == dir / "data/orderer");
  CHECK(config.kafka.retry.short_interval == 5s);
  CHECK(config.admin.listen_address == "127.0.0.1:7053");
  CHECK(config.operations.listen_address == "127.0.0.1:8443");
  CHECK(config.metrics.provider == MetricsProvider::kPrometheus);
  CHECK(config.channel_participation.enabled);
  CHECK(config.channel_participation.max_request_body_size == 1024 * 1024);
}

TEST_CASE("An orderer.yaml with only the required keys gets Fabric's defaults") {
  Attempt attempt(kMinimal);
  const OrdererConfig& config = attempt.Config();
  CHECK(config.general.server.listen_address == "127.0.0.1:7050");
  CHECK(config.general.server.keepalive.min_interval == 60s);
  CHECK(config.general.server.keepalive.interval == 2h);
  CHECK(config.general.server.keepalive.timeout == 20s);
  CHECK(config.general.server.max_recv_message_size == 100 * 1024 * 1024);
  CHECK(config.general.authentication_time_window == 15min);
  CHECK_FALSE(config.general.authentication_no_expiration_checks);
  CHECK(config.general.local_msp_dir == attempt.dir / "msp");
  CHECK(config.kafka.retry.long_total == 12h);
  CHECK(config.kafka.topic_replication_factor == 3);
  CHECK(config.metrics.provider == MetricsProvider::kDisabled);
}

TEST_CASE("ORDERER_ variables override orderer.yaml for every value type") {
  const Environment env = {
      {"ORDERER_GENERAL_LISTENADDRESS", "0.0.0.0"},
      {"ORDERER_GENERAL_LISTENPORT", "7150"},
      {"ORDERER_GENERAL_TLS_ENABLED", "true"},
      {"ORDERER_GENERAL_TLS_CERTIFICATE", "/certs/server.crt"},
      {"ORDERER_GENERAL_TLS_PRIVATEKEY", "tls/server.key"},
      {"ORDERER_GENERAL_TLS_ROOTCAS", "[tls/ca1.crt, /certs/ca2.crt]"},
      {"ORDERER_GENERAL_KEEPALIVE_SERVERTIMEOUT", "45s"},
      {"ORDERER_CHANNELPARTICIPATION_MAXREQUESTBODYSIZE", "10 MB"},
      {"ORDERER_GENERAL_AUTHENTICATION_NOEXPIRATIONCHECKS", "true"},
  };
  Attempt attempt(kMinimal, env);
  const OrdererConfig& config = attempt.Config();
  CHECK(config.general.server.listen_address == "0.0.0.0:7150");
  CHECK(config.general.server.tls.enabled);
  CHECK(config.general.server.tls.certificate == "/certs/server.crt");
  CHECK(config.general.server.tls.private_key == attempt.dir / "tls/server.key");
  CHECK(config.general.server.tls.root_cas ==
        std::vector<std::filesystem::path>{attempt.dir / "tls/ca1.crt", "/certs/ca2.crt"});
  CHECK(config.general.server.keepalive.timeout == 45s);
  CHECK(config.channel_participation.max_request_body_size == 10 * 1024 * 1024);
  CHECK(config.general.authentication_no_expiration_checks);
}

TEST_CASE("General.ListenAddress and ListenPort join into one gRPC address") {
  Attempt ipv6(kMinimal, {{"ORDERER_GENERAL_LISTENADDRESS", "::1"}});
  CHECK(ipv6.Config().general.server.listen_address == "[::1]:7050");
  Attempt port_only(kMinimal, {{"ORDERER_GENERAL_LISTENPORT", "0"}});
  CHECK(port_only.Config().general.server.listen_address == "127.0.0.1:0");
}

TEST_CASE("A missing required orderer key is named") {
  Attempt attempt("General:\n  LocalMSPDir: msp\nFileLedger:\n  Location: ledger\n");
  CHECK(attempt.result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(attempt.Error() == "orderer.yaml: General.LocalMSPID: required key is missing");
}

TEST_CASE("A required orderer key may come from the environment alone") {
  Attempt attempt("General:\n  LocalMSPDir: msp\nFileLedger:\n  Location: ledger\n",
                  {{"ORDERER_GENERAL_LOCALMSPID", "EnvMSP"}});
  CHECK(attempt.Config().general.local_msp_id == "EnvMSP");
}

TEST_CASE("Mistyped orderer values are reported with file, key and the bad text") {
  SECTION("integer") {
    Attempt attempt(
        "General:\n  ListenPort: abc\n  LocalMSPDir: msp\n  LocalMSPID: O\n"
        "FileLedger:\n  Location: l\n");
    CHECK(attempt.Error() == "orderer.yaml: General.ListenPort: expected an integer, got 'abc'");
  }
  SECTION("port out of range") {
    Attempt attempt(kMinimal, {{"ORDERER_GENERAL_LISTENPORT", "70000"}});
    CHECK(attempt.Error() ==
          "orderer.yaml: General.ListenPort (set by ORDERER_GENERAL_LISTENPORT): expected an "
          "integer from 0 to 65535, got '70000'");
  }
  SECTION("bool") {
    Attempt attempt(Minimal("Kafka:\n  Verbose: loud\n"));
    CHECK(attempt.Error() == "orderer.yaml: Kafka.Verbose: expected true or false, got 'loud'");
  }
  SECTION("duration") {
    Attempt attempt(Minimal("Kafka:\n  Retry:\n    ShortTotal: 10\n"));
    CHECK(attempt.Error() ==
          "orderer.yaml: Kafka.Retry.ShortTotal: expected a duration such as 10s, 2m or 1h30m, "
          "got '10'");
  }
  SECTION("byte size") {
    Attempt attempt(Minimal("ChannelParticipation:\n  MaxRequestBodySize: 1 TB\n"));
    CHECK(attempt.Error() ==
          "orderer.yaml: ChannelParticipation.MaxRequestBodySize: expected a byte size such as "
          "512 KB, 10 MB or 1048576, got '1 TB'");
  }
  SECTION("byte size too large for its field") {
    Attempt attempt(Minimal("ChannelParticipation:\n  MaxRequestBodySize: 4 G\n"));
    CHECK(attempt.Error() ==
          "orderer.yaml: ChannelParticipation.MaxRequestBodySize: expected a byte size of at "
          "most 4294967295 bytes, got '4 G'");
  }
  SECTION("enum") {
    Attempt attempt(Minimal("Metrics:\n  Provider: statsd\n"));
    CHECK(attempt.Error() ==
          "orderer.yaml: Metrics.Provider: expected one of disabled, prometheus, got 'statsd'");
  }
}

TEST_CASE("A BootstrapMethod other than none is rejected by name") {
  Attempt attempt(kMinimal, {{"ORDERER_GENERAL_BOOTSTRAPMETHOD", "file"}});
  CHECK(attempt.Error() ==
        "orderer.yaml: General.BootstrapMethod: 'file' is not supported; Weft orderers start "
        "with 'none' and join channels through the channel participation API");
}

TEST_CASE("Enabling orderer TLS without a key pair is rejected") {
  Attempt attempt(kMinimal, {{"ORDERER_GENERAL_TLS_ENABLED", "true"}});
  CHECK(attempt.Error() ==
        "orderer.yaml: General.TLS.Certificate: required when General.TLS.Enabled is true; "
        "orderer.yaml: General.TLS.PrivateKey: required when General.TLS.Enabled is true");
}

TEST_CASE("The admin endpoint with TLS must require client certificates") {
  Attempt attempt(
      Minimal("Admin:\n  TLS:\n    Enabled: true\n    Certificate: c\n"
              "    PrivateKey: k\n    ClientAuthRequired: false\n"));
  CHECK(attempt.Error() ==
        "orderer.yaml: Admin.TLS.ClientAuthRequired: must be true when Admin.TLS.Enabled is true");
}

TEST_CASE("Fabric orderer sections Weft does not implement become warnings") {
  Attempt attempt(Minimal("Consensus:\n  WALDir: wal\nDebug:\n  BroadcastTraceDir: x\n"));
  REQUIRE(attempt.result.ok());
  CHECK(attempt.result->warnings ==
        std::vector<std::string>{"orderer.yaml: Consensus: unknown key, ignored",
                                 "orderer.yaml: Debug: unknown key, ignored"});
}
