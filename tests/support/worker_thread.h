// Worker threads for tests. Catch2 v2 is not thread-safe: REQUIRE, CHECK, INFO,
// CAPTURE, FAIL, WARN and SUCCEED may only run on the thread that runs the
// TEST_CASE (an assertion elsewhere corrupts Catch2's result capture and crashes
// the test binary now and then). So a worker records what went wrong in a
// FailureLog, and the test thread asserts on it after joining:
//
//   weft::testing::WorkerThread feed([&](weft::testing::FailureLog& failures) {
//     for (const auto& envelope : envelopes)
//       failures.ExpectOk(chain.Order(envelope, 0), "ordering " + envelope.payload());
//   });
//   ...
//   REQUIRE(feed.Join() == weft::testing::kNoFailures);
//
// The same holds for callbacks that production code runs on its own threads
// (handlers, consumers, sinks): record, then assert on the test thread.
#pragma once

#include <concepts>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status/status.h"

namespace weft::testing {

// What Join() and FailureLog::Summary() return when nothing failed.
inline constexpr std::string_view kNoFailures = "";

// Failures recorded by worker threads, read by the test thread.
// Thread-safety: thread-safe.
class FailureLog {
 public:
  void Record(std::string message);
  // Records "<context>: <status>" unless `status` is OK; returns status.ok().
  bool ExpectOk(const Status& status, std::string_view context);
  // Records `message` unless `condition` holds; returns `condition`.
  bool Expect(bool condition, std::string_view message);

  bool empty() const;
  std::vector<std::string> Messages() const;
  // kNoFailures, or how many failures there were and the first of them, e.g.
  // "2 failure(s), first: ordering b3: UNAVAILABLE: ...".
  std::string Summary() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> messages_;  // guarded by mu_
};

// A thread running `body(failures)` or `body(failures, stop_token)`; an exception
// escaping `body` is recorded as a failure instead of terminating the test binary.
// The destructor requests stop and joins, so a test thread leaving early (a failed
// REQUIRE) never hangs on a worker that loops until told to stop.
// Thread-safety: the members are for the thread that created the worker.
class WorkerThread {
 public:
  template <typename Body>
  requires std::invocable<Body&, FailureLog&, std::stop_token> || std::invocable<Body&, FailureLog&>
  explicit WorkerThread(Body body) {
    if constexpr (std::invocable<Body&, FailureLog&, std::stop_token>) {
      Run([body = std::move(body)](FailureLog& failures, std::stop_token stop) mutable {
        body(failures, std::move(stop));
      });
    } else {
      Run([body = std::move(body)](FailureLog& failures, std::stop_token) mutable {
        body(failures);
      });
    }
  }
  ~WorkerThread();
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // Asks the body to stop (through its stop_token).
  void RequestStop() { thread_.request_stop(); }
  // Waits for the worker (idempotent) and returns failures().Summary().
  std::string Join();
  // What the worker recorded; complete only after Join().
  const FailureLog& failures() const { return failures_; }

 private:
  void Run(std::function<void(FailureLog&, std::stop_token)> body);

  FailureLog failures_;
  std::jthread thread_;
};

}  // namespace weft::testing
