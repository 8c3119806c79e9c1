#include "msp/msp.h"

#include <catch2/catch.hpp>

#include "msp/identities.pb.h"
#include "msp/msp_manager.h"
#include "tests/support/test_crypto.h"

using weft::msp::Msp;
using weft::msp::MspConfig;
using weft::msp::MspManager;
using weft::testing::IssueLeaf;
using weft::testing::MakeCrl;
using weft::testing::MakeIntermediateCa;
using weft::testing::MakeTestCa;
using weft::testing::TestIdentity;
using weft::testing::Validity;

namespace {

std::string Serialize(const std::string& msp_id, const TestIdentity& identity) {
  ::msp::SerializedIdentity serialized;
  serialized.set_mspid(msp_id);
  serialized.set_id_bytes(identity.CertPem());
  return serialized.SerializeAsString();
}

::common::MSPPrincipal RolePrincipal(const std::string& msp_id,
                                     ::common::MSPRole::MSPRoleType role) {
  ::common::MSPRole msp_role;
  msp_role.set_msp_identifier(msp_id);
  msp_role.set_role(role);
  ::common::MSPPrincipal principal;
  principal.set_principal_classification(::common::MSPPrincipal::ROLE);
  principal.set_principal(msp_role.SerializeAsString());
  return principal;
}

// Org1MSP: a root CA, an intermediate CA, NodeOUs on, and a CRL revoking one client.
struct Org1 {
  TestIdentity root = MakeTestCa("ca.org1.example.com", "Org1");
  TestIdentity intermediate = MakeIntermediateCa(root, "ica.org1.example.com");
  TestIdentity revoked = IssueLeaf(root, "revoked@org1.example.com", {"client"});
  std::unique_ptr<MspManager> manager;

  Org1() {
    MspConfig config;
    config.name = "Org1MSP";
    config.root_certs = {root.cert};
    config.intermediate_certs = {intermediate.cert};
    config.crls = {MakeCrl(root, {revoked.cert})};
    config.node_ous.enable = true;
    config.node_ous.client.organizational_unit = "client";
    config.node_ous.peer.organizational_unit = "peer";
    config.node_ous.admin.organizational_unit = "admin";
    config.node_ous.orderer.organizational_unit = "orderer";
    auto msp = Msp::Create(config);
    REQUIRE(msp.ok());
    auto created = MspManager::Create({*msp});
    REQUIRE(created.ok());
    manager = *std::move(created);
  }

  [[nodiscard]] absl::Status Satisfies(const TestIdentity& who, ::common::MSPRole::MSPRoleType role,
                                       const std::string& msp_id = "Org1MSP") {
    auto identity = manager->DeserializeIdentity(Serialize("Org1MSP", who));
    if (!identity.ok()) return identity.status();
    return (*identity)->SatisfiesPrincipal(RolePrincipal(msp_id, role));
  }
};

}  // namespace

TEST_CASE("NodeOU identities satisfy exactly the principals of their role") {
  Org1 org;
  auto client = IssueLeaf(org.root, "user1@org1.example.com", {"client"});
  auto peer = IssueLeaf(org.root, "peer0.org1.example.com", {"peer"});
  auto admin = IssueLeaf(org.root, "admin@org1.example.com", {"admin"});
  auto orderer = IssueLeaf(org.intermediate, "orderer.org1.example.com", {"orderer"});
  using R = ::common::MSPRole;
  struct Row {
    const TestIdentity* who;
    R::MSPRoleType role;
    bool accepted;
  };
  const Row rows[] = {
      {&client, R::MEMBER, true},  {&client, R::CLIENT, true}, {&client, R::PEER, false},
      {&client, R::ADMIN, false},  {&peer, R::MEMBER, true},   {&peer, R::PEER, true},
      {&peer, R::CLIENT, false},   {&peer, R::ORDERER, false}, {&admin, R::ADMIN, true},
      {&admin, R::MEMBER, true},   {&admin, R::CLIENT, false}, {&orderer, R::ORDERER, true},
      {&orderer, R::MEMBER, true}, {&orderer, R::PEER, false},
  };
  for (const auto& row : rows) {
    INFO(row.who->cert.subject() << " as " << R::MSPRoleType_Name(row.role));
    CHECK(org.Satisfies(*row.who, row.role).ok() == row.accepted);
  }
  auto status = org.Satisfies(client, R::PEER);
  CHECK(std::string(status.message()) ==
        "MSP Org1MSP: identity " + client.cert.subject() + " is not a peer (its OUs: [client])");
}

