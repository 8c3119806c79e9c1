// A two-organisation Fabric-style network of real processes on 127.0.0.1 for
// integration tests, TLS on everywhere: cryptogen's identities (Fabric test-network
// layout: OrdererOrg, Org1, Org2 with NodeOUs), one channel from configtxgen with both
// orgs in Application and Fabric's default policies (Endorsement and
// LifecycleEndorsement = MAJORITY Endorsement), and either one solo orderer or the
// Kafka orderer pair (tests/support/kafka_orderers.h), listed as the orderer org's
// OrdererEndpoints on fixed ports. Orderers start (joined to the channel) with the
// network; peers (peer0 of Org1 and Org2, each with its own folder) start on demand
// and join nothing by themselves.
// Helpers throw std::runtime_error on failure, naming what failed and the log to read;
// none asserts. Thread-safety: one PeerNetwork per test thread.
#pragma once

#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/settings/settings.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka_orderers.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {

struct PeerNetworkOptions {
  std::filesystem::path bin_dir;     // holds peer, orderer, cryptogen, configtxgen
  std::filesystem::path source_dir;  // the repository (deploy/config, deploy/network)
  std::string channel = "testchannel";
  bool kafka = false;      // false: one solo orderer; true: the Kafka orderer pair
  std::string kafka_mock;  // the weft-kafka-mock executable (kafka only)
  std::string batch_timeout = "500ms";
  int max_message_count = 10;
  // Publishes each org's peer0 as its anchor peer (localhost:<port>, the name its TLS
  // certificate carries) on a port fixed at construction, so the peers' gateways
  // reach the other org's peer.
  bool anchor_peers = false;
  // The channel's Orderer BatchSize byte limits, as configtx.yaml writes them.
  std::string absolute_max_bytes = "10 MB";
  std::string preferred_max_bytes = "2 MB";
  // CORE_* overrides for every peer started (e.g. CORE_CHAINCODE_EXECUTETIMEOUT),
  // applied over the network's own.
  std::map<std::string, std::string> peer_env;
};

struct PeerEndpoints {
  std::string grpc;
  std::string operations;
};

class PeerNetwork {
 public:
  static constexpr int kOrgs = 2;  // orgs are numbered 1 and 2

  explicit PeerNetwork(PeerNetworkOptions options);
  ~PeerNetwork();
  PeerNetwork(const PeerNetwork&) = delete;
  PeerNetwork& operator=(const PeerNetwork&) = delete;

  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::string& channel() const { return options_.channel; }
  // The channel's genesis block, serialized.
  const std::string& genesis_block() const { return genesis_; }

  // Orderers: 1 (solo) or 2 (Kafka), numbered from 0, each at its fixed address.
  int orderer_count() const;
  std::string orderer_address(int orderer) const;
  std::vector<std::string> orderer_addresses() const;
  // Stops orderer `orderer` with `signal`; RestartOrderer brings it back (its ledger
  // keeps the channel) and waits until it is healthy.
  void StopOrderer(int orderer, int signal);
  void RestartOrderer(int orderer);
  // SIGSTOP / SIGCONT of orderer `orderer` (solo only): it keeps its connections and
  // answers nothing until resumed. The destructor resumes a paused orderer.
  void PauseOrderer(int orderer);
  void ResumeOrderer(int orderer);
  std::filesystem::path OrdererLog(int orderer) const;
  // TLS client settings that trust the orderers' TLS CA.
  common::settings::GrpcClientSettings OrdererClientSettings() const;
  // The local MSP folder of the (first) orderer node.
  std::filesystem::path OrdererMsp() const;
  // The mock Kafka cluster of the Kafka orderer pair; nullptr with a solo orderer.
  MockKafkaProcess* kafka() { return kafka_ ? &kafka_->kafka() : nullptr; }

  // Peers: peer0 of org 1 or 2. StartPeer starts it (again) and returns its
  // endpoints; StopPeer sends `signal` and returns its exit code (or -signal; 0 if it
  // was not running).
  PeerEndpoints StartPeer(int org);
  int StopPeer(int org, int signal = SIGTERM);
  bool PeerRunning(int org) const;
  // SIGSTOP / SIGCONT of org `org`'s peer: it keeps its connections and answers
  // nothing until resumed (StopPeer and the destructor resume it).
  void PausePeer(int org);
  void ResumePeer(int org);
  std::filesystem::path PeerLog(int org) const;
  // TLS client settings that trust peer0.org<org>'s TLS CA (its certificate names
  // localhost, not 127.0.0.1).
  common::settings::GrpcClientSettings PeerClientSettings(int org) const;
  // peer.fileSystemPath/ledgersData of peer0.org<org> (peer/ledger's LedgerManager).
  std::filesystem::path PeerLedgersDir(int org) const;
  // peer0.org<org>'s anchor peer address ("localhost:<port>"); anchor_peers only.
  std::string AnchorAddress(int org) const;

  static std::string MspId(int org);  // "Org1MSP"
  // MSP folders: peer0's own, and a user's ("Admin", "User1").
  std::filesystem::path PeerMsp(int org) const;
  std::filesystem::path UserMsp(int org, const std::string& user) const;

 private:
  struct Peer;
  std::filesystem::path PeerDir(int org) const;
  std::filesystem::path OrdererDir() const;
  std::map<std::string, std::string> OrdererTlsEnv() const;
  void WriteConfigtx(const std::vector<std::string>& endpoints,
                     const std::vector<std::string>& brokers) const;

  PeerNetworkOptions options_;
  TempDir dir_{"weft-peer-network"};
  std::string genesis_;
  int solo_port_ = 0;
  bool paused_ = false;
  int anchor_ports_[kOrgs] = {0, 0};  // 0: the peer listens on a port of its choosing
  std::unique_ptr<OrdererProcess> solo_;
  std::unique_ptr<KafkaOrdererPair> kafka_;
  std::unique_ptr<Peer> peers_[kOrgs];
};

}  // namespace weft::testing
