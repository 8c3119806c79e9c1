// The gRPC Connector: dials an orderer with the peer's client settings (keepalive,
// message sizes, client certificate for mutual TLS) but trusting only the endpoint's
// TLS CAs (Fabric's DialerAdapter sets SecOpts.ServerRootCAs per endpoint), waits at
// most conn_timeout (peer.deliveryclient.connTimeout) for the connection, then opens
// orderer.AtomicBroadcast/Deliver and sends the seek request.
// Thread-safety: the connector and its streams' Cancel are thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/config/peer_config.h"
#include "common/settings/settings.h"
#include "common/status/status.h"
#include "peer/deliver_client/deliverer.h"

namespace weft::peer::deliver_client {

std::unique_ptr<Connector> NewGrpcConnector(common::settings::GrpcClientSettings client,
                                            std::chrono::milliseconds conn_timeout);

// The connector of a peer: its client TLS pair and message sizes (peer.tls, peer.client
// settings), with peer.keepalive.deliveryClient and peer.deliveryclient.connTimeout, as
// Fabric's deliver service dials orderers.
std::unique_ptr<Connector> NewGrpcConnector(
    common::settings::GrpcClientSettings client,
    const common::config::DeliveryClientSettings& delivery_client);

// SHA-256 of the DER of the client TLS certificate `client` sends, or "" when TLS is
// off or no client certificate is configured (Fabric's TLSCertHash for the binding).
[[nodiscard]] StatusOr<std::string> ClientTlsCertHash(
    const common::settings::GrpcClientSettings& client);

}  // namespace weft::peer::deliver_client
