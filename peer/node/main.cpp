// The `peer` executable: `peer node start` runs the peer, `peer node rebuild-dbs`
// rebuilds every channel's state and history from its blocks, `peer channel
// join|list|getinfo|fetch` and `peer lifecycle chaincode package|calculatepackageid|
// install|queryinstalled|getinstalledpackage` are Fabric's client commands, `peer version` prints
// the version. The config file is core.yaml in $FABRIC_CFG_PATH (Fabric's rule), or
// the file given with --config; CORE_* environment variables override it and
// FABRIC_LOGGING_SPEC sets the log spec.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "peer/cli/channel.h"
#include "peer/cli/lifecycle.h"
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

  // Fabric's `peer channel` flags, accepted before or after the subcommand.
  auto* channel = app.add_subcommand("channel", "Operate a channel");
  channel->require_subcommand(1);
  channel->fallthrough();
  weft::peer::cli::OrdererFlags orderer;
  std::string channel_id;
  channel->add_option("-o,--orderer", orderer.address, "Ordering service endpoint");
  channel->add_flag("--tls", orderer.tls, "Use TLS when talking to the orderer");
  channel->add_option("--cafile", orderer.ca_file, "The orderer's TLS CA certificate (PEM)");
  channel->add_flag("--clientauth", orderer.client_auth, "Mutual TLS with the orderer");
  channel->add_option("--keyfile", orderer.key_file, "Client TLS key for the orderer (PEM)");
  channel->add_option("--certfile", orderer.cert_file, "Client TLS cert for the orderer (PEM)");
  channel->add_option("--ordererTLSHostnameOverride", orderer.tls_hostname_override,
                      "Host name to verify the orderer's TLS certificate against");
  channel->add_option("-c,--channelID", channel_id, "The channel");
  std::string block_path;
  auto* join = channel->add_subcommand("join", "Joins the peer to a channel.");
  join->add_option("-b,--blockpath", block_path, "Path to the channel's genesis block")->required();
  auto* list = channel->add_subcommand("list", "List of channels peer has joined.");
  auto* getinfo = channel->add_subcommand("getinfo", "get blockchain information of a channel.");
  std::string fetch_target;
  std::string fetch_output;
  auto* fetch = channel->add_subcommand("fetch", "Fetch a specified block, writing it to a file.");
  fetch->add_option("target", fetch_target, "oldest, newest, config, or a block number")
      ->required();
  fetch->add_option("outputfile", fetch_output, "Where to write the block");

  // Fabric's `peer lifecycle chaincode` flags (internal/peer/lifecycle/chaincode).
  auto* lifecycle = app.add_subcommand("lifecycle", "Perform _lifecycle operations");
  lifecycle->require_subcommand(1);
  auto* chaincode = lifecycle->add_subcommand("chaincode", "Perform chaincode operations");
  chaincode->require_subcommand(1);
  chaincode->fallthrough();
  weft::peer::cli::PackageInput package_input;
  std::string output_format;
  std::string package_id;
  std::string output_directory;
  std::string package_file;
  chaincode->add_option("-O,--output", output_format,
                        "The output format for query results (json, or plain text)");
  auto* package = chaincode->add_subcommand("package", "Package a chaincode");
  package->add_option("outputfile", package_input.output_file, "Where to write the package");
  package->add_option("-p,--path", package_input.path, "Path to the chaincode");
  package->add_option("-l,--lang", package_input.lang,
                      "Language the chaincode is written in (node, binary, ccaas)");
  package_input.lang = "golang";  // Fabric's default, which Weft cannot build
  package->add_option("--label", package_input.label, "The package label");
  auto* calculate =
      chaincode->add_subcommand("calculatepackageid", "Calculate the package ID for a chaincode.");
  calculate->add_option("packageFile", package_file, "The chaincode package");
  auto* install = chaincode->add_subcommand("install", "Install a chaincode.");
  install->add_option("packageFile", package_file, "The chaincode package");
  auto* queryinstalled =
      chaincode->add_subcommand("queryinstalled", "Query the installed chaincodes on a peer.");
  auto* getinstalled = chaincode->add_subcommand("getinstalledpackage",
                                                 "Get an installed chaincode package from a peer.");
  getinstalled->add_option("--package-id", package_id,
                           "The identifier of the chaincode install package");
  getinstalled->add_option("--output-directory", output_directory,
                           "Where to write the package (default: the current directory)");
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
  // Commands that need no peer config.
  if (package->parsed() || calculate->parsed()) {
    weft::Status done = absl::OkStatus();
    if (package->parsed()) {
      done = weft::peer::cli::PackageChaincode(package_input);
    } else {
      auto text = weft::peer::cli::CalculatePackageId(package_file, output_format);
      done = text.status();
      if (done.ok()) std::cout << *text;
    }
    if (!done.ok()) {
      std::cerr << "Error: " << done.message() << "\n";
      return 1;
    }
    return 0;
  }
  if (lifecycle->parsed()) {
    // Usage errors before the config is read, as Fabric's Validate does.
    if (install->parsed() && package_file.empty()) {
      std::cerr << "Error: chaincode install package must be provided\n";
      return 1;
    }
    if (getinstalled->parsed() && package_id.empty()) {
      std::cerr << "Error: The required parameter 'package-id' is empty. Rerun the command with "
                   "--package-id flag\n";
      return 1;
    }
    auto context = weft::peer::cli::CliContext::Load(config_file, env);
    if (!context.ok()) {
      std::cerr << "Error: " << context.status().message() << "\n";
      return 1;
    }
    weft::Status done = absl::OkStatus();
    if (install->parsed()) {
      auto installed = weft::peer::cli::InstallChaincode(*context, package_file);
      done = installed.status();
      if (done.ok()) {
        std::cerr << "Chaincode code package identifier: " << installed->package_id() << "\n";
      }
    } else if (queryinstalled->parsed()) {
      auto result = weft::peer::cli::QueryInstalled(*context);
      done = result.status();
      if (done.ok()) std::cout << weft::peer::cli::FormatQueryInstalled(*result, output_format);
    } else if (getinstalled->parsed()) {
      auto written = weft::peer::cli::GetInstalledPackage(
          *context, package_id, output_directory.empty() ? "." : output_directory);
      done = written.status();
    }
    if (!done.ok()) {
      std::cerr << "Error: " << done.message() << "\n";
      return 1;
    }
    return 0;
  }
  if (channel->parsed()) {
    auto context = weft::peer::cli::CliContext::Load(config_file, env);
    if (!context.ok()) {
      std::cerr << "Error: " << context.status().message() << "\n";
      return 1;
    }
    weft::Status done = absl::OkStatus();
    if (join->parsed()) {
      done = weft::peer::cli::JoinChannel(*context, block_path);
      if (done.ok()) std::cerr << "Successfully submitted proposal to join channel\n";
    } else if (list->parsed()) {
      auto channels = weft::peer::cli::ListChannels(*context);
      done = channels.status();
      if (done.ok()) {
        std::cout << "Channels peers has joined: \n";
        for (const auto& id : *channels) std::cout << id << "\n";
      }
    } else if (getinfo->parsed()) {
      auto info = weft::peer::cli::GetChannelInfo(*context, channel_id);
      done = info.status();
      if (done.ok()) {
        std::cout << "Blockchain info: " << weft::peer::cli::BlockchainInfoJson(*info) << "\n";
      }
    } else if (fetch->parsed()) {
      auto block = weft::peer::cli::FetchBlock(*context, orderer, channel_id, fetch_target);
      done = block.status();
      if (done.ok()) {
        // Fabric's default file name: <channel>_<target>.block.
        if (fetch_output.empty()) fetch_output = channel_id + "_" + fetch_target + ".block";
        std::ofstream out(fetch_output, std::ios::binary | std::ios::trunc);
        if (!out || !block->SerializeToOstream(&out) || !out.flush()) {
          done = absl::UnavailableError("cannot write the block to " + fetch_output);
        } else {
          std::cerr << "Received block: " << block->header().number() << "\n";
        }
      }
    }
    if (!done.ok()) {
      std::cerr << "Error: " << done.message() << "\n";
      return 1;
    }
    return 0;
  }
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
