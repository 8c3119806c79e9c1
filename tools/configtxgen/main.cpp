// configtxgen: writes a channel's genesis block from a configtx.yaml profile and shows
// config blocks as JSON, with Fabric's flag spelling (-profile X; --profile X works too).
//   configtxgen -profile NAME -channelID ID -outputBlock FILE [-configPath DIR]
//   configtxgen -inspectBlock FILE
//   configtxgen -printOrg NAME [-configPath DIR]
//   configtxgen -version
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/channelconfig/config_builder.h"
#include "common/config/reader.h"
#include "fmt/format.h"
#include "tools/configtxgen/block_json.h"
#include "tools/configtxgen/configtx.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace channelconfig = weft::common::channelconfig;
namespace configtxgen = weft::tools::configtxgen;
using weft::Status;
using weft::StatusOr;

int Fail(std::string_view message) {
  fmt::print(stderr, "configtxgen: error: {}\n", message);
  return 1;
}
int Fail(const Status& status) { return Fail(std::string(status.message())); }

// Fabric's Go flags are single-dash words; CLI11 wants "--word". "-profile=X" becomes
// "--profile=X"; one-letter options such as -h, and the value after an option (even one
// starting with '-'), are left alone.
std::vector<std::string> DoubleDashed(int argc, char** argv) {
  std::vector<std::string> args;
  bool value_next = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (value_next) {
      value_next = false;
    } else {
      if (arg.size() > 2 && arg[0] == '-' && arg[1] != '-') arg.insert(0, "-");
      value_next = arg.rfind("--", 0) == 0 && arg.find('=') == std::string::npos &&
                   arg != "--version" && arg != "--help";
    }
    args.push_back(std::move(arg));
  }
  return args;
}

// Fabric's rule for channel names: lower case, starting with a letter, at most 249
// characters of [a-z0-9.-].
bool ValidChannelId(std::string_view id) {
  if (id.empty() || id.size() > 249 || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

fs::path ConfigtxFile(const std::string& config_path,
                      const weft::common::config::Environment& env) {
  if (!config_path.empty()) return fs::path(config_path) / configtxgen::kConfigtxFileName;
  auto fabric_cfg_path = env.find("FABRIC_CFG_PATH");
  if (fabric_cfg_path != env.end() && !fabric_cfg_path->second.empty()) {
    return fs::path(fabric_cfg_path->second) / configtxgen::kConfigtxFileName;
  }
  return fs::current_path() / configtxgen::kConfigtxFileName;
}

[[nodiscard]] Status WriteBytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::UnavailableError(fmt::format("cannot write {}", file.string()));
  return absl::OkStatus();
}

int OutputBlock(const fs::path& configtx, const std::string& profile_name,
                const std::string& channel_id, const fs::path& output,
                const weft::common::config::Environment& env) {
  fmt::print(stderr, "Loading configuration {} profile {}\n", configtx.string(), profile_name);
  StatusOr<configtxgen::Profile> profile = configtxgen::LoadProfile(configtx, profile_name, env);
  if (!profile.ok()) return Fail(profile.status());
  for (const std::string& warning : profile->warnings) {
    fmt::print(stderr, "configtxgen: warning: {}\n", warning);
  }
  if (!profile->spec.orderer) {
    return Fail(fmt::format("{}: profile {} has no Orderer section, which a genesis block needs",
                            configtx.string(), profile->name));
  }
  fmt::print(stderr, "Generating genesis block for channel {}\n", channel_id);
  auto config = channelconfig::BuildConfig(profile->spec);
  if (!config.ok()) {
    return Fail(weft::Annotate(config.status(),
                               fmt::format("{}: profile {}", configtx.string(), profile->name)));
  }
  auto block = channelconfig::BuildGenesisBlock(channel_id, *config);
  if (!block.ok()) return Fail(block.status());
  fmt::print(stderr, "Writing genesis block to {}\n", output.string());
  Status written = WriteBytes(output, block->SerializeAsString());
  return written.ok() ? 0 : Fail(written);
}

int InspectBlock(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Fail(fmt::format("cannot read {}", file.string()));
  ::common::Block block;
  if (!block.ParseFromString(bytes.str())) {
    return Fail(fmt::format("{} is not a valid common.Block", file.string()));
  }
  auto json = configtxgen::BlockToJson(block);
  if (!json.ok()) return Fail(weft::Annotate(json.status(), file.string()));
  fmt::print("{}", *json);
  return 0;
}

int PrintOrg(const fs::path& configtx, const std::string& name,
             const weft::common::config::Environment& env) {
  auto org = configtxgen::LoadOrganization(configtx, name, env);
  if (!org.ok()) return Fail(org.status());
  // The builder makes organisation groups only inside a channel; take the one it made.
  channelconfig::ChannelSpec spec;
  spec.application.emplace().organizations.push_back(*org);
  auto config = channelconfig::BuildConfig(spec);
  if (!config.ok()) return Fail(config.status());
  const auto& group = config->channel_group().groups().at("Application").groups().at(org->name);
  auto json = configtxgen::ConfigGroupToJson(group);
  if (!json.ok()) return Fail(json.status());
  fmt::print("{}", *json);
  return 0;
}

void PrintVersion() {
  struct utsname host {};
  ::uname(&host);
  fmt::print("configtxgen:\n Version: {}\n Implementation: Weft\n OS/Arch: {}/{}\n", WEFT_VERSION,
             host.sysname, host.machine);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Generates and inspects Hyperledger Fabric channel configuration", "configtxgen"};
  std::string profile, channel_id, output_block, config_path, inspect_block, print_org;
  bool version = false;
  app.add_option("--profile", profile, "The profile from configtx.yaml to use for generation");
  app.add_option("--channelID", channel_id, "The channel ID to use in the configtx");
  app.add_option("--outputBlock", output_block, "The path to write the genesis block to");
  app.add_option("--configPath", config_path,
                 "The folder holding configtx.yaml (default: $FABRIC_CFG_PATH, else .)");
  app.add_option("--inspectBlock", inspect_block, "Prints the block at the path as JSON");
  app.add_option("--printOrg", print_org, "Prints an organization's definition as JSON");
  app.add_flag("--version", version, "Show version information");

  std::vector<std::string> args = DoubleDashed(argc, argv);
  std::vector<const char*> new_argv{argv[0]};
  for (const std::string& arg : args) new_argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(new_argv.size()), new_argv.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  const auto env = weft::common::config::EnvironmentFromEnviron(environ);
  if (version) {
    PrintVersion();
    return 0;
  }
  if (!output_block.empty()) {
    if (profile.empty()) return Fail("-outputBlock needs -profile");
    if (channel_id.empty()) return Fail("missing channel ID, give it with -channelID");
    if (!ValidChannelId(channel_id)) {
      return Fail(fmt::format(
          "invalid channel ID '{}': use [a-z][a-z0-9.-]*, at most 249 characters", channel_id));
    }
    return OutputBlock(ConfigtxFile(config_path, env), profile, channel_id, output_block, env);
  }
  if (!inspect_block.empty()) return InspectBlock(inspect_block);
  if (!print_org.empty()) return PrintOrg(ConfigtxFile(config_path, env), print_org, env);
  fmt::print(stderr, "{}", app.help());
  return Fail("nothing to do: give -outputBlock, -inspectBlock, -printOrg or -version");
}
