// Chaincode as a service: the peer dials the chaincode's server (protos.Chaincode/
// Connect) and then plays the peer's part of the conversation on that stream
// (Fabric's extcc.ExternalChaincodeRuntime.Stream).
// Thread-safety: stateless function.
#pragma once

#include <functional>

#include "peer/chaincode_support/chaincode_support.h"

namespace weft::peer::chaincode_support::impl {

// Dials `server` (waiting at most its dial_timeout for the connection), opens Connect
// and hands the stream to `serve` until it ends. Fails when the server cannot be reached
// or `stopped` says the support is shutting down.
[[nodiscard]] Status StreamToChaincodeServer(const ChaincodeServerInfo& server,
                                             const std::function<Status(ChaincodeStream&)>& serve,
                                             const std::function<bool()>& stopped);

}  // namespace weft::peer::chaincode_support::impl
