// Chaincode install packages as Fabric 2.x's _lifecycle knows them (release-2.5
// core/chaincode/persistence/chaincode_package.go): a .tar.gz whose top level holds
// `metadata.json` ({"path", "type", "label"}) and `code.tar.gz` (the sources, under
// src/ and META-INF/ for the node and golang platforms). The package ID is
// `<label>:<hex SHA-256 of the package bytes>`.
//
// Thread-safety: free functions on values; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"

namespace weft::peer::chaincode_package {

inline constexpr char kMetadataFile[] = "metadata.json";
inline constexpr char kCodePackageFile[] = "code.tar.gz";

// metadata.json. Type is kept as written ("node", "NODE", "ccaas", ...); builders
// compare it case-insensitively.
struct PackageMetadata {
  std::string type;
  std::string path;
  std::string label;
};

struct ChaincodePackage {
  PackageMetadata metadata;
  std::string metadata_json;  // metadata.json exactly as packaged (external builders get it)
  std::string code_package;   // code.tar.gz, still compressed
  // Top-level entries other than the two above; Fabric only logs a warning for them.
  std::vector<std::string> ignored_entries;
};

// Bounds on what a package may expand to, so a small hostile upload cannot fill the
// peer's memory. Fabric has none; the defaults are far above any real chaincode.
struct ParseLimits {
  uint64_t max_entry_bytes = uint64_t{256} << 20;  // one top-level file, uncompressed
  uint64_t max_total_bytes = uint64_t{512} << 20;  // the whole tar, uncompressed
};

// Fabric's persistence.ValidateLabel: ^[[:alnum:]][[:alnum:]_.+-]*$ (ASCII). The error
// carries Fabric's message.
[[nodiscard]] Status ValidateLabel(std::string_view label);

// `<label>:<lowercase hex SHA-256 of package_bytes>` (persistence.PackageID).
std::string PackageId(std::string_view label, std::string_view package_bytes);

// A package ID split into its label and raw 32-byte hash. InvalidArgument unless it is
// a valid label, one ':' and 64 lowercase hex digits, so an ID taken from a request can
// never name a path outside the store.
struct PackageIdParts {
  std::string label;
  std::string hash;  // raw bytes
};
[[nodiscard]] StatusOr<PackageIdParts> ParsePackageId(std::string_view package_id);

// Fabric's ParseChaincodePackage: every top-level entry must be a regular file;
// metadata.json must be a JSON object with string fields; code.tar.gz and
// metadata.json must both be there; the label must be valid. The type is not checked
// here (as in Fabric): which types build is the builders' business. Errors are
// InvalidArgument with Fabric's messages ("error reading as gzip stream: ...",
// "did not find a code package inside the package", ...).
[[nodiscard]] StatusOr<ChaincodePackage> ParsePackage(std::string_view package_bytes,
                                                      const ParseLimits& limits = {});

}  // namespace weft::peer::chaincode_package
