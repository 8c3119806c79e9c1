#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/crypto/x509.h"
#include "msp/identities.pb.h"
#include "msp/local_msp.h"
#include "msp/msp.h"
#include "msp/msp_principal.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using weft::common::crypto::Certificate;
using weft::testing::TempDir;
using Role = ::common::MSPRole;

const char* const kCryptogen = WEFT_BINARY_DIR "/bin/cryptogen";

// Two peer organisations and one orderer organisation, as in Fabric's test
// network, with NodeOUs on for all but Org2.
constexpr const char* kNetworkConfig = R"(
OrdererOrgs:
  - Name: Orderer
    Domain: example.com
    EnableNodeOUs: true
    Specs:
      - Hostname: orderer
        SANS:
          - "{{.Hostname}}.alt.{{.Domain}}"
          - 10.0.0.7
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    EnableNodeOUs: true
    CA:
      Country: DE
      Province: Berlin
      Locality: Kreuzberg
    Template:
      Count: 2
      SANS:
        - "{{.CommonName}}.internal"
    Users:
      Count: 1
  - Name: Org2
    Domain: org2.example.com
    EnableNodeOUs: false
    Specs:
      - Hostname: peer0
        SANS:
          - gateway.org2.example.com
    Template:
      Count: 1
      Start: 1
    Users:
      Count: 1
)";

using RunResult = weft::testing::CommandResult;
using weft::testing::ReadFile;
using weft::testing::WriteFile;

RunResult Run(std::vector<std::string> args, const fs::path& cwd) {
  return weft::testing::RunCommand(args, {}, cwd);
}

RunResult Cryptogen(std::vector<std::string> args, const fs::path& cwd) {
  args.insert(args.begin(), kCryptogen);
  return Run(std::move(args), cwd);
}

// Writes `config` and runs `cryptogen generate` on it into <dir>/out.
RunResult Generate(const TempDir& dir, std::string_view config) {
  WriteFile(dir / "crypto-config.yaml", config);
  return Cryptogen({"generate", "--config", (dir / "crypto-config.yaml").string(), "--output",
                    (dir / "out").string()},
                   dir.path());
}

// What Fabric's cryptogen names inside one organisation.
struct Member {
  std::string folder;  // "peers/peer0.org1.example.com", "users/Admin@org1.example.com"
  std::string name;    // the common name of its certificates
  bool user;           // client TLS credentials instead of server ones
  Role::MSPRoleType role;
};

struct Org {
  std::string folder;  // relative to the output folder
  std::string domain;
  std::string msp_id;
  bool node_ous;
  std::vector<Member> members;
};

std::vector<Org> ExpectedOrgs() {
  return {
      {"ordererOrganizations/example.com",
       "example.com",
       "OrdererMSP",
       true,
       {{"orderers/orderer.example.com", "orderer.example.com", false, Role::ORDERER},
        {"users/Admin@example.com", "Admin@example.com", true, Role::ADMIN}}},
      {"peerOrganizations/org1.example.com",
       "org1.example.com",
       "Org1MSP",
       true,
       {{"peers/peer0.org1.example.com", "peer0.org1.example.com", false, Role::PEER},
        {"peers/peer1.org1.example.com", "peer1.org1.example.com", false, Role::PEER},
        {"users/Admin@org1.example.com", "Admin@org1.example.com", true, Role::ADMIN},
        {"users/User1@org1.example.com", "User1@org1.example.com", true, Role::CLIENT}}},
      {"peerOrganizations/org2.example.com",
       "org2.example.com",
       "Org2MSP",
       false,
       {{"peers/peer0.org2.example.com", "peer0.org2.example.com", false, Role::PEER},
        {"peers/peer1.org2.example.com", "peer1.org2.example.com", false, Role::PEER},
        {"users/Admin@org2.example.com", "Admin@org2.example.com", true, Role::ADMIN},
        {"users/User1@org2.example.com", "User1@org2.example.com", true, Role::CLIENT}}},
  };
}

