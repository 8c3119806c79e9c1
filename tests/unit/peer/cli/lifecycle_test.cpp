// `peer lifecycle chaincode` commands: expectations from Fabric release-2.5
// internal/peer/lifecycle/chaincode (package.go, calculatepackageid.go, install.go,
// queryinstalled.go, getinstalledpackage.go, common.go printResponseAsJSON) and
// core/chaincode/platforms/util/writer.go.
#include "peer/cli/lifecycle.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "common/protoutil/proposal.h"
#include "peer/chaincode_package/code_archive.h"
#include "peer/chaincode_package/package.h"
#include "tests/support/fabric_package.h"
#include "tests/support/fake_endorser.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace {

namespace cli = weft::peer::cli;
namespace ccpkg = weft::peer::chaincode_package;
namespace fs = std::filesystem;
namespace testing = weft::testing;

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

cli::PackageInput NodeInput(const testing::TempDir& dir) {
  cli::PackageInput input;
  input.output_file = (dir / "basic.tar.gz").string();
  input.path = (dir / "src-folder").string();
  input.lang = "node";
  input.label = "basic_1.0";
  return input;
}

struct Org {
  testing::TestIdentity ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  testing::TestIdentity admin = testing::IssueLeaf(ca, "Admin@org1.example.com", {"admin"});
  testing::TestIdentity peer0 = testing::IssueLeaf(ca, "peer0.org1.example.com", {"peer"});

  cli::CliContext Context(const testing::FakeEndorser& endorser) const {
    cli::CliContext context{{}, testing::MakeSigner(admin, "Org1MSP")};
    context.config.peer.address = endorser.address();
    return context;
  }
  std::map<std::string, weft::common::crypto::Certificate> Trusted() const {
    return {{"Org1MSP", ca.cert}};
  }
};

}  // namespace

TEST_CASE("package writes metadata.json and code.tar.gz as Fabric's CLI", "[peer_cli]") {
  testing::TempDir dir("weft-cli-package");
  const cli::PackageInput input = NodeInput(dir);
  const fs::path src = input.path;
  WriteFile(src / "index.js", "module.exports = {};\n");
  WriteFile(src / "package.json", "{\"name\":\"basic\"}");
  WriteFile(src / "lib" / "asset.js", "class Asset {}\n");
  WriteFile(src / "node_modules" / "dep" / "index.js", "skipped");
  WriteFile(src / "META-INF" / "statedb" / "couchdb" / "indexes" / "i.json", "{}");
  WriteFile(src / "META-INF" / ".hidden", "skipped");

  REQUIRE(cli::PackageChaincode(input).ok());
  const std::string bytes = ReadFile(input.output_file);
  auto parsed = ccpkg::ParsePackage(bytes);
  REQUIRE(parsed.ok());
  // package.go toJSON: json.Marshal of PackageMetadata{Path, Type, Label}; the node
  // platform's NormalizePath keeps the path as given.
  CHECK(parsed->metadata_json == testing::FabricMetadataJson(input.path, "node", "basic_1.0"));
  CHECK(parsed->ignored_entries.empty());

  // writer.go: sources under src/, META-INF/ at the top, node_modules and hidden
  // META-INF files left out.
  testing::TempDir out("weft-cli-unpacked");
  REQUIRE(ccpkg::ExtractTarGz(parsed->code_package, out.path()).ok());
  CHECK(ReadFile(out / "src/index.js") == "module.exports = {};\n");
  CHECK(fs::exists(out / "src/package.json"));
  CHECK(fs::exists(out / "src/lib/asset.js"));
  CHECK(fs::exists(out / "META-INF/statedb/couchdb/indexes/i.json"));
  CHECK_FALSE(fs::exists(out / "src/node_modules"));
  CHECK_FALSE(fs::exists(out / "src/META-INF"));
  CHECK_FALSE(fs::exists(out / "META-INF/.hidden"));

  // Zero times and no gzip timestamp: the same sources give the same package ID.
  auto again = cli::BuildChaincodePackage(input);
  REQUIRE(again.ok());
  CHECK(*again == bytes);
}

