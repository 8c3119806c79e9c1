#include "msp/msp_config.h"

#include "fmt/format.h"

namespace weft::msp {
namespace {

namespace crypto = common::crypto;

template <typename Field>
[[nodiscard]] Status ParseCertificates(const std::string& msp, std::string_view field,
                                       const Field& entries,
                                       std::vector<crypto::Certificate>* out) {
  for (int i = 0; i < entries.size(); ++i) {
    auto certificate = crypto::Certificate::FromPem(entries.Get(i));
    if (!certificate.ok()) {
      return Annotate(certificate.status(), fmt::format("MSP {}: {}[{}]", msp, field, i));
    }
    out->push_back(*std::move(certificate));
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<OuIdentifier> ParseOu(const std::string& msp, std::string_view field,
                                             const ::msp::FabricOUIdentifier& proto) {
  OuIdentifier ou;
  ou.organizational_unit = proto.organizational_unit_identifier();
  if (!proto.certificate().empty()) {
    auto certificate = crypto::Certificate::FromPem(proto.certificate());
    if (!certificate.ok()) {
      return Annotate(certificate.status(), fmt::format("MSP {}: {} certificate", msp, field));
    }
    ou.certificate = *std::move(certificate);
  }
  return ou;
}

::msp::FabricOUIdentifier OuToProto(const OuIdentifier& ou) {
  ::msp::FabricOUIdentifier proto;
  proto.set_organizational_unit_identifier(ou.organizational_unit);
  if (ou.certificate) proto.set_certificate(ou.certificate->ToPem());
  return proto;
}

}  // namespace

[[nodiscard]] StatusOr<MspConfig> MspConfigFromProto(const ::msp::MSPConfig& proto) {
  if (proto.type() != 0) {
    return absl::UnimplementedError(
        fmt::format("MSP type {} is not supported (only 0, X.509 FABRIC)", proto.type()));
  }
  ::msp::FabricMSPConfig fabric;
  if (!fabric.ParseFromString(proto.config())) {
    return absl::InvalidArgumentError("MSPConfig.config is not a FabricMSPConfig");
  }
  MspConfig config;
  config.name = fabric.name();
  const std::string& name = config.name;
  if (name.empty()) return absl::InvalidArgumentError("FabricMSPConfig has an empty name");
  WEFT_RETURN_IF_ERROR(
      ParseCertificates(name, "root_certs", fabric.root_certs(), &config.root_certs));
  WEFT_RETURN_IF_ERROR(ParseCertificates(name, "intermediate_certs", fabric.intermediate_certs(),
                                         &config.intermediate_certs));
  WEFT_RETURN_IF_ERROR(ParseCertificates(name, "admins", fabric.admins(), &config.admin_certs));
  WEFT_RETURN_IF_ERROR(
      ParseCertificates(name, "tls_root_certs", fabric.tls_root_certs(), &config.tls_root_certs));
  WEFT_RETURN_IF_ERROR(ParseCertificates(name, "tls_intermediate_certs",
                                         fabric.tls_intermediate_certs(),
                                         &config.tls_intermediate_certs));
  for (int i = 0; i < fabric.revocation_list_size(); ++i) {
    auto crl = crypto::Crl::FromPem(fabric.revocation_list(i));
    if (!crl.ok()) {
      return Annotate(crl.status(), fmt::format("MSP {}: revocation_list[{}]", name, i));
    }
    config.crls.push_back(*std::move(crl));
  }
  for (const auto& ou : fabric.organizational_unit_identifiers()) {
    WEFT_ASSIGN_OR_RETURN(auto parsed, ParseOu(name, "organizational_unit_identifiers", ou));
    config.ou_identifiers.push_back(std::move(parsed));
  }
  if (fabric.has_fabric_node_ous()) {
    const auto& node_ous = fabric.fabric_node_ous();
    config.node_ous.enable = node_ous.enable();
    WEFT_ASSIGN_OR_RETURN(config.node_ous.client,
                          ParseOu(name, "client_ou_identifier", node_ous.client_ou_identifier()));
    WEFT_ASSIGN_OR_RETURN(config.node_ous.peer,
                          ParseOu(name, "peer_ou_identifier", node_ous.peer_ou_identifier()));
    WEFT_ASSIGN_OR_RETURN(config.node_ous.admin,
                          ParseOu(name, "admin_ou_identifier", node_ous.admin_ou_identifier()));
    WEFT_ASSIGN_OR_RETURN(config.node_ous.orderer,
                          ParseOu(name, "orderer_ou_identifier", node_ous.orderer_ou_identifier()));
  }
  return config;
}

::msp::MSPConfig MspConfigToProto(const MspConfig& config) {
  ::msp::FabricMSPConfig fabric;
  fabric.set_name(config.name);
  for (const auto& c : config.root_certs) fabric.add_root_certs(c.ToPem());
  for (const auto& c : config.intermediate_certs) fabric.add_intermediate_certs(c.ToPem());
  for (const auto& c : config.admin_certs) fabric.add_admins(c.ToPem());
  for (const auto& crl : config.crls) fabric.add_revocation_list(crl.ToPem());
  for (const auto& ou : config.ou_identifiers) {
    *fabric.add_organizational_unit_identifiers() = OuToProto(ou);
  }
  fabric.mutable_crypto_config()->set_signature_hash_family("SHA2");
  fabric.mutable_crypto_config()->set_identity_identifier_hash_function("SHA256");
  for (const auto& c : config.tls_root_certs) fabric.add_tls_root_certs(c.ToPem());
  for (const auto& c : config.tls_intermediate_certs) fabric.add_tls_intermediate_certs(c.ToPem());
  if (config.node_ous.enable) {
    auto* node_ous = fabric.mutable_fabric_node_ous();
    node_ous->set_enable(true);
    *node_ous->mutable_client_ou_identifier() = OuToProto(config.node_ous.client);
    *node_ous->mutable_peer_ou_identifier() = OuToProto(config.node_ous.peer);
    *node_ous->mutable_admin_ou_identifier() = OuToProto(config.node_ous.admin);
    *node_ous->mutable_orderer_ou_identifier() = OuToProto(config.node_ous.orderer);
  }
  ::msp::MSPConfig proto;
  proto.set_type(0);
  std::string bytes;
  fabric.SerializeToString(&bytes);
  proto.set_config(std::move(bytes));
  return proto;
}

}  // namespace weft::msp
