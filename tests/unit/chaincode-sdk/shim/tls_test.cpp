// TLS on both connection modes: start mode dials a peer that requires a client
// certificate (Fabric's peer offers chaincode mutual TLS only), and a chaincode
// server requires the peer's certificate when a client CA is configured (the Go
// shim's ChaincodeServer with TLSProperties.ClientCACerts).
#include <catch2/catch.hpp>
#include <fstream>
#include <future>

#include "absl/strings/escaping.h"
#include "chaincode-sdk/shim/shim.h"
#include "tests/support/chaincode_session.h"
#include "tests/support/fake_chaincode_peer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/wait_until.h"

namespace shim = weft::chaincode_sdk::shim;
using weft::testing::FakeChaincodePeer;

namespace {

class Echo final : public shim::Chaincode {
 public:
  ::protos::Response Init(shim::ChaincodeStub& stub) override { return Invoke(stub); }
  ::protos::Response Invoke(shim::ChaincodeStub& stub) override {
    return shim::Success(stub.GetArgs().empty() ? "" : stub.GetArgs().back());
  }
};

std::string Write(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

}  // namespace

TEST_CASE("Start mode with TLS dials the peer with the client pair the environment names") {
  auto ca = weft::testing::MakeTestCa("tlsca.org1.example.com", "org1.example.com");
  auto peer_tls = weft::testing::IssueLeaf(ca, "peer0.org1.example.com", {}, {"127.0.0.1"});
  auto chaincode_tls = weft::testing::IssueLeaf(ca, "basic_1.0", {});
  FakeChaincodePeer::Options options;
  options.tls_key_pem = peer_tls.KeyPem();
  options.tls_cert_pem = peer_tls.CertPem();
  options.tls_client_ca_pem = ca.CertPem();
  auto peer = FakeChaincodePeer::Listen(options);

  // The files a Fabric peer writes for its chaincode: base64 of the PEM (_PATH).
  weft::testing::TempDir dir;
  shim::Environment env{
      {"CORE_PEER_ADDRESS", peer->address()},
      {"CORE_CHAINCODE_ID_NAME", "basic_1.0:tls"},
      {"CORE_PEER_TLS_ENABLED", "true"},
      {"CORE_TLS_CLIENT_KEY_PATH",
       Write(dir.path() / "client.key", absl::Base64Escape(chaincode_tls.KeyPem()))},
      {"CORE_TLS_CLIENT_CERT_PATH",
       Write(dir.path() / "client.crt", absl::Base64Escape(chaincode_tls.CertPem()))},
      {"CORE_PEER_TLS_ROOTCERT_FILE", Write(dir.path() / "peer.crt", ca.CertPem())},
  };
  auto connection = shim::PeerConnectionFromEnvironment({}, env);
  REQUIRE(connection.ok());
  Echo chaincode;
  auto shim_run =
      std::async(std::launch::async, [&] { return shim::Start(chaincode, *connection); });
  REQUIRE(peer->WaitForRegistration() == std::optional<std::string>("basic_1.0:tls"));
  weft::testing::TestProposals proposals;
  auto proposal = proposals.Make({"echo", "over tls"});
  auto outcome = peer->Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"echo", "over tls"},
                              proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  CHECK(outcome->response.payload() == "over tls");
  peer->Close();
  REQUIRE(shim_run.wait_for(weft::testing::kHangGuard) == std::future_status::ready);
  CHECK(absl::IsUnavailable(shim_run.get()));
}

