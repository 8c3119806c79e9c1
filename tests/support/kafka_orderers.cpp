#include "tests/support/kafka_orderers.h"

#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <stdexcept>
#include <utility>

#include "tests/support/files.h"
#include "tests/support/wait_until.h"

namespace weft::testing {
namespace {

namespace fs = std::filesystem;

std::string Field(const std::string& line, const std::string& key) {
  const size_t at = line.find(key);
  if (at == std::string::npos) {
    throw std::runtime_error("no " + key + " in the orderer's start line: " + line);
  }
  const size_t start = at + key.size();
  return line.substr(start, line.find(' ', start) - start);
}

httplib::Client Http(const std::string& address) {
  const size_t colon = address.rfind(':');
  return httplib::Client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
}

// The orderer.yaml of one Kafka node: fixed port, no bootstrap channel, quick
// retries towards the brokers (the tests take brokers down).
std::string KafkaNodeYaml(int port, const fs::path& msp_dir, const std::string& msp_id,
                          const fs::path& ledger) {
  return "General:\n"
         "  ListenAddress: 127.0.0.1\n"
         "  ListenPort: " +
         std::to_string(port) +
         "\n"
         "  BootstrapMethod: none\n"
         "  LocalMSPDir: " +
         msp_dir.string() +
         "\n"
         "  LocalMSPID: " +
         msp_id +
         "\n"
         "FileLedger:\n"
         "  Location: " +
         ledger.string() +
         "\n"
         "Kafka:\n"
         "  Retry:\n"
         "    ShortInterval: 200ms\n"
         "Admin:\n"
         "  ListenAddress: 127.0.0.1:0\n"
         "Operations:\n"
         "  ListenAddress: 127.0.0.1:0\n"
         "Metrics:\n"
         "  Provider: disabled\n";
}

}  // namespace

OrdererProcess::OrdererProcess(Options options) : options_(std::move(options)) { Start(); }

OrdererProcess::~OrdererProcess() { Stop(SIGTERM); }

void OrdererProcess::Start() {
  ProcessOptions process;
  process.argv = options_.argv;
  process.env = options_.env;
  process.stderr_file = options_.log_file;
  process_ = std::make_unique<ChildProcess>(process);
  auto line = process_->WaitForLine(
      [](const std::string& text) { return text.rfind("orderer started:", 0) == 0; },
      std::chrono::seconds(60));
  if (!line) {
    process_.reset();
    throw std::runtime_error("the orderer did not start; its log is " + options_.log_file.string());
  }
  grpc_ = Field(*line, "grpc=");
  admin_ = Field(*line, "admin=");
  operations_ = Field(*line, "operations=");
}

int OrdererProcess::Stop(int signal) {
  if (process_ == nullptr) return 0;
  process_->Signal(signal);
  const int code = process_->Wait();
  process_.reset();
  return code;
}

void OrdererProcess::Signal(int signal) const {
  if (process_ != nullptr) process_->Signal(signal);
}

void OrdererProcess::Join(const std::string& config_block) const {
  httplib::Client client = Http(admin_);
  client.set_read_timeout(std::chrono::seconds(60));
  httplib::MultipartFormDataItems items = {
      {"config-block", config_block, "genesis.block", "application/octet-stream"}};
  auto response = client.Post("/participation/v1/channels", items);
  if (!response) {
    throw std::runtime_error("joining orderer " + grpc_ + " to the channel: no answer from " +
                             admin_);
  }
  if (response->status != 201) {
    throw std::runtime_error("joining orderer " + grpc_ + " to the channel: status " +
                             std::to_string(response->status) + ": " + response->body);
  }
}

void OrdererProcess::WaitHealthy(std::chrono::seconds timeout) const {
  httplib::Client client = Http(operations_);
  std::string last;
  const bool healthy = WaitUntil(
      [&] {
        auto response = client.Get("/healthz");
        if (response) last = response->body;
        return response && response->status == 200;
      },
      timeout);
  if (!healthy) {
    throw std::runtime_error("orderer " + grpc_ + " never became healthy: " + last +
                             "; its log is " + options_.log_file.string());
  }
}

KafkaOrdererPair::Options KafkaOrdererPair::Options::ForChannel(std::string kafka_mock,
                                                                std::string orderer, fs::path dir,
                                                                std::string channel,
                                                                fs::path msp_dir) {
  Options options;
  options.kafka_mock = std::move(kafka_mock);
  options.orderer = std::move(orderer);
  options.dir = std::move(dir);
  options.topics = {std::move(channel)};
  options.msp_dir = std::move(msp_dir);
  return options;
}

KafkaOrdererPair::KafkaOrdererPair(Options options)
    : options_(std::move(options)),
      kafka_(options_.kafka_mock, options_.topics),
      ports_{FreePort(), FreePort()} {
  while (ports_[1] == ports_[0]) ports_[1] = FreePort();
  for (int node = 0; node < kNodes; ++node) {
    const fs::path dir = options_.dir / Name(node);
    WriteFile(dir / "orderer.yaml",
              KafkaNodeYaml(ports_[node], options_.msp_dir, options_.msp_id, dir / "ledger"));
  }
}

KafkaOrdererPair::~KafkaOrdererPair() {
  for (int node = 0; node < kNodes; ++node) Stop(node, SIGTERM);
}

std::string KafkaOrdererPair::address(int node) const {
  return "127.0.0.1:" + std::to_string(ports_[node]);
}

std::string KafkaOrdererPair::Name(int node) { return "node" + std::to_string(node + 1); }

OrdererProcess& KafkaOrdererPair::Start(int node, const std::string& config_block) {
  const fs::path dir = options_.dir / Name(node);
  if (nodes_[node] == nullptr) {
    OrdererProcess::Options process;
    process.argv = {options_.orderer, "--config", (dir / "orderer.yaml").string(), "start"};
    process.env = options_.env;
    process.log_file = dir / "orderer.log";
    nodes_[node] = std::make_unique<OrdererProcess>(std::move(process));
  } else if (!nodes_[node]->running()) {
    nodes_[node]->Start();
  }
  if (!config_block.empty()) nodes_[node]->Join(config_block);
  nodes_[node]->WaitHealthy();
  return *nodes_[node];
}

void KafkaOrdererPair::Stop(int node, int signal) {
  if (nodes_[node] != nullptr) nodes_[node]->Stop(signal);
}

OrdererProcess& KafkaOrdererPair::node(int node) {
  if (nodes_[node] == nullptr) throw std::runtime_error(Name(node) + " was never started");
  return *nodes_[node];
}

}  // namespace weft::testing
