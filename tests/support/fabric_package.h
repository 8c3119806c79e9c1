// Chaincode packages laid out byte for byte the way Fabric's `peer lifecycle chaincode
// package` writes them (release-2.5 internal/peer/lifecycle/chaincode/package.go and
// core/chaincode/platforms/util/writer.go), written here without Weft's package code
// so tests check Weft against Fabric's layout rather than against itself:
// - tar headers as Go's archive/tar Writer makes them for a Header without Format
//   (USTAR: octal fields zero-padded and NUL-terminated, zero ModTime written as 0,
//   magic "ustar\0" version "00", checksum as 6 octal digits, NUL, space);
// - gzip as Go's compress/gzip Writer frames it (no name, mtime 0, OS 255) around
//   stored deflate blocks (Go compresses; any valid deflate stream is a valid package).
// Helpers throw std::runtime_error on misuse.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::testing {

struct TarItem {
  TarItem() = default;
  TarItem(std::string name, std::string content, int64_t mode = 0100644)
      : name(std::move(name)), content(std::move(content)), mode(mode) {}

  std::string name;  // at most 100 bytes (no prefix splitting)
  std::string content;
  int64_t mode = 0100644;
  int uid = 0;
  int gid = 0;
  char typeflag = '0';
  std::string linkname;
};

// A tar stream of `items` as Go's tar.Writer writes it, with the two zero blocks.
std::string GoTar(const std::vector<TarItem>& items);
// `data` in a gzip member as Go's gzip.Writer frames it.
std::string GoGzip(std::string_view data);

// writer.go's WriteFolderToTarPackage for a node-style project: files of `folder`
// walked in lexical order, directories named node_modules or .git skipped, files
// under META-INF/ kept there (hidden ones skipped), every other file put under src/;
// headers with zero times, uid/gid 500, mode 0100644. Returns the code.tar.gz bytes.
std::string FabricCodePackage(const std::filesystem::path& folder);

// json.Marshal of package.go's PackageMetadata: {"path":...,"type":...,"label":...}.
std::string FabricMetadataJson(std::string_view path, std::string_view type,
                               std::string_view label);

// package.go's getTarGzBytes: metadata.json then code.tar.gz, mode 0100644, uid 0.
std::string FabricPackage(std::string_view path, std::string_view type, std::string_view label,
                          std::string_view code_tar_gz);

}  // namespace weft::testing
