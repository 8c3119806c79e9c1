// Which metrics provider a node serves (orderer.yaml Metrics.Provider, core.yaml
// metrics.provider). Endpoint settings (TLS, gRPC, HTTP) live in common/settings.
// Thread-safety: plain values.
#pragma once

namespace weft::common::config {

// Weft serves Prometheus only (no StatsD push).
enum class MetricsProvider { kDisabled, kPrometheus };

struct MetricsSettings {
  MetricsProvider provider = MetricsProvider::kDisabled;
};

}  // namespace weft::common::config
