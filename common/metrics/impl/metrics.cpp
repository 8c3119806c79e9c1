#include "common/metrics/metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace weft::common::metrics {
namespace {

const std::vector<double>& DefaultBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,    2.5,   5,    10};
  return kBuckets;
}

bool IsValidName(const std::string& name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Prometheus sample values: Go-style floats, with +Inf/-Inf/NaN spelled out.
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);  // shortest text that round-trips
}

// Prometheus text escaping: backslash and newline everywhere, double quotes in label values.
std::string Escape(const std::string& text, bool quotes) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeLabelValue(const std::string& value) { return Escape(value, /*quotes=*/true); }
std::string EscapeHelp(const std::string& help) { return Escape(help, /*quotes=*/false); }

// {a="x",b="y"} plus an optional extra label (histogram "le"); "" if no labels.
std::string LabelSet(const std::vector<std::string>& names, const LabelValues& values,
                     const std::string& extra_name = "", const std::string& extra_value = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out +=
        fmt::format("{}{}=\"{}\"", out.empty() ? "{" : ",", names[i], EscapeLabelValue(values[i]));
  }
  if (!extra_name.empty()) {
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "{" : ",", extra_name, extra_value);
  }
  if (!out.empty()) out += "}";
  return out;
}

void AppendHeader(std::string& out, const MetricOpts& opts, const char* type) {
  out += fmt::format("# HELP {} {}\n", opts.name, EscapeHelp(opts.help));
  out += fmt::format("# TYPE {} {}\n", opts.name, type);
}

[[nodiscard]] Status ValidateOpts(const MetricOpts& opts) {
  if (!IsValidName(opts.name, /*allow_colon=*/true)) {
    return absl::InvalidArgumentError(fmt::format("invalid metric name '{}'", opts.name));
  }
  for (const auto& label : opts.label_names) {
    if (!IsValidName(label, /*allow_colon=*/false) || label.rfind("__", 0) == 0 || label == "le") {
      return absl::InvalidArgumentError(
          fmt::format("metric '{}': invalid label name '{}'", opts.name, label));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void Metric::CheckLabels(const LabelValues& values) const {
  if (values.size() != opts_.label_names.size()) {
    std::fprintf(stderr, "metric %s: got %zu label values for %zu label names\n",
                 opts_.name.c_str(), values.size(), opts_.label_names.size());
    std::abort();
  }
}

double ScalarMetric::Value(const LabelValues& labels) const {
  CheckLabels(labels);
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void ScalarMetric::AppendExposition(std::string& out) const {
  AppendHeader(out, opts_, type_);
  std::lock_guard lock(mu_);
  // A metric without labels is shown at 0 before its first use, as Prometheus clients do.
  if (values_.empty() && opts_.label_names.empty()) out += fmt::format("{} 0\n", opts_.name);
  for (const auto& [labels, value] : values_) {
    out += fmt::format("{}{} {}\n", opts_.name, LabelSet(opts_.label_names, labels),
                       FormatValue(value));
  }
}

void Counter::Add(double delta, const LabelValues& labels) {
  CheckLabels(labels);
  if (!(delta >= 0)) return;
  std::lock_guard lock(mu_);
  values_[labels] += delta;
}

void Gauge::Set(double value, const LabelValues& labels) {
  CheckLabels(labels);
  std::lock_guard lock(mu_);
  values_[labels] = value;
}

void Gauge::Add(double delta, const LabelValues& labels) {
  CheckLabels(labels);
  std::lock_guard lock(mu_);
  values_[labels] += delta;
}

Histogram::Histogram(HistogramOpts opts)
    : Metric(opts), buckets_(opts.buckets.empty() ? DefaultBuckets() : opts.buckets) {}

void Histogram::Observe(double value, const LabelValues& labels) {
  CheckLabels(labels);
  std::lock_guard lock(mu_);
  Series& series = series_[labels];
  if (series.bucket_counts.empty()) series.bucket_counts.assign(buckets_.size(), 0);
  for (size_t i = 0; i < buckets_.size(); ++i) {
    if (value <= buckets_[i]) {
      ++series.bucket_counts[i];
      break;
    }
  }
  series.sum += value;
  ++series.count;
}

void Histogram::AppendExposition(std::string& out) const {
  AppendHeader(out, opts_, "histogram");
  std::lock_guard lock(mu_);
  auto append_series = [&](const LabelValues& labels, const Series& series) {
    std::uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      if (!series.bucket_counts.empty()) cumulative += series.bucket_counts[i];
      out += fmt::format("{}_bucket{} {}\n", opts_.name,
                         LabelSet(opts_.label_names, labels, "le", FormatValue(buckets_[i])),
                         cumulative);
    }
    out += fmt::format("{}_bucket{} {}\n", opts_.name,
                       LabelSet(opts_.label_names, labels, "le", "+Inf"), series.count);
    out += fmt::format("{}_sum{} {}\n", opts_.name, LabelSet(opts_.label_names, labels),
                       FormatValue(series.sum));
    out += fmt::format("{}_count{} {}\n", opts_.name, LabelSet(opts_.label_names, labels),
                       series.count);
  };
  if (series_.empty() && opts_.label_names.empty()) append_series({}, Series{});
  for (const auto& [labels, series] : series_) append_series(labels, series);
}

template <typename T, typename Opts>
StatusOr<T*> MetricsRegistry::Register(const Opts& opts) {
  WEFT_RETURN_IF_ERROR(ValidateOpts(opts));
  std::lock_guard lock(mu_);
  auto it = metrics_.find(opts.name);
  if (it != metrics_.end()) {
    auto* existing = dynamic_cast<T*>(it->second.get());
    if (existing == nullptr || existing->opts().label_names != opts.label_names) {
      return absl::AlreadyExistsError(fmt::format(
          "metric '{}' is already registered with a different type or labels", opts.name));
    }
    return existing;
  }
  auto metric = std::make_unique<T>(opts);
  T* raw = metric.get();
  metrics_.emplace(opts.name, std::move(metric));
  return raw;
}

StatusOr<Counter*> MetricsRegistry::NewCounter(const MetricOpts& opts) {
  return Register<Counter>(opts);
}

StatusOr<Gauge*> MetricsRegistry::NewGauge(const MetricOpts& opts) { return Register<Gauge>(opts); }

StatusOr<Histogram*> MetricsRegistry::NewHistogram(const HistogramOpts& opts) {
  for (size_t i = 0; i < opts.buckets.size(); ++i) {
    if (!std::isfinite(opts.buckets[i]) || (i > 0 && !(opts.buckets[i] > opts.buckets[i - 1]))) {
      return absl::InvalidArgumentError(
          fmt::format("histogram '{}': buckets must be finite and strictly increasing", opts.name));
    }
  }
  return Register<Histogram>(opts);
}

std::string MetricsRegistry::Expose() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, metric] : metrics_) metric->AppendExposition(out);
  return out;
}

}  // namespace weft::common::metrics
