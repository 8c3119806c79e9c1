// Fabric's broadcast handling for one envelope (orderer/common/broadcast): find
// the channel, validate the envelope through its message processor and hand it
// to the channel's chain. The gRPC adapter calls Handle once per received
// envelope and sends back exactly the returned response.
//
// Statuses (fabric-interop.md E.1): BAD_REQUEST for a malformed, oversized or
// unsupported envelope, NOT_FOUND for an unknown channel, FORBIDDEN for a bad
// creator, signature or Writers policy, SERVICE_UNAVAILABLE when the chain cannot
// take it, SUCCESS once accepted for ordering. `info` always says why.
//
// Thread-safety: thread-safe; any number of streams may call Handle at once.
#pragma once

#include <string>

#include "common/common.pb.h"
#include "common/metrics/metrics.h"
#include "orderer/ab.pb.h"
#include "orderer/multichannel/registrar.h"

namespace weft::orderer::broadcast {

class BroadcastHandler {
 public:
  // `registrar` and `metrics` (nullable) must outlive the handler.
  explicit BroadcastHandler(multichannel::Registrar& registrar,
                            common::metrics::MetricsRegistry* metrics = nullptr);

  ::orderer::BroadcastResponse Handle(const ::common::Envelope& envelope);

 private:
  // Fills `channel` and `type` (the header type name) for the metrics as soon as known.
  ::orderer::BroadcastResponse Process(const ::common::Envelope& envelope, std::string& channel,
                                       std::string& type);

  multichannel::Registrar& registrar_;
  // "broadcast_processed_count"{channel, type, status}; null without metrics.
  common::metrics::Counter* processed_ = nullptr;
};

}  // namespace weft::orderer::broadcast
