// The configuration of one X.509 membership service provider (Fabric's
// FabricMSPConfig) as parsed values, and its conversions to and from the proto
// carried in channel configuration.
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/crypto/x509.h"
#include "common/status/status.h"
#include "msp/msp_config.pb.h"

namespace weft::msp {

// An organizational unit, optionally tied to the CA that must have issued it.
struct OuIdentifier {
  std::optional<common::crypto::Certificate> certificate;
  std::string organizational_unit;
};

// Fabric's NodeOUs: classification of identities into client / peer / admin /
// orderer by the OU of their certificate.
struct NodeOus {
  bool enable = false;
  OuIdentifier client;
  OuIdentifier peer;
  OuIdentifier admin;
  OuIdentifier orderer;
};

struct MspConfig {
  std::string name;  // the MSP ID, e.g. "Org1MSP"
  std::vector<common::crypto::Certificate> root_certs;
  std::vector<common::crypto::Certificate> intermediate_certs;
  // Identities that are administrators regardless of NodeOUs (admincerts/).
  std::vector<common::crypto::Certificate> admin_certs;
  std::vector<common::crypto::Crl> crls;
  // When non-empty, a valid identity must carry one of these OUs.
  std::vector<OuIdentifier> ou_identifiers;
  NodeOus node_ous;
  std::vector<common::crypto::Certificate> tls_root_certs;
  std::vector<common::crypto::Certificate> tls_intermediate_certs;
};

// Parses an msp.MSPConfig of type FABRIC (0). Errors name the MSP and the field.
[[nodiscard]] StatusOr<MspConfig> MspConfigFromProto(const ::msp::MSPConfig& proto);

// The msp.MSPConfig a channel configuration carries for `config` (PEM encoded
// certificates, SHA2/SHA256 crypto config, no signing identity).
::msp::MSPConfig MspConfigToProto(const MspConfig& config);

}  // namespace weft::msp
