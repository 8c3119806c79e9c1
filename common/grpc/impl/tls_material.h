// Resolving TlsConfig's file-or-PEM fields into PEM strings. Private.
#pragma once

#include <string>
#include <vector>

#include "common/status/status.h"

namespace weft::common::grpc::impl {

// `pem` if non-empty, else the contents of `file` if set, else "".
[[nodiscard]] StatusOr<std::string> ResolvePem(const std::string& pem, const std::string& file,
                                               const char* what);

// All PEM blocks from `pems` and `files`, concatenated into one bundle.
[[nodiscard]] StatusOr<std::string> ResolvePemBundle(const std::vector<std::string>& pems,
                                                     const std::vector<std::string>& files,
                                                     const char* what);

}  // namespace weft::common::grpc::impl
