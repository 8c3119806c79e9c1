// connection.json as Fabric's externalbuilder reads it (release-2.5
// core/container/externalbuilder/instance.go ChaincodeServerUserData, DialTimeout 3 s)
// and as its ccaas builder rewrites it (ccaas_builder/cmd/build).
#include "peer/chaincode_builders/connection.h"

#include <catch2/catch.hpp>

namespace weft::peer::chaincode_builders {
namespace {

using chaincode_support::ChaincodeServerInfo;

std::string Error(std::string_view json) {
  StatusOr<ChaincodeServerInfo> info = ParseConnectionJson(json);
  if (info.ok()) return "parsed";
  CHECK(info.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(info.status().message());
}

TEST_CASE("A plaintext connection.json gives the address and dial timeout") {
  StatusOr<ChaincodeServerInfo> info = ParseConnectionJson(
      R"({"address":"cc.example.com:9999","dial_timeout":"10s","tls_required":false,
          "root_cert":"ignored","client_auth_required":true})");
  REQUIRE(info.ok());
  CHECK(info->address == "cc.example.com:9999");
  CHECK(info->dial_timeout == std::chrono::seconds(10));
  CHECK_FALSE(info->tls_required);
  // Fabric returns before looking at any TLS field of a plaintext server.
  CHECK_FALSE(info->client_auth_required);
  CHECK(info->root_cert_pem.empty());
}

TEST_CASE("The dial timeout is a Go duration or nanoseconds, 3 s when absent or zero") {
  auto timeout = [](std::string_view json) {
    StatusOr<ChaincodeServerInfo> info = ParseConnectionJson(json);
    REQUIRE(info.ok());
    return info->dial_timeout;
  };
  CHECK(timeout(R"({"address":"a:1"})") == std::chrono::seconds(3));
  CHECK(timeout(R"({"address":"a:1","dial_timeout":"0s"})") == std::chrono::seconds(3));
  CHECK(timeout(R"({"address":"a:1","dial_timeout":"1m30s"})") == std::chrono::seconds(90));
  CHECK(timeout(R"({"address":"a:1","dial_timeout":2000000000})") == std::chrono::seconds(2));
  CHECK(Error(R"({"address":"a:1","dial_timeout":"ten seconds"})")
            .rfind("malformed chaincode info: dial_timeout", 0) == 0);
  CHECK(Error(R"({"address":"a:1","dial_timeout":true})") ==
        "malformed chaincode info: invalid duration");
}

TEST_CASE("TLS servers need their certificates, with Fabric's messages") {
  CHECK(Error(R"({"dial_timeout":"1s"})") == "chaincode address not provided");
  CHECK(Error(R"({"address":"a:1","tls_required":true})") ==
        "chaincode tls root cert not provided");
  CHECK(Error(R"({"address":"a:1","tls_required":true,"client_auth_required":true,
                  "client_cert":"C","root_cert":"R"})") == "chaincode tls key not provided");
  CHECK(Error(R"({"address":"a:1","tls_required":true,"client_auth_required":true,
                  "client_key":"K","root_cert":"R"})") == "chaincode tls cert not provided");

  StatusOr<ChaincodeServerInfo> server_auth = ParseConnectionJson(
      R"({"address":"a:1","tls_required":true,"root_cert":"R","client_key":"K"})");
  REQUIRE(server_auth.ok());
  CHECK(server_auth->tls_required);
  CHECK(server_auth->root_cert_pem == "R");
  CHECK(server_auth->client_key_pem.empty());

  StatusOr<ChaincodeServerInfo> mutual = ParseConnectionJson(
      R"({"address":"a:1","tls_required":true,"client_auth_required":true,
          "client_key":"K","client_cert":"C","root_cert":"R"})");
  REQUIRE(mutual.ok());
  CHECK(mutual->client_auth_required);
  CHECK(mutual->client_key_pem == "K");
  CHECK(mutual->client_cert_pem == "C");
}

TEST_CASE("connection.json keys match as Go's encoding/json matches them") {
  StatusOr<ChaincodeServerInfo> info =
      ParseConnectionJson(R"({"Address":"a:1","TLS_Required":false,"unknown":1})");
  REQUIRE(info.ok());
  CHECK(info->address == "a:1");
  CHECK(Error(R"({"address":"a:1","tls_required":"yes"})").find("tls_required") !=
        std::string::npos);
  CHECK(Error("[1]").rfind("malformed chaincode info", 0) == 0);
  CHECK(Error("{").rfind("malformed chaincode info", 0) == 0);
}

TEST_CASE("The ccaas builder fills templates from CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG") {
  common::config::Environment env = {
      {"CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG", R"({"peername":"peer0org1","tls":{"port":7443}})"}};
  StatusOr<std::string> expanded = ExpandCcaasConnection(
      R"({"address":"{{.peername}}_basic:{{ .tls.port }}","dial_timeout":"10s",
          "tls_required":false,"root_cert":"dropped"})",
      env);
  REQUIRE(expanded.ok());
  CHECK(*expanded ==
        R"({"address":"peer0org1_basic:7443","dial_timeout":"10s","tls_required":false,)"
        R"("client_auth_required":false})");

  StatusOr<std::string> missing = ExpandCcaasConnection(R"({"address":"{{.nobody}}:1"})", env);
  CHECK(missing.status().message() ==
        "Failed to parse the Address field template: map has no entry for key \"nobody\"");
  StatusOr<std::string> tls = ExpandCcaasConnection(
      R"({"address":"a:1","tls_required":true,"root_cert":"{{.peername}}"})", env);
  REQUIRE(tls.ok());
  CHECK(tls->find(R"("root_cert":"peer0org1")") != std::string::npos);
}

}  // namespace
}  // namespace weft::peer::chaincode_builders
