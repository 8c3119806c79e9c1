// The runtime's paths that start no process: ccaas packages (Fabric's ccaas_builder
// and externalbuilder Instance.ChaincodeServerInfo), unknown types, missing packages.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/log/logger_factory.h"
#include "peer/chaincode_builders/builders.h"
#include "tests/support/fabric_package.h"
#include "tests/support/temp_dir.h"

namespace weft::peer::chaincode_builders {
namespace {

namespace fs = std::filesystem;
using chaincode_support::ChaincodeRuntime;
using chaincode_support::ChaincodeServerInfo;
using testing::TarItem;

struct PeerFiles {
  PeerFiles() {
    auto opened = chaincode_package::PackageStore::Open(chaincode_package::InstallDir(dir / "fs"));
    if (!opened.ok()) throw std::runtime_error(std::string(opened.status().message()));
    store = std::move(*opened);
    settings.builds_dir = BuildsDir(dir / "fs");
    settings.local_msp_id = "Org1MSP";
  }
  std::unique_ptr<ChaincodeRuntime> NewRuntime() {
    auto runtime = NewChaincodeRuntime(settings, store, loggers.Get("peer.chaincode"));
    if (!runtime.ok()) throw std::runtime_error(std::string(runtime.status().message()));
    return std::move(*runtime);
  }
  std::string Install(const std::string& package) {
    StatusOr<std::string> id = store->Install(package);
    if (!id.ok()) throw std::runtime_error(std::string(id.status().message()));
    return *id;
  }

