// Packages are written by tests/support/fabric_package, which follows Fabric's CLI
// (package.go, writer.go) without using Weft's package code. Expected messages are
// those of release-2.5 core/chaincode/persistence/chaincode_package.go.
#include "peer/chaincode_package/package.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/fabric_package.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace weft::peer::chaincode_package {
namespace {

namespace fs = std::filesystem;
using testing::FabricPackage;
using testing::GoGzip;
using testing::GoTar;
using testing::TarItem;
using testing::WriteFile;

// A node project as a developer has it: sources, a CouchDB index, and the folders
// Fabric's writer leaves out.
std::string NodeCodePackage(const testing::TempDir& dir) {
  const fs::path project = dir / "project";
  WriteFile(project / "package.json", R"({"name":"cc","version":"1.0.0"})");
  WriteFile(project / "index.js", "module.exports = {};\n");
  WriteFile(project / "lib" / "contract.js", "// contract\n");
  WriteFile(project / "META-INF" / "statedb" / "couchdb" / "indexes" / "owner.json",
            R"({"index":{"fields":["owner"]},"name":"owner","type":"json"})");
  WriteFile(project / "META-INF" / ".hidden", "ignored");
  WriteFile(project / "node_modules" / "dep" / "index.js", "ignored");
  WriteFile(project / ".git" / "config", "ignored");
  return testing::FabricCodePackage(project);
}

std::vector<std::string> TarNames(const std::string& tar_gz, const testing::TempDir& dir) {
  const fs::path file = dir / "listing.tar.gz";
  std::ofstream(file, std::ios::binary) << tar_gz;
  testing::CommandResult listed = testing::RunCommand({"tar", "-tzf", file.string()});
  if (listed.exit_code != 0) throw std::runtime_error("tar -t failed: " + listed.output());
  std::vector<std::string> names;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) names.push_back(line);
  return names;
}

TEST_CASE("A package written as Fabric's peer lifecycle chaincode package parses unchanged") {
  testing::TempDir dir;
  const std::string code = NodeCodePackage(dir);
  // writer.go: sources under src/, META-INF kept, node_modules, .git and hidden
  // metadata left out (GNU tar reads our test writer's output the same way).
  REQUIRE(TarNames(code, dir) ==
          std::vector<std::string>{"META-INF/statedb/couchdb/indexes/owner.json", "src/index.js",
                                   "src/lib/contract.js", "src/package.json"});
  const std::string bytes = FabricPackage("/home/dev/project", "node", "basic_1.0", code);

  StatusOr<ChaincodePackage> package = ParsePackage(bytes);
  REQUIRE(package.ok());
  CHECK(package->metadata.type == "node");
  CHECK(package->metadata.path == "/home/dev/project");
  CHECK(package->metadata.label == "basic_1.0");
  CHECK(package->metadata_json ==
        R"({"path":"/home/dev/project","type":"node","label":"basic_1.0"})");
  CHECK(package->code_package == code);
  CHECK(package->ignored_entries.empty());
}

