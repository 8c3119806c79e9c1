#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "common/grpc/channel.h"
#include "common/grpc/server.h"
#include "grpc_test_support.h"
#include "tests/support/temp_dir.h"

namespace weft::common::grpc {
namespace {

using testing::CallEcho;
using testing::EchoServiceImpl;
using testing::TestPki;

std::string Target(const BuiltServer& built) { return "127.0.0.1:" + std::to_string(built.port); }

BuiltServer MustBuild(EchoServiceImpl& service,
                      const settings::GrpcServerSettings& config = testing::LocalServer()) {
  auto built = BuildServer(config, {&service});
  INFO(built.status().ToString());
  REQUIRE(built.ok());
  REQUIRE(built->port > 0);
  return std::move(*built);
}

std::shared_ptr<::grpc::Channel> MustConnect(const std::string& target,
                                             const settings::GrpcClientSettings& config = {}) {
  auto channel = MakeChannel(target, config);
  INFO(channel.status().ToString());
  REQUIRE(channel.ok());
  return *channel;
}

TEST_CASE("A plaintext server on port 0 serves unary and streaming calls") {
  EchoServiceImpl service;
  BuiltServer built = MustBuild(service);
  auto channel = MustConnect(Target(built));

  std::string reply;
  REQUIRE(CallEcho(channel, "hello", &reply).ok());
  CHECK(reply == "hello");
  CHECK_FALSE(service.last_client_cert().has_value());

  auto stub = ::weft::testing::EchoService::NewStub(channel);
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stream = stub->Chat(&context);
  for (const char* text : {"one", "two", "three"}) {
    ::weft::testing::EchoMessage message;
    message.set_payload(text);
    REQUIRE(stream->Write(message));
    ::weft::testing::EchoMessage answer;
    REQUIRE(stream->Read(&answer));
    CHECK(answer.payload() == text);
  }
  REQUIRE(stream->WritesDone());
  CHECK(stream->Finish().ok());
}

TEST_CASE("BuildServer reports an address it cannot listen on as Unavailable") {
  EchoServiceImpl service;
  settings::GrpcServerSettings unreachable;
  unreachable.listen_address = "256.0.0.1:0";
  auto built = BuildServer(unreachable, {&service});
  CHECK(built.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("A TLS client that trusts the server's root CA completes calls") {
  TestPki pki;
  EchoServiceImpl service;
  settings::GrpcServerSettings server_config = testing::LocalServer();
  server_config.tls = pki.ServerTls(/*client_auth_required=*/false);
  BuiltServer built = MustBuild(service, server_config);

  settings::GrpcClientSettings client_config;
  client_config.tls = TestPki::ClientTls(pki.ca);
  CHECK(CallEcho(MustConnect(Target(built), client_config), "over tls").ok());

  SECTION("also when the certificate is checked against an overriding server name") {
    client_config.server_name_override = "peer0.org1.example.com";
    CHECK(CallEcho(MustConnect(Target(built), client_config), "override").ok());
  }
  SECTION("and a plaintext client cannot talk to the TLS server") {
    CHECK_FALSE(CallEcho(MustConnect(Target(built)), "plain").ok());
  }
}

TEST_CASE("A TLS client that trusts a different root CA is refused") {
  TestPki pki;
  EchoServiceImpl service;
  settings::GrpcServerSettings server_config = testing::LocalServer();
  server_config.tls = pki.ServerTls(/*client_auth_required=*/false);
  BuiltServer built = MustBuild(service, server_config);

  settings::GrpcClientSettings client_config;
  client_config.tls = TestPki::ClientTls(pki.other_ca);
  const ::grpc::Status status = CallEcho(MustConnect(Target(built), client_config), "x");
  CHECK(status.error_code() == ::grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("A TLS client that checks a server name the certificate lacks is refused") {
  TestPki pki;
  EchoServiceImpl service;
  settings::GrpcServerSettings server_config = testing::LocalServer();
  server_config.tls = pki.ServerTls(/*client_auth_required=*/false);
  BuiltServer built = MustBuild(service, server_config);

  settings::GrpcClientSettings client_config;
  client_config.tls = TestPki::ClientTls(pki.ca);
  client_config.server_name_override = "orderer.example.com";
  CHECK(CallEcho(MustConnect(Target(built), client_config), "x").error_code() ==
        ::grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("Mutual TLS admits only clients with a certificate from a trusted CA") {
  TestPki pki;
  EchoServiceImpl service;
  settings::GrpcServerSettings server_config = testing::LocalServer();
  server_config.tls = pki.ServerTls(/*client_auth_required=*/true);
  BuiltServer built = MustBuild(service, server_config);
  settings::GrpcClientSettings client_config;

  SECTION("a client without a certificate is rejected") {
    client_config.tls = TestPki::ClientTls(pki.ca);
    CHECK_FALSE(CallEcho(MustConnect(Target(built), client_config), "x").ok());
    CHECK_FALSE(service.last_client_cert().has_value());
  }
  SECTION("a client with a certificate from an untrusted CA is rejected") {
    client_config.tls = TestPki::ClientTls(pki.ca, &pki.stranger);
    CHECK_FALSE(CallEcho(MustConnect(Target(built), client_config), "x").ok());
    CHECK_FALSE(service.last_client_cert().has_value());
  }
  SECTION("a client with a trusted certificate is accepted and visible to the service") {
    client_config.tls = TestPki::ClientTls(pki.ca, &pki.client);
    REQUIRE(CallEcho(MustConnect(Target(built), client_config), "x").ok());
    REQUIRE(service.last_client_cert().has_value());
    CHECK(*service.last_client_cert() == pki.client.CertPem());
  }
}

TEST_CASE("Without client auth the server still sees a certificate the client offers") {
  TestPki pki;
  EchoServiceImpl service;
  settings::GrpcServerSettings server_config = testing::LocalServer();
  server_config.tls = pki.ServerTls(/*client_auth_required=*/false);
  BuiltServer built = MustBuild(service, server_config);

  settings::GrpcClientSettings client_config;
  client_config.tls = TestPki::ClientTls(pki.ca, &pki.stranger);
  REQUIRE(CallEcho(MustConnect(Target(built), client_config), "x").ok());
  REQUIRE(service.last_client_cert().has_value());
  CHECK(*service.last_client_cert() == pki.stranger.CertPem());
}

TEST_CASE("TLS material can be given as files") {
  TestPki pki;
  weft::testing::TempDir dir("weft-grpc-tls");
  settings::GrpcServerSettings server_config = testing::LocalServer();
  server_config.tls.enabled = true;
  server_config.tls.certificate = weft::testing::WriteIdentity(dir.path(), "server", pki.server);
  server_config.tls.private_key = dir / "server-key.pem";
  EchoServiceImpl service;
  BuiltServer built = MustBuild(service, server_config);

  settings::GrpcClientSettings client_config;
  client_config.tls.enabled = true;
  client_config.tls.root_cas = {weft::testing::WriteIdentity(dir.path(), "ca", pki.ca)};
  CHECK(CallEcho(MustConnect(Target(built), client_config), "files").ok());
}

TEST_CASE("Incomplete or unreadable TLS settings are reported before serving") {
  TestPki pki;
  EchoServiceImpl service;

  settings::GrpcServerSettings missing_file = testing::LocalServer();
  missing_file.tls.enabled = true;
  missing_file.tls.certificate = "/nonexistent/server.pem";
  missing_file.tls.private_key_pem = pki.server.KeyPem();
  auto built = BuildServer(missing_file, {&service});
  CHECK(built.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(built.status().message()), Catch::Contains("/nonexistent/server.pem"));

  settings::GrpcServerSettings no_client_roots = testing::LocalServer();
  no_client_roots.tls = pki.ServerTls(/*client_auth_required=*/true);
  no_client_roots.tls.client_root_ca_pems.clear();
  CHECK(BuildServer(no_client_roots, {&service}).status().code() ==
        absl::StatusCode::kInvalidArgument);

  settings::GrpcClientSettings cert_without_key;
  cert_without_key.tls = TestPki::ClientTls(pki.ca, &pki.client);
  cert_without_key.tls.private_key_pem.clear();
  CHECK(MakeChannel("127.0.0.1:1", cert_without_key).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("A 5 MiB message passes with the default limits") {
  EchoServiceImpl service;
  BuiltServer built = MustBuild(service);
  const std::string big(5 * 1024 * 1024, 'x');
  std::string reply;
  // Both directions exceed gRPC's own 4 MiB receive default.
  REQUIRE(CallEcho(MustConnect(Target(built)), big, &reply).ok());
  CHECK(reply.size() == big.size());
}

TEST_CASE("A message above a configured receive limit is rejected with RESOURCE_EXHAUSTED") {
  EchoServiceImpl service;
  settings::GrpcServerSettings server_config = testing::LocalServer();
  server_config.max_recv_message_size = 64 * 1024;
  BuiltServer built = MustBuild(service, server_config);
  auto channel = MustConnect(Target(built));
  CHECK(CallEcho(channel, std::string(32 * 1024, 'x')).ok());
  CHECK(CallEcho(channel, std::string(128 * 1024, 'x')).error_code() ==
        ::grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace weft::common::grpc
