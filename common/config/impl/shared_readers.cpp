#include "common/config/impl/shared_readers.h"

#include <fmt/format.h>

namespace weft::common::config::internal {

void ReadMetrics(Reader& reader, std::string_view key, MetricsSettings* metrics) {
  std::string provider = "disabled";
  reader.ReadOneOf(key, &provider, {"disabled", "prometheus"});
  metrics->provider =
      provider == "prometheus" ? MetricsProvider::kPrometheus : MetricsProvider::kDisabled;
}

void CheckServerTls(Reader& reader, const settings::TlsSettings& tls, std::string_view enabled_key,
                    std::string_view certificate_key, std::string_view private_key_key) {
  if (!tls.enabled) return;
  const std::string why = fmt::format("required when {} is true", enabled_key);
  if (tls.certificate.empty()) reader.AddError(certificate_key, why);
  if (tls.private_key.empty()) reader.AddError(private_key_key, why);
}

}  // namespace weft::common::config::internal
