// A Fabric test-network style configtx.yaml and crypto-config.yaml, and helpers that run
// the built cryptogen and configtxgen on them. Shared by the configtxgen integration test
// and the config_block interop test.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/files.h"

namespace weft::testing::configtxgen {

// Two peer organisations (Org1MSP, Org2MSP) and one orderer organisation (OrdererMSP),
// all with NodeOUs on.
extern const char kCryptoConfig[];
// Profiles TwoOrgsSolo (channel "mychannel" in the tests) and TwoOrgsKafka. MSPDirs point
// at ../organizations/... relative to the configtx.yaml folder.
extern const char kConfigtx[];

using RunResult = weft::testing::CommandResult;

// Runs `args` (args[0] a path or looked up in PATH) in `cwd` and collects its output.
inline RunResult Run(std::vector<std::string> args, const std::filesystem::path& cwd) {
  return weft::testing::RunCommand(args, {}, cwd);
}

using weft::testing::ReadFile;
using weft::testing::WriteFile;

// Lays out <root>/configtx/configtx.yaml and <root>/organizations (written by the real
// cryptogen); returns the configtx folder. Fails the test when cryptogen fails.
std::filesystem::path MakeNetwork(const std::filesystem::path& root);

// Runs the built configtxgen with `args` in `cwd`.
RunResult Configtxgen(std::vector<std::string> args, const std::filesystem::path& cwd);

}  // namespace weft::testing::configtxgen
