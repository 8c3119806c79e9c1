#include "common/metrics/metrics.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace weft::common::metrics {
namespace {

using Catch::Contains;

TEST_CASE("A counter without labels is exposed at 0 before use and counts up") {
  MetricsRegistry registry;
  Counter* counter =
      *registry.NewCounter({"broadcast_processed_count", "Envelopes processed.", {}});
  CHECK_THAT(registry.Expose(), Contains("# HELP broadcast_processed_count Envelopes processed.\n"
                                         "# TYPE broadcast_processed_count counter\n"
                                         "broadcast_processed_count 0\n"));
  counter->Add();
  counter->Add(2);
  counter->Add(-5);  // ignored: counters never go down
  CHECK(counter->Value() == 3);
  CHECK_THAT(registry.Expose(), Contains("broadcast_processed_count 3\n"));
}

TEST_CASE("Labelled series are exposed per label value set, sorted, with escaped values") {
  MetricsRegistry registry;
  Gauge* height = *registry.NewGauge({"ledger_blockchain_height", "Height.", {"channel"}});
  height->Set(12, {"mychannel"});
  height->Set(3, {"a\"b\\c\nd"});
  height->Add(1.5, {"mychannel"});
  CHECK(height->Value({"mychannel"}) == 13.5);
  CHECK(registry.Expose() ==
        "# HELP ledger_blockchain_height Height.\n"
        "# TYPE ledger_blockchain_height gauge\n"
        "ledger_blockchain_height{channel=\"a\\\"b\\\\c\\nd\"} 3\n"
        "ledger_blockchain_height{channel=\"mychannel\"} 13.5\n");
}

TEST_CASE("A histogram exposes cumulative buckets, +Inf, sum and count") {
  MetricsRegistry registry;
  HistogramOpts opts;
  opts.name = "endorser_proposal_duration";
  opts.help = "Proposal duration.";
  opts.label_names = {"channel"};
  opts.buckets = {0.1, 1, 10};
  Histogram* histogram = *registry.NewHistogram(opts);
  for (double v : {0.05, 0.5, 0.7, 20.0}) histogram->Observe(v, {"ch"});
  CHECK(registry.Expose() ==
        "# HELP endorser_proposal_duration Proposal duration.\n"
        "# TYPE endorser_proposal_duration histogram\n"
        "endorser_proposal_duration_bucket{channel=\"ch\",le=\"0.1\"} 1\n"
        "endorser_proposal_duration_bucket{channel=\"ch\",le=\"1\"} 3\n"
        "endorser_proposal_duration_bucket{channel=\"ch\",le=\"10\"} 3\n"
        "endorser_proposal_duration_bucket{channel=\"ch\",le=\"+Inf\"} 4\n"
        "endorser_proposal_duration_sum{channel=\"ch\"} 21.25\n"
        "endorser_proposal_duration_count{channel=\"ch\"} 4\n");
}

TEST_CASE("A histogram without buckets uses Prometheus' default buckets") {
  MetricsRegistry registry;
  HistogramOpts opts;
  opts.name = "latency";
  Histogram* histogram = *registry.NewHistogram(opts);
  CHECK(histogram->buckets().size() == 11);
  CHECK(histogram->buckets().front() == 0.005);
  CHECK_THAT(registry.Expose(), Contains("latency_bucket{le=\"+Inf\"} 0\nlatency_sum 0\n"));
}

TEST_CASE("Registering a metric twice returns the same metric but a conflicting definition fails") {
  MetricsRegistry registry;
  Counter* first = *registry.NewCounter({"blocks", "", {"channel"}});
  Counter* again = *registry.NewCounter({"blocks", "", {"channel"}});
  CHECK(first == again);
  CHECK(registry.NewGauge({"blocks", "", {"channel"}}).status().code() ==
        absl::StatusCode::kAlreadyExists);
  CHECK(registry.NewCounter({"blocks", "", {"orderer"}}).status().code() ==
        absl::StatusCode::kAlreadyExists);
}

TEST_CASE("Invalid metric names, label names and buckets are rejected") {
  MetricsRegistry registry;
  CHECK(registry.NewCounter({"1abc", "", {}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(registry.NewCounter({"has-dash", "", {}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(registry.NewCounter({"ok", "", {"__reserved"}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  HistogramOpts opts;
  opts.name = "h";
  opts.buckets = {1, 1};
  CHECK(registry.NewHistogram(opts).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(registry.Expose().empty());
}

TEST_CASE("Metrics are safe to update from many threads") {
  MetricsRegistry registry;
  Counter* counter = *registry.NewCounter({"c", "", {"worker"}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([counter] {
      for (int i = 0; i < 1000; ++i) counter->Add(1, {"w"});
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(counter->Value({"w"}) == 4000);
}

}  // namespace
}  // namespace weft::common::metrics
