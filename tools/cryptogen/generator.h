// Writes the crypto material of organisations in the folder layout of Fabric's
// cryptogen, so peers, orderers, configtxgen and Fabric's own tools can read it:
//
//   <output>/peerOrganizations/<domain>/
//     ca/        ca.<domain>-cert.pem, priv_sk        signing CA
//     tlsca/     tlsca.<domain>-cert.pem, priv_sk     TLS CA
//     msp/       cacerts/ tlscacerts/ admincerts/ [config.yaml]
//     peers/<host>.<domain>/{msp,tls}
//     users/{Admin,User1,...}@<domain>/{msp,tls}
//   <output>/ordererOrganizations/<domain>/  the same with orderers/ and only Admin
//
// Keys are ECDSA P-256 in unencrypted PKCS#8 PEM (mode 0600). Certificates are
// valid for ten years from five minutes before `now`. With NodeOUs enabled each
// signing certificate carries the OU of its role (client, peer, admin, orderer)
// and every MSP gets a config.yaml; otherwise admincerts/ holds the Admin
// certificate. Existing files of the same names are overwritten.
//
// Thread-safety: stateless functions; do not run two on the same output folder.
#pragma once

#include <chrono>
#include <filesystem>

#include "common/status/status.h"
#include "tools/cryptogen/crypto_config.h"

namespace weft::tools::cryptogen {

// Generates one organisation under `output`. Errors name the file or the
// organisation that failed.
[[nodiscard]] Status GenerateOrg(const OrgSpec& org, OrgKind kind,
                                 const std::filesystem::path& output,
                                 std::chrono::system_clock::time_point now);

// Every organisation of `config`, orderer organisations first.
[[nodiscard]] Status Generate(const CryptoConfig& config, const std::filesystem::path& output,
                              std::chrono::system_clock::time_point now);

}  // namespace weft::tools::cryptogen
