// Issue [F9]'s end-to-end flow on real processes (two orgs' peers and a solo orderer,
// TLS on): the C++ asset-transfer-basic sample, packaged as Weft's `binary` type the
// way Fabric's CLI writes packages, goes through _lifecycle as the `peer lifecycle
// chaincode` commands drive it (Fabric release-2.5 internal/peer/lifecycle/chaincode:
// install, approveformyorg, checkcommitreadiness, commit, querycommitted), then is
// launched by both peers and invoked through proposals endorsed by both, built into
// transactions with the client SDK, ordered and committed. An upgrade to sequence 2
// with a one-of-two signature policy then lets one org endorse alone.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/crypto/hash.h"
#include "common/policies/policy_dsl.h"
#include "tests/support/chaincode_deploy.h"
#include "tests/support/child_process.h"
#include "tests/support/fabric_package.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"

using namespace weft::peer_chaincode_test;  // NOLINT: the shared helpers of this folder

TEST_CASE(
    "asset-transfer-basic as a binary package: installed, approved by both orgs, committed "
    "under MAJORITY, invoked through both peers with identical state, then upgraded to a "
    "one-org policy") {
  ChaincodeNetwork net;
  const std::string package_id = DefineOnBoth(net, AssetTransferPackage());

  // Every transaction below is created by Org1's client and endorsed by both peers,
  // which satisfies the definition's /Channel/Application/Endorsement (MAJORITY).
  const SigningIdentity& creator = net.user(1);
  CHECK(CodeName(net.Invoke(creator, kChaincode, "InitLedger", {}, {1, 2})) == "VALID");
  CHECK(CodeName(net.Invoke(creator, kChaincode, "CreateAsset",
                            {"asset7", "purple", "20", "Weft", "900"}, {1, 2})) == "VALID");
  std::string old_owner;
  CHECK(CodeName(net.Invoke(creator, kChaincode, "TransferAsset", {"asset7", "Fabric"}, {1, 2},
                            &old_owner)) == "VALID");
  // asset-transfer-basic's TransferAsset returns the previous owner.
  CHECK(old_owner == "Weft");

  // Stored as compact JSON with sorted keys (the sample's contract), equal on both.
  CHECK(net.ReadOnBoth("asset7") ==
        R"({"AppraisedValue":900,"Color":"purple","ID":"asset7","Owner":"Fabric","Size":20})");
  CHECK(net.ReadOnBoth("asset1") ==
        R"({"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5,)"
        R"("docType":"asset"})");
  for (const char* id : {"asset2", "asset3", "asset4", "asset5", "asset6"}) net.ReadOnBoth(id);
  {
    const ::protos::Response first = net.Evaluate(1, kChaincode, "GetAllAssets", {});
    const ::protos::Response second = net.Evaluate(2, kChaincode, "GetAllAssets", {});
    REQUIRE(first.status() == 200);
    REQUIRE(second.status() == 200);
    CHECK(first.payload() == second.payload());
  }

  {  // a chaincode error reaches the client as the chaincode's 500 and message
    // (Fabric's endorser.go returns a chaincode response >= 400 unendorsed).
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const ::protos::ProposalResponse missing =
          net.Ask(org, net.Proposal(creator, kChaincode, "ReadAsset", {"asset404"}));
      CHECK(missing.response().status() == 500);
      CHECK(missing.response().message() == "The asset asset404 does not exist");
      CHECK(missing.endorsement().signature().empty());
    }
  }

  {  // endorsed by Org1's peer only: MAJORITY of two orgs is not met (Fabric's v20
     // validation plugin: ENDORSEMENT_POLICY_FAILURE), and nothing is written
    CHECK(CodeName(net.Invoke(creator, kChaincode, "CreateAsset",
                              {"asset8", "grey", "1", "Nobody", "1"}, {1})) ==
          "ENDORSEMENT_POLICY_FAILURE");
    for (int org = 1; org <= 2; ++org) {
      CHECK(net.Evaluate(org, kChaincode, "ReadAsset", {"asset8"}).status() == 500);
    }
  }

  {  // upgrade: sequence 2 with OR('Org1MSP.peer','Org2MSP.peer') as a signature policy
    const Definition upgrade =
        SignaturePolicyDefinition(2, "2.0", "OR('Org1MSP.peer','Org2MSP.peer')");
    net.ApproveAndCommitOnBoth(upgrade, package_id);

    // Now one org's peer is enough, and the write reaches both peers.
    CHECK(CodeName(net.Invoke(creator, kChaincode, "CreateAsset",
                              {"asset9", "orange", "3", "Solo", "30"}, {1})) == "VALID");
    CHECK(CodeName(net.Invoke(net.user(2), kChaincode, "TransferAsset", {"asset9", "Duo"}, {2})) ==
          "VALID");
    CHECK(net.ReadOnBoth("asset9") ==
          R"({"AppraisedValue":30,"Color":"orange","ID":"asset9","Owner":"Duo","Size":3})");
    // Older state is untouched by the upgrade.
    CHECK(net.ReadOnBoth("asset7") ==
          R"({"AppraisedValue":900,"Color":"purple","ID":"asset7","Owner":"Fabric","Size":20})");
  }

  {  // both ledgers, opened after the peers stopped, hold the same blocks and state
    auto state = CompareStoppedLedgers(net, {kChaincode, "_lifecycle"});
    const NamespaceState& assets = state[kChaincode];
    std::vector<std::string> keys;
    for (const auto& [key, value] : assets) keys.push_back(key);
    // Only valid transactions wrote: asset8 (ENDORSEMENT_POLICY_FAILURE) is absent.
    CHECK(keys == std::vector<std::string>{"asset1", "asset2", "asset3", "asset4", "asset5",
                                           "asset6", "asset7", "asset9"});
    CHECK(assets.at("asset9") ==
          R"({"AppraisedValue":30,"Color":"orange","ID":"asset9","Owner":"Duo","Size":3})");
    CHECK_FALSE(state["_lifecycle"].empty());
  }
}

