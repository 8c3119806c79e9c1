#include "tools/cryptogen/impl/msp_writer.h"

#include "fmt/format.h"
#include "tools/cryptogen/impl/files.h"

namespace weft::tools::cryptogen::impl {
namespace {

namespace crypto = common::crypto;
namespace fs = std::filesystem;

const char* OuOf(NodeRole role) {
  switch (role) {
    case NodeRole::kClient:
      return "client";
    case NodeRole::kPeer:
      return "peer";
    case NodeRole::kAdmin:
      return "admin";
    case NodeRole::kOrderer:
      return "orderer";
  }
  return "";
}

// Fabric's NodeOUs config.yaml, every role tied to the signing CA's certificate.
std::string NodeOusConfig(const std::string& ca_certificate_path) {
  std::string yaml = "NodeOUs:\n  Enable: true\n";
  for (const auto& [key, ou] : {std::pair{"ClientOUIdentifier", "client"},
                                {"PeerOUIdentifier", "peer"},
                                {"AdminOUIdentifier", "admin"},
                                {"OrdererOUIdentifier", "orderer"}}) {
    yaml += fmt::format("  {}:\n    Certificate: {}\n    OrganizationalUnitIdentifier: {}\n", key,
                        ca_certificate_path, ou);
  }
  return yaml;
}

// Empties `dir` (creating it if needed) so that reruns leave no stale certificate.
[[nodiscard]] Status ResetDirectory(const fs::path& dir) {
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        fmt::format("cannot clear folder {}: {}", dir.string(), error.message()));
  }
  return MakeDirectories(dir);
}

}  // namespace

MspWriter::MspWriter(const Ca& sign_ca, const Ca& tls_ca, bool node_ous)
    : sign_ca_(sign_ca), tls_ca_(tls_ca), node_ous_(node_ous) {}

Status MspWriter::WriteCommon(const fs::path& msp_dir,
                              const crypto::Certificate* own_certificate) const {
  for (const char* sub : {"cacerts", "tlscacerts"}) {
    WEFT_RETURN_IF_ERROR(MakeDirectories(msp_dir / sub));
  }
  WEFT_RETURN_IF_ERROR(ResetDirectory(msp_dir / "admincerts"));
  const std::string ca_file = CertificateFileName(sign_ca_.name());
  WEFT_RETURN_IF_ERROR(WriteCertificate(msp_dir / "cacerts" / ca_file, sign_ca_.certificate()));
  WEFT_RETURN_IF_ERROR(WriteCertificate(
      msp_dir / "tlscacerts" / CertificateFileName(tls_ca_.name()), tls_ca_.certificate()));
  const fs::path config_yaml = msp_dir / "config.yaml";
  if (node_ous_) {
    return WriteFile(config_yaml, NodeOusConfig("cacerts/" + ca_file));
  }
  std::error_code error;
  fs::remove(config_yaml, error);  // a rerun with NodeOUs switched off
  const crypto::Certificate* admin =
      admin_certificate_.has_value() ? &*admin_certificate_ : own_certificate;
  if (admin == nullptr) return absl::OkStatus();
  const std::string admin_file = CertificateFileName(admin->subject_common_name());
  return WriteCertificate(msp_dir / "admincerts" / admin_file, *admin);
}

StatusOr<crypto::Certificate> MspWriter::WriteLocalMsp(const fs::path& base_dir,
                                                       const std::string& name,
                                                       const std::vector<std::string>& tls_sans,
                                                       NodeRole role) const {
  const fs::path msp_dir = base_dir / "msp";
  for (const char* sub : {"signcerts", "keystore"}) {
    WEFT_RETURN_IF_ERROR(MakeDirectories(msp_dir / sub));
  }
  WEFT_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  std::vector<std::string> ous;
  if (node_ous_) ous.push_back(OuOf(role));
  WEFT_ASSIGN_OR_RETURN(crypto::Certificate certificate,
                        sign_ca_.Sign(name, ous, {}, key.public_key(), LeafUsage{}));
  WEFT_RETURN_IF_ERROR(WritePrivateKey(msp_dir / "keystore" / "priv_sk", key));
  WEFT_RETURN_IF_ERROR(
      WriteCertificate(msp_dir / "signcerts" / CertificateFileName(name), certificate));
  WEFT_RETURN_IF_ERROR(WriteCommon(msp_dir, &certificate));
  WEFT_RETURN_IF_ERROR(WriteTls(base_dir / "tls", name, tls_sans, role));
  return certificate;
}

Status MspWriter::WriteTls(const fs::path& tls_dir, const std::string& name,
                           const std::vector<std::string>& sans, NodeRole role) const {
  WEFT_RETURN_IF_ERROR(MakeDirectories(tls_dir));
  WEFT_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  LeafUsage usage;
  usage.key_usage = crypto::kDigitalSignature | crypto::kKeyEncipherment;
  usage.tls = true;
  WEFT_ASSIGN_OR_RETURN(crypto::Certificate certificate,
                        tls_ca_.Sign(name, {}, sans, key.public_key(), usage));
  // Users hold client credentials, nodes server credentials (used both ways).
  const bool user = role == NodeRole::kClient || role == NodeRole::kAdmin;
  const std::string prefix = user ? "client" : "server";
  WEFT_RETURN_IF_ERROR(WriteCertificate(tls_dir / "ca.crt", tls_ca_.certificate()));
  WEFT_RETURN_IF_ERROR(WriteCertificate(tls_dir / (prefix + ".crt"), certificate));
  return WritePrivateKey(tls_dir / (prefix + ".key"), key);
}

Status MspWriter::WriteVerifyingMsp(const fs::path& msp_dir) const {
  return WriteCommon(msp_dir, nullptr);
}

}  // namespace weft::tools::cryptogen::impl