TEST_CASE("package: binary and ccaas layouts", "[peer_cli]") {
  testing::TempDir dir("weft-cli-package");
  cli::PackageInput input = NodeInput(dir);
  SECTION("binary: the executable as src/<name>, metadata path <name> (FORMAT.md)") {
    WriteFile(dir / "bin" / "asset-transfer",
              "\x7f"
              "ELF...");
    input.lang = "binary";
    input.path = (dir / "bin" / "asset-transfer").string();
    auto bytes = cli::BuildChaincodePackage(input);
    REQUIRE(bytes.ok());
    auto parsed = ccpkg::ParsePackage(*bytes);
    REQUIRE(parsed.ok());
    CHECK(parsed->metadata_json ==
          testing::FabricMetadataJson("asset-transfer", "binary", "basic_1.0"));
    testing::TempDir out("weft-cli-unpacked");
    REQUIRE(ccpkg::ExtractTarGz(parsed->code_package, out.path()).ok());
    CHECK(ReadFile(out / "src/asset-transfer") ==
          "\x7f"
          "ELF...");
  }
  SECTION("ccaas: connection.json at the top of code.tar.gz") {
    WriteFile(dir / "svc" / "connection.json", "{\"address\":\"127.0.0.1:9999\"}");
    WriteFile(dir / "svc" / "META-INF" / "x.json", "{}");
    input.lang = "ccaas";
    input.path = (dir / "svc").string();
    auto bytes = cli::BuildChaincodePackage(input);
    REQUIRE(bytes.ok());
    auto parsed = ccpkg::ParsePackage(*bytes);
    REQUIRE(parsed.ok());
    CHECK(parsed->metadata.type == "ccaas");
    testing::TempDir out("weft-cli-unpacked");
    REQUIRE(ccpkg::ExtractTarGz(parsed->code_package, out.path()).ok());
    CHECK(ReadFile(out / "connection.json") == "{\"address\":\"127.0.0.1:9999\"}");
    CHECK(fs::exists(out / "META-INF/x.json"));
  }
  SECTION("a ccaas folder without connection.json names the file") {
    fs::create_directories(dir / "empty");
    input.lang = "ccaas";
    input.path = (dir / "empty").string();
    auto bytes = cli::BuildChaincodePackage(input);
    REQUIRE_FALSE(bytes.ok());
    CHECK_THAT(std::string(bytes.status().message()),
               Catch::Contains((dir / "empty" / "connection.json").string()));
  }
  SECTION("an unknown language is the registry's error (platforms.go)") {
    fs::create_directories(input.path);
    input.lang = "golang";
    auto bytes = cli::BuildChaincodePackage(input);
    REQUIRE_FALSE(bytes.ok());
    CHECK_THAT(std::string(bytes.status().message()),
               Catch::Contains("unknown chaincodeType: GOLANG"));
  }
  SECTION("a missing folder names the path") {
    auto bytes = cli::BuildChaincodePackage(input);
    REQUIRE_FALSE(bytes.ok());
    CHECK_THAT(std::string(bytes.status().message()), Catch::Contains(input.path));
  }
}

TEST_CASE("package validates its input with Fabric's messages", "[peer_cli]") {
  testing::TempDir dir("weft-cli-package");
  cli::PackageInput input = NodeInput(dir);
  // package.go PackageInput.Validate, in its order.
  SECTION("path") {
    input.path.clear();
    CHECK(cli::ValidatePackageInput(input).message() == "chaincode path must be specified");
  }
  SECTION("lang") {
    input.lang.clear();
    CHECK(cli::ValidatePackageInput(input).message() == "chaincode language must be specified");
  }
  SECTION("output") {
    input.output_file.clear();
    CHECK(cli::ValidatePackageInput(input).message() == "output file must be specified");
  }
  SECTION("label") {
    input.label.clear();
    CHECK(cli::ValidatePackageInput(input).message() == "package label must be specified");
  }
  SECTION("bad label: persistence.ValidateLabel") {
    input.label = "bad label";
    CHECK(cli::ValidatePackageInput(input).message() ==
          "invalid label 'bad label'. Label must be non-empty, can only consist of "
          "alphanumerics, symbols from '.+-_', and can only begin with alphanumerics");
  }
}

