// Counts the ECDSA signatures a process makes and checks (issue #15: signs and
// verifies per transaction are measured, not declared). The composition root makes
// one and hands it to its signing identity (SigningIdentity::CountSignsIn) and to
// the MSPs it builds (Msp::Create, ChannelConfig::FromConfig); without one nothing
// is counted. Every call of SigningIdentity::Sign counts as a sign and every call of
// Identity::Verify as a verify, a signature that fails to verify included: the
// ECDSA check ran all the same. Certificate chain checks and TLS handshakes are
// OpenSSL's and are not counted.
// Thread-safety: thread-safe (atomics; the metrics counters lock their own mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "common/status/status.h"

namespace weft::common::metrics {
class Counter;
class MetricsRegistry;
}  // namespace weft::common::metrics

namespace weft::msp {

class EcdsaCounter {
 public:
  // The names the counters have on a node's /metrics.
  static constexpr char kSignsMetric[] = "crypto_ecdsa_signs_count";
  static constexpr char kVerifiesMetric[] = "crypto_ecdsa_verifies_count";

  // Counts in memory only (signs(), verifies()), as weft-bench does.
  EcdsaCounter() = default;
  // Also adds every count to the two metrics (either may be null); they must
  // outlive the counter.
  EcdsaCounter(common::metrics::Counter* signs_metric, common::metrics::Counter* verifies_metric)
      : signs_metric_(signs_metric), verifies_metric_(verifies_metric) {}
  EcdsaCounter(const EcdsaCounter&) = delete;
  EcdsaCounter& operator=(const EcdsaCounter&) = delete;

  // A counter reporting to kSignsMetric and kVerifiesMetric of `registry`; a null
  // registry (metrics disabled) gives an in-memory counter.
  [[nodiscard]] static StatusOr<std::shared_ptr<EcdsaCounter>> ReportingTo(
      common::metrics::MetricsRegistry* registry);

  void CountSign();
  void CountVerify();
  uint64_t signs() const { return signs_.load(std::memory_order_relaxed); }
  uint64_t verifies() const { return verifies_.load(std::memory_order_relaxed); }

 private:
  common::metrics::Counter* const signs_metric_ = nullptr;
  common::metrics::Counter* const verifies_metric_ = nullptr;
  std::atomic<uint64_t> signs_{0};
  std::atomic<uint64_t> verifies_{0};
};

}  // namespace weft::msp