TEST_CASE("Invalid identities are rejected with the reason") {
  Org1 org;
  using R = ::common::MSPRole;
  auto stranger_ca = MakeTestCa("ca.evil.example.com", "Evil");
  auto stranger = IssueLeaf(stranger_ca, "user@evil.example.com", {"client"});
  auto no_ou = IssueLeaf(org.root, "nobody@org1.example.com");
  auto two_ous = IssueLeaf(org.root, "both@org1.example.com", {"client", "peer"});

  auto message = [&](const TestIdentity& who) {
    auto status = org.Satisfies(who, R::MEMBER);
    REQUIRE_FALSE(status.ok());
    return std::string(status.message());
  };
  CHECK_THAT(message(stranger), Catch::StartsWith("MSP Org1MSP: identity " +
                                                  stranger.cert.subject() + " is not valid"));
  CHECK_THAT(message(org.revoked), Catch::Contains("is not valid") && Catch::Contains("revoked"));
  CHECK(message(no_ou) ==
        "MSP Org1MSP: identity " + no_ou.cert.subject() +
            " has none of the NodeOUs client, peer, admin or orderer (its OUs: [])");
  CHECK(message(two_ous) == "MSP Org1MSP: identity " + two_ous.cert.subject() +
                                " must be exactly one of client, peer, admin or orderer (its OUs: "
                                "[client, peer])");
  CHECK_THAT(message(org.intermediate), Catch::Contains("is a CA certificate"));

  auto client = IssueLeaf(org.root, "user1@org1.example.com", {"client"});
  auto wrong_msp = org.Satisfies(client, R::MEMBER, "Org2MSP");
  CHECK(std::string(wrong_msp.message()) ==
        "identity " + client.cert.subject() +
            " is of MSP Org1MSP, the principal requires MSP Org2MSP");
}

TEST_CASE("Signatures verify only for the signing key and the exact message") {
  Org1 org;
  auto client = IssueLeaf(org.root, "user1@org1.example.com", {"client"});
  auto other = IssueLeaf(org.root, "user2@org1.example.com", {"client"});
  auto identity = org.manager->DeserializeIdentity(Serialize("Org1MSP", client));
  REQUIRE(identity.ok());
  auto signature = client.key.Sign("transfer 10 to bob");
  REQUIRE(signature.ok());
  CHECK((*identity)->Verify("transfer 10 to bob", *signature).ok());
  CHECK_FALSE((*identity)->Verify("transfer 99 to bob", *signature).ok());
  std::string tampered = *signature;
  tampered[tampered.size() - 3] ^= 0x01;
  CHECK_FALSE((*identity)->Verify("transfer 10 to bob", tampered).ok());
  auto others = other.key.Sign("transfer 10 to bob");
  auto status = (*identity)->Verify("transfer 10 to bob", *others);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(std::string(status.message()),
             Catch::StartsWith("signature by " + client.cert.subject() + " of MSP Org1MSP"));
}

TEST_CASE("Without NodeOUs admins come from admincerts and roles cannot be told apart") {
  auto root = MakeTestCa("ca.org2.example.com", "Org2");
  auto admin = IssueLeaf(root, "admin@org2.example.com");
  auto member = IssueLeaf(root, "user@org2.example.com");
  MspConfig config;
  config.name = "Org2MSP";
  config.root_certs = {root.cert};
  config.admin_certs = {admin.cert};
  auto msp = Msp::Create(config);
  REQUIRE(msp.ok());
  auto manager = MspManager::Create({*msp});
  REQUIRE(manager.ok());
  auto admin_identity = (*manager)->DeserializeIdentity(Serialize("Org2MSP", admin));
  auto member_identity = (*manager)->DeserializeIdentity(Serialize("Org2MSP", member));
  REQUIRE(admin_identity.ok());
  REQUIRE(member_identity.ok());
  using R = ::common::MSPRole;
  CHECK((*admin_identity)->SatisfiesPrincipal(RolePrincipal("Org2MSP", R::ADMIN)).ok());
  CHECK_FALSE((*member_identity)->SatisfiesPrincipal(RolePrincipal("Org2MSP", R::ADMIN)).ok());
  CHECK((*member_identity)->SatisfiesPrincipal(RolePrincipal("Org2MSP", R::MEMBER)).ok());
  auto peer = (*member_identity)->SatisfiesPrincipal(RolePrincipal("Org2MSP", R::PEER));
  CHECK(peer.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(peer.message()) ==
        "MSP Org2MSP: NodeOUs are not enabled, so a peer cannot be told apart from other members");
}