TEST_CASE("calculatepackageid prints <label>:<sha256> as text or JSON", "[peer_cli]") {
  testing::TempDir dir("weft-cli-pkgid");
  // A package written as Fabric's CLI writes it (tests/support/fabric_package.h).
  const std::string bytes = testing::FabricPackage(
      "src", "node", "basic_1.0", testing::GoGzip(testing::GoTar({{"src/index.js", "x"}})));
  WriteFile(dir / "basic.tar.gz", bytes);
  const std::string id = ccpkg::PackageId("basic_1.0", bytes);
  REQUIRE(id.rfind("basic_1.0:", 0) == 0);
  auto text = cli::CalculatePackageId(dir / "basic.tar.gz", "");
  REQUIRE(text.ok());
  CHECK(*text == id + "\n");
  // json.MarshalIndent(&output, "", "\t") of {PackageID `json:"package_id"`}.
  auto json = cli::CalculatePackageId(dir / "basic.tar.gz", "JSON");
  REQUIRE(json.ok());
  CHECK(*json == "{\n\t\"package_id\": \"" + id + "\"\n}\n");

  auto missing = cli::CalculatePackageId(dir / "nope.tar.gz", "");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(std::string(missing.status().message()),
             Catch::StartsWith("failed to read chaincode package at '" +
                               (dir / "nope.tar.gz").string() + "'"));
  WriteFile(dir / "junk", "not a package");
  auto junk = cli::CalculatePackageId(dir / "junk", "");
  REQUIRE_FALSE(junk.ok());
  CHECK_THAT(std::string(junk.status().message()),
             Catch::StartsWith("could not parse as a chaincode install package"));
}

TEST_CASE("lifecycle proposals name _lifecycle with the marshalled arguments", "[peer_cli]") {
  Org org;
  ::lifecycle::GetInstalledChaincodePackageArgs args;
  args.set_package_id("basic_1.0:abc");
  auto proposal =
      cli::CreateLifecycleProposal("creator-bytes", "", "GetInstalledChaincodePackage", args);
  REQUIRE(proposal.ok());
  ::common::Header header;
  REQUIRE(header.ParseFromString(proposal->header()));
  ::common::ChannelHeader channel_header;
  REQUIRE(channel_header.ParseFromString(header.channel_header()));
  // install.go createInstallProposal: CreateProposalFromCIS(ENDORSER_TRANSACTION, "", ...).
  CHECK(channel_header.type() == ::common::ENDORSER_TRANSACTION);
  CHECK(channel_header.channel_id().empty());
  ::protos::ChaincodeProposalPayload payload;
  REQUIRE(payload.ParseFromString(proposal->payload()));
  ::protos::ChaincodeInvocationSpec cis;
  REQUIRE(cis.ParseFromString(payload.input()));
  CHECK(cis.chaincode_spec().chaincode_id().name() == "_lifecycle");
  CHECK(cis.chaincode_spec().type() == ::protos::ChaincodeSpec::UNDEFINED);
  REQUIRE(cis.chaincode_spec().input().args_size() == 2);
  CHECK(cis.chaincode_spec().input().args(0) == "GetInstalledChaincodePackage");
  ::lifecycle::GetInstalledChaincodePackageArgs sent;
  REQUIRE(sent.ParseFromString(cis.chaincode_spec().input().args(1)));
  CHECK(sent.package_id() == "basic_1.0:abc");
}