TEST_CASE("A package made with GNU tar and gzip parses too") {
  testing::TempDir dir;
  WriteFile(dir / "pkg" / "metadata.json", R"({"type":"ccaas","label":"svc","path":""})");
  WriteFile(dir / "pkg" / "code.tar.gz", "not looked into here");
  testing::CommandResult made =
      testing::RunCommand({"tar", "-czf", (dir / "pkg.tar.gz").string(), "-C",
                           (dir / "pkg").string(), "metadata.json", "code.tar.gz"});
  REQUIRE(made.exit_code == 0);
  std::ifstream in(dir / "pkg.tar.gz", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  StatusOr<ChaincodePackage> package = ParsePackage(bytes);
  REQUIRE(package.ok());
  CHECK(package->metadata.type == "ccaas");
  CHECK(package->metadata.label == "svc");
  CHECK(package->code_package == "not looked into here");
}

TEST_CASE("The package ID is the label and the hex SHA-256 of the package bytes") {
  testing::TempDir dir;
  const std::string bytes = FabricPackage("p", "node", "mycc", NodeCodePackage(dir));
  std::ofstream(dir / "mycc.tar.gz", std::ios::binary) << bytes;
  // Computed independently of Weft's crypto.
  testing::CommandResult digest =
      testing::RunCommand({"sha256sum", (dir / "mycc.tar.gz").string()});
  REQUIRE(digest.exit_code == 0);
  const std::string hex = digest.out.substr(0, 64);

  CHECK(PackageId("mycc", bytes) == "mycc:" + hex);
  StatusOr<PackageIdParts> parts = ParsePackageId("mycc:" + hex);
  REQUIRE(parts.ok());
  CHECK(parts->label == "mycc");
  CHECK(parts->hash.size() == 32);
}

TEST_CASE("Package IDs that are not <label>:<64 hex digits> are refused") {
  const std::string hash(64, 'a');
  CHECK(ParsePackageId("cc:" + hash).ok());
  for (const std::string& bad :
       {std::string("cc"), "cc:" + std::string(63, 'a'), "cc:" + std::string(64, 'A'), ":" + hash,
        "../../etc:" + hash, "cc:" + hash + "0", "a b:" + hash}) {
    INFO(bad);
    CHECK(ParsePackageId(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Labels follow Fabric's ^[[:alnum:]][[:alnum:]_.+-]*$") {
  for (const char* good : {"a", "Z9", "mycc_1.0", "a+b-c.d_e", "1"}) {
    INFO(good);
    CHECK(ValidateLabel(good).ok());
  }
  for (const char* bad : {"", "-cc", "_cc", ".cc", "my cc", "cc/1", "cc:1", "caf\xc3\xa9"}) {
    INFO(bad);
    Status status = ValidateLabel(bad);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    // persistence.ValidateLabel's message.
    CHECK(status.message() ==
          "invalid label '" + std::string(bad) +
              "'. Label must be non-empty, can only consist of alphanumerics, symbols from "
              "'.+-_', and can only begin with alphanumerics");
  }
}

std::string MetadataOnly(std::string_view metadata) {
  std::vector<TarItem> items(2);
  items[0].name = "metadata.json";
  items[0].content = std::string(metadata);
  items[1].name = "code.tar.gz";
  items[1].content = GoGzip(GoTar({}));
  return GoGzip(GoTar(items));
}

std::string ParseError(const std::string& bytes, const ParseLimits& limits = {}) {
  StatusOr<ChaincodePackage> package = ParsePackage(bytes, limits);
  if (package.ok()) return "parsed";
  CHECK(package.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(package.status().message());
}

TEST_CASE("Bad packages are refused with Fabric's messages") {
  const std::string code = GoGzip(GoTar({}));
  TarItem metadata{"metadata.json", R"({"path":"p","type":"node","label":"cc"})"};
  TarItem code_item{"code.tar.gz", code};

  SECTION("not gzip") {
    CHECK(ParseError("just text").rfind("error reading as gzip stream", 0) == 0);
    CHECK(ParseError("").rfind("error reading as gzip stream", 0) == 0);
    // An uncompressed tar is not a package either.
    CHECK(ParseError(GoTar({metadata, code_item})).rfind("error reading as gzip stream", 0) == 0);
  }
  SECTION("gzip but not tar") {
    CHECK(ParseError(GoGzip(std::string(2048, 'x'))).rfind("error inspecting next tar header", 0) ==
          0);
  }
  SECTION("truncated") {
    std::string bytes = GoGzip(GoTar({metadata, code_item}));
    bytes.resize(bytes.size() / 2);
    CHECK(ParseError(bytes) != "parsed");
  }
  SECTION("no code.tar.gz") {
    CHECK(ParseError(GoGzip(GoTar({metadata}))) ==
          "did not find a code package inside the package");
    CHECK(ParseError(GoGzip(GoTar({}))) == "did not find a code package inside the package");
  }
  SECTION("no metadata.json") {
    CHECK(ParseError(GoGzip(GoTar({code_item}))) ==
          "did not find any package metadata (missing metadata.json)");
    // Names are matched exactly, as Fabric's header.Name comparison.
    TarItem dotted{"./metadata.json", metadata.content};
    CHECK(ParseError(GoGzip(GoTar({dotted, code_item}))) ==
          "did not find any package metadata (missing metadata.json)");
  }
  SECTION("metadata.json that is not a JSON object of strings") {
    CHECK(ParseError(MetadataOnly("{not json"))
              .rfind("could not unmarshal metadata.json as json", 0) == 0);
    CHECK(ParseError(MetadataOnly("[1,2]")).rfind("could not unmarshal metadata.json as json", 0) ==
          0);
    CHECK(ParseError(MetadataOnly(R"({"label":7})"))
              .rfind("could not unmarshal metadata.json as json", 0) == 0);
  }
  SECTION("bad or missing label") {
    CHECK(ParseError(MetadataOnly(R"({"type":"node","path":"p"})")).rfind("invalid label ''", 0) ==
          0);
    CHECK(ParseError(MetadataOnly(R"({"label":"my cc"})")).rfind("invalid label 'my cc'", 0) == 0);
  }
  SECTION("a top-level entry that is not a regular file") {
    TarItem dir{"src/", "", 040755};
    dir.typeflag = '5';
    CHECK(ParseError(GoGzip(GoTar({dir, metadata, code_item}))) ==
          "tar entry src/ is not a regular file, type 53 (directory)");
    TarItem link{"metadata.json", "", 0120777};
    link.typeflag = '2';
    link.linkname = "/etc/passwd";
    CHECK(ParseError(GoGzip(GoTar({link, code_item}))) ==
          "tar entry metadata.json is not a regular file, type 50 (symbolic link)");
  }
  SECTION("an entry larger than the limits") {
    ParseLimits limits;
    limits.max_entry_bytes = 1000;
    TarItem big{"code.tar.gz", std::string(4096, 'z')};
    CHECK(ParseError(GoGzip(GoTar({metadata, big})), limits) ==
          "tar entry code.tar.gz is larger than 1000 bytes");
    limits.max_entry_bytes = 1 << 20;
    limits.max_total_bytes = 3000;
    TarItem half{"other", std::string(2000, 'z')};
    CHECK(ParseError(GoGzip(GoTar({half, big})), limits).find("is larger than") !=
          std::string::npos);
  }
}

TEST_CASE("Other top-level files are tolerated and reported, the type is not checked") {
  std::vector<TarItem> items(3);
  items[0] = {"README", "hello"};
  items[1] = {"metadata.json", R"({"Label":"cc","TYPE":"cobol"})"};  // Go matches keys by case
  items[2] = {"code.tar.gz", GoGzip(GoTar({}))};
  StatusOr<ChaincodePackage> package = ParsePackage(GoGzip(GoTar(items)));
  REQUIRE(package.ok());
  CHECK(package->ignored_entries == std::vector<std::string>{"README"});
  CHECK(package->metadata.label == "cc");
  CHECK(package->metadata.type == "cobol");
}

}  // namespace
}  // namespace weft::peer::chaincode_package