TEST_CASE("IDENTITY and ORGANIZATION_UNIT principals") {
  Org1 org;
  auto client = IssueLeaf(org.root, "user1@org1.example.com", {"client", "dept1"});
  auto other = IssueLeaf(org.root, "user2@org1.example.com", {"client"});
  // "dept1" plus "client" would be two NodeOUs only if dept1 were one; it is not.
  auto identity = org.manager->DeserializeIdentity(Serialize("Org1MSP", client));
  REQUIRE(identity.ok());

  ::common::MSPPrincipal by_identity;
  by_identity.set_principal_classification(::common::MSPPrincipal::IDENTITY);
  by_identity.set_principal(Serialize("Org1MSP", client));
  CHECK((*identity)->SatisfiesPrincipal(by_identity).ok());
  by_identity.set_principal(Serialize("Org1MSP", other));
  CHECK_FALSE((*identity)->SatisfiesPrincipal(by_identity).ok());

  ::common::OrganizationUnit unit;
  unit.set_msp_identifier("Org1MSP");
  unit.set_organizational_unit_identifier("dept1");
  ::common::MSPPrincipal by_unit;
  by_unit.set_principal_classification(::common::MSPPrincipal::ORGANIZATION_UNIT);
  by_unit.set_principal(unit.SerializeAsString());
  CHECK((*identity)->SatisfiesPrincipal(by_unit).ok());
  unit.set_organizational_unit_identifier("dept2");
  by_unit.set_principal(unit.SerializeAsString());
  CHECK_FALSE((*identity)->SatisfiesPrincipal(by_unit).ok());
}

TEST_CASE("The MSP manager names unknown MSPs and caches identities") {
  Org1 org;
  auto client = IssueLeaf(org.root, "user1@org1.example.com", {"client"});
  auto unknown = org.manager->DeserializeIdentity(Serialize("Org9MSP", client));
  REQUIRE(unknown.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(unknown.status().message()) == "MSP Org9MSP is unknown");
  CHECK_FALSE(org.manager->DeserializeIdentity("not a protobuf \xff").ok());

  auto first = org.manager->DeserializeIdentity(Serialize("Org1MSP", client));
  auto second = org.manager->DeserializeIdentity(Serialize("Org1MSP", client));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->get() == second->get());
  CHECK((*first)->UniqueId().rfind("Org1MSP:", 0) == 0);

  ::msp::SerializedIdentity garbage;
  garbage.set_mspid("Org1MSP");
  garbage.set_id_bytes("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
  auto bad = org.manager->DeserializeIdentity(garbage.SerializeAsString());
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()),
             Catch::StartsWith("MSP Org1MSP: identity is not a PEM X.509 certificate"));
}

TEST_CASE("MSP set-up rejects inconsistent configurations") {
  auto root = MakeTestCa("ca.org1.example.com", "Org1");
  auto stranger = MakeTestCa("ca.evil.example.com", "Evil");
  auto leaf = IssueLeaf(root, "user@org1.example.com");
  MspConfig config;
  config.name = "Org1MSP";
  CHECK(std::string(Msp::Create(config).status().message()) ==
        "MSP Org1MSP: no root CA certificate");
  config.root_certs = {leaf.cert};
  CHECK(std::string(Msp::Create(config).status().message()) ==
        "MSP Org1MSP: root certificate " + leaf.cert.subject() + " is not a CA");
  config.root_certs = {root.cert};
  config.crls = {MakeCrl(stranger, {})};
  CHECK_THAT(std::string(Msp::Create(config).status().message()),
             Catch::Contains("is not signed by any of its CAs"));
  config.crls.clear();
  config.admin_certs = {IssueLeaf(stranger, "admin@evil.example.com").cert};
  CHECK_THAT(std::string(Msp::Create(config).status().message()),
             Catch::StartsWith("MSP Org1MSP: admin certificate"));
}

