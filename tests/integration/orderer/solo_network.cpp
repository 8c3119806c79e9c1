#include "tests/integration/orderer/solo_network.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace weft::testing::orderer_it {
namespace {

namespace fs = std::filesystem;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;

void Require(const CommandResult& result, const std::string& what) {
  if (result.exit_code != 0) {
    throw std::runtime_error(what + " failed (exit " + std::to_string(result.exit_code) + "):\n" +
                             result.output());
  }
}

}  // namespace

void GenerateNetworkFiles(const fs::path& dir) {
  Require(RunCommand({(kBin / "cryptogen").string(), "generate", "--config",
                      (kSource / "deploy/network/crypto-config.yaml").string(), "--output",
                      (dir / "crypto-config").string()}),
          "cryptogen");
  fs::copy_file(kSource / "tests/integration/orderer/configtx.yaml", dir / "configtx.yaml",
                fs::copy_options::overwrite_existing);
  Require(RunCommand({(kBin / "configtxgen").string(), "-profile", "TwoOrgsApplicationGenesis",
                      "-channelID", kChannel, "-outputBlock", GenesisPath(dir).string(),
                      "-configPath", dir.string()}),
          "configtxgen");
}

fs::path GenesisPath(const fs::path& dir) { return dir / "genesis.block"; }

fs::path UserMsp(const fs::path& dir, const std::string& org, const std::string& user) {
  const std::string domain = org + ".example.com";
  return dir / "crypto-config/peerOrganizations" / domain / "users" / (user + "@" + domain) / "msp";
}

std::vector<std::string> OrdererArgv() { return {(kBin / "orderer").string(), "start"}; }

std::map<std::string, std::string> OrdererEnv(const fs::path& dir) {
  const fs::path orderer_dir =
      dir / "crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com";
  return {{"FABRIC_CFG_PATH", (kSource / "deploy/config").string()},
          {"ORDERER_GENERAL_LISTENADDRESS", "127.0.0.1"},
          {"ORDERER_GENERAL_LISTENPORT", "0"},
          {"ORDERER_GENERAL_LOCALMSPDIR", (orderer_dir / "msp").string()},
          {"ORDERER_GENERAL_LOCALMSPID", "OrdererMSP"},
          {"ORDERER_FILELEDGER_LOCATION", (dir / "ledger").string()},
          {"ORDERER_ADMIN_LISTENADDRESS", "127.0.0.1:0"},
          {"ORDERER_OPERATIONS_LISTENADDRESS", "127.0.0.1:0"},
          {"ORDERER_METRICS_PROVIDER", "prometheus"}};
}

bool IsStartedLine(const std::string& line) { return line.rfind("orderer started:", 0) == 0; }

Endpoints ParseStartedLine(const std::string& line) {
  std::smatch match;
  if (!std::regex_search(line, match, std::regex("grpc=(\\S+) admin=(\\S+) operations=(\\S+)"))) {
    throw std::runtime_error("not an \"orderer started:\" line: " + line);
  }
  return {match[1], match[2], match[3]};
}

CommandResult Osnadmin(std::vector<std::string> args, const std::string& admin) {
  args.insert(args.begin(), (kBin / "osnadmin").string());
  args.insert(args.end(), {"-o", admin});
  return RunCommand(args);
}

CommandResult JoinChannel(const fs::path& dir, const std::string& admin) {
  return Osnadmin(
      {"channel", "join", "--channelID", kChannel, "--config-block", GenesisPath(dir).string()},
      admin);
}

SoloNetwork::SoloNetwork() { GenerateNetworkFiles(dir()); }

Endpoints SoloNetwork::Start(const std::map<std::string, std::string>& extra_env) {
  ProcessOptions options;
  options.argv = OrdererArgv();
  options.env = OrdererEnv(dir());
  for (const auto& [name, value] : extra_env) options.env[name] = value;
  options.stderr_file = dir() / "orderer.log";
  orderer_ = std::make_unique<ChildProcess>(options);
  auto ready = orderer_->WaitForLine(IsStartedLine, std::chrono::seconds(30));
  if (!ready) throw std::runtime_error("orderer did not start; log:\n" + Log());
  endpoints_ = ParseStartedLine(*ready);
  return endpoints_;
}

int SoloNetwork::Stop() {
  orderer_->Signal(SIGTERM);
  return orderer_->Wait();
}

CommandResult SoloNetwork::Osnadmin(std::vector<std::string> args) const {
  return orderer_it::Osnadmin(std::move(args), endpoints_.admin);
}

std::string SoloNetwork::Log() const { return ReadFile(dir() / "orderer.log"); }

SharedNetwork SharedNetwork::Load(const fs::path& state_file) {
  std::ifstream in(state_file);
  if (!in) {
    throw std::runtime_error(
        "no shared orderer network: " + state_file.string() +
        " is missing. The CTest fixture test 'integration:orderer-network-up' starts it (run "
        "these tests through ctest), or it failed: see its output.");
  }
  SharedNetwork network;
  std::map<std::string, std::string> fields;
  for (std::string line; std::getline(in, line);) {
    const size_t equals = line.find('=');
    if (equals != std::string::npos) fields[line.substr(0, equals)] = line.substr(equals + 1);
  }
  for (const char* key : {"pid", "grpc", "admin", "operations", "dir"}) {
    if (fields[key].empty()) {
      throw std::runtime_error(state_file.string() + " has no " + key + "=");
    }
  }
  network.pid = std::stoi(fields["pid"]);
  network.endpoints = {fields["grpc"], fields["admin"], fields["operations"]};
  network.dir = fields["dir"];
  return network;
}

void SharedNetwork::Save(const fs::path& state_file) const {
  const fs::path partial = state_file.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << "pid=" << pid << "\n"
        << "grpc=" << endpoints.grpc << "\n"
        << "admin=" << endpoints.admin << "\n"
        << "operations=" << endpoints.operations << "\n"
        << "dir=" << dir.string() << "\n";
    if (!out) throw std::runtime_error("cannot write " + partial.string());
  }
  fs::rename(partial, state_file);
}

}  // namespace weft::testing::orderer_it
