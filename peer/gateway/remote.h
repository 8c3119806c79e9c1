// Production dialers of the Gateway: other peers through client-sdk's
// EndorserClient and orderers through its OrdererClient, with the peer's own
// client settings (peer.tls / peer.client) and the endpoint organisation's TLS CAs
// from the channel config added to the trusted roots.
// Thread-safety: the dialers and what they return are thread-safe.
#pragma once

#include <chrono>

#include "common/settings/settings.h"
#include "peer/gateway/gateway.h"

namespace weft::peer::gateway {

PeerDialer NewPeerDialer(common::settings::GrpcClientSettings settings);
// Broadcast bounds each stream by its timeout (peer.gateway.broadcastTimeout), so a
// hung orderer fails the attempt with DeadlineExceeded and the gateway moves on.
// Neither dialer blocks on connecting: calls are gRPC fail-fast, so an unreachable
// endpoint fails its call at once and the gateway drops the connection
// (Gateway::Forget) and dials afresh on the next request.
OrdererDialer NewOrdererDialer(common::settings::GrpcClientSettings settings);

}  // namespace weft::peer::gateway
