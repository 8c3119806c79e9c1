// The `peer` executable: `peer node start` runs the peer, `peer node rebuild-dbs`
// rebuilds every channel's state and history from its blocks, `peer channel
// join|list|getinfo|fetch` and `peer lifecycle chaincode package|calculatepackageid|
// install|queryinstalled|getinstalledpackage|approveformyorg|queryapproved|
// checkcommitreadiness|commit|querycommitted` and `peer chaincode invoke|query` are Fabric's client
// commands, `peer version` prints the version. The config file is core.yaml in $FABRIC_CFG_PATH
// (Fabric's rule), or the file given with --config; CORE_* environment variables override it and
// FABRIC_LOGGING_SPEC sets the log spec.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "peer/cli/chaincode.h"
#include "peer/cli/channel.h"
#include "peer/cli/lifecycle.h"
#include "peer/cli/lifecycle_definition.h"
#include "peer/node/peer_node.h"

extern char** environ;

namespace {

// A `_lifecycle` query's payload parsed as `result` (Fabric's wording on failure).
[[nodiscard]] weft::Status ParseQueryResult(const weft::StatusOr<std::string>& payload,
                                            google::protobuf::Message* result) {
  if (!payload.ok()) return payload.status();
  if (!result->ParseFromString(*payload)) {
    return absl::DataLossError("failed to unmarshal proposal response's response payload");
  }
  return absl::OkStatus();
}

}  // namespace

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
  chaincode->add_option("--package-id", package_id,
                        "The identifier of the chaincode install package");
  getinstalled->add_option("--output-directory", output_directory,
                           "Where to write the package (default: the current directory)");
  // The definition, orderer and peer flags (chaincode.go resetFlags).
  weft::peer::cli::DefinitionInput definition;
  weft::peer::cli::PeerTargets peer_targets;
  weft::peer::cli::OrdererFlags lifecycle_orderer;
  chaincode->add_option("-C,--channelID", definition.channel_id, "The channel");
  chaincode->add_option("-n,--name", definition.name, "Name of the chaincode");
  chaincode->add_option("-v,--version", definition.version, "Version of the chaincode");
  chaincode->add_option("--sequence", definition.sequence, "The sequence of the definition");
  chaincode->add_option("-E,--endorsement-plugin", definition.endorsement_plugin,
                        "The endorsement plugin");
  chaincode->add_option("-V,--validation-plugin", definition.validation_plugin,
                        "The validation plugin");
  chaincode->add_option("--signature-policy", definition.signature_policy,
                        "The endorsement policy as a signature policy");
  chaincode->add_option("--channel-config-policy", definition.channel_config_policy,
                        "The endorsement policy as a channel config policy reference");
  chaincode->add_flag("--init-required", definition.init_required,
                      "Whether the chaincode requires invoking 'init'");
  chaincode->add_option("--peerAddresses", peer_targets.addresses,
                        "The addresses of the peers to connect to");
  chaincode->add_option("--tlsRootCertFiles", peer_targets.tls_root_cert_files,
                        "The TLS root cert files of the peers, in --peerAddresses order");
  chaincode->add_option("-o,--orderer", lifecycle_orderer.address, "Ordering service endpoint");
  chaincode->add_flag("--tls", lifecycle_orderer.tls, "Use TLS when talking to the orderer");
  chaincode->add_option("--cafile", lifecycle_orderer.ca_file,
                        "The orderer's TLS CA certificate (PEM)");
  chaincode->add_flag("--clientauth", lifecycle_orderer.client_auth, "Mutual TLS with the orderer");
  chaincode->add_option("--keyfile", lifecycle_orderer.key_file,
                        "Client TLS key for the orderer (PEM)");
  chaincode->add_option("--certfile", lifecycle_orderer.cert_file,
                        "Client TLS cert for the orderer (PEM)");
  chaincode->add_option("--ordererTLSHostnameOverride", lifecycle_orderer.tls_hostname_override,
                        "Host name to verify the orderer's TLS certificate against");
  bool lifecycle_wait = true;  // Fabric's lifecycle default
  chaincode->add_flag("--waitForEvent", lifecycle_wait,
                      "Wait for the transaction to be committed (--waitForEvent=false not to)");
  auto* approve =
      chaincode->add_subcommand("approveformyorg", "Approve the chaincode definition for my org.");
  auto* queryapproved = chaincode->add_subcommand(
      "queryapproved", "Query an org's approved chaincode definition from its peer.");
  auto* readiness = chaincode->add_subcommand(
      "checkcommitreadiness", "Check whether a chaincode definition is ready to be committed.");
  auto* commit =
      chaincode->add_subcommand("commit", "Commit the chaincode definition on the channel.");
  auto* querycommitted = chaincode->add_subcommand(
      "querycommitted", "Query the committed chaincode definitions by channel on a peer.");
  // Fabric's `peer chaincode invoke|query` flags (internal/peer/chaincode).
  auto* chaincode_cmd = app.add_subcommand("chaincode", "Operate a chaincode");
  chaincode_cmd->require_subcommand(1);
  chaincode_cmd->fallthrough();
  weft::peer::cli::ChaincodeCall call;
  weft::peer::cli::PeerTargets call_peers;
  weft::peer::cli::OrdererFlags call_orderer;
  bool query_raw = false;
  bool query_hex = false;
  chaincode_cmd->add_option("-C,--channelID", call.channel_id, "The channel");
  chaincode_cmd->add_option("-n,--name", call.name, "Name of the chaincode");
  chaincode_cmd->add_option("-c,--ctor", call.ctor_json,
                            "Constructor message for the chaincode in JSON format");
  chaincode_cmd->add_option("--transient", call.transient_json,
                            "Transient map of arguments in JSON encoding (base64 values)");
  chaincode_cmd->add_flag("-I,--isInit", call.is_init, "Is this invocation for init");
  chaincode_cmd->add_option("--peerAddresses", call_peers.addresses,
                            "The addresses of the peers to connect to");
  chaincode_cmd->add_option("--tlsRootCertFiles", call_peers.tls_root_cert_files,
                            "The TLS root cert files of the peers, in --peerAddresses order");
  chaincode_cmd->add_option("-o,--orderer", call_orderer.address, "Ordering service endpoint");
  chaincode_cmd->add_flag("--tls", call_orderer.tls, "Use TLS when talking to the orderer");
  chaincode_cmd->add_option("--cafile", call_orderer.ca_file,
                            "The orderer's TLS CA certificate (PEM)");
  chaincode_cmd->add_flag("--clientauth", call_orderer.client_auth, "Mutual TLS with the orderer");
  chaincode_cmd->add_option("--keyfile", call_orderer.key_file,
                            "Client TLS key for the orderer (PEM)");
  chaincode_cmd->add_option("--certfile", call_orderer.cert_file,
                            "Client TLS cert for the orderer (PEM)");
  chaincode_cmd->add_option("--ordererTLSHostnameOverride", call_orderer.tls_hostname_override,
                            "Host name to verify the orderer's TLS certificate against");
  bool invoke_wait = false;  // Fabric's chaincode invoke default
  chaincode_cmd->add_flag("--waitForEvent", invoke_wait,
                          "Wait for the transaction to be committed");
  auto* invoke = chaincode_cmd->add_subcommand("invoke", "Invoke the specified chaincode.");
  auto* query = chaincode_cmd->add_subcommand("query", "Query using the specified chaincode.");
  query->add_flag("-r,--raw", query_raw, "Output the query value as raw bytes");
  query->add_flag("-x,--hex", query_hex, "Output the query value in hexadecimal");
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
  if (chaincode_cmd->parsed()) {
    weft::Status valid = weft::peer::cli::ValidateChaincodeCall(call);
    if (valid.ok()) valid = weft::peer::cli::ParseChaincodeCtor(call.ctor_json).status();
    if (!valid.ok()) {
      std::cerr << "Error: " << valid.message() << "\n";
      return 1;
    }
    auto context = weft::peer::cli::CliContext::Load(config_file, env);
    if (!context.ok()) {
      std::cerr << "Error: " << context.status().message() << "\n";
      return 1;
    }
    weft::Status done = absl::OkStatus();
    if (invoke->parsed()) {
      auto result =
          weft::peer::cli::InvokeChaincode(*context, call_orderer, call_peers, call, invoke_wait);
      done = result.status();
      if (done.ok()) std::cerr << *result << "\n";
    } else if (query->parsed()) {
      auto payload = weft::peer::cli::QueryChaincode(*context, call_peers, call);
      done = payload.status();
      if (done.ok()) {
        auto text = weft::peer::cli::FormatQueryPayload(*payload, query_raw, query_hex);
        done = text.status();
        if (done.ok()) std::cout << *text;
      }
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
    if (approve->parsed() || commit->parsed() || readiness->parsed()) {
      weft::Status valid = weft::peer::cli::ValidateDefinitionInput(definition);
      if (!valid.ok()) {
        std::cerr << "Error: " << valid.message() << "\n";
        return 1;
      }
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
    } else if (approve->parsed() || commit->parsed()) {
      done = weft::peer::cli::ValidateDefinitionInput(definition);
      weft::StatusOr<std::string> tx_id = absl::UnknownError("not sent");
      if (done.ok() && approve->parsed()) {
        definition.package_id = package_id;
        auto args = weft::peer::cli::ApproveArgs(definition);
        tx_id = args.ok() ? weft::peer::cli::SubmitLifecycle(
                                *context, lifecycle_orderer, peer_targets, definition.channel_id,
                                "ApproveChaincodeDefinitionForMyOrg", *args, lifecycle_wait)
                          : weft::StatusOr<std::string>(args.status());
        done = tx_id.status();
      } else if (done.ok()) {
        auto args = weft::peer::cli::CommitArgs(definition);
        tx_id = args.ok() ? weft::peer::cli::SubmitLifecycle(
                                *context, lifecycle_orderer, peer_targets, definition.channel_id,
                                "CommitChaincodeDefinition", *args, lifecycle_wait)
                          : weft::StatusOr<std::string>(args.status());
        done = tx_id.status();
      }
      if (done.ok()) {
        // Fabric's DeliverGroup logs the commit; without waiting only the send is known.
        std::cerr << "txid [" << *tx_id << "] "
                  << (lifecycle_wait ? "committed with status (VALID)" : "sent to the orderer")
                  << "\n";
      }
    } else if (readiness->parsed()) {
      done = weft::peer::cli::ValidateDefinitionInput(definition);
      ::lifecycle::CheckCommitReadinessResult result;
      if (done.ok()) {
        auto args = weft::peer::cli::CheckCommitReadinessArgs(definition);
        auto payload = args.ok() ? weft::peer::cli::QueryLifecycle(*context, definition.channel_id,
                                                                   "CheckCommitReadiness", *args)
                                 : weft::StatusOr<std::string>(args.status());
        done = ParseQueryResult(payload, &result);
      }
      if (done.ok()) {
        std::cout << weft::peer::cli::FormatCommitReadiness(definition, result, output_format);
      }
    } else if (queryapproved->parsed()) {
      ::lifecycle::QueryApprovedChaincodeDefinitionResult result;
      if (definition.channel_id.empty()) {
        done = absl::InvalidArgumentError(
            "The required parameter 'channelID' is empty. Rerun the command with -C flag");
      } else if (definition.name.empty()) {
        done = absl::InvalidArgumentError(
            "The required parameter 'name' is empty. Rerun the command with -n flag");
      } else {
        ::lifecycle::QueryApprovedChaincodeDefinitionArgs args;
        args.set_name(definition.name);
        args.set_sequence(definition.sequence);
        done = ParseQueryResult(
            weft::peer::cli::QueryLifecycle(*context, definition.channel_id,
                                            "QueryApprovedChaincodeDefinition", args),
            &result);
      }
      if (done.ok()) {
        std::cout << weft::peer::cli::FormatQueryApproved(definition.channel_id, definition.name,
                                                          result);
      }
    } else if (querycommitted->parsed()) {
      if (definition.channel_id.empty()) {
        done = absl::InvalidArgumentError("channel name must be specified");
      } else if (!definition.name.empty()) {
        ::lifecycle::QueryChaincodeDefinitionArgs args;
        args.set_name(definition.name);
        ::lifecycle::QueryChaincodeDefinitionResult result;
        done = ParseQueryResult(weft::peer::cli::QueryLifecycle(*context, definition.channel_id,
                                                                "QueryChaincodeDefinition", args),
                                &result);
        if (done.ok()) {
          std::cout << weft::peer::cli::FormatQueryCommitted(definition.channel_id, definition.name,
                                                             result);
        }
      } else {
        ::lifecycle::QueryChaincodeDefinitionsResult result;
        done = ParseQueryResult(weft::peer::cli::QueryLifecycle(
                                    *context, definition.channel_id, "QueryChaincodeDefinitions",
                                    ::lifecycle::QueryChaincodeDefinitionsArgs()),
                                &result);
        if (done.ok()) {
          std::cout << weft::peer::cli::FormatQueryCommittedAll(definition.channel_id, result);
        }
      }
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
