// Test-only helpers for common/grpc: an echo service that remembers the
// client's TLS certificate, and a small PKI minted at test time.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/settings/settings.h"
#include "echo.grpc.pb.h"
#include "tests/support/test_crypto.h"

namespace weft::common::grpc::testing {

class EchoServiceImpl final : public ::weft::testing::EchoService::Service {
 public:
  ::grpc::Status Echo(::grpc::ServerContext* context, const ::weft::testing::EchoMessage* request,
                      ::weft::testing::EchoMessage* response) override;
  ::grpc::Status Chat(::grpc::ServerContext* context,
                      ::grpc::ServerReaderWriter<::weft::testing::EchoMessage,
                                                 ::weft::testing::EchoMessage>* stream) override;

  // The certificate PEM the last Echo caller presented, or nullopt.
  std::optional<std::string> last_client_cert() const;

 private:
  mutable std::mutex mu_;
  std::optional<std::string> last_client_cert_;
};

// CAs and leaves for TLS tests. The server certificate is valid for
// localhost, 127.0.0.1 and peer0.org1.example.com.
struct TestPki {
  ::weft::testing::TestIdentity ca = ::weft::testing::MakeTestCa("tlsca.org1.example.com");
  ::weft::testing::TestIdentity other_ca = ::weft::testing::MakeTestCa("tlsca.org2.example.com");
  ::weft::testing::TestIdentity server = ::weft::testing::IssueLeaf(
      ca, "peer0.org1.example.com", {}, {"localhost", "127.0.0.1", "peer0.org1.example.com"});
  ::weft::testing::TestIdentity client = ::weft::testing::IssueLeaf(ca, "User1@org1.example.com");
  ::weft::testing::TestIdentity stranger =
      ::weft::testing::IssueLeaf(other_ca, "User1@org2.example.com");

  // Server TLS with `ca` trusted for client certificates.
  settings::TlsSettings ServerTls(bool client_auth_required) const;
  // Client TLS trusting `root`, presenting `identity` if given.
  static settings::TlsSettings ClientTls(const ::weft::testing::TestIdentity& root,
                                         const ::weft::testing::TestIdentity* identity = nullptr);
};

// Server settings listening on a free loopback port.
settings::GrpcServerSettings LocalServer();

// Sends one Echo with a 5 s deadline.
::grpc::Status CallEcho(const std::shared_ptr<::grpc::Channel>& channel, const std::string& payload,
                        std::string* reply = nullptr);

}  // namespace weft::common::grpc::testing