TEST_CASE("Start mode checks the peer's certificate against the target name override when set") {
  auto ca = weft::testing::MakeTestCa("tlsca.org1.example.com", "org1.example.com");
  // Issued for the peer's host name only, as cryptogen issues them.
  auto peer_tls =
      weft::testing::IssueLeaf(ca, "peer0.org1.example.com", {}, {"peer0.org1.example.com"});
  auto chaincode_tls = weft::testing::IssueLeaf(ca, "basic_1.0", {});
  FakeChaincodePeer::Options options;
  options.tls_key_pem = peer_tls.KeyPem();
  options.tls_cert_pem = peer_tls.CertPem();
  options.tls_client_ca_pem = ca.CertPem();
  auto peer = FakeChaincodePeer::Listen(options);
  shim::PeerConnection connection;
  connection.peer_address = peer->address();
  connection.chaincode_id = "cc:override";
  connection.tls_enabled = true;
  connection.root_cert_pem = ca.CertPem();
  connection.client_key_pem = chaincode_tls.KeyPem();
  connection.client_cert_pem = chaincode_tls.CertPem();
  Echo chaincode;
  // 127.0.0.1 is not in the certificate: refused without the override.
  CHECK(absl::IsUnavailable(shim::Start(chaincode, connection)));
  connection.ssl_target_name_override = "peer0.org1.example.com";
  auto shim_run =
      std::async(std::launch::async, [&] { return shim::Start(chaincode, connection); });
  CHECK(peer->WaitForRegistration() == std::optional<std::string>("cc:override"));
  peer->Close();
  REQUIRE(shim_run.wait_for(weft::testing::kHangGuard) == std::future_status::ready);
  CHECK(absl::IsUnavailable(shim_run.get()));
}

TEST_CASE("Start mode without a client certificate is refused by a peer that requires one") {
  auto ca = weft::testing::MakeTestCa("tlsca.org1.example.com", "org1.example.com");
  auto peer_tls = weft::testing::IssueLeaf(ca, "peer0.org1.example.com", {}, {"127.0.0.1"});
  auto other_ca = weft::testing::MakeTestCa("tlsca.evil.example.com", "evil.example.com");
  auto stranger = weft::testing::IssueLeaf(other_ca, "stranger", {});
  FakeChaincodePeer::Options options;
  options.tls_key_pem = peer_tls.KeyPem();
  options.tls_cert_pem = peer_tls.CertPem();
  options.tls_client_ca_pem = ca.CertPem();
  auto peer = FakeChaincodePeer::Listen(options);
  shim::PeerConnection connection;
  connection.peer_address = peer->address();
  connection.chaincode_id = "cc:1";
  connection.tls_enabled = true;
  connection.root_cert_pem = ca.CertPem();
  connection.client_key_pem = stranger.KeyPem();
  connection.client_cert_pem = stranger.CertPem();
  Echo chaincode;
  absl::Status status = shim::Start(chaincode, connection);
  CHECK(absl::IsUnavailable(status));
  // The handshake failed, so no stream ever reached the peer.
  CHECK(peer->requests().empty());
  CHECK(peer->unsolicited().empty());
}

TEST_CASE("A TLS chaincode server requires the peer's certificate when a client CA is set") {
  auto ca = weft::testing::MakeTestCa("tlsca.org1.example.com", "org1.example.com");
  auto server_tls = weft::testing::IssueLeaf(ca, "basic.org1.example.com", {}, {"127.0.0.1"});
  auto peer_tls = weft::testing::IssueLeaf(ca, "peer0.org1.example.com", {});
  Echo chaincode;
  shim::ServerSettings settings;
  settings.address = "127.0.0.1:0";
  settings.chaincode_id = "basic_1.0:ccaas-tls";
  settings.tls_enabled = true;
  settings.key_pem = server_tls.KeyPem();
  settings.cert_pem = server_tls.CertPem();
  settings.client_ca_pem = ca.CertPem();
  auto server = shim::ChaincodeServer::Start(chaincode, settings);
  REQUIRE(server.ok());

  auto with_cert = FakeChaincodePeer::Dial((*server)->address(), {}, ca.CertPem(),
                                           peer_tls.KeyPem(), peer_tls.CertPem());
  REQUIRE(with_cert->WaitForRegistration() == std::optional<std::string>("basic_1.0:ccaas-tls"));
  weft::testing::TestProposals proposals;
  auto proposal = proposals.Make({"echo", "hi"});
  auto outcome = with_cert->Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"echo", "hi"},
                                   proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  CHECK(outcome->response.payload() == "hi");
  with_cert->Close();

  auto without_cert = FakeChaincodePeer::Dial((*server)->address(), {}, ca.CertPem());
  CHECK_FALSE(without_cert->WaitForRegistration().has_value());
  (*server)->Stop();
}
