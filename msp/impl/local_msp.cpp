#include "msp/local_msp.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/config/reader.h"
#include "fmt/format.h"

namespace weft::msp {
namespace {

namespace crypto = common::crypto;
namespace fs = std::filesystem;

[[nodiscard]] StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot read {}", path.string()));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Regular files of `dir` in name order; an absent folder is empty.
std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return files;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

[[nodiscard]] Status ReadCertificates(const fs::path& dir, std::vector<crypto::Certificate>* out) {
  for (const auto& file : FilesIn(dir)) {
    WEFT_ASSIGN_OR_RETURN(std::string pem, ReadFile(file));
    auto certificates = crypto::Certificate::AllFromPem(pem);
    if (!certificates.ok()) return Annotate(certificates.status(), file.string());
    out->insert(out->end(), certificates->begin(), certificates->end());
  }
  return absl::OkStatus();
}

[[nodiscard]] Status ReadOu(common::config::Reader& reader, const fs::path& dir,
                            const std::string& key, OuIdentifier* ou) {
  std::string certificate_path;
  reader.ReadString(key + ".OrganizationalUnitIdentifier", &ou->organizational_unit);
  reader.ReadString(key + ".Certificate", &certificate_path);
  if (certificate_path.empty()) return absl::OkStatus();
  fs::path path = dir / certificate_path;
  WEFT_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  auto certificate = crypto::Certificate::FromPem(pem);
  if (!certificate.ok()) return Annotate(certificate.status(), path.string());
  ou->certificate = *std::move(certificate);
  return absl::OkStatus();
}

[[nodiscard]] Status ReadConfigYaml(const fs::path& dir, MspConfig* config) {
  fs::path file = dir / "config.yaml";
  std::error_code error;
  if (!fs::exists(file, error)) return absl::OkStatus();
  WEFT_ASSIGN_OR_RETURN(auto reader, common::config::Reader::Open(file, "", {}));
  size_t units = reader.ListSize("OrganizationalUnitIdentifiers");
  for (size_t i = 0; i < units; ++i) {
    OuIdentifier ou;
    WEFT_RETURN_IF_ERROR(
        ReadOu(reader, dir, fmt::format("OrganizationalUnitIdentifiers[{}]", i), &ou));
    config->ou_identifiers.push_back(std::move(ou));
  }
  auto& node_ous = config->node_ous;
  reader.ReadBool("NodeOUs.Enable", &node_ous.enable);
  WEFT_RETURN_IF_ERROR(ReadOu(reader, dir, "NodeOUs.ClientOUIdentifier", &node_ous.client));
  WEFT_RETURN_IF_ERROR(ReadOu(reader, dir, "NodeOUs.PeerOUIdentifier", &node_ous.peer));
  WEFT_RETURN_IF_ERROR(ReadOu(reader, dir, "NodeOUs.AdminOUIdentifier", &node_ous.admin));
  WEFT_RETURN_IF_ERROR(ReadOu(reader, dir, "NodeOUs.OrdererOUIdentifier", &node_ous.orderer));
  return reader.Finish();
}

}  // namespace

[[nodiscard]] StatusOr<MspConfig> LoadMspConfig(const fs::path& dir, std::string msp_id) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return absl::NotFoundError(fmt::format("MSP folder {} does not exist", dir.string()));
  }
  MspConfig config;
  config.name = std::move(msp_id);
  WEFT_RETURN_IF_ERROR(ReadCertificates(dir / "cacerts", &config.root_certs));
  if (config.root_certs.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("MSP folder {}: cacerts/ holds no certificate", dir.string()));
  }
  WEFT_RETURN_IF_ERROR(ReadCertificates(dir / "intermediatecerts", &config.intermediate_certs));
  WEFT_RETURN_IF_ERROR(ReadCertificates(dir / "admincerts", &config.admin_certs));
  WEFT_RETURN_IF_ERROR(ReadCertificates(dir / "tlscacerts", &config.tls_root_certs));
  WEFT_RETURN_IF_ERROR(
      ReadCertificates(dir / "tlsintermediatecerts", &config.tls_intermediate_certs));
  for (const auto& file : FilesIn(dir / "crls")) {
    WEFT_ASSIGN_OR_RETURN(std::string pem, ReadFile(file));
    auto crl = crypto::Crl::FromPem(pem);
    if (!crl.ok()) return Annotate(crl.status(), file.string());
    config.crls.push_back(*std::move(crl));
  }
  WEFT_RETURN_IF_ERROR(ReadConfigYaml(dir, &config));
  return config;
}

[[nodiscard]] StatusOr<LocalMsp> LoadLocalMsp(const fs::path& dir, std::string msp_id) {
  WEFT_ASSIGN_OR_RETURN(MspConfig config, LoadMspConfig(dir, msp_id));
  std::vector<crypto::Certificate> signcerts;
  WEFT_RETURN_IF_ERROR(ReadCertificates(dir / "signcerts", &signcerts));
  if (signcerts.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("MSP folder {}: signcerts/ holds no certificate", dir.string()));
  }
  WEFT_ASSIGN_OR_RETURN(auto certificate_key, signcerts.front().public_key());
  for (const auto& file : FilesIn(dir / "keystore")) {
    WEFT_ASSIGN_OR_RETURN(std::string pem, ReadFile(file));
    auto key = crypto::PrivateKey::FromPem(pem);
    if (!key.ok() || !(key->public_key() == certificate_key)) continue;
    WEFT_ASSIGN_OR_RETURN(auto signer,
                          SigningIdentity::Create(std::move(msp_id), signcerts.front(), *key));
    return LocalMsp{std::move(config), std::move(signer)};
  }
  return absl::NotFoundError(fmt::format("MSP folder {}: keystore/ holds no key for {}",
                                         dir.string(), signcerts.front().subject()));
}

}  // namespace weft::msp
