// Real `orderer` processes for integration tests, and the Kafka orderer pair: two
// orderer executables ordering channels through librdkafka's mock cluster
// (weft-kafka-mock in a child process), each with its own folder, ledger and fixed
// gRPC port (so a channel config can list both as orderer endpoints before they start).
// Shared by the Kafka orderer tests, the deliver client's failover test and the
// two-org peer network. Helpers throw std::runtime_error on failure, naming what
// failed and where the orderer's log is, so Catch2 reports the cause; none asserts.
// Thread-safety: one object per test thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/mock_kafka_process.h"

namespace weft::testing {

// One orderer executable, started by the constructor; its "orderer started:" line
// gives its gRPC, admin and operations addresses. SIGTERM when it dies.
class OrdererProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] the executable, e.g. {orderer, "start"}
    std::map<std::string, std::string> env;
    std::filesystem::path log_file;  // its stderr
  };

  explicit OrdererProcess(Options options);
  ~OrdererProcess();
  OrdererProcess(const OrdererProcess&) = delete;
  OrdererProcess& operator=(const OrdererProcess&) = delete;

  // Starts it again after Stop (its ledger keeps the channels it had joined).
  void Start();
  // SIGKILL: a crash; SIGTERM: a clean stop. Returns the exit code (or -signal);
  // 0 when it was not running.
  int Stop(int signal);
  // Sends `signal` without waiting (SIGSTOP / SIGCONT: a hung orderer and its return).
  void Signal(int signal) const;
  bool running() const { return process_ != nullptr; }

  const std::string& grpc() const { return grpc_; }
  const std::string& admin() const { return admin_; }
  const std::string& operations() const { return operations_; }
  const std::filesystem::path& log_file() const { return options_.log_file; }

  // Joins the channel of `config_block` (serialized) through the channel
  // participation API (the admin endpoint, without TLS); throws unless 201 Created.
  void Join(const std::string& config_block) const;
  // Waits until /healthz answers 200 (for a Kafka channel: its partition takes writes).
  void WaitHealthy(std::chrono::seconds timeout = std::chrono::seconds(60)) const;

 private:
  Options options_;
  std::unique_ptr<ChildProcess> process_;
  std::string grpc_;
  std::string admin_;
  std::string operations_;
};

class KafkaOrdererPair {
 public:
  static constexpr int kNodes = 2;

  struct Options {
    std::string kafka_mock;  // the weft-kafka-mock executable
    std::string orderer;     // the orderer executable
    std::filesystem::path dir;
    std::vector<std::string> topics;  // the channels (one partition each)
    std::filesystem::path msp_dir;    // the orderers' local MSP (both use it)
    std::string msp_id = "OrdererMSP";
    // ORDERER_* overrides on top of the written orderer.yaml (e.g. General.TLS).
    std::map<std::string, std::string> env;

    // One channel's pair under `dir`, sharing the MSP folder `msp_dir`.
    static Options ForChannel(std::string kafka_mock, std::string orderer,
                              std::filesystem::path dir, std::string channel,
                              std::filesystem::path msp_dir);
  };

  // Starts the mock cluster and writes node1/orderer.yaml and node2/orderer.yaml
  // under options.dir; starts no orderer.
  explicit KafkaOrdererPair(Options options);
  ~KafkaOrdererPair();

  MockKafkaProcess& kafka() { return kafka_; }
  const std::string& bootstrap_servers() const { return kafka_.bootstrap_servers(); }
  // "127.0.0.1:<port>" of node `node` (0 or 1), fixed before it starts.
  std::string address(int node) const;
  static std::string Name(int node);  // "node1", "node2"

  // Starts node `node`, joins it with `config_block` when not empty (a restarted node
  // already has the channel), and waits until it is healthy.
  OrdererProcess& Start(int node, const std::string& config_block);
  // Stops node `node` with `signal` (nothing when it is not running).
  void Stop(int node, int signal);
  // REQUIRES: node `node` was started.
  OrdererProcess& node(int node);

 private:
  Options options_;
  MockKafkaProcess kafka_;
  int ports_[kNodes];
  std::unique_ptr<OrdererProcess> nodes_[kNodes];
};

}  // namespace weft::testing
