// A small Prometheus-style metrics registry: counters, gauges and histograms
// with label names, rendered in the text exposition format 0.0.4. The
// composition root creates one registry and passes it to components and to
// the operations server (common/ops), which serves it on /metrics; there is no
// global registry. Consumers of metrics need not link the HTTP server.
//
// Label values are given positionally, in the order of MetricOpts::label_names.
// Passing the wrong number of label values is a programming error and aborts.
//
// Thread-safety: MetricsRegistry and all metric types are thread-safe.
// Metrics live as long as their registry.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status/status.h"

namespace weft::common::metrics {

using LabelValues = std::vector<std::string>;

struct MetricOpts {
  // Full metric name, e.g. "ledger_blockchain_height"; [a-zA-Z_:][a-zA-Z0-9_:]*.
  std::string name;
  std::string help;
  std::vector<std::string> label_names;
};

struct HistogramOpts : MetricOpts {
  // Upper bounds, strictly increasing; +Inf is implied. Empty -> Prometheus'
  // default buckets (0.005 ... 10 seconds).
  std::vector<double> buckets;
};

class Metric {
 public:
  virtual ~Metric() = default;
  const MetricOpts& opts() const { return opts_; }

 protected:
  explicit Metric(MetricOpts opts) : opts_(std::move(opts)) {}
  void CheckLabels(const LabelValues& values) const;
  virtual void AppendExposition(std::string& out) const = 0;
  friend class MetricsRegistry;

  const MetricOpts opts_;
  mutable std::mutex mu_;
};

// Shared by Counter and Gauge: one double per label value set.
class ScalarMetric : public Metric {
 public:
  double Value(const LabelValues& labels = {}) const;

 protected:
  ScalarMetric(MetricOpts opts, const char* type) : Metric(std::move(opts)), type_(type) {}
  void AppendExposition(std::string& out) const override;

  const char* const type_;
  std::map<LabelValues, double> values_;  // guarded by mu_
};

class Counter final : public ScalarMetric {
 public:
  explicit Counter(MetricOpts opts) : ScalarMetric(std::move(opts), "counter") {}
  // REQUIRES: delta >= 0 (counters only go up; negative deltas are ignored).
  void Add(double delta = 1, const LabelValues& labels = {});
};

class Gauge final : public ScalarMetric {
 public:
  explicit Gauge(MetricOpts opts) : ScalarMetric(std::move(opts), "gauge") {}
  void Set(double value, const LabelValues& labels = {});
  void Add(double delta, const LabelValues& labels = {});
};

class Histogram final : public Metric {
 public:
  explicit Histogram(HistogramOpts opts);
  void Observe(double value, const LabelValues& labels = {});
  const std::vector<double>& buckets() const { return buckets_; }

 private:
  struct Series {
    std::vector<std::uint64_t> bucket_counts;  // not cumulative; one per bucket
    double sum = 0;
    std::uint64_t count = 0;
  };
  void AppendExposition(std::string& out) const override;
  const std::vector<double> buckets_;
  std::map<LabelValues, Series> series_;  // guarded by mu_
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registering the same name again with the same kind and label names returns
  // the existing metric (several channels may ask for one metric). Fails with
  // InvalidArgument on bad names or buckets, AlreadyExists on a conflicting
  // definition.
  [[nodiscard]] StatusOr<Counter*> NewCounter(const MetricOpts& opts);
  [[nodiscard]] StatusOr<Gauge*> NewGauge(const MetricOpts& opts);
  [[nodiscard]] StatusOr<Histogram*> NewHistogram(const HistogramOpts& opts);

  // Text exposition format 0.0.4, metrics sorted by name.
  std::string Expose() const;

 private:
  template <typename T, typename Opts>
  [[nodiscard]] StatusOr<T*> Register(const Opts& opts);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Metric>> metrics_;  // guarded by mu_
};

// Content-Type of Expose()'s output.
inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace weft::common::metrics