// Fabric's getValidityOptsForCert (msp/mspimplvalidate.go): the MSP verifies a chain at
// the certificate's NotBefore + 1 s, so an identity that has expired since, or that
// starts later, is still a valid member; expiry is the orderer's and Deliver's check
// (crypto.ExpiresAt). A chain that was not valid at that instant is refused.
TEST_CASE("Identities are validated at their NotBefore plus one second, not at the wall clock") {
  using std::chrono::hours;
  const auto now = std::chrono::system_clock::now();
  // The root has been valid for two days; its leaves are judged inside that window.
  auto root = MakeTestCa("ca.org1.example.com", "Org1", Validity{now - hours(48), now + hours(48)});
  MspConfig config;
  config.name = "Org1MSP";
  config.root_certs = {root.cert};
  config.node_ous.enable = true;
  config.node_ous.client.organizational_unit = "client";
  config.node_ous.admin.organizational_unit = "admin";
  auto msp = Msp::Create(config);
  REQUIRE(msp.ok());
  auto manager = MspManager::Create({*msp});
  REQUIRE(manager.ok());
  auto validate = [&](const TestIdentity& who) {
    auto identity = (*manager)->DeserializeIdentity(Serialize("Org1MSP", who));
    REQUIRE(identity.ok());
    return (*identity)->SatisfiesPrincipal(RolePrincipal("Org1MSP", ::common::MSPRole::MEMBER));
  };
  using R = ::common::MSPRole;
  auto expired = IssueLeaf(root, "old@org1.example.com", {"client"}, {}, Validity::Expired());
  auto future = IssueLeaf(root, "new@org1.example.com", {"client"}, {}, Validity::Future());
  CHECK(validate(expired).ok());
  CHECK(validate(future).ok());
  auto identity = (*manager)->DeserializeIdentity(Serialize("Org1MSP", expired));
  REQUIRE(identity.ok());
  CHECK((*identity)->SatisfiesPrincipal(RolePrincipal("Org1MSP", R::CLIENT)).ok());

  // Issued before its root was valid: at NotBefore + 1 s the root is not yet valid.
  auto before_root = IssueLeaf(root, "early@org1.example.com", {"client"}, {},
                               Validity{now - hours(72), now - hours(1)});
  auto status = validate(before_root);
  CHECK_THAT(std::string(status.message()),
             Catch::Contains("is not valid") && Catch::Contains("not yet valid"));
}

// Fabric's setupAdmins / validateCAIdentity use the same rule at MSP set-up: an
// expired admin certificate or intermediate CA still loads (a channel config
// holding one keeps working).
TEST_CASE("An MSP with an expired admin certificate and intermediate CA still sets up") {
  using std::chrono::hours;
  const auto now = std::chrono::system_clock::now();
  auto root = MakeTestCa("ca.org1.example.com", "Org1", Validity{now - hours(96), now + hours(48)});
  auto intermediate =
      MakeIntermediateCa(root, "ica.org1.example.com", Validity{now - hours(72), now - hours(2)});
  auto admin =
      IssueLeaf(root, "admin@org1.example.com", {}, {}, Validity{now - hours(48), now - hours(1)});
  MspConfig config;
  config.name = "Org1MSP";
  config.root_certs = {root.cert};
  config.intermediate_certs = {intermediate.cert};
  config.admin_certs = {admin.cert};
  auto msp = Msp::Create(config);
  INFO(msp.status().ToString());
  REQUIRE(msp.ok());
  auto manager = MspManager::Create({*msp});
  REQUIRE(manager.ok());
  auto identity = (*manager)->DeserializeIdentity(Serialize("Org1MSP", admin));
  REQUIRE(identity.ok());
  CHECK((*identity)->SatisfiesPrincipal(RolePrincipal("Org1MSP", ::common::MSPRole::ADMIN)).ok());
}
