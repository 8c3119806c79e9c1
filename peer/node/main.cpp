// The `peer` executable: `peer node start` runs the peer, `peer node rebuild-dbs`
// rebuilds every channel's state and history from its blocks, `peer version` prints
// the version. The config file is core.yaml in $FABRIC_CFG_PATH (Fabric's rule), or
// the file given with --config; CORE_* environment variables override it and
// FABRIC_LOGGING_SPEC sets the log spec.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "peer/node/peer_node.h"

extern char** environ;

int main(int argc, char** argv) {
  CLI::App app{"Weft peer: endorses proposals and commits the channels' blocks"};
  app.require_subcommand(1);
  std::string config_file;
  app.add_option("--config", config_file,
                 "Path of core.yaml (default: $FABRIC_CFG_PATH/core.yaml)");
  auto* node = app.add_subcommand("node", "Operate a peer node");
  node->require_subcommand(1);
  auto* start = node->add_subcommand("start", "Start the node");
  auto* rebuild = node->add_subcommand("rebuild-dbs", "Rebuild the state and history databases");
  auto* version = app.add_subcommand("version", "Print the version");
  CLI11_PARSE(app, argc, argv);
  if (version->parsed()) {
    std::cout << "peer:\n Version: " << weft::peer::node::kVersion << "\n";
    return 0;
  }
  if (config_file.empty()) {
    const char* cfg_path = std::getenv("FABRIC_CFG_PATH");
    config_file = std::string(cfg_path != nullptr ? cfg_path : ".") + "/core.yaml";
  }
  const auto env = weft::common::config::EnvironmentFromEnviron(environ);
  if (rebuild->parsed()) {
    weft::Status rebuilt = weft::peer::node::RebuildDatabases(config_file, env);
    if (!rebuilt.ok()) {
      std::cerr << "peer: " << rebuilt.message() << "\n";
      return 1;
    }
    std::cout << "rebuilt the databases of every channel\n";
    return 0;
  }
  (void)start;

  // Block the stop signals before any thread starts, then wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto peer = weft::peer::node::PeerNode::Create(config_file, env);
  if (!peer.ok()) {
    std::cerr << "peer: " << peer.status().message() << "\n";
    return 1;
  }
  weft::Status started = (*peer)->Start();
  if (!started.ok()) {
    std::cerr << "peer: " << started.message() << "\n";
    return 1;
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  (*peer)->Stop();
  return 0;
}
