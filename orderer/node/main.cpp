// The `orderer` executable: `orderer [start]` runs the node, `orderer version` prints
// the version. The config file is orderer.yaml in $FABRIC_CFG_PATH (Fabric's rule),
// or the file given with --config; ORDERER_* environment variables override it and
// FABRIC_LOGGING_SPEC sets the log spec.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "common/grpc/process.h"
#include "orderer/node/orderer_node.h"

extern char** environ;

int main(int argc, char** argv) {
  CLI::App app{"Weft orderer: orders transactions into blocks (solo or Kafka)"};
  std::string config_file;
  app.add_option("--config", config_file,
                 "Path of orderer.yaml (default: $FABRIC_CFG_PATH/orderer.yaml)");
  auto* start = app.add_subcommand("start", "Start the orderer (the default)");
  auto* version = app.add_subcommand("version", "Print the version");
  (void)start;
  CLI11_PARSE(app, argc, argv);
  weft::common::grpc::DisableAbslDeadlockDetection();
  if (version->parsed()) {
    std::cout << "orderer:\n Version: " << weft::orderer::node::kVersion << "\n";
    return 0;
  }
  if (config_file.empty()) {
    const char* cfg_path = std::getenv("FABRIC_CFG_PATH");
    config_file = std::string(cfg_path != nullptr ? cfg_path : ".") + "/orderer.yaml";
  }

  // Block the stop signals before any thread starts, then wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto node = weft::orderer::node::OrdererNode::Create(
      config_file, weft::common::config::EnvironmentFromEnviron(environ));
  if (!node.ok()) {
    std::cerr << "orderer: " << node.status().message() << "\n";
    return 1;
  }
  weft::Status started = (*node)->Start();
  if (!started.ok()) {
    std::cerr << "orderer: " << started.message() << "\n";
    return 1;
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  (*node)->Stop();
  return 0;
}
