// Client identities: the signer of a user's MSP folder (as the peer CLI's
// InitCrypto and fabric-gateway's identity-from-files do) and the TLS binding hash
// a client puts in ChannelHeader.tls_cert_hash under mutual TLS.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "common/settings/settings.h"
#include "common/status/status.h"
#include "msp/signing_identity.h"

namespace weft::client {

// The signing identity of an MSP folder in Fabric's layout (a cryptogen user's
// .../users/User1@org1.example.com/msp): the certificate in signcerts/, the
// keystore/ key that matches it, named by `msp_id`. Errors name the folder.
[[nodiscard]] StatusOr<msp::SigningIdentity> LoadSigner(const std::filesystem::path& msp_dir,
                                                        std::string msp_id);

// SHA-256 of the DER of the client TLS certificate of `tls` (the first one of
// certificate_pem, else of the certificate file), as Fabric's comm.GRPCClient
// computes it for TLS binding; empty when TLS is off or no client certificate is set.
[[nodiscard]] StatusOr<std::string> ClientTlsCertHash(const common::settings::TlsSettings& tls);

}  // namespace weft::client
