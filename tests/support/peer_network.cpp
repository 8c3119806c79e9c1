#include "tests/support/peer_network.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace weft::testing {
namespace {

namespace fs = std::filesystem;

void Require(const CommandResult& result, const std::string& what) {
  if (result.exit_code != 0) {
    throw std::runtime_error(what + " failed (exit " + std::to_string(result.exit_code) + "):\n" +
                             result.output());
  }
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Domain(int org) { return "org" + std::to_string(org) + ".example.com"; }

void CheckOrg(int org) {
  if (org < 1 || org > PeerNetwork::kOrgs) {
    throw std::runtime_error("no org " + std::to_string(org) + " in the peer network");
  }
}

std::string YamlList(const std::vector<std::string>& items, const std::string& indent) {
  std::string text;
  for (const auto& item : items) text += indent + "- " + item + "\n";
  return text;
}

// An organisation of configtx.yaml with the role policies of Fabric's test network,
// and its anchor peer when `anchor_port` is not 0.
std::string PeerOrgYaml(int org, int anchor_port) {
  const std::string id = PeerNetwork::MspId(org);
  return "  - &Org" + std::to_string(org) + "\n    Name: " + id + "\n    ID: " + id +
         "\n    MSPDir: crypto-config/peerOrganizations/" + Domain(org) +
         "/msp\n"
         "    Policies:\n"
         "      Readers:\n        Type: Signature\n        Rule: \"OR('" +
         id + ".admin', '" + id + ".peer', '" + id +
         ".client')\"\n"
         "      Writers:\n        Type: Signature\n        Rule: \"OR('" +
         id + ".admin', '" + id +
         ".client')\"\n"
         "      Admins:\n        Type: Signature\n        Rule: \"OR('" +
         id +
         ".admin')\"\n"
         "      Endorsement:\n        Type: Signature\n        Rule: \"OR('" +
         id + ".peer')\"\n" +
         (anchor_port == 0 ? std::string()
                           : "    AnchorPeers:\n      - Host: localhost\n        Port: " +
                                 std::to_string(anchor_port) + "\n");
}

}  // namespace

struct PeerNetwork::Peer {
  std::unique_ptr<ChildProcess> process;
  bool paused = false;
};

PeerNetwork::PeerNetwork(PeerNetworkOptions options) : options_(std::move(options)) {
  const fs::path bin = options_.bin_dir;
  Require(RunCommand({(bin / "cryptogen").string(), "generate", "--config",
                      (options_.source_dir / "deploy/network/crypto-config.yaml").string(),
                      "--output", (dir() / "crypto-config").string()}),
          "cryptogen");
  for (auto& peer : peers_) peer = std::make_unique<Peer>();

  if (options_.anchor_peers) {
    for (int& port : anchor_ports_) port = FreePort();
  }
  std::vector<std::string> endpoints;
  std::vector<std::string> brokers;
  if (options_.kafka) {
    auto pair =
        KafkaOrdererPair::Options::ForChannel(options_.kafka_mock, (bin / "orderer").string(),
                                              dir() / "orderers", options_.channel, OrdererMsp());
    pair.env = OrdererTlsEnv();
    kafka_ = std::make_unique<KafkaOrdererPair>(std::move(pair));
    endpoints = {kafka_->address(0), kafka_->address(1)};
    std::stringstream servers(kafka_->bootstrap_servers());
    for (std::string broker; std::getline(servers, broker, ',');) brokers.push_back(broker);
  } else {
    solo_port_ = FreePort();
    endpoints = {orderer_address(0)};
  }
  WriteConfigtx(endpoints, brokers);
  const fs::path genesis_path = dir() / "genesis.block";
  Require(RunCommand({(bin / "configtxgen").string(), "-profile", "TwoOrgsChannel", "-channelID",
                      options_.channel, "-outputBlock", genesis_path.string(), "-configPath",
                      dir().string()}),
          "configtxgen");
  genesis_ = ReadAll(genesis_path);

  if (options_.kafka) {
    for (int node = 0; node < KafkaOrdererPair::kNodes; ++node) kafka_->Start(node, genesis_);
    return;
  }
  OrdererProcess::Options solo;
  solo.argv = {(bin / "orderer").string(), "start"};
  solo.env = OrdererTlsEnv();
  solo.env.insert({{"FABRIC_CFG_PATH", (options_.source_dir / "deploy/config").string()},
                   {"ORDERER_GENERAL_LISTENADDRESS", "127.0.0.1"},
                   {"ORDERER_GENERAL_LISTENPORT", std::to_string(solo_port_)},
                   {"ORDERER_GENERAL_LOCALMSPDIR", OrdererMsp().string()},
                   {"ORDERER_GENERAL_LOCALMSPID", "OrdererMSP"},
                   {"ORDERER_FILELEDGER_LOCATION", (dir() / "orderer-ledger").string()},
                   {"ORDERER_ADMIN_LISTENADDRESS", "127.0.0.1:0"},
                   {"ORDERER_OPERATIONS_LISTENADDRESS", "127.0.0.1:0"},
                   {"ORDERER_METRICS_PROVIDER", "disabled"}});
  solo.log_file = dir() / "orderer.log";
  solo_ = std::make_unique<OrdererProcess>(std::move(solo));
  solo_->Join(genesis_);
  solo_->WaitHealthy();
}

PeerNetwork::~PeerNetwork() {
  if (paused_) ResumeOrderer(0);
  for (int org = 1; org <= kOrgs; ++org) StopPeer(org);
}

void PeerNetwork::WriteConfigtx(const std::vector<std::string>& endpoints,
                                const std::vector<std::string>& brokers) const {
  const std::string orderer_type = options_.kafka ? "kafka" : "solo";
  std::string text =
      "# Written by tests/support/peer_network.cpp: Fabric's test network with both peer\n"
      "# orgs in one channel.\n"
      "Organizations:\n"
      "  - &OrdererOrg\n"
      "    Name: OrdererOrg\n"
      "    ID: OrdererMSP\n"
      "    MSPDir: crypto-config/ordererOrganizations/example.com/msp\n"
      "    Policies:\n"
      "      Readers:\n        Type: Signature\n        Rule: \"OR('OrdererMSP.member')\"\n"
      "      Writers:\n        Type: Signature\n        Rule: \"OR('OrdererMSP.member')\"\n"
      "      Admins:\n        Type: Signature\n        Rule: \"OR('OrdererMSP.admin')\"\n"
      "    OrdererEndpoints:\n" +
      YamlList(endpoints, "      ") + PeerOrgYaml(1, anchor_ports_[0]) +
      PeerOrgYaml(2, anchor_ports_[1]) +
      "Capabilities:\n"
      "  Channel: &ChannelCapabilities\n    V2_0: true\n"
      "  Orderer: &OrdererCapabilities\n    V2_0: true\n"
      "  Application: &ApplicationCapabilities\n    V2_5: true\n"
      "Application: &ApplicationDefaults\n"
      "  Organizations:\n"
      "  Policies:\n"
      "    Readers:\n      Type: ImplicitMeta\n      Rule: \"ANY Readers\"\n"
      "    Writers:\n      Type: ImplicitMeta\n      Rule: \"ANY Writers\"\n"
      "    Admins:\n      Type: ImplicitMeta\n      Rule: \"MAJORITY Admins\"\n"
      "    LifecycleEndorsement:\n      Type: ImplicitMeta\n      Rule: \"MAJORITY Endorsement\"\n"
      "    Endorsement:\n      Type: ImplicitMeta\n      Rule: \"MAJORITY Endorsement\"\n"
      "  Capabilities:\n    <<: *ApplicationCapabilities\n"
      "Orderer: &OrdererDefaults\n"
      "  OrdererType: " +
      orderer_type + "\n  Addresses:\n" + YamlList(endpoints, "    ") +
      "  BatchTimeout: " + options_.batch_timeout +
      "\n"
      "  BatchSize:\n"
      "    MaxMessageCount: " +
      std::to_string(options_.max_message_count) +
      "\n"
      "    AbsoluteMaxBytes: " +
      options_.absolute_max_bytes + "\n    PreferredMaxBytes: " + options_.preferred_max_bytes +
      "\n" +
      (brokers.empty() ? std::string() : "  Kafka:\n    Brokers:\n" + YamlList(brokers, "      ")) +
      "  Organizations:\n"
      "  Policies:\n"
      "    Readers:\n      Type: ImplicitMeta\n      Rule: \"ANY Readers\"\n"
      "    Writers:\n      Type: ImplicitMeta\n      Rule: \"ANY Writers\"\n"
      "    Admins:\n      Type: ImplicitMeta\n      Rule: \"MAJORITY Admins\"\n"
      "    BlockValidation:\n      Type: ImplicitMeta\n      Rule: \"ANY Writers\"\n"
      "Channel: &ChannelDefaults\n"
      "  Policies:\n"
      "    Readers:\n      Type: ImplicitMeta\n      Rule: \"ANY Readers\"\n"
      "    Writers:\n      Type: ImplicitMeta\n      Rule: \"ANY Writers\"\n"
      "    Admins:\n      Type: ImplicitMeta\n      Rule: \"MAJORITY Admins\"\n"
      "  Capabilities:\n    <<: *ChannelCapabilities\n"
      "Profiles:\n"
      "  TwoOrgsChannel:\n"
      "    <<: *ChannelDefaults\n"
      "    Orderer:\n"
      "      <<: *OrdererDefaults\n"
      "      Organizations:\n        - *OrdererOrg\n"
      "      Capabilities: *OrdererCapabilities\n"
      "    Application:\n"
      "      <<: *ApplicationDefaults\n"
      "      Organizations:\n        - *Org1\n        - *Org2\n"
      "      Capabilities: *ApplicationCapabilities\n";
  std::ofstream out(dir() / "configtx.yaml", std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + (dir() / "configtx.yaml").string());
}

fs::path PeerNetwork::OrdererDir() const {
  return dir() / "crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com";
}

fs::path PeerNetwork::OrdererMsp() const { return OrdererDir() / "msp"; }

std::map<std::string, std::string> PeerNetwork::OrdererTlsEnv() const {
  const fs::path tls = OrdererDir() / "tls";
  return {{"ORDERER_GENERAL_TLS_ENABLED", "true"},
          {"ORDERER_GENERAL_TLS_PRIVATEKEY", (tls / "server.key").string()},
          {"ORDERER_GENERAL_TLS_CERTIFICATE", (tls / "server.crt").string()},
          {"ORDERER_GENERAL_TLS_ROOTCAS", "[" + (tls / "ca.crt").string() + "]"}};
}

int PeerNetwork::orderer_count() const { return options_.kafka ? KafkaOrdererPair::kNodes : 1; }

std::string PeerNetwork::orderer_address(int orderer) const {
  if (options_.kafka) return kafka_->address(orderer);
  return "127.0.0.1:" + std::to_string(solo_port_);
}

std::vector<std::string> PeerNetwork::orderer_addresses() const {
  std::vector<std::string> addresses;
  for (int i = 0; i < orderer_count(); ++i) addresses.push_back(orderer_address(i));
  return addresses;
}

void PeerNetwork::StopOrderer(int orderer, int signal) {
  if (options_.kafka) {
    kafka_->Stop(orderer, signal);
  } else if (solo_ != nullptr) {
    solo_->Stop(signal);
  }
}

void PeerNetwork::RestartOrderer(int orderer) {
  if (options_.kafka) {
    kafka_->Start(orderer, "");
    return;
  }
  solo_->Start();
  solo_->WaitHealthy();
}

void PeerNetwork::PauseOrderer(int /*orderer*/) {
  if (solo_ == nullptr) throw std::runtime_error("PauseOrderer needs the solo orderer");
  solo_->Signal(SIGSTOP);
  paused_ = true;
}

void PeerNetwork::ResumeOrderer(int /*orderer*/) {
  if (solo_ == nullptr) throw std::runtime_error("ResumeOrderer needs the solo orderer");
  solo_->Signal(SIGCONT);
  paused_ = false;
}

fs::path PeerNetwork::OrdererLog(int orderer) const {
  if (options_.kafka) return dir() / "orderers" / KafkaOrdererPair::Name(orderer) / "orderer.log";
  return dir() / "orderer.log";
}

common::settings::GrpcClientSettings PeerNetwork::OrdererClientSettings() const {
  common::settings::GrpcClientSettings settings;
  settings.tls.enabled = true;
  settings.tls.root_cas = {OrdererDir() / "tls/ca.crt"};
  return settings;
}

std::string PeerNetwork::MspId(int org) { return "Org" + std::to_string(org) + "MSP"; }

fs::path PeerNetwork::PeerDir(int org) const {
  CheckOrg(org);
  return dir() / "crypto-config/peerOrganizations" / Domain(org) / "peers" /
         ("peer0." + Domain(org));
}

fs::path PeerNetwork::PeerMsp(int org) const { return PeerDir(org) / "msp"; }

fs::path PeerNetwork::UserMsp(int org, const std::string& user) const {
  CheckOrg(org);
  return dir() / "crypto-config/peerOrganizations" / Domain(org) / "users" /
         (user + "@" + Domain(org)) / "msp";
}

fs::path PeerNetwork::PeerLog(int org) const {
  return dir() / ("peer0.org" + std::to_string(org) + ".log");
}

fs::path PeerNetwork::PeerLedgersDir(int org) const {
  return dir() / ("peer0.org" + std::to_string(org) + "-data") / "ledgersData";
}

void PeerNetwork::PausePeer(int org) {
  CheckOrg(org);
  Peer& peer = *peers_[org - 1];
  if (peer.process == nullptr) throw std::runtime_error("PausePeer: the peer is not running");
  peer.process->Signal(SIGSTOP);
  peer.paused = true;
}

void PeerNetwork::ResumePeer(int org) {
  CheckOrg(org);
  Peer& peer = *peers_[org - 1];
  if (peer.process == nullptr) throw std::runtime_error("ResumePeer: the peer is not running");
  peer.process->Signal(SIGCONT);
  peer.paused = false;
}

std::string PeerNetwork::AnchorAddress(int org) const {
  CheckOrg(org);
  if (anchor_ports_[org - 1] == 0) throw std::runtime_error("the network has no anchor peers");
  return "localhost:" + std::to_string(anchor_ports_[org - 1]);
}

PeerEndpoints PeerNetwork::StartPeer(int org) {
  CheckOrg(org);
  const fs::path peer = PeerDir(org);
  ProcessOptions options;
  options.argv = {(options_.bin_dir / "peer").string(), "node", "start"};
  options.env = {{"FABRIC_CFG_PATH", (options_.source_dir / "deploy/config").string()},
                 {"CORE_PEER_ID", "peer0." + Domain(org)},
                 {"CORE_PEER_ADDRESS", "127.0.0.1:7051"},
                 {"CORE_PEER_LISTENADDRESS", "127.0.0.1:0"},
                 {"CORE_PEER_CHAINCODELISTENADDRESS", "127.0.0.1:0"},
                 // core.yaml names 127.0.0.1:7052 here; port 0 hands chaincodes the
                 // port the listener got.
                 {"CORE_PEER_CHAINCODEADDRESS", "127.0.0.1:0"},
                 {"CORE_PEER_FILESYSTEMPATH", PeerLedgersDir(org).parent_path().string()},
                 {"CORE_PEER_MSPCONFIGPATH", (peer / "msp").string()},
                 {"CORE_PEER_LOCALMSPID", MspId(org)},
                 {"CORE_PEER_VALIDATORPOOLSIZE", "2"},
                 {"CORE_PEER_TLS_ENABLED", "true"},
                 {"CORE_PEER_TLS_CERT_FILE", (peer / "tls/server.crt").string()},
                 {"CORE_PEER_TLS_KEY_FILE", (peer / "tls/server.key").string()},
                 {"CORE_PEER_TLS_ROOTCERT_FILE", (peer / "tls/ca.crt").string()},
                 {"CORE_PEER_TLS_CLIENTROOTCAS_FILES", "[" + (peer / "tls/ca.crt").string() + "]"},
                 {"CORE_OPERATIONS_LISTENADDRESS", "127.0.0.1:0"},
                 {"CORE_METRICS_PROVIDER", "disabled"}};
  if (const int port = anchor_ports_[org - 1]; port != 0) {
    // The anchor address, so the gateway knows itself among its org's anchor peers.
    options.env["CORE_PEER_LISTENADDRESS"] = "127.0.0.1:" + std::to_string(port);
    options.env["CORE_PEER_ADDRESS"] = AnchorAddress(org);
  }
  for (const auto& [name, value] : options_.peer_env) options.env[name] = value;
  options.stderr_file = PeerLog(org);
  auto& process = peers_[org - 1]->process;
  process = std::make_unique<ChildProcess>(options);
  auto ready = process->WaitForLine(
      [](const std::string& line) { return line.rfind("peer started:", 0) == 0; },
      std::chrono::seconds(60));
  if (!ready) {
    throw std::runtime_error("peer0." + Domain(org) + " did not start; its log:\n" +
                             ReadAll(PeerLog(org)));
  }
  std::smatch match;
  if (!std::regex_search(*ready, match, std::regex("grpc=(\\S+) operations=(\\S+)"))) {
    throw std::runtime_error("not a \"peer started:\" line: " + *ready);
  }
  return {match[1], match[2]};
}

int PeerNetwork::StopPeer(int org, int signal) {
  CheckOrg(org);
  auto& process = peers_[org - 1]->process;
  if (process == nullptr) return 0;
  process->Signal(signal);
  if (peers_[org - 1]->paused) {
    process->Signal(SIGCONT);  // a stopped process acts on `signal` once continued
    peers_[org - 1]->paused = false;
  }
  const int code = process->Wait();
  process.reset();
  return code;
}

bool PeerNetwork::PeerRunning(int org) const {
  CheckOrg(org);
  return peers_[org - 1]->process != nullptr;
}

common::settings::GrpcClientSettings PeerNetwork::PeerClientSettings(int org) const {
  common::settings::GrpcClientSettings settings;
  settings.tls.enabled = true;
  settings.tls.root_cas = {PeerDir(org) / "tls/ca.crt"};
  settings.server_name_override = "localhost";
  return settings;
}

}  // namespace weft::testing
