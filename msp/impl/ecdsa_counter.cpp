#include "msp/ecdsa_counter.h"

#include "common/metrics/metrics.h"

namespace weft::msp {

StatusOr<std::shared_ptr<EcdsaCounter>> EcdsaCounter::ReportingTo(
    common::metrics::MetricsRegistry* registry) {
  if (registry == nullptr) return std::make_shared<EcdsaCounter>();
  WEFT_ASSIGN_OR_RETURN(
      common::metrics::Counter * signs,
      registry->NewCounter({kSignsMetric, "ECDSA signatures this process made.", {}}));
  WEFT_ASSIGN_OR_RETURN(
      common::metrics::Counter * verifies,
      registry->NewCounter(
          {kVerifiesMetric, "ECDSA signature checks this process made (failed ones too).", {}}));
  return std::make_shared<EcdsaCounter>(signs, verifies);
}

void EcdsaCounter::CountSign() {
  signs_.fetch_add(1, std::memory_order_relaxed);
  if (signs_metric_ != nullptr) signs_metric_->Add(1);
}

void EcdsaCounter::CountVerify() {
  verifies_.fetch_add(1, std::memory_order_relaxed);
  if (verifies_metric_ != nullptr) verifies_metric_->Add(1);
}

}  // namespace weft::msp
