// How a chaincode finds the peer (start mode) or its listen address (server mode):
// flags and environment as fabric-chaincode-go shim/internal/config.go and
// fabric-chaincode-node's start/server commands read them.
#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/escaping.h"
#include "chaincode-sdk/shim/shim.h"
#include "tests/support/temp_dir.h"

namespace shim = weft::chaincode_sdk::shim;

namespace {

std::string Write(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

}  // namespace

TEST_CASE("Start mode reads the peer address from --peer.address before CORE_PEER_ADDRESS") {
  shim::Environment env{{"CORE_PEER_ADDRESS", "peer0:7052"}, {"CORE_CHAINCODE_ID_NAME", "cc:1"}};
  auto from_env = shim::PeerConnectionFromEnvironment({}, env);
  REQUIRE(from_env.ok());
  CHECK(from_env->peer_address == "peer0:7052");
  CHECK(from_env->chaincode_id == "cc:1");
  CHECK_FALSE(from_env->tls_enabled);

  auto from_flag =
      shim::PeerConnectionFromEnvironment({"--peer.address", "grpcs://127.0.0.1:9999"}, env);
  REQUIRE(from_flag.ok());
  CHECK(from_flag->peer_address == "127.0.0.1:9999");
  auto equals_form = shim::PeerConnectionFromEnvironment(
      {"--peer.address=grpc://h:1", "--chaincode-id-name", "other:2"}, env);
  REQUIRE(equals_form.ok());
  CHECK(equals_form->peer_address == "h:1");
  CHECK(equals_form->chaincode_id == "other:2");
}

TEST_CASE("Start mode without an address or a chaincode id, or with a bad TLS flag, is refused") {
  auto no_address = shim::PeerConnectionFromEnvironment({}, {{"CORE_CHAINCODE_ID_NAME", "cc"}});
  REQUIRE_FALSE(no_address.ok());
  CHECK(no_address.status().message().find("peer address") != std::string::npos);
  auto no_id = shim::PeerConnectionFromEnvironment({}, {{"CORE_PEER_ADDRESS", "p:1"}});
  REQUIRE_FALSE(no_id.ok());
  // fabric-chaincode-go shim.go Start.
  CHECK(no_id.status().message() == "'CORE_CHAINCODE_ID_NAME' must be set");
  auto bad_tls = shim::PeerConnectionFromEnvironment({}, {{"CORE_PEER_ADDRESS", "p:1"},
                                                          {"CORE_CHAINCODE_ID_NAME", "cc"},
                                                          {"CORE_PEER_TLS_ENABLED", "yes"}});
  REQUIRE_FALSE(bad_tls.ok());
  CHECK(bad_tls.status().message().find("'CORE_PEER_TLS_ENABLED' must be set to 'true' or "
                                        "'false'") == 0);
}

TEST_CASE("Start-mode TLS reads _PATH files as base64 of the PEM and _FILE files as PEM") {
  weft::testing::TempDir dir;
  const std::string key_pem = "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n";
  const std::string cert_pem = "-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n";
  shim::Environment env{
      {"CORE_PEER_ADDRESS", "p:1"},
      {"CORE_CHAINCODE_ID_NAME", "cc"},
      {"CORE_PEER_TLS_ENABLED", "true"},
      {"CORE_TLS_CLIENT_KEY_PATH", Write(dir.path() / "client.key", absl::Base64Escape(key_pem))},
      {"CORE_TLS_CLIENT_CERT_PATH", Write(dir.path() / "client.crt", absl::Base64Escape(cert_pem))},
      {"CORE_PEER_TLS_ROOTCERT_FILE", Write(dir.path() / "root.crt", "root-pem")},
  };
  auto base64 = shim::PeerConnectionFromEnvironment({}, env);
  REQUIRE(base64.ok());
  CHECK(base64->tls_enabled);
  CHECK(base64->client_key_pem == key_pem);
  CHECK(base64->client_cert_pem == cert_pem);
  CHECK(base64->root_cert_pem == "root-pem");
  CHECK(base64->ssl_target_name_override.empty());
  env["CORE_PEER_TLS_SERVERHOSTOVERRIDE"] = "peer0.org1.example.com";
  auto overridden = shim::PeerConnectionFromEnvironment({}, env);
  REQUIRE(overridden.ok());
  CHECK(overridden->ssl_target_name_override == "peer0.org1.example.com");
  env.erase("CORE_PEER_TLS_SERVERHOSTOVERRIDE");

  // The _FILE forms win when set (internal/config.go LoadConfig).
  env["CORE_TLS_CLIENT_KEY_FILE"] = Write(dir.path() / "client-key.pem", "plain-key");
  env["CORE_TLS_CLIENT_CERT_FILE"] = Write(dir.path() / "client-cert.pem", "plain-cert");
  auto pem = shim::PeerConnectionFromEnvironment({}, env);
  REQUIRE(pem.ok());
  CHECK(pem->client_key_pem == "plain-key");
  CHECK(pem->client_cert_pem == "plain-cert");

  env.erase("CORE_TLS_CLIENT_KEY_FILE");
  env["CORE_TLS_CLIENT_KEY_PATH"] = Write(dir.path() / "bad.key", "not base64 !!");
  auto bad = shim::PeerConnectionFromEnvironment({}, env);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("failed to decode private key file") == 0);
  env["CORE_TLS_CLIENT_KEY_PATH"] = (dir.path() / "missing.key").string();
  auto missing = shim::PeerConnectionFromEnvironment({}, env);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("failed to read private key file") == 0);
}

