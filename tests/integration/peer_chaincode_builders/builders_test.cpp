// The chaincode runtime with real processes. Expected behaviour and messages come from
// Fabric release-2.5: core/container/externalbuilder (externalbuilder.go: detect,
// build, release, run arguments, DefaultPropagateEnvironment, runConfig; instance.go:
// Stop, Wait) and core/container/dockercontroller/dockercontroller.go (GetEnv, the
// node start command, base64 client key/cert files).
#include "peer/chaincode_builders/builders.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/log/logger_factory.h"
#include "peer/chaincode_package/package_store.h"
#include "tests/support/child_process.h"
#include "tests/support/fabric_package.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace weft::peer::chaincode_builders {
namespace {

namespace fs = std::filesystem;
using chaincode_support::ChaincodeRuntime;
using chaincode_support::PeerConnection;
using testing::TarItem;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void Write(const fs::path& path, std::string_view text, fs::perms perms = fs::perms(0644)) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, perms);
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// One peer's file system: the install store, the build folder and a log to read.
struct PeerFiles {
  PeerFiles() {
    auto opened = chaincode_package::PackageStore::Open(chaincode_package::InstallDir(dir / "fs"));
    if (!opened.ok()) throw std::runtime_error(std::string(opened.status().message()));
    store = std::move(*opened);
    settings.builds_dir = BuildsDir(dir / "fs");
    settings.runs_dir = RunsDir(dir / "fs");
    settings.local_msp_id = "Org1MSP";
    settings.environment = {{"PATH", Env("PATH")},
                            {"HOME", Env("HOME")},
                            {"WEFT_TEST_SECRET", "not for chaincode"},
                            {"WEFT_TEST_OUT", (dir / "out").string()}};
    settings.termination_grace = std::chrono::milliseconds(300);
    fs::create_directories(dir / "out");
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

  fs::path BuildDir(std::string id) const {
    id[id.find(':')] = '-';
    return settings.builds_dir / id / "bld";
  }

  // Read only once every process the test started has been waited for.
  std::string Log() const { return log_text.str(); }

  testing::TempDir dir;
  std::ostringstream log_text;
  common::log::LoggerFactory loggers{log_text};
  std::shared_ptr<chaincode_package::PackageStore> store;
  ChaincodeBuilderSettings settings;
};

TarItem SourceFile(std::string name, std::string content) {
  TarItem item("src/" + name, std::move(content));
  item.uid = item.gid = 500;  // writer.go's fixed owner; mode 0100644 even for programs
  return item;
}

std::string BinaryPackage(std::string_view label, std::string_view behaviour,
                          std::vector<TarItem> extra = {}) {
  std::vector<TarItem> items = {SourceFile("bin/chaincode", Read(fs::path(WEFT_BINARY_DIR) /
                                                                 "tests" / "weft-test-chaincode")),
                                SourceFile("behaviour", std::string(behaviour))};
  for (auto& item : extra) items.push_back(std::move(item));
  return testing::FabricPackage("bin/chaincode", "binary", label,
                                testing::GoGzip(testing::GoTar(items)));
}

PeerConnection Plaintext() { return PeerConnection{"127.0.0.1:7052", "", "", ""}; }

TEST_CASE(
    "The binary launcher starts the program with Fabric's environment and returns its exit code") {
  PeerFiles peer;
  const std::string package = BinaryPackage("bincc", R"(expect CORE_PEER_TLS_ENABLED=false
expect CORE_PEER_ADDRESS=127.0.0.1:7052
expect CORE_PEER_LOCALMSPID=Org1MSP
expect CORE_CHAINCODE_LOGGING_LEVEL=info
expect CORE_CHAINCODE_LOGGING_SHIM=warning
unset CORE_TLS_CLIENT_KEY_PATH
unset CORE_PEER_TLS_ROOTCERT_FILE
unset WEFT_TEST_SECRET
exit 42
)");
  const std::string id = peer.Install(package);
  auto runtime = peer.NewRuntime();

  StatusOr<std::optional<chaincode_support::ChaincodeServerInfo>> built = runtime->Build(id);
  REQUIRE(built.ok());
  CHECK_FALSE(built->has_value());
  REQUIRE(runtime->Start(id, Plaintext()).ok());
  StatusOr<int> code = runtime->Wait(id);
  REQUIRE(code.ok());
  CHECK(*code == 42);
  // Both output streams reach the peer's log, prefixed with the package ID.
  const std::string log = peer.Log();
  CHECK(log.find("[" + id + "] test chaincode running as " + id) != std::string::npos);
  CHECK(log.find("[" + id + "] test chaincode stderr line") != std::string::npos);
  CHECK(log.find("[" + id + "] exited: exit status 42") != std::string::npos);

  SECTION("and starts it again after it exited") {
    REQUIRE(runtime->Start(id, Plaintext()).ok());
    code = runtime->Wait(id);
    REQUIRE(code.ok());
    CHECK(*code == 42);
  }
}

TEST_CASE(
    "With TLS the client key and certificate are handed over as Fabric's Docker launcher does") {
  PeerFiles peer;
  const std::string key = "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n";
  const std::string cert = "-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n";
  const std::string root = "-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n";
  // base64 of the PEM, computed by coreutils rather than by Weft.
  auto base64 = [&](const std::string& text) {
    Write(peer.dir / "b64-in", text);
    testing::CommandResult encoded =
        testing::RunCommand({"base64", "-w0", (peer.dir / "b64-in").string()});
    if (encoded.exit_code != 0) throw std::runtime_error("base64 failed");
    return encoded.out.substr(0, encoded.out.find('\n'));  // RunCommand ends lines with \n
  };
  const std::string package =
      BinaryPackage("tlscc", R"(expect CORE_PEER_TLS_ENABLED=true
file CORE_TLS_CLIENT_KEY_PATH want/key.b64
file CORE_TLS_CLIENT_CERT_PATH want/cert.b64
file CORE_TLS_CLIENT_KEY_FILE want/key.pem
file CORE_TLS_CLIENT_CERT_FILE want/cert.pem
file CORE_PEER_TLS_ROOTCERT_FILE want/root.pem
exit 0
)",
                    {SourceFile("want/key.b64", base64(key)),
                     SourceFile("want/cert.b64", base64(cert)), SourceFile("want/key.pem", key),
                     SourceFile("want/cert.pem", cert), SourceFile("want/root.pem", root)});
  const std::string id = peer.Install(package);
  auto runtime = peer.NewRuntime();
  REQUIRE(runtime->Start(id, PeerConnection{"127.0.0.1:7052", cert, key, root}).ok());
  StatusOr<int> code = runtime->Wait(id);
  REQUIRE(code.ok());
  INFO(peer.Log());
  CHECK(*code == 0);
  // The key files live only while the chaincode runs.
  CHECK(fs::is_empty(peer.settings.runs_dir));
}

