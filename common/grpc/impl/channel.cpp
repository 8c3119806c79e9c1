#include "common/grpc/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/impl/channel_args.h"
#include "common/settings/tls_material.h"

namespace weft::common::grpc {
namespace {

[[nodiscard]] StatusOr<std::shared_ptr<::grpc::ChannelCredentials>> MakeChannelCredentials(
    const settings::TlsSettings& tls) {
  if (!tls.enabled) return ::grpc::InsecureChannelCredentials();
  WEFT_ASSIGN_OR_RETURN(settings::TlsMaterial material, settings::LoadTlsMaterial(tls));
  ::grpc::SslCredentialsOptions options;
  options.pem_root_certs = std::move(material.root_cas);
  options.pem_cert_chain = std::move(material.certificate);
  options.pem_private_key = std::move(material.private_key);
  if (options.pem_cert_chain.empty() != options.pem_private_key.empty()) {
    return absl::InvalidArgumentError(
        "client TLS certificate and key must be given together for mutual TLS");
  }
  return ::grpc::SslCredentials(options);
}

}  // namespace

ChannelArgs ClientChannelArgs(const settings::GrpcClientSettings& settings) {
  const settings::ClientKeepaliveSettings& keepalive = settings.keepalive;
  ChannelArgs args = {
      {GRPC_ARG_KEEPALIVE_TIME_MS, impl::Millis(keepalive.interval)},
      {GRPC_ARG_KEEPALIVE_TIMEOUT_MS, impl::Millis(keepalive.timeout)},
      {GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, keepalive.permit_without_calls ? 1 : 0},
      // gRPC core stops pinging after 2 pings without data by default; Go
      // clients (Fabric) keep pinging idle connections.
      {GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0},
      {GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, settings.max_recv_message_size},
      {GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, settings.max_send_message_size},
  };
  if (settings.tls.enabled && !settings.server_name_override.empty()) {
    args.emplace(GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, settings.server_name_override);
  }
  return args;
}

[[nodiscard]] StatusOr<std::shared_ptr<::grpc::Channel>> MakeChannel(
    const std::string& target, const settings::GrpcClientSettings& settings) {
  auto credentials = MakeChannelCredentials(settings.tls);
  if (!credentials.ok()) {
    return Annotate(credentials.status(), absl::StrCat("making gRPC channel to '", target, "'"));
  }
  ::grpc::ChannelArguments arguments;
  impl::ApplyChannelArgs(
      ClientChannelArgs(settings),
      [&](const std::string& name, int value) { arguments.SetInt(name, value); },
      [&](const std::string& name, const std::string& value) { arguments.SetString(name, value); });
  return ::grpc::CreateCustomChannel(target, *credentials, arguments);
}

}  // namespace weft::common::grpc
