// deploy/network.sh (what ./deploy/up.sh runs after set-up and build), on free ports
// in a temporary network folder, against this build tree's programs. The network is
// Fabric test-network's (network.sh up createChannel, then deployCC and the
// asset-transfer-basic application): two orgs, channel mychannel, chaincode basic
// committed through _lifecycle with the default MAJORITY endorsement policy.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/config/reader.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using weft::testing::CommandResult;
using weft::testing::RunCommand;

const fs::path kScript = fs::path(WEFT_SOURCE_DIR) / "deploy" / "network.sh";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The environment overrides network.sh documents: this build's programs, the folder,
// and nine distinct free ports.
std::map<std::string, std::string> Overrides(const fs::path& network_dir) {
  std::map<std::string, std::string> env = {
      {"WEFT_BUILD_DIR", WEFT_BINARY_DIR},
      {"WEFT_NETWORK_DIR", network_dir.string()},
  };
  std::set<int> taken;
  for (const char* name : {"WEFT_ORDERER_PORT", "WEFT_ORDERER_ADMIN_PORT", "WEFT_ORDERER_OPS_PORT",
                           "WEFT_ORG1_PEER_PORT", "WEFT_ORG1_CC_PORT", "WEFT_ORG1_OPS_PORT",
                           "WEFT_ORG2_PEER_PORT", "WEFT_ORG2_CC_PORT", "WEFT_ORG2_OPS_PORT"}) {
    int port = weft::testing::FreePort();
    while (!taken.insert(port).second) port = weft::testing::FreePort();
    env[name] = std::to_string(port);
  }
  return env;
}

// Runs `network.sh down --clean` when the test ends, passed or not, so that a failure
// leaves no process behind.
struct NetworkGuard {
  std::map<std::string, std::string> env;
  ~NetworkGuard() {
    if (!env.empty()) (void)RunCommand({"bash", kScript.string(), "down", "--clean"}, env);
  }
};

// The asset the sample client printed for `ReadAsset asset6` through org<org>'s peer:
// the "*** Result: " line after that org's "Evaluate Transaction: ReadAsset" line.
json ReadBack(const std::string& output, int org) {
  const std::string header =
      "== Org" + std::to_string(org) + "'s User1 through peer0.org" + std::to_string(org);
  bool in_org = false;
  bool in_read = false;
  for (const auto& line : Lines(output)) {
    if (line.rfind("== ", 0) == 0) in_org = line.rfind(header, 0) == 0;
    if (in_org && line.find("Evaluate Transaction: ReadAsset, asset6") != std::string::npos) {
      in_read = true;
    } else if (in_org && in_read && line.rfind("*** Result: ", 0) == 0) {
      return json::parse(line.substr(std::string("*** Result: ").size()));
    }
  }
  return json();
}

// The live children of `parent` (/proc/<pid>/stat's fourth field).
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = ReadFile(entry.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return children;
}

pid_t PidFile(const fs::path& path) {
  const std::string text = ReadFile(path);
  return text.empty() ? -1 : static_cast<pid_t>(std::stoi(text));
}

// Every process of the network: the three the script started and the chaincode each
// peer launched for the invocations (Fabric launches a chaincode on first use), with
// what its command line contains. Test thread only (asserts).
std::vector<std::pair<pid_t, std::string>> NetworkProcesses(const fs::path& net) {
  std::vector<std::pair<pid_t, std::string>> processes = {
      {PidFile(net / "orderer.pid"), "orderer"}};
  for (const char* peer : {"peer0.org1", "peer0.org2"}) {
    const pid_t pid = PidFile(net / (std::string(peer) + ".pid"));
    processes.emplace_back(pid, "peer");
    const auto chaincode = ChildrenOf(pid);
    CAPTURE(peer);
    CHECK(chaincode.size() == 1);
    for (pid_t child : chaincode) processes.emplace_back(child, "asset-transfer-basic");
  }
  return processes;
}

