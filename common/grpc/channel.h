// Making client channels with Weft's TLS, keepalive and message-size policy.
//
// Thread-safety: stateless functions, thread-safe; channels are thread-safe.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "common/grpc/server.h"
#include "common/settings/settings.h"
#include "common/status/status.h"

namespace weft::common::grpc {

// The arguments MakeChannel applies for `settings`.
ChannelArgs ClientChannelArgs(const settings::GrpcClientSettings& settings);

// A channel to `target` ("host:port"). Connection happens lazily. Fails with
// InvalidArgument or NotFound for bad TLS settings or files (for mutual TLS set
// both cert and key).
[[nodiscard]] StatusOr<std::shared_ptr<::grpc::Channel>> MakeChannel(
    const std::string& target, const settings::GrpcClientSettings& settings);

}  // namespace weft::common::grpc
