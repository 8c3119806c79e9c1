#include "peer/cli/cli_context.h"

#include <utility>

#include "client-sdk/signer.h"

namespace weft::peer::cli {

StatusOr<CliContext> CliContext::Load(const std::filesystem::path& config_file,
                                      const common::config::Environment& env) {
  WEFT_ASSIGN_OR_RETURN(auto loaded, common::config::LoadPeerConfig(config_file, env));
  const auto& peer = loaded.config.peer;
  WEFT_ASSIGN_OR_RETURN(auto signer, client::LoadSigner(peer.msp_config_path, peer.local_msp_id));
  return CliContext{std::move(loaded.config), std::move(signer)};
}

common::settings::GrpcClientSettings CliContext::PeerClientSettings() const {
  common::settings::GrpcClientSettings settings = config.peer.client;
  settings.tls.enabled = config.peer.server.tls.enabled;
  if (!config.peer.server.tls.client_auth_required) {
    settings.tls.certificate.clear();
    settings.tls.private_key.clear();
  }
  return settings;
}

common::settings::GrpcClientSettings OrdererClientSettings(const OrdererFlags& flags) {
  common::settings::GrpcClientSettings settings;
  settings.tls.enabled = flags.tls;
  if (!flags.ca_file.empty()) settings.tls.root_cas = {flags.ca_file};
  if (flags.client_auth) {
    settings.tls.certificate = flags.cert_file;
    settings.tls.private_key = flags.key_file;
  }
  settings.server_name_override = flags.tls_hostname_override;
  return settings;
}

}  // namespace weft::peer::cli
