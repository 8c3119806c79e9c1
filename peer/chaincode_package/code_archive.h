// Unpacking a package's code.tar.gz into a folder, as Fabric's external builders get
// it (release-2.5 core/container/externalbuilder/tar.go Untar): only regular files and
// directories, no absolute or escaping paths. Weft adds bounds on the expanded size
// and never follows a symbolic link while writing.
//
// Thread-safety: free functions; safe from any thread (for different destinations).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "common/status/status.h"

namespace weft::peer::chaincode_package {

struct ExtractLimits {
  uint64_t max_entries = 100000;
  uint64_t max_entry_bytes = uint64_t{512} << 20;
  uint64_t max_total_bytes = uint64_t{1} << 30;
};

// Fabric's externalbuilder.ValidPath: false for absolute paths and for paths that,
// cleaned, are ".." or start with "../".
bool ValidArchivePath(std::string_view path);

// Extracts the gzip-compressed tar `archive` under `destination`, which must exist.
// Directories are created 0700 as Fabric does; files keep their permission bits
// (at most 0755, always owner-writable). Errors (InvalidArgument for the archive,
// Internal for the file system) name the entry; what was written before an error
// stays, so callers extract into a scratch folder they remove on failure.
[[nodiscard]] Status ExtractTarGz(std::string_view archive,
                                  const std::filesystem::path& destination,
                                  const ExtractLimits& limits = {});

}  // namespace weft::peer::chaincode_package