TEST_CASE("Stop ends a chaincode with SIGTERM, and with SIGKILL when it ignores SIGTERM") {
  PeerFiles peer;
  auto runtime = peer.NewRuntime();

  const std::string polite = peer.Install(BinaryPackage("polite", "wait-term\nexit 9\n"));
  REQUIRE(runtime->Start(polite, Plaintext()).ok());
  REQUIRE(testing::WaitUntil([&] { return fs::exists(peer.BuildDir(polite) / "ready"); }));
  Status again = runtime->Start(polite, Plaintext());
  CHECK(again.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(again.message().find("is already running") != std::string::npos);
  REQUIRE(runtime->Stop(polite).ok());
  StatusOr<int> code = runtime->Wait(polite);
  REQUIRE(code.ok());
  CHECK(*code == 9);  // its own SIGTERM handler's exit code

  const std::string stubborn = peer.Install(BinaryPackage("stubborn", "ignore-term\n"));
  REQUIRE(runtime->Start(stubborn, Plaintext()).ok());
  REQUIRE(testing::WaitUntil([&] { return fs::exists(peer.BuildDir(stubborn) / "ready"); }));
  REQUIRE(runtime->Stop(stubborn).ok());
  code = runtime->Wait(stubborn);
  REQUIRE(code.ok());
  CHECK(*code == -1);                   // killed by a signal, as Go's ExitError.ExitCode reports it
  CHECK(runtime->Stop(stubborn).ok());  // nothing runs any more
}

// A builder in the shape Fabric documents, written as shell scripts.
fs::path ScriptBuilder(const PeerFiles& peer, const std::string& name, std::string_view build,
                       std::string_view release) {
  const fs::path root = peer.dir / "builders" / name;
  const fs::perms exec = fs::perms(0755);
  Write(root / "bin" / "detect", "#!/bin/sh\ngrep -q '\"type\":\"custom\"' \"$2/metadata.json\"\n",
        exec);
  Write(root / "bin" / "build", build, exec);
  if (!release.empty()) Write(root / "bin" / "release", release, exec);
  Write(root / "bin" / "run", R"(#!/bin/sh
cp "$2/chaincode.json" "$WEFT_TEST_OUT/chaincode.json"
env > "$WEFT_TEST_OUT/env"
ls "$1" > "$WEFT_TEST_OUT/bld-listing"
echo "run says hi"
exit 7
)",
        exec);
  return root;
}

