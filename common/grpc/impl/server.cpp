#include "common/grpc/server.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/impl/channel_args.h"
#include "common/settings/tls_material.h"

namespace weft::common::grpc {
namespace {

[[nodiscard]] StatusOr<std::shared_ptr<::grpc::ServerCredentials>> MakeServerCredentials(
    const settings::TlsSettings& tls) {
  if (!tls.enabled) return ::grpc::InsecureServerCredentials();
  WEFT_ASSIGN_OR_RETURN(settings::TlsMaterial material, settings::LoadTlsMaterial(tls));
  if (material.certificate.empty() || material.private_key.empty()) {
    return absl::InvalidArgumentError("server TLS is enabled but certificate or key is missing");
  }

  ::grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back(
      {std::move(material.private_key), std::move(material.certificate)});
  if (tls.client_auth_required) {
    if (material.client_root_cas.empty()) {
      return absl::InvalidArgumentError(
          "server TLS requires client certificates but no client root CAs are configured");
    }
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  } else {
    // Fabric's tls.RequestClientCert: take a certificate if offered, for binding.
    options.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY;
  }
  options.pem_root_certs = std::move(material.client_root_cas);
  return ::grpc::SslServerCredentials(options);
}

}  // namespace

ChannelArgs ServerChannelArgs(const settings::GrpcServerSettings& settings) {
  const settings::ServerKeepaliveSettings& keepalive = settings.keepalive;
  return {
      {GRPC_ARG_KEEPALIVE_TIME_MS, impl::Millis(keepalive.interval)},
      {GRPC_ARG_KEEPALIVE_TIMEOUT_MS, impl::Millis(keepalive.timeout)},
      {GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, impl::Millis(keepalive.min_interval)},
      {GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, keepalive.permit_without_calls ? 1 : 0},
      {GRPC_ARG_HTTP2_MAX_PING_STRIKES, keepalive.max_ping_strikes},
      // Server keepalive pings must keep flowing on idle connections.
      {GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0},
      {GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, settings.max_recv_message_size},
      {GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, settings.max_send_message_size},
  };
}

// Handler threads kept waiting for calls once idle. gRPC's synchronous server keeps
// two by default and ends the others as their calls finish, so under load every call
// that blocks (Endorse waiting for chaincode, CommitStatus for a block, a Broadcast
// stream) costs a thread start and exit, which profiles showed as most of a busy
// peer's CPU. Idle threads wait on the completion queue and cost nothing.
constexpr int kMaxIdleHandlerThreads = 256;

[[nodiscard]] StatusOr<BuiltServer> BuildServer(const settings::GrpcServerSettings& settings,
                                                const std::vector<::grpc::Service*>& services) {
  const std::string& address = settings.listen_address;
  auto credentials = MakeServerCredentials(settings.tls);
  if (!credentials.ok()) return Annotate(credentials.status(), "building gRPC server");

  ::grpc::ServerBuilder builder;
  BuiltServer built;
  builder.AddListeningPort(address, *credentials, &built.port);
  impl::ApplyChannelArgs(
      ServerChannelArgs(settings),
      [&](const std::string& name, int value) { builder.AddChannelArgument(name, value); },
      [&](const std::string& name, const std::string& value) {
        builder.AddChannelArgument(name, value);
      });
  for (::grpc::Service* service : services) builder.RegisterService(service);
  builder.SetSyncServerOption(::grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              kMaxIdleHandlerThreads);

  built.server = builder.BuildAndStart();
  if (built.server == nullptr || built.port == 0) {
    if (built.server != nullptr) built.server->Shutdown();
    return absl::UnavailableError(absl::StrCat("gRPC server cannot listen on '", address, "'"));
  }
  return built;
}

}  // namespace weft::common::grpc
