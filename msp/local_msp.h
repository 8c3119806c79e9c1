// Loading an MSP from a folder in Fabric's layout (as written by cryptogen or
// fabric-ca): cacerts/, intermediatecerts/, admincerts/, signcerts/, keystore/,
// tlscacerts/, tlsintermediatecerts/, crls/ and config.yaml (NodeOUs).
// Thread-safety: stateless functions.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status/status.h"
#include "msp/msp_config.h"
#include "msp/signing_identity.h"

namespace weft::msp {

// Reads the verification part of the folder (no signcerts/keystore needed), as
// configtxgen does for an organisation's MSPDir.
[[nodiscard]] StatusOr<MspConfig> LoadMspConfig(const std::filesystem::path& dir,
                                                std::string msp_id);

struct LocalMsp {
  MspConfig config;
  SigningIdentity signer;
};

// Reads the folder and the node's signing identity: the certificate in signcerts/
// and the keystore/ key that matches it.
[[nodiscard]] StatusOr<LocalMsp> LoadLocalMsp(const std::filesystem::path& dir, std::string msp_id);

}  // namespace weft::msp