constexpr std::string_view kCopyBuild = R"(#!/bin/sh
set -e
cp -R "$1/src/." "$3/"
echo "build with $# arguments" >> "$WEFT_TEST_OUT/builds"
)";

std::string CustomPackage(std::string_view label, std::string_view type = "custom") {
  return testing::FabricPackage(
      "p", type, label,
      testing::GoGzip(testing::GoTar(
          {SourceFile("main.txt", "source"),
           SourceFile("bin/chaincode",
                      Read(fs::path(WEFT_BINARY_DIR) / "tests" / "weft-test-chaincode")),
           SourceFile("behaviour", "exit 11\n")})));
}

TEST_CASE("An external builder that detects the package builds, releases and runs it") {
  PeerFiles peer;
  peer.settings.external_builders = {
      {"scripts",
       ScriptBuilder(peer, "scripts", kCopyBuild,
                     "#!/bin/sh\nset -e\necho released > \"$2/marker\"\n"),
       {"WEFT_TEST_OUT"}}};
  const std::string id = peer.Install(CustomPackage("extcc"));
  auto runtime = peer.NewRuntime();

  StatusOr<std::optional<chaincode_support::ChaincodeServerInfo>> built = runtime->Build(id);
  REQUIRE(built.ok());
  CHECK_FALSE(built->has_value());
  CHECK(Read(peer.dir / "out" / "builds") == "build with 3 arguments\n");
  CHECK(Read(peer.settings.builds_dir /
             (id.substr(0, id.find(':')) + "-" + id.substr(id.find(':') + 1)) / "release" /
             "marker") == "released\n");

  const std::string client_cert = "CERT", client_key = "KEY", root = "ROOT";
  REQUIRE(runtime->Start(id, PeerConnection{"127.0.0.1:7052", client_cert, client_key, root}).ok());
  StatusOr<int> code = runtime->Wait(id);
  REQUIRE(code.ok());
  CHECK(*code == 7);

  // runConfig, in its field order.
  CHECK(Read(peer.dir / "out" / "chaincode.json") ==
        nlohmann::ordered_json{{"chaincode_id", id},
                               {"peer_address", "127.0.0.1:7052"},
                               {"client_cert", "CERT"},
                               {"client_key", "KEY"},
                               {"root_cert", "ROOT"},
                               {"mspid", "Org1MSP"}}
            .dump());
  // run gets the durable build output.
  CHECK(Read(peer.dir / "out" / "bld-listing") == "behaviour\nbin\nmain.txt\n");
  // The environment is pruned to propagateEnvironment and Fabric's defaults.
  const std::string env = Read(peer.dir / "out" / "env");
  CHECK(env.find("WEFT_TEST_OUT=") != std::string::npos);
  CHECK(env.find("PATH=") != std::string::npos);
  CHECK(env.find("WEFT_TEST_SECRET") == std::string::npos);
  CHECK(env.find("HOME=") == std::string::npos);
  CHECK(peer.Log().find("[" + id + "] run says hi") != std::string::npos);
}

