// Schema pieces used by both the peer and the orderer config readers.
// Thread-safety: stateless functions over a caller-owned Reader.
#pragma once

#include <string>
#include <string_view>

#include "common/config/metrics_settings.h"
#include "common/config/reader.h"
#include "common/settings/settings.h"

namespace weft::common::config::internal {

// Reads a metrics provider; Weft serves Prometheus only (no StatsD push).
void ReadMetrics(Reader& reader, std::string_view key, MetricsSettings* metrics);

// A TLS server cannot start without its key pair: records an error against each missing
// file when `tls` is enabled. `*_key` name the settings in messages.
void CheckServerTls(Reader& reader, const settings::TlsSettings& tls, std::string_view enabled_key,
                    std::string_view certificate_key, std::string_view private_key_key);

}  // namespace weft::common::config::internal
