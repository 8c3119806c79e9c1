// The install store as Fabric's persistence.Store (release-2.5
// core/chaincode/persistence/persistence.go) and _lifecycle's install messages
// (core/chaincode/lifecycle/lifecycle.go InstallChaincode).
#include "peer/chaincode_package/package_store.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "tests/support/child_process.h"
#include "tests/support/fabric_package.h"
#include "tests/support/temp_dir.h"

namespace weft::peer::chaincode_package {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Package(std::string_view label, std::string_view source) {
  return testing::FabricPackage(
      "p", "binary", label, testing::GoGzip(testing::GoTar({{"src/prog", std::string(source)}})));
}

std::string Sha256Hex(const testing::TempDir& dir, std::string_view bytes) {
  std::ofstream(dir / "hash-me", std::ios::binary) << bytes;
  testing::CommandResult digest = testing::RunCommand({"sha256sum", (dir / "hash-me").string()});
  if (digest.exit_code != 0) throw std::runtime_error("sha256sum failed");
  return digest.out.substr(0, 64);
}

std::unique_ptr<PackageStore> OpenStore(const fs::path& file_system_path) {
  StatusOr<std::unique_ptr<PackageStore>> store = PackageStore::Open(InstallDir(file_system_path));
  if (!store.ok()) throw std::runtime_error(std::string(store.status().message()));
  return std::move(*store);
}

TEST_CASE("Installing keeps the package byte for byte as <label>.<hash>.tar.gz") {
  testing::TempDir dir;
  auto store = OpenStore(dir / "fs");
  CHECK(store->dir() == dir / "fs" / "lifecycle" / "chaincodes");
  struct stat info;
  REQUIRE(stat(store->dir().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0750);

  const std::string bytes = Package("mycc_1.0", "v1");
  const std::string hex = Sha256Hex(dir, bytes);
  StatusOr<std::string> id = store->Install(bytes);
  REQUIRE(id.ok());
  CHECK(*id == "mycc_1.0:" + hex);
  CHECK(Names(store->dir()) == std::vector<std::string>{"mycc_1.0." + hex + ".tar.gz"});
  CHECK(Read(store->dir() / ("mycc_1.0." + hex + ".tar.gz")) == bytes);

  StatusOr<std::string> loaded = store->Load(*id);
  REQUIRE(loaded.ok());
  CHECK(*loaded == bytes);
  StatusOr<ChaincodePackage> parsed = store->LoadParsed(*id);
  REQUIRE(parsed.ok());
  CHECK(parsed->metadata.label == "mycc_1.0");
}

TEST_CASE("Installing the same package twice is Fabric's already installed error") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  const std::string bytes = Package("cc", "v1");
  StatusOr<std::string> first = store->Install(bytes);
  REQUIRE(first.ok());
  StatusOr<std::string> second = store->Install(bytes);
  CHECK(second.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(second.status().message() ==
        "chaincode already successfully installed (package ID '" + *first + "')");
  // Save itself stays idempotent, as Fabric's Store.Save.
  StatusOr<SaveResult> saved = store->Save("cc", bytes);
  REQUIRE(saved.ok());
  CHECK(saved->already_saved);
  CHECK(saved->package_id == *first);
  // A different package with the same label is a different install.
  StatusOr<std::string> other = store->Install(Package("cc", "v2"));
  REQUIRE(other.ok());
  CHECK(*other != *first);
}

TEST_CASE("A package that does not parse is not installed and nothing is written") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  for (const std::string& bad :
       {std::string("not a package"), testing::GoGzip(testing::GoTar({{"metadata.json", "{}"}}))}) {
    StatusOr<std::string> id = store->Install(bad);
    CHECK(id.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(id.status().message().rfind("could not parse as a chaincode install package: ", 0) == 0);
  }
  CHECK(Names(store->dir()).empty());
}

TEST_CASE("Loading a package that is not installed is Fabric's not found error") {
  testing::TempDir dir;
  auto store = OpenStore(dir / "fs");
  const std::string missing = "cc:" + std::string(64, '0');
  CHECK(store->Load(missing).status().code() == absl::StatusCode::kNotFound);
  CHECK(store->Load(missing).status().message() ==
        "chaincode install package '" + missing + "' not found");
  // An ID that would name a path outside the store is never looked up.
  std::ofstream(dir / "fs" / "lifecycle" / "secret.0.tar.gz") << "secret";
  const std::string climbing = "../secret:" + std::string(64, '0');
  CHECK(store->Load(climbing).status().code() == absl::StatusCode::kNotFound);
  CHECK(store->Delete(climbing).code() == absl::StatusCode::kNotFound);
  CHECK(fs::exists(dir / "fs" / "lifecycle" / "secret.0.tar.gz"));
}

TEST_CASE("Installed packages are listed with their labels and hashes") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  StatusOr<std::string> a = store->Install(Package("alpha", "1"));
  StatusOr<std::string> b = store->Install(Package("beta.2", "2"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  // Files that are not packages are skipped, as Fabric's packageFileMatcher does.
  std::ofstream(store->dir() / ".ccpackage.123456") << "partial";
  std::ofstream(store->dir() / "README") << "hi";
  std::ofstream(store->dir() / "x.ABC.tar.gz") << "bad hash";

  StatusOr<std::vector<InstalledPackage>> listed = store->ListInstalled();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].package_id == *a);
  CHECK((*listed)[0].label == "alpha");
  CHECK((*listed)[0].hash.size() == 32);
  CHECK((*listed)[1].package_id == *b);
  CHECK((*listed)[1].label == "beta.2");

  // A reopened store drops the partial file and keeps the rest.
  store = OpenStore(dir.path());
  CHECK_FALSE(fs::exists(store->dir() / ".ccpackage.123456"));
  CHECK(fs::exists(store->dir() / "README"));

  REQUIRE(store->Delete(*a).ok());
  CHECK(store->Delete(*a).code() == absl::StatusCode::kNotFound);
  listed = store->ListInstalled();
  REQUIRE(listed.ok());
  CHECK(listed->size() == 1);
}

TEST_CASE("Package file names replace the first colon of the package ID") {
  CHECK(PackageFileName("cc:abc") == "cc.abc.tar.gz");
  CHECK(InstallDir("/var/hyperledger/production") ==
        fs::path("/var/hyperledger/production/lifecycle/chaincodes"));
}

}  // namespace
}  // namespace weft::peer::chaincode_package