TEST_CASE(
    "asset-transfer-basic as a service: a ccaas package names the server the test runs, "
    "and both peers dial it for endorsements") {
  ChaincodeNetwork net;
  // Fabric's ccaas_builder: connection.json at the root of code.tar.gz, metadata path
  // empty; the package ID covers the address, so the port is chosen first.
  const std::string address = "127.0.0.1:" + std::to_string(testing::FreePort());
  const std::string label = "basic-ccaas_1.0";
  testing::TarItem connection(
      "connection.json",
      R"({"address":")" + address + R"(","dial_timeout":"10s","tls_required":false})");
  const std::string package =
      testing::FabricPackage("", "ccaas", label, testing::GoGzip(testing::GoTar({connection})));
  const std::string package_id = label + ":" + crypto::HexEncode(crypto::Sha256(package));

  // chaincode-sdk/README.md: server mode from CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID.
  testing::ProcessOptions options;
  options.argv = {(fs::path(WEFT_BINARY_DIR) / "bin" / "asset-transfer-basic").string()};
  options.env = {{"CHAINCODE_SERVER_ADDRESS", address}, {"CHAINCODE_ID", package_id}};
  testing::ChildProcess server(options);
  const auto listening = server.WaitForLine(
      [](const std::string& line) { return line.find("listening on") != std::string::npos; },
      std::chrono::seconds(60));
  REQUIRE(listening.has_value());

  CHECK(DefineOnBoth(net, package, label) == package_id);
  const SigningIdentity& creator = net.user(2);
  CHECK(CodeName(net.Invoke(creator, kChaincode, "InitLedger", {}, {1, 2})) == "VALID");
  std::string old_owner;
  CHECK(CodeName(net.Invoke(creator, kChaincode, "TransferAsset", {"asset2", "Weft"}, {1, 2},
                            &old_owner)) == "VALID");
  CHECK(old_owner == "Brad");
  CHECK(net.ReadOnBoth("asset2") ==
        R"({"AppraisedValue":400,"Color":"red","ID":"asset2","Owner":"Weft","Size":5,)"
        R"("docType":"asset"})");
  const ::protos::Response missing = net.Evaluate(1, kChaincode, "ReadAsset", {"asset404"});
  CHECK(missing.status() == 500);
  CHECK(missing.message() == "The asset asset404 does not exist");

  server.Signal(SIGTERM);
  server.Wait();
}

