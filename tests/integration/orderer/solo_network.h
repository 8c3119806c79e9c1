// A solo orderer network for the integration tests: identities from cryptogen, a
// genesis block from configtxgen, and the orderer's environment. Used two ways:
// - SoloNetwork: a private network whose orderer is a child of the test (tests
//   that restart the orderer or remove its channel);
// - the shared network: weft-orderer-network (orderer_network_main.cpp) starts it
//   detached as a CTest fixture and records it in a state file that
//   SharedNetwork::Load reads.
// Helpers throw std::runtime_error on failure, naming what failed.
// Thread-safety: one network per test thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace weft::testing::orderer_it {

inline constexpr char kChannel[] = "testchannel";

struct Endpoints {
  std::string grpc;
  std::string admin;
  std::string operations;
};

// Writes crypto-config/, configtx.yaml and genesis.block (channel kChannel) into `dir`.
void GenerateNetworkFiles(const std::filesystem::path& dir);
std::filesystem::path GenesisPath(const std::filesystem::path& dir);
// The MSP folder of `user` (e.g. "User1") of peer organisation `org` (e.g. "org1").
std::filesystem::path UserMsp(const std::filesystem::path& dir, const std::string& org,
                              const std::string& user = "User1");
// The orderer's command line and environment for the files in `dir`; its ledger
// goes to dir/ledger.
std::vector<std::string> OrdererArgv();
std::map<std::string, std::string> OrdererEnv(const std::filesystem::path& dir);
// The endpoints in the orderer's "orderer started: grpc=... admin=... operations=..."
// line; throws when `line` is not one.
Endpoints ParseStartedLine(const std::string& line);
bool IsStartedLine(const std::string& line);
// Runs osnadmin with `args` against the admin endpoint.
CommandResult Osnadmin(std::vector<std::string> args, const std::string& admin);
// Joins kChannel with the genesis block in `dir` through osnadmin.
CommandResult JoinChannel(const std::filesystem::path& dir, const std::string& admin);
using weft::testing::ReadFile;

// A private network in a temp dir; the orderer is a child of the test.
class SoloNetwork {
 public:
  SoloNetwork();

  const std::filesystem::path& dir() const { return dir_.path(); }
  // Starts the orderer and waits for its endpoints; `extra_env` adds ORDERER_*
  // overrides to (or replaces) the ones of OrdererEnv.
  Endpoints Start(const std::map<std::string, std::string>& extra_env = {});
  // SIGTERM; the exit code.
  int Stop();
  CommandResult Osnadmin(std::vector<std::string> args) const;
  std::string Log() const;

 private:
  TempDir dir_{"weft-orderer-it"};
  std::unique_ptr<ChildProcess> orderer_;
  Endpoints endpoints_;
};

// The shared network a CTest fixture started, as its state file records it.
struct SharedNetwork {
  pid_t pid = -1;
  Endpoints endpoints;
  std::filesystem::path dir;  // the network's files (GenerateNetworkFiles)

  // Throws, saying how the network is started, when there is no state file.
  static SharedNetwork Load(const std::filesystem::path& state_file);
  void Save(const std::filesystem::path& state_file) const;
};

}  // namespace weft::testing::orderer_it
