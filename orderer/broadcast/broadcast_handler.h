// Fabric's broadcast handling for one envelope (orderer/common/broadcast): find
// the channel, validate the envelope through its message processor and hand it
// to the channel's chain. The gRPC adapter calls Handle once per received
// envelope and sends back exactly the returned response.
//
// Statuses (Fabric 2.5's broadcast.go ProcessMessage and ClassifyError):
// BAD_REQUEST for a malformed, oversized or expired-creator envelope, a CONFIG or
// ORDERER_TRANSACTION envelope, a refused config update and an unknown channel
// (Fabric without a system channel); FORBIDDEN for a bad creator, signature or
// Writers policy; SERVICE_UNAVAILABLE in maintenance mode or when the chain cannot
// take it; SUCCESS once accepted for ordering. `info` always says why (Fabric's
// err.Error()).
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