TEST_CASE("A package is built once, also across runtimes and concurrent calls") {
  PeerFiles peer;
  peer.settings.external_builders = {
      {"scripts", ScriptBuilder(peer, "scripts", kCopyBuild, ""), {"WEFT_TEST_OUT"}}};
  const std::string id = peer.Install(CustomPackage("oncecc"));
  {
    auto runtime = peer.NewRuntime();
    auto first = std::async(std::launch::async, [&] { return runtime->Build(id).status(); });
    auto second = std::async(std::launch::async, [&] { return runtime->Build(id).status(); });
    CHECK(first.get().ok());
    CHECK(second.get().ok());
  }
  auto restarted = peer.NewRuntime();
  REQUIRE(restarted->Build(id).ok());
  REQUIRE(restarted->Start(id, Plaintext()).ok());
  StatusOr<int> code = restarted->Wait(id);
  REQUIRE(code.ok());
  CHECK(*code == 7);
  CHECK(Read(peer.dir / "out" / "builds") == "build with 3 arguments\n");

  SECTION("a build made by a builder that is gone cannot be restored") {
    peer.settings.external_builders.clear();
    auto without = peer.NewRuntime();
    Status status = without->Build(id).status();
    CHECK(status.message() ==
          "existing build could not be restored: chaincode '" + id +
              "' was already built with builder 'scripts', but that builder is no longer "
              "available");
  }
}

TEST_CASE("A failed build reports the builder's output and leaves nothing behind") {
  PeerFiles peer;
  peer.settings.external_builders = {
      {"failing",
       ScriptBuilder(peer, "failing",
                     "#!/bin/sh\necho 'compile error: missing semicolon' >&2\nexit 2\n", ""),
       {}}};
  const std::string id = peer.Install(CustomPackage("badcc"));
  auto runtime = peer.NewRuntime();
  Status status = runtime->Build(id).status();
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message().rfind(
            "external builder failed: external builder 'failing' failed: exit status 2", 0) == 0);
  CHECK(status.message().find("compile error: missing semicolon") != std::string::npos);
  CHECK(fs::is_empty(peer.settings.builds_dir));
  CHECK(runtime->Start(id, Plaintext()).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Packages no external builder detects go to the built-in builders") {
  PeerFiles peer;
  peer.settings.external_builders = {
      {"scripts", ScriptBuilder(peer, "scripts", kCopyBuild, ""), {"WEFT_TEST_OUT"}}};
  const std::string id = peer.Install(BinaryPackage("plain", "exit 5\n"));
  auto runtime = peer.NewRuntime();
  REQUIRE(runtime->Start(id, Plaintext()).ok());
  StatusOr<int> code = runtime->Wait(id);
  REQUIRE(code.ok());
  CHECK(*code == 5);
  CHECK_FALSE(fs::exists(peer.dir / "out" / "builds"));
}

TEST_CASE("An external builder whose release holds connection.json makes a chaincode server") {
  PeerFiles peer;
  peer.settings.external_builders = {
      {"server",
       ScriptBuilder(peer, "server", "#!/bin/sh\ntrue\n", R"(#!/bin/sh
set -e
mkdir -p "$2/chaincode/server"
echo '{"address":"127.0.0.1:9999","dial_timeout":"10s"}' > "$2/chaincode/server/connection.json"
)"),
       {}}};
  const std::string id = peer.Install(CustomPackage("svccc"));
  auto runtime = peer.NewRuntime();
  StatusOr<std::optional<chaincode_support::ChaincodeServerInfo>> built = runtime->Build(id);
  REQUIRE(built.ok());
  REQUIRE(built->has_value());
  CHECK((*built)->address == "127.0.0.1:9999");
  CHECK((*built)->dial_timeout == std::chrono::seconds(10));
  CHECK(runtime->Start(id, Plaintext()).code() == absl::StatusCode::kFailedPrecondition);
}

bool HaveNpm() { return testing::RunCommand({"sh", "-c", "command -v npm"}).exit_code == 0; }

