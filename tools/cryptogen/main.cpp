// cryptogen: Fabric-compatible generator of MSP and TLS material.
//   cryptogen generate [--config crypto-config.yaml] [--output crypto-config]
//   cryptogen showtemplate
//   cryptogen version
#include <sys/utsname.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "fmt/format.h"
#include "tools/cryptogen/crypto_config.h"
#include "tools/cryptogen/generator.h"

namespace {

namespace cryptogen = weft::tools::cryptogen;

int Fail(const weft::Status& status) {
  fmt::print(stderr, "cryptogen: error: {}\n", std::string(status.message()));
  return 1;
}

int RunGenerate(const std::string& config_file, const std::string& output) {
  // Like Fabric, no --config means the sample configuration.
  auto loaded = config_file.empty()
                    ? cryptogen::ParseCryptoConfig(cryptogen::SampleCryptoConfig(), "showtemplate")
                    : cryptogen::LoadCryptoConfig(config_file);
  if (!loaded.ok()) return Fail(loaded.status());
  for (const std::string& warning : loaded->warnings) {
    fmt::print(stderr, "cryptogen: warning: {}\n", warning);
  }
  const cryptogen::CryptoConfig& config = loaded->config;
  weft::Status status = cryptogen::Generate(config, output, std::chrono::system_clock::now());
  if (!status.ok()) return Fail(status);
  // Fabric's cryptogen lists the organisations it generated.
  for (const auto* orgs : {&config.orderer_orgs, &config.peer_orgs}) {
    for (const cryptogen::OrgSpec& org : *orgs) fmt::print("{}\n", org.domain);
  }
  return 0;
}

void PrintVersion() {
  struct utsname host {};
  ::uname(&host);
  fmt::print("cryptogen:\n Version: {}\n Implementation: Weft\n OS/Arch: {}/{}\n", WEFT_VERSION,
             host.sysname, host.machine);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Utility for generating Hyperledger Fabric key material", "cryptogen"};
  app.require_subcommand(1);

  std::string config_file;
  std::string output = "crypto-config";
  CLI::App* generate = app.add_subcommand("generate", "Generate key material");
  generate->add_option("--config", config_file,
                       "The configuration template to use (default: the sample of showtemplate)");
  generate->add_option("--output", output, "The output directory in which to place artifacts")
      ->capture_default_str();
  CLI::App* showtemplate =
      app.add_subcommand("showtemplate", "Show the default configuration template");
  CLI::App* version = app.add_subcommand("version", "Show version information");

  CLI11_PARSE(app, argc, argv);

  if (generate->parsed()) return RunGenerate(config_file, output);
  if (showtemplate->parsed()) {
    fmt::print("{}", cryptogen::SampleCryptoConfig());
    return 0;
  }
  if (version->parsed()) PrintVersion();
  return 0;
}