TEST_CASE("Server mode accepts CHAINCODE_SERVER_ADDRESS/CHAINCODE_ID and the CORE_ forms") {
  auto samples = shim::ServerSettingsFromEnvironment(
      {}, {{"CHAINCODE_SERVER_ADDRESS", "0.0.0.0:9999"}, {"CHAINCODE_ID", "basic:abc"}});
  REQUIRE(samples.ok());
  CHECK(samples->address == "0.0.0.0:9999");
  CHECK(samples->chaincode_id == "basic:abc");
  CHECK_FALSE(samples->tls_enabled);

  auto core = shim::ServerSettingsFromEnvironment(
      {}, {{"CORE_CHAINCODE_ADDRESS", "127.0.0.1:7777"}, {"CORE_CHAINCODE_ID", "basic:def"}});
  REQUIRE(core.ok());
  CHECK(core->address == "127.0.0.1:7777");
  CHECK(core->chaincode_id == "basic:def");

  auto flags = shim::ServerSettingsFromEnvironment(
      {"--chaincode-address", "127.0.0.1:1", "--chaincode-id=x:1"},
      {{"CORE_CHAINCODE_ADDRESS", "127.0.0.1:7777"}, {"CORE_CHAINCODE_ID", "basic:def"}});
  REQUIRE(flags.ok());
  CHECK(flags->address == "127.0.0.1:1");
  CHECK(flags->chaincode_id == "x:1");

  CHECK_FALSE(shim::ServerSettingsFromEnvironment({}, {{"CHAINCODE_ID", "a"}}).ok());
  CHECK_FALSE(shim::ServerSettingsFromEnvironment({}, {{"CHAINCODE_SERVER_ADDRESS", "h:1"}}).ok());
}

TEST_CASE("Server-mode TLS needs both key and certificate, as fabric-chaincode-node's server") {
  weft::testing::TempDir dir;
  shim::Environment env{{"CHAINCODE_SERVER_ADDRESS", "127.0.0.1:0"},
                        {"CHAINCODE_ID", "cc:1"},
                        {"CORE_CHAINCODE_TLS_KEY_FILE", Write(dir.path() / "k.pem", "KEY")}};
  auto key_only = shim::ServerSettingsFromEnvironment({}, env);
  REQUIRE_FALSE(key_only.ok());
  CHECK(key_only.status().message() == "A TLS option is set but no cert is specified");

  env["CORE_CHAINCODE_TLS_CERT_PATH"] = Write(dir.path() / "c.b64", absl::Base64Escape("CERT"));
  env["CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE"] = Write(dir.path() / "ca.pem", "CA");
  auto both = shim::ServerSettingsFromEnvironment({}, env);
  REQUIRE(both.ok());
  CHECK(both->tls_enabled);
  CHECK(both->key_pem == "KEY");
  CHECK(both->cert_pem == "CERT");
  CHECK(both->client_ca_pem == "CA");

  // fabric-samples' Go servers: CHAINCODE_TLS_DISABLED=false and PEM file paths.
  auto samples = shim::ServerSettingsFromEnvironment(
      {}, {{"CHAINCODE_SERVER_ADDRESS", "127.0.0.1:0"},
           {"CHAINCODE_ID", "cc:1"},
           {"CHAINCODE_TLS_DISABLED", "false"},
           {"CHAINCODE_TLS_KEY", Write(dir.path() / "sk.pem", "SKEY")},
           {"CHAINCODE_TLS_CERT", Write(dir.path() / "sc.pem", "SCERT")}});
  REQUIRE(samples.ok());
  CHECK(samples->tls_enabled);
  CHECK(samples->key_pem == "SKEY");
  CHECK(samples->cert_pem == "SCERT");
  CHECK(samples->client_ca_pem.empty());
}