// A socket listening on 127.0.0.1 at a free port, closed when the object dies.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        listen(fd_, 1) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size)) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE(
    "deploy/network.sh up brings up two orgs with basic deployed through _lifecycle and the "
    "transfer submitted through org1's Gateway read back through both orgs' peers and "
    "writes connection profiles that parse - up again starts afresh - down stops every "
    "process and down --clean removes the folder") {
  weft::testing::TempDir dir("weft-deploy-network");
  const fs::path net = dir / "network";
  NetworkGuard guard{Overrides(net)};
  const auto& env = guard.env;

  const CommandResult up = RunCommand({"bash", kScript.string(), "up"}, env);
  INFO(up.output());
  REQUIRE(up.exit_code == 0);

  // The default endorsement policy is MAJORITY Endorsement (test-network's
  // configtx.yaml Application.Policies.Endorsement), so the transfer committed only if
  // both orgs endorsed it, and both peers committed the same block: both read back the
  // new owner (the chaincode's TransferAsset sets Owner).
  for (int org : {1, 2}) {
    const json asset = ReadBack(up.out, org);
    CAPTURE(org);
    REQUIRE(asset.is_object());
    CHECK(asset.value("ID", "") == "asset6");
    CHECK(asset.value("Owner", "") == "Christopher");
  }

  // test-network's ccp-generate.sh writes connection-org<N>.json and .yaml next to each
  // org's material (organizations/peerOrganizations/org<N>.example.com/).
  for (int org : {1, 2}) {
    const std::string n = std::to_string(org);
    const fs::path org_dir =
        net / "organizations" / "peerOrganizations" / ("org" + n + ".example.com");
    const std::string peer = "peer0.org" + n + ".example.com";
    const std::string url =
        "grpcs://localhost:" + env.at(org == 1 ? "WEFT_ORG1_PEER_PORT" : "WEFT_ORG2_PEER_PORT");
    const json profile = json::parse(ReadFile(org_dir / ("connection-org" + n + ".json")));
    CHECK(profile["organizations"]["Org" + n]["mspid"] == "Org" + n + "MSP");
    CHECK(profile["peers"][peer]["url"] == url);
    const std::string pem = profile["peers"][peer]["tlsCACerts"]["pem"].get<std::string>();
    CHECK(pem == ReadFile(org_dir / "tlsca" / ("tlsca.org" + n + ".example.com-cert.pem")));
    CHECK(profile["orderers"]["orderer.example.com"]["url"] ==
          "grpcs://localhost:" + env.at("WEFT_ORDERER_PORT"));

    // The YAML form, through Weft's config reader (whose dotted keys cannot name
    // "peer0.org1.example.com", so the node names are compared as map keys).
    auto yaml = weft::common::config::Reader::Open(org_dir / ("connection-org" + n + ".yaml"),
                                                   "UNUSED", {});
    INFO(yaml.status().ToString());
    REQUIRE(yaml.ok());
    std::string msp_id;
    yaml->ReadString("organizations.Org" + n + ".mspid", &msp_id);
    CHECK(msp_id == "Org" + n + "MSP");
    std::vector<std::string> organization_peers;
    yaml->ReadStringList("organizations.Org" + n + ".peers", &organization_peers);
    CHECK(organization_peers == std::vector<std::string>{peer});
    CHECK(yaml->MapKeys("peers") == std::vector<std::string>{peer});
    CHECK(yaml->MapKeys("orderers") == std::vector<std::string>{"orderer.example.com"});
    std::vector<std::string> channel_orderers;
    yaml->ReadStringList("channels.mychannel.orderers", &channel_orderers);
    CHECK(channel_orderers == std::vector<std::string>{"orderer.example.com"});
    CHECK(yaml->Finish().ok());
  }

  const auto first = NetworkProcesses(net);
  for (const auto& [pid, name] : first) {
    CAPTURE(pid, name);
    REQUIRE(weft::testing::DetachedRunning(pid, name));
  }

  // Running up again stops the network in the folder and starts a fresh one (the
  // ports are taken by the first one until it is stopped).
  const CommandResult again = RunCommand({"bash", kScript.string(), "up"}, env);
  INFO(again.output());
  REQUIRE(again.exit_code == 0);
  for (const auto& [pid, name] : first) {
    CAPTURE(pid, name);
    CHECK_FALSE(weft::testing::DetachedRunning(pid, name));
  }
  CHECK(ReadBack(again.out, 2).value("Owner", "") == "Christopher");
  const auto processes = NetworkProcesses(net);
  for (const auto& [pid, name] : processes) {
    CAPTURE(pid, name);
    REQUIRE(weft::testing::DetachedRunning(pid, name));
  }

  const CommandResult down = RunCommand({"bash", kScript.string(), "down"}, env);
  INFO(down.output());
  CHECK(down.exit_code == 0);
  for (const auto& [pid, name] : processes) {
    CAPTURE(pid, name);
    CHECK_FALSE(weft::testing::DetachedRunning(pid, name));
  }
  CHECK(fs::exists(net / "organizations"));  // plain down keeps the data

  const CommandResult clean = RunCommand({"bash", kScript.string(), "down", "--clean"}, env);
  INFO(clean.output());
  CHECK(clean.exit_code == 0);
  CHECK_FALSE(fs::exists(net));
}

TEST_CASE("deploy/network.sh up refuses to start when one of its ports is in use and names it") {
  weft::testing::TempDir dir("weft-deploy-network");
  const fs::path net = dir / "network";
  NetworkGuard guard{Overrides(net)};
  Listener busy;
  auto env = guard.env;
  env["WEFT_ORG2_CC_PORT"] = std::to_string(busy.port());

  const CommandResult up = RunCommand({"bash", kScript.string(), "up"}, env);
  INFO(up.output());
  CHECK(up.exit_code != 0);
  CHECK(up.err.find("Port " + std::to_string(busy.port()) + " is in use") != std::string::npos);
  CHECK_FALSE(fs::exists(net / "orderer.pid"));  // nothing was started
}
