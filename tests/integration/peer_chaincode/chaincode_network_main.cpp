// weft-chaincode-network: the shared network of the peer_chaincode test group as a
// CTest fixture (shared_network.h). A Catch2 program with three hidden test cases,
// run by name:
//   up     stops a network left by an earlier run, starts `serve` detached and waits
//          until it wrote the state file (fails, with its output, when it exits first)
//   serve  runs the network (tests/support/chaincode_deploy.h ChaincodeNetwork: solo orderer, both
//   orgs' peers
//          joined), deploys asset-transfer-ledger-queries on both peers with kAssets
//          assets, writes the state file, then waits for SIGTERM or SIGINT and stops
//          every process it started (peers stop their chaincodes)
//   down   stops `serve` (SIGTERM, then SIGKILL after a grace period) and removes the
//          state file; runs even when tests failed
// Its pid is kept in <state dir>/pid, its output in serve.out and serve.log.
#include <pthread.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/peer_chaincode/shared_network.h"
#include "tests/support/chaincode_deploy.h"
#include "tests/support/child_process.h"
#include "tests/support/wait_until.h"

namespace {

using namespace weft::peer_chaincode_test;  // NOLINT: the shared helpers of this folder

constexpr char kProgram[] = "weft-chaincode-network";
// The peers and the orderer each get their own grace period when `serve` stops them.
constexpr auto kStopGrace = std::chrono::seconds(120);
constexpr auto kStartTimeout = std::chrono::minutes(12);

fs::path PidFile() { return SharedStateDir() / "pid"; }

// The processes whose process group is `group` (field 5 of /proc/<pid>/stat).
std::vector<pid_t> GroupMembers(pid_t group) {
  std::vector<pid_t> members;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const size_t paren = line.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(line.substr(paren + 1));
    char state = 0;
    pid_t parent = 0;
    pid_t process_group = 0;
    fields >> state >> parent >> process_group;
    if (process_group == group && state != 'Z') members.push_back(std::stoi(name));
  }
  return members;
}

// SIGKILLs what is left of `serve`'s process group, each member by its pid, and waits
// until none is left.
void KillGroup(pid_t group) {
  for (pid_t member : GroupMembers(group)) kill(member, SIGKILL);
  if (!weft::testing::WaitUntil([&] { return GroupMembers(group).empty(); },
                                std::chrono::seconds(30))) {
    std::cerr << "processes of group " << group << " are still there\n";
  }
}

// Stops a `serve` recorded in the pid file; false when it would not stop.
bool StopServer() {
  bool stopped = true;
  if (fs::exists(PidFile())) {
    pid_t pid = -1;
    std::ifstream(PidFile()) >> pid;
    if (pid > 0 && weft::testing::DetachedRunning(pid, kProgram)) {
      stopped = weft::testing::StopDetached(pid, kProgram, kStopGrace);
    }
    // `serve` leads its own process group (StartDetached's setsid), which its orderer
    // and peers share: if it was killed or died, they are ended here.
    if (pid > 0) KillGroup(pid);
    fs::remove(PidFile());
  }
  fs::remove(SharedStateFile());
  return stopped;
}

}  // namespace

TEST_CASE("up", "[.]") {
  REQUIRE(StopServer());
  fs::create_directories(SharedStateDir());
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const pid_t pid = weft::testing::StartDetached(
      {self.string(), "serve"}, {}, SharedStateDir() / "serve.out", SharedStateDir() / "serve.log");
  std::ofstream(PidFile()) << pid << "\n";
  const bool ended = weft::testing::WaitUntil(
      [&] {
        return fs::exists(SharedStateFile()) || !weft::testing::DetachedRunning(pid, kProgram);
      },
      kStartTimeout);
  INFO("serve's output:\n"
       << LogTail(SharedStateDir() / "serve.out") << "\n"
       << LogTail(SharedStateDir() / "serve.log"));
  REQUIRE(ended);
  REQUIRE(fs::exists(SharedStateFile()));
}

TEST_CASE("serve", "[.]") {
  // Blocked before any thread starts, so every thread inherits the mask and only
  // sigwait below takes the stop signal.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  REQUIRE(pthread_sigmask(SIG_BLOCK, &stop, nullptr) == 0);

  ChaincodeNetwork net;
  const std::string package_id = DefineOnBoth(
      net, SamplePackage("asset-transfer-ledger-queries", kLedgerLabel), kLedgerLabel, kLedger);
  // The assets every test of the group reads: all endorsed by both peers first, then
  // broadcast together, then each checked VALID on both peers.
  std::vector<client::SignedProposal> proposals;
  for (int i = 0; i < kAssets; ++i) {
    proposals.push_back(net.Proposal(net.user(1), kLedger, "CreateAsset",
                                     {AssetId(i), AssetColor(i), "5", "Tom", "100"}));
    net.Broadcast(proposals.back(), net.Endorse(proposals.back(), {1, 2}), net.user(1));
  }
  for (const auto& proposal : proposals) {
    INFO("tx " << proposal.tx_id);
    for (int org = 1; org <= 2; ++org) {
      REQUIRE(CodeName(net.WaitForCommit(org, proposal.tx_id)) == "VALID");
    }
  }
  net.WriteState(SharedStateFile(), {{kLedgerLabel, package_id}});

  int signal_number = 0;
  REQUIRE(sigwait(&stop, &signal_number) == 0);
  // ~ChaincodeNetwork stops the peers, ~PeerNetwork the orderer.
}

TEST_CASE("down", "[.]") { CHECK(StopServer()); }