TEST_CASE("install, queryinstalled and getinstalledpackage against an endorser", "[peer_cli]") {
  Org org;
  testing::FakeEndorser endorser(testing::MakeSigner(org.peer0, "Org1MSP"), org.Trusted());
  const cli::CliContext context = org.Context(endorser);
  testing::TempDir dir("weft-cli-install");
  const std::string package = testing::FabricPackage(
      "src", "node", "basic_1.0", testing::GoGzip(testing::GoTar({{"src/index.js", "x"}})));
  WriteFile(dir / "basic.tar.gz", package);

  SECTION("install sends InstallChaincode with the package bytes") {
    ::lifecycle::InstallChaincodeResult answer;
    answer.set_package_id("basic_1.0:1234");
    answer.set_label("basic_1.0");
    endorser.Answer(200, "", answer.SerializeAsString());
    auto installed = cli::InstallChaincode(context, dir / "basic.tar.gz");
    REQUIRE(installed.ok());
    CHECK(installed->package_id() == "basic_1.0:1234");
    const auto calls = endorser.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].refusal.empty());
    CHECK(calls[0].creator == context.signer.SerializedIdentity());
    REQUIRE(calls[0].args.size() == 2);
    CHECK(calls[0].args[0] == "InstallChaincode");
    ::lifecycle::InstallChaincodeArgs sent;
    REQUIRE(sent.ParseFromString(calls[0].args[1]));
    CHECK(sent.chaincode_install_package() == package);
  }
  SECTION("a refused install carries install.go's message") {
    endorser.Answer(500, "chaincode already successfully installed", "");
    auto installed = cli::InstallChaincode(context, dir / "basic.tar.gz");
    REQUIRE_FALSE(installed.ok());
    CHECK(installed.status().message() ==
          "chaincode install failed with status: 500 - chaincode already successfully installed");
  }
  SECTION("install of a missing file names it") {
    auto installed = cli::InstallChaincode(context, dir / "missing.tar.gz");
    REQUIRE_FALSE(installed.ok());
    CHECK_THAT(std::string(installed.status().message()),
               Catch::StartsWith("failed to read chaincode package at '" +
                                 (dir / "missing.tar.gz").string() + "'"));
    CHECK(endorser.calls().empty());
  }
  SECTION("queryinstalled sends QueryInstalledChaincodes") {
    ::lifecycle::QueryInstalledChaincodesResult answer;
    auto* one = answer.add_installed_chaincodes();
    one->set_package_id("basic_1.0:1234");
    one->set_label("basic_1.0");
    endorser.Answer(200, "", answer.SerializeAsString());
    auto result = cli::QueryInstalled(context);
    REQUIRE(result.ok());
    REQUIRE(result->installed_chaincodes_size() == 1);
    const auto calls = endorser.calls();
    REQUIRE(calls.size() == 1);
    REQUIRE(calls[0].args.size() == 2);
    CHECK(calls[0].args[0] == "QueryInstalledChaincodes");
    CHECK(calls[0].args[1].empty());  // an empty QueryInstalledChaincodesArgs
  }
  SECTION("a refused query carries queryinstalled.go's message") {
    endorser.Answer(500, "access denied", "");
    auto result = cli::QueryInstalled(context);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().message() == "query failed with status: 500 - access denied");
  }
  SECTION("getinstalledpackage writes <output-directory>/<package id>.tar.gz") {
    ::lifecycle::GetInstalledChaincodePackageResult answer;
    answer.set_chaincode_install_package(package);
    endorser.Answer(200, "", answer.SerializeAsString());
    auto written = cli::GetInstalledPackage(context, "basic_1.0:1234", dir.path());
    REQUIRE(written.ok());
    CHECK(*written == dir / "basic_1.0:1234.tar.gz");
    CHECK(ReadFile(*written) == package);
    const auto calls = endorser.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].args[0] == "GetInstalledChaincodePackage");
  }
  SECTION("getinstalledpackage without --package-id names the flag") {
    auto written = cli::GetInstalledPackage(context, "", dir.path());
    REQUIRE_FALSE(written.ok());
    CHECK(written.status().message() ==
          "The required parameter 'package-id' is empty. Rerun the command with --package-id "
          "flag");
  }
}

TEST_CASE("queryinstalled output: Fabric's text and --output json", "[peer_cli]") {
  ::lifecycle::QueryInstalledChaincodesResult result;
  auto* one = result.add_installed_chaincodes();
  one->set_package_id("basic_1.0:ab");
  one->set_label("basic_1.0");
  auto* chaincode = (*one->mutable_references())["mychannel"].add_chaincodes();
  chaincode->set_name("basic");
  chaincode->set_version("1.0");
  auto* two = result.add_installed_chaincodes();
  two->set_package_id("other_2:cd");
  two->set_label("other_2");
  // queryinstalled.go printResponse.
  CHECK(cli::FormatQueryInstalled(result, "") ==
        "Installed chaincodes on peer:\n"
        "Package ID: basic_1.0:ab, Label: basic_1.0\n"
        "Package ID: other_2:cd, Label: other_2\n");
  // common.go printResponseAsJSON: json.MarshalIndent(msg, "", "\t") of the Go
  // struct, fields by their json tags with omitempty.
  CHECK(cli::FormatQueryInstalled(result, "json") ==
        "{\n"
        "\t\"installed_chaincodes\": [\n"
        "\t\t{\n"
        "\t\t\t\"package_id\": \"basic_1.0:ab\",\n"
        "\t\t\t\"label\": \"basic_1.0\",\n"
        "\t\t\t\"references\": {\n"
        "\t\t\t\t\"mychannel\": {\n"
        "\t\t\t\t\t\"chaincodes\": [\n"
        "\t\t\t\t\t\t{\n"
        "\t\t\t\t\t\t\t\"name\": \"basic\",\n"
        "\t\t\t\t\t\t\t\"version\": \"1.0\"\n"
        "\t\t\t\t\t\t}\n"
        "\t\t\t\t\t]\n"
        "\t\t\t\t}\n"
        "\t\t\t}\n"
        "\t\t},\n"
        "\t\t{\n"
        "\t\t\t\"package_id\": \"other_2:cd\",\n"
        "\t\t\t\"label\": \"other_2\"\n"
        "\t\t}\n"
        "\t]\n"
        "}\n");
  CHECK(cli::FormatQueryInstalled({}, "json") == "{}\n");
}
