// Unpacking code.tar.gz as Fabric's externalbuilder.Untar (release-2.5
// core/container/externalbuilder/tar.go): its messages for escaping paths and for
// entries that are neither files nor directories.
#include "peer/chaincode_package/code_archive.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "tests/support/fabric_package.h"
#include "tests/support/temp_dir.h"

namespace weft::peer::chaincode_package {
namespace {

namespace fs = std::filesystem;
using testing::GoGzip;
using testing::GoTar;
using testing::TarItem;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

size_t CountFiles(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::recursive_directory_iterator(dir), {}));
}

TEST_CASE("A code package unpacks with its folders, contents and executable bits") {
  testing::TempDir dir;
  TarItem folder{"src/", "", 040755};
  folder.typeflag = '5';
  std::vector<TarItem> items = {folder,
                                {"src/package.json", "{}"},
                                {"src/deep/er/file.txt", "text"},
                                {"src/run", "#!/bin/sh\n", 0100755},
                                {"META-INF/statedb/couchdb/indexes/i.json", "{\"index\":{}}"}};
  REQUIRE(ExtractTarGz(GoGzip(GoTar(items)), dir.path()).ok());
  CHECK(Read(dir / "src/package.json") == "{}");
  CHECK(Read(dir / "src/deep/er/file.txt") == "text");
  CHECK(Read(dir / "META-INF/statedb/couchdb/indexes/i.json") == "{\"index\":{}}");
  struct stat info;
  REQUIRE(stat((dir / "src/run").c_str(), &info) == 0);
  CHECK((info.st_mode & 0111) != 0);
  REQUIRE(stat((dir / "src/package.json").c_str(), &info) == 0);
  CHECK((info.st_mode & 0111) == 0);
}

TEST_CASE("Archive paths that are absolute or climb out are refused") {
  CHECK(ValidArchivePath("src/a.js"));
  CHECK(ValidArchivePath("./src/../src/a.js"));
  CHECK(ValidArchivePath("..foo"));
  CHECK_FALSE(ValidArchivePath("/etc/passwd"));
  CHECK_FALSE(ValidArchivePath(".."));
  CHECK_FALSE(ValidArchivePath("../x"));
  CHECK_FALSE(ValidArchivePath("src/../../x"));

  testing::TempDir dir;
  fs::create_directories(dir / "dest");
  for (const char* name : {"../escaped", "/tmp/absolute", "src/../../escaped"}) {
    INFO(name);
    Status status = ExtractTarGz(GoGzip(GoTar({{name, "x"}})), dir / "dest");
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(status.message() ==
          "tar contains the absolute or escaping path '" + std::string(name) + "'");
  }
  CHECK_FALSE(fs::exists(dir / "escaped"));
  CHECK(CountFiles(dir / "dest") == 0);
}

TEST_CASE("Links and devices in a code package are refused") {
  testing::TempDir dir;
  TarItem symlink{"src/link", "", 0120777};
  symlink.typeflag = '2';
  symlink.linkname = "/etc/passwd";
  Status status = ExtractTarGz(GoGzip(GoTar({symlink})), dir.path());
  CHECK(status.message() ==
        "invalid file type '50' contained in archive for file 'src/link' (symbolic link)");
  TarItem hardlink{"src/hard", "", 0100644};
  hardlink.typeflag = '1';
  hardlink.linkname = "src/other";
  status = ExtractTarGz(GoGzip(GoTar({{"src/other", "x"}, hardlink})), dir.path());
  CHECK(status.message() ==
        "invalid file type '49' contained in archive for file 'src/hard' (hard link)");
  TarItem fifo{"src/fifo", "", 010644};
  fifo.typeflag = '6';
  status = ExtractTarGz(GoGzip(GoTar({fifo})), dir.path());
  CHECK(status.message() ==
        "invalid file type '54' contained in archive for file 'src/fifo' (fifo)");
}

TEST_CASE("A code package that expands beyond the limits is refused") {
  testing::TempDir dir;
  ExtractLimits limits;
  limits.max_entry_bytes = 100;
  Status status =
      ExtractTarGz(GoGzip(GoTar({{"src/big", std::string(1000, 'b')}})), dir.path(), limits);
  CHECK(status.message() == "tar entry src/big is larger than 100 bytes");

  limits = ExtractLimits();
  limits.max_total_bytes = 1500;
  status = ExtractTarGz(
      GoGzip(GoTar({{"src/a", std::string(1000, 'a')}, {"src/b", std::string(1000, 'b')}})),
      dir.path(), limits);
  CHECK(status.message() == "tar entry src/b is larger than 500 bytes");

  limits = ExtractLimits();
  limits.max_entries = 2;
  fs::create_directories(dir / "many");
  status = ExtractTarGz(GoGzip(GoTar({{"src/1", ""}, {"src/2", ""}, {"src/3", ""}})),
                        dir.path() / "many", limits);
  CHECK(status.message() == "archive has more than 2 entries");
}

TEST_CASE("A code package that is not a tar.gz is refused") {
  testing::TempDir dir;
  CHECK(ExtractTarGz("plain text", dir.path()).message().rfind("error reading as gzip stream", 0) ==
        0);
  CHECK(ExtractTarGz(GoGzip("not a tar, but long enough to be looked at" + std::string(600, ' ')),
                     dir.path())
            .message()
            .rfind("error inspecting next tar header", 0) == 0);
}

}  // namespace
}  // namespace weft::peer::chaincode_package