TEST_CASE(
    "asset-transfer-basic as a service over mutual TLS: connection.json's client pair and root "
    "certificate reach a server that requires client certificates, and a package without the "
    "client pair cannot connect") {
  ChaincodeNetwork net;
  // Two CAs, as a ccaas deployment has: one for the server's certificate (connection.json
  // root_cert), one for the peer's client certificate (the server's client CA).
  const testing::TestIdentity server_ca = testing::MakeTestCa("ca.chaincode.example.com", "CC");
  const testing::TestIdentity server =
      testing::IssueLeaf(server_ca, "basic.chaincode.example.com", {}, {"127.0.0.1"});
  const testing::TestIdentity client_ca = testing::MakeTestCa("ca.peers.example.com", "Peers");
  const testing::TestIdentity client = testing::IssueLeaf(client_ca, "peer0.example.com");
  testing::TempDir files("weft-ccaas-tls");
  const auto write = [&](const std::string& name, const std::string& pem) {
    std::ofstream(files.path() / name) << pem;
    return (files.path() / name).string();
  };

  // Fabric's ccaas_builder connection.json: PEM strings, not paths (release-2.5
  // core/container/externalbuilder, ChaincodeServerUserData).
  const std::string address = "127.0.0.1:" + std::to_string(testing::FreePort());
  const auto package_for = [&](const std::string& label, bool with_client_pair) {
    nlohmann::json connection = {{"address", address},
                                 {"dial_timeout", "5s"},
                                 {"tls_required", true},
                                 {"client_auth_required", with_client_pair},
                                 {"root_cert", server_ca.CertPem()}};
    if (with_client_pair) {
      connection["client_key"] = client.KeyPem();
      connection["client_cert"] = client.CertPem();
    }
    return testing::FabricPackage(
        "", "ccaas", label,
        testing::GoGzip(testing::GoTar({testing::TarItem("connection.json", connection.dump())})));
  };
  const std::string label = "basic-mtls_1.0";
  const std::string package = package_for(label, true);
  const std::string package_id = label + ":" + crypto::HexEncode(crypto::Sha256(package));

  // chaincode-sdk/README.md: server TLS as fabric-samples' Go servers read it.
  testing::ProcessOptions options;
  options.argv = {(fs::path(WEFT_BINARY_DIR) / "bin" / "asset-transfer-basic").string()};
  options.env = {{"CHAINCODE_SERVER_ADDRESS", address},
                 {"CHAINCODE_ID", package_id},
                 {"CHAINCODE_TLS_DISABLED", "false"},
                 {"CHAINCODE_TLS_KEY", write("server.key", server.KeyPem())},
                 {"CHAINCODE_TLS_CERT", write("server.crt", server.CertPem())},
                 {"CHAINCODE_CLIENT_CA_CERT", write("client-ca.crt", client_ca.CertPem())}};
  testing::ChildProcess chaincode_server(options);
  const auto listening = chaincode_server.WaitForLine(
      [](const std::string& line) { return line.find("listening on") != std::string::npos; },
      std::chrono::seconds(60));
  REQUIRE(listening.has_value());

  CHECK(DefineOnBoth(net, package, label) == package_id);
  const SigningIdentity& creator = net.user(1);
  CHECK(CodeName(net.Invoke(creator, kChaincode, "InitLedger", {}, {1, 2})) == "VALID");
  CHECK(CodeName(net.Invoke(creator, kChaincode, "CreateAsset",
                            {"asset-tls", "black", "1", "Mutual", "2"}, {1, 2})) == "VALID");
  CHECK(net.ReadOnBoth("asset-tls") ==
        R"({"AppraisedValue":2,"Color":"black","ID":"asset-tls","Owner":"Mutual","Size":1})");

  {  // the same server through a package whose connection.json has no client pair: the
     // server requires a client certificate, so the TLS handshake fails and the launch
     // fails with the dial's error; nothing is written
    const std::string bare_label = "basic-nocert_1.0";
    DefineOnBoth(net, package_for(bare_label, false), bare_label, "nocert");
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const ::protos::ProposalResponse refused =
          net.Ask(org, net.Proposal(creator, "nocert", "CreateAsset",
                                    {"asset-nocert", "white", "1", "Nobody", "1"}));
      CHECK(refused.response().status() == 500);
      CHECK_THAT(refused.response().message(),
                 Catch::Contains("could not connect to chaincode server at " + address));
      CHECK_FALSE(refused.has_endorsement());
    }
    CHECK(net.Evaluate(1, kChaincode, "ReadAsset", {"asset-nocert"}).status() == 500);
  }

  chaincode_server.Signal(SIGTERM);
  chaincode_server.Wait();
}
