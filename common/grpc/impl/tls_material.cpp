#include "common/grpc/impl/tls_material.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace weft::common::grpc::impl {
namespace {

[[nodiscard]] StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read TLS ", what, " file '", path, "'"));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (contents.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS ", what, " file '", path, "' holds no PEM block"));
  }
  return contents.str();
}

void AppendBlock(std::string& bundle, const std::string& pem) {
  bundle += pem;
  if (!pem.empty() && pem.back() != '\n') bundle += '\n';
}

}  // namespace

[[nodiscard]] StatusOr<std::string> ResolvePem(const std::string& pem, const std::string& file,
                                               const char* what) {
  if (!pem.empty()) return pem;
  if (file.empty()) return std::string();
  return ReadFile(file, what);
}

[[nodiscard]] StatusOr<std::string> ResolvePemBundle(const std::vector<std::string>& pems,
                                                     const std::vector<std::string>& files,
                                                     const char* what) {
  std::string bundle;
  for (const auto& pem : pems) AppendBlock(bundle, pem);
  for (const auto& file : files) {
    WEFT_ASSIGN_OR_RETURN(std::string pem, ReadFile(file, what));
    AppendBlock(bundle, pem);
  }
  return bundle;
}

}  // namespace weft::common::grpc::impl
