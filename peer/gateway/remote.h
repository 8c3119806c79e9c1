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
// Broadcast ignores its timeout: client-sdk's OrdererClient has no per-call deadline
// yet, so peer.gateway.broadcastTimeout is not enforced on a hung orderer.
OrdererDialer NewOrdererDialer(common::settings::GrpcClientSettings settings);

}  // namespace weft::peer::gateway
