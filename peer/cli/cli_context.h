// What the `peer` client commands share, after Fabric's internal/peer/common
// (InitCmdFactory, GetEndorserClient, GetOrdererEndpointOfChain flags): the
// peer config (core.yaml in $FABRIC_CFG_PATH plus CORE_* overrides), the signer
// of the local MSP (peer.mspConfigPath, peer.localMspId) and the gRPC client
// settings that reach the peer (peer.address, peer.tls.*) or an orderer (-o,
// --tls, --cafile, --clientauth, --keyfile, --certfile,
// --ordererTLSHostnameOverride).
// Thread-safety: values; safe for concurrent const use.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "common/config/peer_config.h"
#include "common/settings/settings.h"
#include "common/status/status.h"
#include "msp/signing_identity.h"

namespace weft::peer::cli {

// The orderer flags of Fabric's peer CLI.
struct OrdererFlags {
  std::string address;  // -o / --orderer, host:port; empty when not given
  bool tls = false;
  std::filesystem::path ca_file;
  bool client_auth = false;
  std::filesystem::path key_file;
  std::filesystem::path cert_file;
  std::string tls_hostname_override;
  std::chrono::milliseconds connection_timeout{3000};
};

struct CliContext {
  common::config::PeerConfig config;
  msp::SigningIdentity signer;

  // Reads `config_file` with `env`'s CORE_* overrides and loads the local MSP's
  // signer; errors name the file or folder that failed.
  [[nodiscard]] static StatusOr<CliContext> Load(const std::filesystem::path& config_file,
                                                 const common::config::Environment& env);

  // To dial peer.address: TLS per peer.tls.enabled with peer.tls.rootcert.file;
  // a client certificate (peer.tls.clientCert/clientKey) only when
  // peer.tls.clientAuthRequired, as Fabric's CLI.
  common::settings::GrpcClientSettings PeerClientSettings() const;
};

// To dial the orderer of `flags` (Fabric's orderer client from the CLI flags).
common::settings::GrpcClientSettings OrdererClientSettings(const OrdererFlags& flags);

}  // namespace weft::peer::cli
