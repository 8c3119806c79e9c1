#include "msp/local_msp.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "msp/msp.h"
#include "msp/msp_config.h"
#include "msp/msp_manager.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"

namespace fs = std::filesystem;
using weft::testing::IssueLeaf;
using weft::testing::MakeTestCa;

namespace {

void Write(const fs::path& path, const std::string& contents) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

}  // namespace

TEST_CASE("A Fabric-layout MSP folder loads with its NodeOUs and signing identity") {
  weft::testing::TempDir dir;
  auto ca = MakeTestCa("ca.org1.example.com", "Org1");
  auto peer = IssueLeaf(ca, "peer0.org1.example.com", {"peer"});
  auto decoy = MakeTestCa("other", "Other");
  fs::path msp = dir / "msp";
  Write(msp / "cacerts" / "ca.org1.example.com-cert.pem", ca.CertPem());
  Write(msp / "tlscacerts" / "tlsca.pem", ca.CertPem());
  Write(msp / "signcerts" / "peer0.org1.example.com-cert.pem", peer.CertPem());
  Write(msp / "keystore" / "a_sk", decoy.KeyPem());
  Write(msp / "keystore" / "priv_sk", peer.KeyPem());
  Write(msp / "config.yaml", R"(NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca.org1.example.com-cert.pem
    OrganizationalUnitIdentifier: orderer
)");

  auto local = weft::msp::LoadLocalMsp(msp, "Org1MSP");
  REQUIRE(local.ok());
  CHECK(local->config.root_certs.size() == 1);
  CHECK(local->config.tls_root_certs.size() == 1);
  CHECK(local->config.node_ous.enable);
  CHECK(local->config.node_ous.peer.organizational_unit == "peer");
  REQUIRE(local->config.node_ous.peer.certificate.has_value());
  CHECK(local->signer.certificate() == peer.cert);

  // The signing identity's serialization deserializes and verifies in its own MSP,
  // also after a round trip through the channel-config proto.
  auto proto = weft::msp::MspConfigToProto(local->config);
  auto parsed = weft::msp::MspConfigFromProto(proto);
  REQUIRE(parsed.ok());
  auto created = weft::msp::Msp::Create(*parsed);
  REQUIRE(created.ok());
  auto manager = weft::msp::MspManager::Create({*created});
  REQUIRE(manager.ok());
  auto identity = (*manager)->DeserializeIdentity(local->signer.serialized());
  REQUIRE(identity.ok());
  auto signature = local->signer.Sign("hello");
  REQUIRE(signature.ok());
  CHECK((*identity)->Verify("hello", *signature).ok());
  ::common::MSPRole role;
  role.set_msp_identifier("Org1MSP");
  role.set_role(::common::MSPRole::PEER);
  ::common::MSPPrincipal principal;
  principal.set_principal(role.SerializeAsString());
  CHECK((*identity)->SatisfiesPrincipal(principal).ok());
}

TEST_CASE("Loading an MSP folder names what is missing") {
  weft::testing::TempDir dir;
  auto missing = weft::msp::LoadLocalMsp(dir / "nowhere", "Org1MSP");
  CHECK(std::string(missing.status().message()) ==
        "MSP folder " + (dir / "nowhere").string() + " does not exist");
  fs::create_directories(dir / "msp" / "cacerts");
  auto empty = weft::msp::LoadLocalMsp(dir / "msp", "Org1MSP");
  CHECK(std::string(empty.status().message()) ==
        "MSP folder " + (dir / "msp").string() + ": cacerts/ holds no certificate");
  auto ca = MakeTestCa();
  Write(dir / "msp" / "cacerts" / "ca.pem", ca.CertPem());
  Write(dir / "msp" / "signcerts" / "me.pem", IssueLeaf(ca, "me").CertPem());
  auto no_key = weft::msp::LoadLocalMsp(dir / "msp", "Org1MSP");
  CHECK_THAT(std::string(no_key.status().message()), Catch::Contains("keystore/ holds no key for"));
  CHECK(weft::msp::LoadMspConfig(dir / "msp", "Org1MSP").ok());
  Write(dir / "msp" / "config.yaml", "NodeOUs:\n  Enable: maybe\n");
  auto bad_yaml = weft::msp::LoadMspConfig(dir / "msp", "Org1MSP");
  CHECK_THAT(std::string(bad_yaml.status().message()), Catch::Contains("NodeOUs.Enable"));
}