std::string NodePackage(std::string_view label, bool with_lock_file) {
  std::vector<TarItem> items = {
      SourceFile("index.js", R"(const args = process.argv.slice(2);
const problems = [];
const at = args.indexOf('--peer.address');
if (at < 0 || args[at + 1] !== '127.0.0.1:7052') problems.push('arguments ' + JSON.stringify(args));
const id = process.env.CORE_CHAINCODE_ID_NAME || '';
if (!/^nodecc:[0-9a-f]{64}$/.test(id)) problems.push('CORE_CHAINCODE_ID_NAME ' + id);
if (process.env.CORE_PEER_TLS_ENABLED !== 'false') problems.push('CORE_PEER_TLS_ENABLED');
if (process.env.CORE_PEER_LOCALMSPID !== 'Org1MSP') problems.push('CORE_PEER_LOCALMSPID');
if (problems.length > 0) { console.error('problems: ' + problems.join(', ')); process.exit(9); }
console.log('node chaincode ' + id);
process.exit(5);
)"),
      SourceFile("package.json", R"({"name":"weft-node-test","version":"1.0.0","private":true,)"
                                 R"("scripts":{"start":"node index.js"}})")};
  if (with_lock_file) {
    items.push_back(SourceFile(
        "package-lock.json",
        R"({"name":"weft-node-test","version":"1.0.0","lockfileVersion":3,"requires":true,)"
        R"("packages":{"":{"name":"weft-node-test","version":"1.0.0"}}})"));
  }
  return testing::FabricPackage("/src/weft-node-test", "node", label,
                                testing::GoGzip(testing::GoTar(items)));
}

TEST_CASE("The node builder installs with npm and starts npm start with --peer.address") {
  if (!HaveNpm()) {
    WARN("npm is not installed; the node builder is not tested");
    return;
  }
  PeerFiles peer;
  // A registry nobody answers at: the build must not need the network (the built-ins
  // pass npm_config_* on to npm).
  peer.settings.environment["npm_config_registry"] = "http://127.0.0.1:9/";
  const bool with_lock_file = GENERATE(false, true);
  INFO("package-lock.json: " << with_lock_file);
  const std::string id = peer.Install(NodePackage("nodecc", with_lock_file));
  auto runtime = peer.NewRuntime();
  StatusOr<std::optional<chaincode_support::ChaincodeServerInfo>> built = runtime->Build(id);
  INFO(peer.Log());
  REQUIRE(built.ok());
  CHECK_FALSE(built->has_value());
  // npm install writes the lock file npm ci needs; either way it is in the build.
  CHECK(fs::exists(peer.BuildDir(id) / "package-lock.json"));
  REQUIRE(runtime->Start(id, Plaintext()).ok());
  StatusOr<int> code = runtime->Wait(id);
  REQUIRE(code.ok());
  INFO(peer.Log());
  CHECK(*code == 5);
  CHECK(peer.Log().find("[" + id + "] node chaincode " + id) != std::string::npos);
}

TEST_CASE("A node build npm cannot finish reports npm's output and leaves nothing") {
  if (!HaveNpm()) {
    WARN("npm is not installed; the node builder is not tested");
    return;
  }
  PeerFiles peer;
  peer.settings.environment["npm_config_registry"] = "http://127.0.0.1:9/";
  peer.settings.environment["npm_config_fetch_retries"] = "0";
  const std::string id = peer.Install(testing::FabricPackage(
      "p", "node", "depcc",
      testing::GoGzip(testing::GoTar({SourceFile(
          "package.json", R"({"name":"depcc","version":"1.0.0",)"
                          R"("dependencies":{"weft-no-such-package-anywhere":"1.0.0"}})")}))));
  auto runtime = peer.NewRuntime();
  Status status = runtime->Build(id).status();
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message().rfind("node build failed: npm install ended with exit status ", 0) == 0);
  CHECK(status.message().find("weft-no-such-package-anywhere") !=
        std::string::npos);  // npm says what it could not get
  CHECK(fs::is_empty(peer.settings.builds_dir));
}

TEST_CASE("A node package without package.json fails to build with the node platform's message") {
  PeerFiles peer;
  const std::string id = peer.Install(testing::FabricPackage(
      "p", "node", "nopkg", testing::GoGzip(testing::GoTar({SourceFile("index.js", "")}))));
  auto runtime = peer.NewRuntime();
  Status status = runtime->Build(id).status();
  CHECK(status.message() == "no package.json found at the root of the chaincode package");
  CHECK(fs::is_empty(peer.settings.builds_dir));
}

}  // namespace
}  // namespace weft::peer::chaincode_builders
