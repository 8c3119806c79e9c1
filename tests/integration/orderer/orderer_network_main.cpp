// weft-orderer-network: the shared solo orderer network of the orderer integration
// tests, as a CTest fixture.
//   weft-orderer-network up <state-dir>    generate identities and genesis block,
//       start the orderer detached, join the channel, write <state-dir>/state;
//       exit 1 (stopping what it started) when any step fails
//   weft-orderer-network down <state-dir>  stop the orderer, remove the network
//       (its log is kept as <state-dir>/orderer-last.log)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tests/integration/orderer/solo_network.h"
#include "tests/support/child_process.h"
#include "tests/support/wait_until.h"

namespace {

namespace fs = std::filesystem;
namespace it = weft::testing::orderer_it;

constexpr char kProcessName[] = "orderer";
constexpr auto kStopGrace = std::chrono::seconds(10);

fs::path StateFile(const fs::path& state_dir) { return state_dir / "state"; }
fs::path NetworkDir(const fs::path& state_dir) { return state_dir / "network"; }

// Stops the network recorded in `state_dir`, if any; false if it would not stop.
bool Down(const fs::path& state_dir) {
  bool stopped = true;
  if (fs::exists(StateFile(state_dir))) {
    const auto network = it::SharedNetwork::Load(StateFile(state_dir));
    stopped = weft::testing::StopDetached(network.pid, kProcessName, kStopGrace);
    if (!stopped) std::cerr << "orderer pid " << network.pid << " did not stop\n";
    fs::remove(StateFile(state_dir));
  }
  std::error_code ignored;
  fs::copy_file(NetworkDir(state_dir) / "orderer.log", state_dir / "orderer-last.log",
                fs::copy_options::overwrite_existing, ignored);
  fs::remove_all(NetworkDir(state_dir), ignored);
  return stopped;
}

void Up(const fs::path& state_dir) {
  // A network left by an earlier run (ctest --repeat runs the setup again) goes first.
  if (!Down(state_dir)) throw std::runtime_error("the previous network would not stop");
  const fs::path dir = NetworkDir(state_dir);
  fs::create_directories(dir);
  it::GenerateNetworkFiles(dir);

  it::SharedNetwork network;
  network.dir = dir;
  network.pid = weft::testing::StartDetached(it::OrdererArgv(), it::OrdererEnv(dir),
                                             dir / "orderer.out", dir / "orderer.log");
  std::string started;
  const bool ready = weft::testing::WaitUntil(
      [&] {
        std::istringstream lines(it::ReadFile(dir / "orderer.out"));
        for (std::string line; std::getline(lines, line);) {
          if (it::IsStartedLine(line)) {
            started = line;
            return true;
          }
        }
        // Gone: stop waiting, the check below reports it.
        return !weft::testing::DetachedRunning(network.pid, kProcessName);
      },
      std::chrono::seconds(60));
  if (!ready || started.empty()) {
    weft::testing::StopDetached(network.pid, kProcessName, kStopGrace);
    throw std::runtime_error("the orderer did not start; its log:\n" +
                             it::ReadFile(dir / "orderer.log"));
  }
  network.endpoints = it::ParseStartedLine(started);

  const auto joined = it::JoinChannel(dir, network.endpoints.admin);
  if (joined.exit_code != 0 || joined.output().find("Status: 201") == std::string::npos) {
    weft::testing::StopDetached(network.pid, kProcessName, kStopGrace);
    throw std::runtime_error("osnadmin channel join failed:\n" + joined.output());
  }
  try {
    network.Save(StateFile(state_dir));
  } catch (...) {
    weft::testing::StopDetached(network.pid, kProcessName, kStopGrace);
    throw;
  }
  std::cout << "orderer pid " << network.pid << " grpc=" << network.endpoints.grpc
            << " admin=" << network.endpoints.admin
            << " operations=" << network.endpoints.operations << " joined " << it::kChannel << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "usage: weft-orderer-network up|down <state-dir>";
  if (argc != 3) {
    std::cerr << usage << "\n";
    return 2;
  }
  const std::string command = argv[1];
  const fs::path state_dir = fs::absolute(argv[2]);
  try {
    if (command == "up") {
      Up(state_dir);
      return 0;
    }
    if (command == "down") return Down(state_dir) ? 0 : 1;
    std::cerr << usage << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "weft-orderer-network " << command << ": " << error.what() << "\n";
    return 1;
  }
}
