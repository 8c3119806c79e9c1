// osnadmin: the orderer's channel participation client, with Fabric's verbs and flags:
//   osnadmin channel join   --channelID ID --config-block FILE -o HOST:PORT [TLS flags]
//   osnadmin channel list   [--channelID ID] -o HOST:PORT [TLS flags]
//   osnadmin channel remove --channelID ID -o HOST:PORT [TLS flags]
// TLS flags: --ca-file (switches to https), --client-cert, --client-key.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"

namespace {

constexpr char kChannelsPath[] = "/participation/v1/channels";

struct Target {
  std::string address;
  std::string ca_file;
  std::string client_cert;
  std::string client_key;
  bool no_status = false;
};

std::unique_ptr<httplib::Client> Connect(const Target& target) {
  std::string scheme = target.ca_file.empty() ? "http://" : "https://";
  std::unique_ptr<httplib::Client> client;
  if (!target.client_cert.empty() || !target.client_key.empty()) {
    client = std::make_unique<httplib::Client>(scheme + target.address, target.client_cert,
                                               target.client_key);
  } else {
    client = std::make_unique<httplib::Client>(scheme + target.address);
  }
  if (!target.ca_file.empty()) {
    client->set_ca_cert_path(target.ca_file.c_str());
    client->enable_server_certificate_verification(true);
  }
  client->set_connection_timeout(10);
  client->set_read_timeout(60);
  return client;
}

// Prints "Status: <code>" and the pretty JSON body like Fabric's osnadmin; returns the
// process exit code.
int Report(const httplib::Result& result, const Target& target) {
  if (!result) {
    std::cerr << "Error: cannot reach the orderer admin endpoint " << target.address << ": "
              << httplib::to_string(result.error()) << "\n";
    return 1;
  }
  if (!target.no_status) std::cout << "Status: " << result->status << "\n";
  if (!result->body.empty()) {
    auto json = nlohmann::json::parse(result->body, nullptr, false);
    std::cout << (json.is_discarded() ? result->body : json.dump(1, '\t')) << "\n";
  }
  return 0;
}

int Join(const Target& target, const std::string& channel_id, const std::string& block_file) {
  std::ifstream in(block_file, std::ios::binary);
  if (!in) {
    std::cerr << "Error: cannot read config block file " << block_file << "\n";
    return 1;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  ::common::Block block;
  if (!block.ParseFromString(bytes.str())) {
    std::cerr << "Error: " << block_file << " is not a valid common.Block\n";
    return 1;
  }
  auto contents = weft::common::channelconfig::OpenConfigBlock(block);
  if (!contents.ok()) {
    std::cerr << "Error: " << block_file << ": " << contents.status().message() << "\n";
    return 1;
  }
  if (contents->channel_id != channel_id) {
    std::cerr << "Error: specified --channelID " << channel_id << " does not match channel ID "
              << contents->channel_id << " in config block\n";
    return 1;
  }
  httplib::MultipartFormDataItems items = {
      {"config-block", bytes.str(), "config.block", "application/octet-stream"}};
  auto client = Connect(target);
  return Report(client->Post(kChannelsPath, items), target);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"osnadmin: administer an orderer's channel participation"};
  app.require_subcommand(1);
  Target target;
  std::string channel_id;
  std::string block_file;

  auto* channel = app.add_subcommand("channel", "Join, list or remove channels");
  channel->require_subcommand(1);
  auto add_target_flags = [&](CLI::App* command) {
    command
        ->add_option("-o,--orderer-address", target.address,
                     "Admin endpoint of the orderer (host:port)")
        ->required();
    command->add_option("--ca-file", target.ca_file,
                        "PEM CA of the admin endpoint's TLS certificate (enables TLS)");
    command->add_option("--client-cert", target.client_cert, "PEM client certificate (mutual TLS)");
    command->add_option("--client-key", target.client_key, "PEM client key (mutual TLS)");
    command->add_flag("--no-status", target.no_status, "Do not print the HTTP status");
  };
  auto* join = channel->add_subcommand("join", "Join the orderer to a channel");
  add_target_flags(join);
  join->add_option("-c,--channelID", channel_id, "Channel ID")->required();
  join->add_option("-b,--config-block", block_file, "Genesis or latest config block")->required();
  auto* list = channel->add_subcommand("list", "List the orderer's channels, or show one");
  add_target_flags(list);
  list->add_option("-c,--channelID", channel_id, "Show only this channel");
  auto* remove = channel->add_subcommand("remove", "Remove the orderer from a channel");
  add_target_flags(remove);
  remove->add_option("-c,--channelID", channel_id, "Channel ID")->required();

  CLI11_PARSE(app, argc, argv);

  if (join->parsed()) return Join(target, channel_id, block_file);
  auto client = Connect(target);
  if (list->parsed()) {
    std::string path =
        channel_id.empty() ? kChannelsPath : std::string(kChannelsPath) + "/" + channel_id;
    return Report(client->Get(path), target);
  }
  return Report(client->Delete(std::string(kChannelsPath) + "/" + channel_id), target);
}