// The files of an MSP folder besides signcerts/ and keystore/.
void AddMspFiles(const Org& org, const std::string& msp, std::set<std::string>* files) {
  files->insert(msp + "/cacerts/ca." + org.domain + "-cert.pem");
  files->insert(msp + "/tlscacerts/tlsca." + org.domain + "-cert.pem");
  if (org.node_ous) {
    files->insert(msp + "/config.yaml");
  } else {
    files->insert(msp + "/admincerts/Admin@" + org.domain + "-cert.pem");
  }
}

std::set<std::string> ExpectedFiles() {
  std::set<std::string> files;
  for (const Org& org : ExpectedOrgs()) {
    const std::string base = org.folder + "/";
    files.insert(base + "ca/ca." + org.domain + "-cert.pem");
    files.insert(base + "ca/priv_sk");
    files.insert(base + "tlsca/tlsca." + org.domain + "-cert.pem");
    files.insert(base + "tlsca/priv_sk");
    AddMspFiles(org, base + "msp", &files);
    for (const Member& member : org.members) {
      const std::string dir = base + member.folder;
      AddMspFiles(org, dir + "/msp", &files);
      files.insert(dir + "/msp/signcerts/" + member.name + "-cert.pem");
      files.insert(dir + "/msp/keystore/priv_sk");
      const std::string tls = member.user ? "client" : "server";
      files.insert(dir + "/tls/ca.crt");
      files.insert(dir + "/tls/" + tls + ".crt");
      files.insert(dir + "/tls/" + tls + ".key");
    }
  }
  return files;
}

std::set<std::string> FilesUnder(const fs::path& root) {
  std::set<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.insert(fs::relative(entry.path(), root).string());
  }
  return files;
}

// `openssl verify` of `certificate` against the single trusted `ca`.
RunResult OpensslVerify(const fs::path& ca, const fs::path& certificate,
                        std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"openssl", "verify", "-CAfile", ca.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(certificate.string());
  return Run(std::move(args), fs::current_path());
}

Certificate LoadCertificate(const fs::path& path) {
  auto certificate = Certificate::FromPem(ReadFile(path));
  INFO(path.string());
  REQUIRE(certificate.ok());
  return *certificate;
}

::common::MSPPrincipal RolePrincipal(const std::string& msp_id, Role::MSPRoleType role) {
  Role msp_role;
  msp_role.set_msp_identifier(msp_id);
  msp_role.set_role(role);
  ::common::MSPPrincipal principal;
  principal.set_principal_classification(::common::MSPPrincipal::ROLE);
  principal.set_principal(msp_role.SerializeAsString());
  return principal;
}

std::vector<std::string> Sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

class GeneratedNetwork {
 public:
  GeneratedNetwork() {
    RunResult result = Generate(dir_, kNetworkConfig);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
  }
  fs::path out() const { return dir_ / "out"; }
  fs::path org(const Org& org) const { return out() / org.folder; }

 private:
  TempDir dir_{"weft-cryptogen"};
};

}  // namespace

TEST_CASE("cryptogen generate writes exactly Fabric's folder tree for every organisation") {
  GeneratedNetwork network;
  CHECK(FilesUnder(network.out()) == ExpectedFiles());

  for (const Org& org : ExpectedOrgs()) {
    INFO(org.domain);
    // With NodeOUs the admincerts/ folders exist but stay empty.
    CHECK(fs::is_directory(network.org(org) / "msp" / "admincerts"));
    for (const Member& member : org.members) {
      CHECK(fs::is_directory(network.org(org) / member.folder / "msp" / "admincerts"));
    }
  }
}

