// The installed SDKs are usable from another CMake project: `cmake --install` of
// this build tree into a temporary prefix, then configure, build and run
// consumer/ against it (find_package(Weft), Weft::client_sdk, Weft::chaincode_shim).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using weft::testing::RunCommand;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void Run(const std::vector<std::string>& argv) {
  const auto result = RunCommand(argv);
  INFO(result.output());
  REQUIRE(result.exit_code == 0);
}

TEST_CASE("the installed client and chaincode SDKs build and run in another project") {
  weft::testing::TempDir dir("weft-install");
  const fs::path prefix = dir.path() / "prefix";
  const fs::path source = dir.path() / "consumer";
  const fs::path build = dir.path() / "consumer-build";
  fs::create_directories(source);
  fs::copy_file(fs::path(WEFT_CONSUMER_DIR) / "CMakeLists.txt.in", source / "CMakeLists.txt");
  for (const char* file : {"main.cpp", "minimal_chaincode.cpp", "minimal_client.cpp"}) {
    fs::copy_file(fs::path(WEFT_CONSUMER_DIR) / file, source / file);
  }
  Run({WEFT_CMAKE_COMMAND, "--install", WEFT_BINARY_DIR, "--prefix", prefix.string()});
  CHECK(fs::exists(prefix / "include" / "client-sdk" / "gateway.h"));
  CHECK(fs::exists(prefix / "include" / "peer" / "proposal.pb.h"));
  CHECK(fs::exists(prefix / "lib" / "cmake" / "Weft" / "WeftConfig.cmake"));
  CHECK(!fs::exists(prefix / "include" / "client-sdk" / "impl"));

  Run({WEFT_CMAKE_COMMAND, "-S", source.string(), "-B", build.string(), "-G", "Ninja",
       "-DCMAKE_PREFIX_PATH=" + prefix.string()});
  Run({WEFT_CMAKE_COMMAND, "--build", build.string(), "-j2"});
  const auto ran = RunCommand({(build / "weft_consumer").string()});
  INFO(ran.output());
  REQUIRE(ran.exit_code == 0);
  // MakeGatewayStatus's message with its detail, the transaction ID read back, and
  // the size of U+0000 "asset" U+0000 "a1" U+0000.
  CHECK(ran.out == "no orderers (orderer:7050 OrdererMSP: down)\ntx1\n10\n");

  // The README's minimal chaincode built; run with no peer it names what is missing.
  const auto chaincode = RunCommand({(build / "minimal_chaincode").string()});
  CHECK(chaincode.exit_code == 1);
  CHECK_THAT(chaincode.err, Catch::Contains("CORE_PEER_ADDRESS"));
  CHECK(fs::exists(build / "minimal_client"));
}

TEST_CASE("the README shows the minimal chaincode and client this test builds, verbatim") {
  const std::string readme = ReadFile(fs::path(WEFT_SOURCE_DIR) / "README.md");
  for (const char* file : {"minimal_chaincode.cpp", "minimal_client.cpp"}) {
    INFO(file);
    CHECK(readme.find(ReadFile(fs::path(WEFT_CONSUMER_DIR) / file)) != std::string::npos);
  }
}

}  // namespace