  testing::TempDir dir;
  std::ostringstream log_text;
  common::log::LoggerFactory loggers{log_text};
  std::shared_ptr<chaincode_package::PackageStore> store;
  ChaincodeBuilderSettings settings;
};

// fabric-samples' ccaas packages: connection.json at the root of code.tar.gz.
std::string CcaasPackage(std::string_view label, std::string connection) {
  return testing::FabricPackage(
      "", "ccaas", label,
      testing::GoGzip(testing::GoTar({TarItem("connection.json", std::move(connection)),
                                      TarItem("META-INF/statedb/couchdb/indexes/i.json", "{}")})));
}

TEST_CASE("A ccaas package builds into the server to dial and starts nothing") {
  PeerFiles peer;
  const std::string id = peer.Install(
      CcaasPackage("basic_1.0", R"({"address":"127.0.0.1:9999","dial_timeout":"10s"})"));
  auto runtime = peer.NewRuntime();
  StatusOr<std::optional<ChaincodeServerInfo>> built = runtime->Build(id);
  REQUIRE(built.ok());
  REQUIRE(built->has_value());
  CHECK((*built)->address == "127.0.0.1:9999");
  CHECK((*built)->dial_timeout == std::chrono::seconds(10));

  Status start = runtime->Start(id, {"127.0.0.1:7052", "", "", ""});
  CHECK(start.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(start.message().find("is a chaincode server at 127.0.0.1:9999") != std::string::npos);
  CHECK(runtime->Stop(id).ok());
  CHECK(runtime->Wait(id).status().code() == absl::StatusCode::kFailedPrecondition);

  // ccaas_builder's release layout, kept for the next runtime even without the package.
  std::string durable = id;
  durable[durable.find(':')] = '-';
  CHECK(fs::exists(peer.settings.builds_dir / durable / "release" / "chaincode" / "server" /
                   "connection.json"));
  CHECK(fs::exists(peer.settings.builds_dir / durable / "release" / "statedb" / "couchdb" /
                   "indexes" / "i.json"));
  REQUIRE(peer.store->Delete(id).ok());
  auto restarted = peer.NewRuntime();
  built = restarted->Build(id);
  REQUIRE(built.ok());
  REQUIRE(built->has_value());
  CHECK((*built)->address == "127.0.0.1:9999");
}

TEST_CASE("A ccaas package with an unusable connection.json fails to build and leaves nothing") {
  PeerFiles peer;
  auto runtime = peer.NewRuntime();
  const std::string no_address = peer.Install(CcaasPackage("noaddr", R"({"dial_timeout":"1s"})"));
  Status status = runtime->Build(no_address).status();
  CHECK(status.message().find("chaincode address not provided") != std::string::npos);

  const std::string no_file = peer.Install(testing::FabricPackage(
      "", "ccaas", "nofile", testing::GoGzip(testing::GoTar({TarItem("other.json", "{}")}))));
  status = runtime->Build(no_file).status();
  CHECK(status.message() == "ccaas package: connection.json not found at the root of code.tar.gz");
  CHECK(fs::is_empty(peer.settings.builds_dir));
}

TEST_CASE("A type no builder takes fails to build with a clear error") {
  PeerFiles peer;
  const std::string id = peer.Install(
      testing::FabricPackage("github.com/x/cc", "golang", "gocc",
                             testing::GoGzip(testing::GoTar({TarItem("src/x.go", "")}))));
  auto runtime = peer.NewRuntime();
  Status status = runtime->Build(id).status();
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message() == "no builder for chaincode type 'golang' of package '" + id +
                                "': no external builder detected it and the built-in builders "
                                "take node, binary and ccaas");
  CHECK(fs::is_empty(peer.settings.builds_dir));
}

TEST_CASE("A binary package must name its program under src/") {
  PeerFiles peer;
  auto runtime = peer.NewRuntime();
  auto binary = [&](std::string_view label, std::string_view path) {
    return peer.Install(testing::FabricPackage(
        path, "binary", label, testing::GoGzip(testing::GoTar({TarItem("src/prog", "x")}))));
  };
  for (const char* path : {"", "../prog", "/bin/sh", "."}) {
    INFO(path);
    Status status =
        runtime->Build(binary(std::string("bad") + std::to_string(std::strlen(path)), path))
            .status();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(status.message() == "binary package: metadata.json path '" + std::string(path) +
                                  "' must name the program relative to src/");
  }
  Status missing = runtime->Build(binary("missing", "other")).status();
  CHECK(missing.message() == "binary package: the program src/other is not a file in code.tar.gz");
  CHECK(fs::is_empty(peer.settings.builds_dir));
}

TEST_CASE("Packages that are not installed or not package IDs are refused") {
  PeerFiles peer;
  auto runtime = peer.NewRuntime();
  const std::string absent = "cc:" + std::string(64, 'a');
  Status status = runtime->Build(absent).status();
  CHECK(status.code() == absl::StatusCode::kNotFound);
  CHECK(status.message() ==
        "failed to get chaincode package: chaincode install package '" + absent + "' not found");
  CHECK(runtime->Build("../../etc:passwd").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(runtime->Start("nonsense", {"127.0.0.1:7052", "", "", ""}).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(runtime->Stop(absent).ok());
  CHECK(runtime->Wait(absent).status().message() == "chaincode '" + absent + "' was not started");
}

TEST_CASE("A new runtime removes what an interrupted peer left behind, and nothing else") {
  PeerFiles peer;
  peer.settings.runs_dir = RunsDir(peer.dir / "fs");
  const std::string id =
      peer.Install(CcaasPackage("kept", R"({"address":"127.0.0.1:9999","dial_timeout":"10s"})"));
  REQUIRE(peer.NewRuntime()->Build(id).ok());
  fs::create_directories(peer.settings.builds_dir / ".build-x-123456" / "src");
  fs::create_directories(peer.settings.runs_dir / "weft-run-abcdef");
  std::ofstream(peer.settings.runs_dir / "weft-run-abcdef" / "client.key") << "secret";
  std::ofstream(peer.settings.runs_dir / "notes.txt") << "someone else's";

  auto runtime = peer.NewRuntime();
  CHECK_FALSE(fs::exists(peer.settings.builds_dir / ".build-x-123456"));
  CHECK_FALSE(fs::exists(peer.settings.runs_dir / "weft-run-abcdef"));
  CHECK(fs::exists(peer.settings.runs_dir / "notes.txt"));
  StatusOr<std::optional<ChaincodeServerInfo>> built = runtime->Build(id);  // still built
  REQUIRE(built.ok());
  CHECK(built->has_value());

  peer.settings.runs_dir = peer.settings.builds_dir;
  CHECK(NewChaincodeRuntime(peer.settings, peer.store, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
  peer.settings.builds_dir.clear();
  CHECK(NewChaincodeRuntime(peer.settings, peer.store, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("External builders need a name and a path, as core/peer/config.go requires") {
  PeerFiles peer;
  peer.settings.external_builders = {{"", "/opt/builder", {}}};
  CHECK(NewChaincodeRuntime(peer.settings, peer.store, nullptr).status().message() ==
        "external builder at path /opt/builder has no name attribute");
  peer.settings.external_builders = {{"b", "", {}}};
  CHECK(NewChaincodeRuntime(peer.settings, peer.store, nullptr).status().message() ==
        "invalid external builder configuration, path attribute missing in one or more builders");
  peer.settings.external_builders = {{"weft-builtin-node", "/opt/builder", {}}};
  CHECK(NewChaincodeRuntime(peer.settings, peer.store, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Builder settings come from core.yaml as Fabric's peer reads them") {
  common::config::PeerConfig config;
  config.peer.file_system_path = "/var/hyperledger/production";
  config.peer.local_msp_id = "Org1MSP";
  config.chaincode.external_builders = {{"ccaas", "/opt/ccaas_builder", {"HOME", "GOPATH"}}};
  config.chaincode.logging.level = "debug";
  ChaincodeBuilderSettings settings = BuilderSettingsFromConfig(config, {{"PATH", "/bin"}});
  // internal/peer/node/start.go: <peer.fileSystemPath>/externalbuilder/builds.
  CHECK(settings.builds_dir == fs::path("/var/hyperledger/production/externalbuilder/builds"));
  CHECK(settings.runs_dir == fs::path("/var/hyperledger/production/externalbuilder/runs"));
  CHECK(settings.local_msp_id == "Org1MSP");
  REQUIRE(settings.external_builders.size() == 1);
  CHECK(settings.external_builders[0].name == "ccaas");
  CHECK(settings.external_builders[0].path == fs::path("/opt/ccaas_builder"));
  CHECK(settings.external_builders[0].propagate_environment ==
        std::vector<std::string>{"HOME", "GOPATH"});
  CHECK(settings.log_level == "debug");
  CHECK(settings.shim_log_level == "warning");
  CHECK(settings.environment.at("PATH") == "/bin");
}

}  // namespace
}  // namespace weft::peer::chaincode_builders
