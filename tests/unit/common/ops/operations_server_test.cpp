#include "common/ops/operations_server.h"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"

namespace weft::common::ops {
namespace {

using nlohmann::json;

OperationsConfig LocalConfig() {
  OperationsConfig config;
  config.listener.listen_address = "127.0.0.1:0";
  config.version = "2.5.0-weft";
  config.commit_sha = "abc123";
  return config;
}

// A started server with metrics and logging wired in, plus a client for it.
struct Fixture {
  std::ostringstream log_output;
  log::LoggerFactory logging{log_output};
  metrics::MetricsRegistry metrics;
  OperationsServer server{LocalConfig(), &metrics, &logging};

  Fixture() { REQUIRE(server.Start().ok()); }
  httplib::Client Client() const { return httplib::Client("127.0.0.1", server.port()); }
};

TEST_CASE("The operations server listens on a free port when given port 0") {
  Fixture fixture;
  CHECK(fixture.server.port() > 0);
  CHECK(fixture.server.address() == "127.0.0.1:" + std::to_string(fixture.server.port()));
  auto result = fixture.Client().Get("/version");
  REQUIRE(result);
  CHECK(result->status == 200);
}

TEST_CASE("healthz reports OK when every checker passes") {
  Fixture fixture;
  REQUIRE(fixture.server.RegisterChecker("ledger", [] { return absl::OkStatus(); }).ok());
  auto result = fixture.Client().Get("/healthz");
  REQUIRE(result);
  CHECK(result->status == 200);
  const json body = json::parse(result->body);
  CHECK(body["status"] == "OK");
  CHECK(body["time"].is_string());
  CHECK_FALSE(body.contains("failed_checks"));
}

TEST_CASE("healthz answers 503 and lists each failing component with its reason") {
  Fixture fixture;
  REQUIRE(fixture.server.RegisterChecker("ledger", [] { return absl::OkStatus(); }).ok());
  REQUIRE(
      fixture.server.RegisterChecker("kafka", [] { return absl::UnavailableError("no brokers"); })
          .ok());
  auto result = fixture.Client().Get("/healthz");
  REQUIRE(result);
  CHECK(result->status == 503);
  const json body = json::parse(result->body);
  CHECK(body["status"] == "Service Unavailable");
  CHECK(body["failed_checks"] == json::array({{{"component", "kafka"}, {"reason", "no brokers"}}}));
}

TEST_CASE("A component can register only one health checker") {
  Fixture fixture;
  REQUIRE(fixture.server.RegisterChecker("ledger", [] { return absl::OkStatus(); }).ok());
  CHECK(fixture.server.RegisterChecker("ledger", [] { return absl::OkStatus(); }).code() ==
        absl::StatusCode::kAlreadyExists);
}

TEST_CASE("metrics serves the registry in Prometheus text format") {
  Fixture fixture;
  metrics::Counter* counter =
      *fixture.metrics.NewCounter({"blocks_committed", "Blocks.", {"channel"}});
  counter->Add(2, {"mychannel"});
  auto result = fixture.Client().Get("/metrics");
  REQUIRE(result);
  CHECK(result->status == 200);
  CHECK(result->get_header_value("Content-Type") == metrics::kPrometheusContentType);
  CHECK_THAT(result->body, Catch::Contains("blocks_committed{channel=\"mychannel\"} 2\n"));
}

TEST_CASE("logspec returns the active spec and PUT changes it for existing loggers") {
  Fixture fixture;
  auto endorser = fixture.logging.Get("peer.endorser");
  auto client = fixture.Client();

  auto get = client.Get("/logspec");
  REQUIRE(get);
  CHECK(json::parse(get->body) == json{{"spec", "info"}});

  auto put = client.Put("/logspec", R"({"spec":"warn:peer.endorser=debug"})", "application/json");
  REQUIRE(put);
  CHECK(put->status == 204);
  CHECK(endorser->level() == log::LogLevel::kDebug);
  CHECK(fixture.logging.Spec() == "peer.endorser=debug:warn");
}

TEST_CASE("logspec rejects a bad spec with 400 naming the bad term and keeps the old spec") {
  Fixture fixture;
  auto client = fixture.Client();
  auto put = client.Put("/logspec", R"({"spec":"info:peer=chatty"})", "application/json");
  REQUIRE(put);
  CHECK(put->status == 400);
  CHECK_THAT(json::parse(put->body)["error"].get<std::string>(), Catch::Contains("peer=chatty"));
  CHECK(fixture.logging.Spec() == "info");

  auto garbage = client.Put("/logspec", "not json", "application/json");
  REQUIRE(garbage);
  CHECK(garbage->status == 400);
}

TEST_CASE("version reports the configured version and commit") {
  Fixture fixture;
  auto result = fixture.Client().Get("/version");
  REQUIRE(result);
  CHECK(json::parse(result->body) == json{{"Version", "2.5.0-weft"}, {"CommitSHA", "abc123"}});
}

TEST_CASE("Endpoints without a dependency are not served") {
  OperationsServer server(LocalConfig(), nullptr, nullptr);
  REQUIRE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 404);
  auto logspec = client.Get("/logspec");
  REQUIRE(logspec);
  CHECK(logspec->status == 404);
}

TEST_CASE("After Stop the operations server no longer accepts connections") {
  OperationsServer server(LocalConfig(), nullptr, nullptr);
  REQUIRE(server.Start().ok());
  const int port = server.port();
  CHECK(server.Start().code() == absl::StatusCode::kFailedPrecondition);
  server.Stop();
  server.Stop();  // idempotent
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  CHECK_FALSE(client.Get("/healthz"));
}

TEST_CASE("A malformed listen address is rejected") {
  OperationsConfig config = LocalConfig();
  config.listener.listen_address = "127.0.0.1";
  OperationsServer server(config, nullptr, nullptr);
  CHECK(server.Start().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("A listen address already in use is reported as unavailable") {
  OperationsServer first(LocalConfig(), nullptr, nullptr);
  REQUIRE(first.Start().ok());
  OperationsConfig config = LocalConfig();
  config.listener.listen_address = "127.0.0.1:" + std::to_string(first.port());
  OperationsServer second(config, nullptr, nullptr);
  CHECK(second.Start().code() == absl::StatusCode::kUnavailable);
}

// TLS material for the server and one client, written to a temp dir.
struct TlsFiles {
  testing::TempDir dir{"weft-ops-tls"};
  testing::TestIdentity ca = testing::MakeTestCa("tls-ca.example.com");
  testing::TestIdentity other_ca = testing::MakeTestCa("other-ca.example.com");
  std::string ca_file = (dir / "ca.pem").string();
  std::string other_ca_file = (dir / "other-ca.pem").string();
  std::string server_cert, server_key, client_cert, client_key;

  TlsFiles() {
    testing::WriteIdentity(dir.path(), "ca", ca);
    std::filesystem::rename(dir / "ca-cert.pem", ca_file);
    testing::WriteIdentity(dir.path(), "other-ca", other_ca);
    std::filesystem::rename(dir / "other-ca-cert.pem", other_ca_file);
    server_cert = testing::WriteIdentity(
                      dir.path(), "server",
                      testing::IssueLeaf(ca, "ops.example.com", {}, {"localhost", "127.0.0.1"}))
                      .string();
    server_key = (dir / "server-key.pem").string();
    client_cert =
        testing::WriteIdentity(dir.path(), "client", testing::IssueLeaf(ca, "admin")).string();
    client_key = (dir / "client-key.pem").string();
  }

  OperationsConfig ServerConfig(bool client_auth) const {
    OperationsConfig config = LocalConfig();
    config.listener.tls.enabled = true;
    config.listener.tls.certificate = server_cert;
    config.listener.tls.private_key = server_key;
    config.listener.tls.client_auth_required = client_auth;
    config.listener.tls.client_root_cas = {other_ca_file, ca_file};
    return config;
  }
};

// GET /healthz over HTTPS from a client trusting only `ca_file`: the HTTP status, or 0 when
// no answer comes (TLS refused).
int HttpsHealthz(int port, const std::string& ca_file) {
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(ca_file.c_str());
  client.enable_server_certificate_verification(true);
  auto result = client.Get("/healthz");
  return result ? result->status : 0;
}

TEST_CASE("The operations server serves HTTPS to clients that trust its CA") {
  REQUIRE(OperationsTlsSupported());
  TlsFiles tls;
  OperationsServer server(tls.ServerConfig(/*client_auth=*/false), nullptr, nullptr);
  REQUIRE(server.Start().ok());
  CHECK(HttpsHealthz(server.port(), tls.ca_file) == 200);
  CHECK(HttpsHealthz(server.port(), tls.other_ca_file) == 0);
}

TEST_CASE("With client auth required the operations server only accepts trusted client certs") {
  REQUIRE(OperationsTlsSupported());
  TlsFiles tls;
  OperationsServer server(tls.ServerConfig(/*client_auth=*/true), nullptr, nullptr);
  REQUIRE(server.Start().ok());

  httplib::SSLClient anonymous("127.0.0.1", server.port());
  anonymous.set_ca_cert_path(tls.ca_file.c_str());
  anonymous.enable_server_certificate_verification(true);
  CHECK_FALSE(anonymous.Get("/healthz"));

  httplib::SSLClient with_cert("127.0.0.1", server.port(), tls.client_cert, tls.client_key);
  with_cert.set_ca_cert_path(tls.ca_file.c_str());
  with_cert.enable_server_certificate_verification(true);
  auto ok = with_cert.Get("/healthz");
  REQUIRE(ok);
  CHECK(ok->status == 200);

  const auto stranger = testing::MakeTestCa("stranger-ca");
  const std::string stranger_cert =
      testing::WriteIdentity(tls.dir.path(), "stranger", testing::IssueLeaf(stranger, "intruder"))
          .string();
  httplib::SSLClient untrusted("127.0.0.1", server.port(), stranger_cert,
                               (tls.dir / "stranger-key.pem").string());
  untrusted.set_ca_cert_path(tls.ca_file.c_str());
  untrusted.enable_server_certificate_verification(true);
  CHECK_FALSE(untrusted.Get("/healthz"));
}

TEST_CASE("The operations server takes its TLS key pair as PEM contents as well as files") {
  REQUIRE(OperationsTlsSupported());
  TlsFiles tls;
  const testing::TestIdentity server_identity =
      testing::IssueLeaf(tls.ca, "ops.example.com", {}, {"localhost", "127.0.0.1"});
  OperationsConfig config = LocalConfig();
  config.listener.tls.enabled = true;
  config.listener.tls.certificate_pem = server_identity.CertPem();
  config.listener.tls.private_key_pem = server_identity.KeyPem();
  OperationsServer server(config, nullptr, nullptr);
  REQUIRE(server.Start().ok());
  CHECK(HttpsHealthz(server.port(), tls.ca_file) == 200);
}

TEST_CASE("Unreadable TLS files make Start fail with InvalidArgument naming the file") {
  TlsFiles tls;
  OperationsConfig config = tls.ServerConfig(/*client_auth=*/false);
  config.listener.tls.certificate = (tls.dir / "missing.pem").string();
  OperationsServer server(config, nullptr, nullptr);
  const Status status = server.Start();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Catch::Contains("missing.pem"));
}

}  // namespace
}  // namespace weft::common::ops
