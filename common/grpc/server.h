// Building gRPC servers with Weft's TLS, keepalive and message-size policy.
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <grpcpp/server.h>

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/settings/settings.h"
#include "common/status/status.h"

namespace weft::common::grpc {

// Channel arguments by name (GRPC_ARG_*), so the policy a builder applies can
// be inspected.
using ChannelArgs = std::map<std::string, std::variant<int, std::string>>;

// The arguments BuildServer applies for `settings`.
ChannelArgs ServerChannelArgs(const settings::GrpcServerSettings& settings);

struct BuiltServer {
  std::unique_ptr<::grpc::Server> server;
  int port = 0;  // the port actually bound
};

// Starts a server on settings.listen_address (port 0 picks a free port) serving
// `services`, which must outlive the server. Fails with InvalidArgument or
// NotFound for bad TLS settings or files, Unavailable if it cannot listen.
[[nodiscard]] StatusOr<BuiltServer> BuildServer(const settings::GrpcServerSettings& settings,
                                                const std::vector<::grpc::Service*>& services);

}  // namespace weft::common::grpc