TEST_CASE("cryptogen writes PKCS#8 keys readable only by their owner") {
  GeneratedNetwork network;
  for (const std::string& file : ExpectedFiles()) {
    if (!file.ends_with("priv_sk") && !file.ends_with(".key")) continue;
    INFO(file);
    const fs::path path = network.out() / file;
    CHECK(ReadFile(path).starts_with("-----BEGIN PRIVATE KEY-----\n"));
    CHECK((fs::status(path).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
  }
}

TEST_CASE("every certificate cryptogen generates verifies with openssl against its issuing CA") {
  GeneratedNetwork network;
  for (const Org& org : ExpectedOrgs()) {
    const fs::path ca = network.org(org) / "ca" / ("ca." + org.domain + "-cert.pem");
    const fs::path tlsca = network.org(org) / "tlsca" / ("tlsca." + org.domain + "-cert.pem");
    auto verify = [](const fs::path& trusted, const fs::path& certificate,
                     std::vector<std::string> extra = {}) {
      RunResult result = OpensslVerify(trusted, certificate, std::move(extra));
      INFO(certificate.string() << " against " << trusted.string() << ": " << result.out
                                << result.err);
      CHECK(result.exit_code == 0);
      CHECK(result.out.find(": OK") != std::string::npos);
    };
    verify(ca, ca);
    verify(tlsca, tlsca);
    // Every copy of a CA certificate is that CA.
    for (const std::string& file : ExpectedFiles()) {
      if (!file.starts_with(org.folder + "/")) continue;
      if (file.ends_with("/cacerts/ca." + org.domain + "-cert.pem")) {
        CHECK(ReadFile(network.out() / file) == ReadFile(ca));
      }
      if (file.ends_with("/tlscacerts/tlsca." + org.domain + "-cert.pem") ||
          file.ends_with("/tls/ca.crt")) {
        CHECK(ReadFile(network.out() / file) == ReadFile(tlsca));
      }
      if (file.find("/admincerts/") != std::string::npos) {
        CHECK(ReadFile(network.out() / file) ==
              ReadFile(network.org(org) / "users" / ("Admin@" + org.domain) / "msp" / "signcerts" /
                       ("Admin@" + org.domain + "-cert.pem")));
      }
    }
    for (const Member& member : org.members) {
      const fs::path dir = network.org(org) / member.folder;
      verify(ca, dir / "msp" / "signcerts" / (member.name + "-cert.pem"));
      if (member.user) {
        verify(tlsca, dir / "tls" / "client.crt", {"-purpose", "sslclient"});
      } else {
        // Nodes use one TLS certificate both to serve and to dial out.
        verify(tlsca, dir / "tls" / "server.crt", {"-purpose", "sslserver"});
        verify(tlsca, dir / "tls" / "server.crt", {"-purpose", "sslclient"});
      }
    }
  }
  // The check can fail: a signing certificate is not trusted by the TLS CA.
  const Org org1 = ExpectedOrgs()[1];  // a copy: the vector is a temporary
  RunResult crossed = OpensslVerify(
      network.org(org1) / "tlsca" / "tlsca.org1.example.com-cert.pem",
      network.org(org1) /
          "peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem");
  CHECK(crossed.exit_code != 0);
}

TEST_CASE("cryptogen's node TLS certificates name the host, short host, localhost and 127.0.0.1") {
  GeneratedNetwork network;
  Certificate peer = LoadCertificate(network.out() /
                                     "peerOrganizations/org1.example.com/peers/"
                                     "peer0.org1.example.com/tls/server.crt");
  CHECK(peer.subject_common_name() == "peer0.org1.example.com");
  CHECK(Sorted(peer.dns_names()) == Sorted({"peer0.org1.example.com", "peer0",
                                            "peer0.org1.example.com.internal", "localhost"}));
  CHECK(peer.ip_addresses() == std::vector<std::string>{"127.0.0.1"});

  Certificate orderer = LoadCertificate(
      network.out() /
      "ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.crt");
  CHECK(Sorted(orderer.dns_names()) ==
        Sorted({"orderer.example.com", "orderer", "orderer.alt.example.com", "localhost"}));
  CHECK(Sorted(orderer.ip_addresses()) == Sorted({"10.0.0.7", "127.0.0.1"}));

  Certificate spec_peer = LoadCertificate(
      network.out() /
      "peerOrganizations/org2.example.com/peers/peer0.org2.example.com/tls/server.crt");
  CHECK(Sorted(spec_peer.dns_names()) ==
        Sorted({"peer0.org2.example.com", "peer0", "gateway.org2.example.com", "localhost"}));
}

TEST_CASE("cryptogen subjects follow Fabric: O only on CAs, leaves repeat the CA's location") {
  GeneratedNetwork network;
  const fs::path org1 = network.out() / "peerOrganizations/org1.example.com";
  Certificate ca = LoadCertificate(org1 / "ca/ca.org1.example.com-cert.pem");
  CHECK(ca.subject() == "CN=ca.org1.example.com,O=org1.example.com,L=Kreuzberg,ST=Berlin,C=DE");
  CHECK(ca.is_ca());
  Certificate tlsca = LoadCertificate(org1 / "tlsca/tlsca.org1.example.com-cert.pem");
  CHECK(tlsca.subject() ==
        "CN=tlsca.org1.example.com,O=org1.example.com,L=Kreuzberg,ST=Berlin,C=DE");
  Certificate peer = LoadCertificate(
      org1 / "peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem");
  CHECK(peer.subject() == "CN=peer0.org1.example.com,OU=peer,L=Kreuzberg,ST=Berlin,C=DE");
  CHECK_FALSE(peer.is_ca());
  CHECK(peer.authority_key_id() == ca.subject_key_id());

  // Without NodeOUs there is no role OU, and the default location is Fabric's.
  Certificate org2_user = LoadCertificate(
      network.out() /
      "peerOrganizations/org2.example.com/users/User1@org2.example.com/msp/signcerts/"
      "User1@org2.example.com-cert.pem");
  CHECK(org2_user.subject() == "CN=User1@org2.example.com,L=San Francisco,ST=California,C=US");

  // Ten years from five minutes ago.
  const auto now = std::chrono::system_clock::now();
  CHECK(peer.not_before() <= now - std::chrono::minutes(4));
  CHECK(peer.not_before() >= now - std::chrono::minutes(7));
  CHECK(peer.not_after() - peer.not_before() == std::chrono::hours(24 * 3650));
}

TEST_CASE("every MSP cryptogen generates loads and gives each identity its Fabric role") {
  GeneratedNetwork network;
  for (const Org& org : ExpectedOrgs()) {
    // The organisation's verifying MSP, as configtxgen would put it in a channel.
    auto org_config = weft::msp::LoadMspConfig(network.org(org) / "msp", org.msp_id);
    REQUIRE(org_config.ok());
    CHECK(org_config->node_ous.enable == org.node_ous);
    auto org_msp = weft::msp::Msp::Create(*org_config);
    REQUIRE(org_msp.ok());

    for (const Member& member : org.members) {
      INFO(member.name);
      auto local = weft::msp::LoadLocalMsp(network.org(org) / member.folder / "msp", org.msp_id);
      INFO(std::string(local.status().message()));
      REQUIRE(local.ok());
      auto local_msp = weft::msp::Msp::Create(local->config);
      REQUIRE(local_msp.ok());
      ::msp::SerializedIdentity serialized;
      REQUIRE(serialized.ParseFromString(local->signer.serialized()));

      for (const auto& msp : {*local_msp, *org_msp}) {
        auto identity = msp->DeserializeIdentity(serialized, local->signer.serialized());
        REQUIRE(identity.ok());
        INFO(std::string((*identity)->Validate().message()));
        REQUIRE((*identity)->Validate().ok());
        CHECK((*identity)->SatisfiesPrincipal(RolePrincipal(org.msp_id, Role::MEMBER)).ok());
        const bool admin = member.role == Role::ADMIN;
        CHECK((*identity)->SatisfiesPrincipal(RolePrincipal(org.msp_id, Role::ADMIN)).ok() ==
              admin);
        if (org.node_ous) {
          // NodeOUs tell every role apart; without them only admins are known.
          for (auto role : {Role::CLIENT, Role::PEER, Role::ORDERER}) {
            INFO(Role::MSPRoleType_Name(role));
            CHECK((*identity)->SatisfiesPrincipal(RolePrincipal(org.msp_id, role)).ok() ==
                  (role == member.role));
          }
        }
      }
    }
  }
}

TEST_CASE("cryptogen showtemplate prints a commented config that generate accepts") {
  TempDir dir("weft-cryptogen");
  RunResult shown = Cryptogen({"showtemplate"}, dir.path());
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find("# ") != std::string::npos);
  RunResult generated = Generate(dir, shown.out);
  INFO(generated.err);
  REQUIRE(generated.exit_code == 0);
  CHECK(generated.out == "example.com\norg1.example.com\norg2.example.com\n");
  CHECK(fs::exists(dir / "out/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/"
                         "msp/signcerts/peer0.org1.example.com-cert.pem"));
  CHECK(fs::exists(dir / "out/ordererOrganizations/example.com/orderers/orderer.example.com/"
                         "tls/server.key"));
}

TEST_CASE("cryptogen generate without flags writes the sample network into ./crypto-config") {
  TempDir dir("weft-cryptogen");
  RunResult result = Cryptogen({"generate"}, dir.path());
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(fs::exists(dir / "crypto-config/peerOrganizations/org2.example.com/users/"
                         "User1@org2.example.com/tls/client.crt"));
}

TEST_CASE("cryptogen generate names the file and key of a value of the wrong type") {
  TempDir dir("weft-cryptogen");
  RunResult result = Generate(dir, R"(
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    Template:
      Count: two
)");
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("crypto-config.yaml") != std::string::npos);
  CHECK(result.err.find("PeerOrgs[0].Template.Count") != std::string::npos);
  CHECK(result.err.find("two") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("cryptogen generate rejects configs that cannot describe a network, naming the key") {
  TempDir dir("weft-cryptogen");
  struct Case {
    const char* what;
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"a host name used twice in one organisation", R"(
PeerOrgs:
  - Domain: org1.example.com
    Specs:
      - Hostname: peer0
    Template:
      Count: 1
)",
       "PeerOrgs[0].Template.Hostname: host name 'peer0' is already used by PeerOrgs[0].Specs[0]"},
      {"an organisation without a domain", "PeerOrgs:\n  - Name: Org1\n",
       "PeerOrgs[0].Domain: required key is missing"},
      {"a spec without a host name",
       "OrdererOrgs:\n  - Domain: example.com\n    Specs:\n      - "
       "CommonName: orderer.example.com\n",
       "OrdererOrgs[0].Specs[0].Hostname: required key is missing"},
      {"an unknown template field",
       "PeerOrgs:\n  - Domain: org1.example.com\n    Specs:\n      - Hostname: peer0\n        "
       "SANS: ['{{.Host}}.alt']\n",
       "PeerOrgs[0].Specs[0].SANS: template '{{.Host}}.alt': unknown field '.Host'"},
      {"two organisations with one domain",
       "PeerOrgs:\n  - Domain: org1.example.com\n  - Domain: org1.example.com\n",
       "PeerOrgs[1].Domain: domain 'org1.example.com' is already used by PeerOrgs[0]"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    RunResult result = Generate(dir, c.yaml);
    INFO(result.err);
    CHECK(result.exit_code != 0);
    CHECK(result.err.find(c.expected) != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("cryptogen generate names a config file that does not exist") {
  TempDir dir("weft-cryptogen");
  const std::string missing = (dir / "missing.yaml").string();
  RunResult result = Cryptogen({"generate", "--config", missing}, dir.path());
  CHECK(result.exit_code != 0);
  CHECK(result.err.find(missing) != std::string::npos);
}

TEST_CASE("cryptogen version prints its version in the layout of Fabric's tools") {
  TempDir dir("weft-cryptogen");
  RunResult result = Cryptogen({"version"}, dir.path());
  CHECK(result.exit_code == 0);
  CHECK(result.out.starts_with("cryptogen:\n Version: "));
}

TEST_CASE("cryptogen generate warns about keys it ignores and still generates") {
  TempDir dir("weft-cryptogen");
  RunResult result = Generate(dir, R"(
PeerOrgs:
  - Domain: org1.example.com
    EnableNodeOU: true
    CA:
      StreetAddress: 1 Main Street
    Template:
      Count: 1
)");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("crypto-config.yaml: PeerOrgs[0].EnableNodeOU") != std::string::npos);
  CHECK(result.err.find("PeerOrgs[0].CA.StreetAddress: not written into certificates") !=
        std::string::npos);
  // The misspelt key left NodeOUs off.
  CHECK_FALSE(fs::exists(dir / "out/peerOrganizations/org1.example.com/msp/config.yaml"));
}
