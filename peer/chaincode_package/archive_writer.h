// Writing a gzip-compressed tar in memory, the shape Fabric's peer CLI gives a
// chaincode package and its code.tar.gz (release-2.5 internal/peer/lifecycle/chaincode
// package.go writeBytesToPackage, core/chaincode/platforms/util/writer.go
// WriteFileToPackage): regular files only, USTAR headers with zero modification
// times, no gzip name or timestamp, so the same input always gives the same bytes
// (and so the same package ID).
// Thread-safety: free function; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status/status.h"

namespace weft::peer::chaincode_package {

struct ArchiveFile {
  std::string name;  // path inside the archive, '/'-separated
  std::string content;
  uint32_t mode = 0100644;  // Fabric's writers use 0100644
  int64_t uid = 0;
  int64_t gid = 0;
};

// The tar.gz of `files`, in the given order. InvalidArgument names the entry the
// archive could not hold (e.g. a name too long for USTAR).
[[nodiscard]] StatusOr<std::string> WriteTarGz(const std::vector<ArchiveFile>& files);

}  // namespace weft::peer::chaincode_package
