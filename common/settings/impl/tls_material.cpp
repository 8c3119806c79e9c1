#include "common/settings/tls_material.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace weft::common::settings {
namespace {

[[nodiscard]] StatusOr<std::string> ReadPemFile(const std::filesystem::path& path,
                                                std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(fmt::format("cannot read TLS {} file '{}'", what, path.string()));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (contents.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(
        fmt::format("TLS {} file '{}' holds no PEM block", what, path.string()));
  }
  return contents.str();
}

// `pem` if non-empty, else the contents of `file` if set, else "".
[[nodiscard]] StatusOr<std::string> ResolvePem(const std::string& pem,
                                               const std::filesystem::path& file,
                                               std::string_view what) {
  if (!pem.empty()) return pem;
  if (file.empty()) return std::string();
  return ReadPemFile(file, what);
}

void AppendBlock(std::string& bundle, const std::string& pem) {
  bundle += pem;
  if (!pem.empty() && pem.back() != '\n') bundle += '\n';
}

[[nodiscard]] StatusOr<std::string> ResolvePemBundle(
    const std::vector<std::string>& pems, const std::vector<std::filesystem::path>& files,
    std::string_view what) {
  std::string bundle;
  for (const auto& pem : pems) AppendBlock(bundle, pem);
  for (const auto& file : files) {
    WEFT_ASSIGN_OR_RETURN(std::string pem, ReadPemFile(file, what));
    AppendBlock(bundle, pem);
  }
  return bundle;
}

}  // namespace

[[nodiscard]] StatusOr<TlsMaterial> LoadTlsMaterial(const TlsSettings& tls) {
  TlsMaterial material;
  WEFT_ASSIGN_OR_RETURN(material.certificate,
                        ResolvePem(tls.certificate_pem, tls.certificate, "certificate"));
  WEFT_ASSIGN_OR_RETURN(material.private_key,
                        ResolvePem(tls.private_key_pem, tls.private_key, "key"));
  WEFT_ASSIGN_OR_RETURN(material.root_cas,
                        ResolvePemBundle(tls.root_ca_pems, tls.root_cas, "root CA"));
  WEFT_ASSIGN_OR_RETURN(
      material.client_root_cas,
      ResolvePemBundle(tls.client_root_ca_pems, tls.client_root_cas, "client root CA"));
  return material;
}

}  // namespace weft::common::settings
