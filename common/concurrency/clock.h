// Clock seam: code that stamps or times things (batch timeouts, deliver time
// windows) asks an injected Clock, so tests can move time by hand.
//
// Thread-safety: all clocks here are thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace weft::common::concurrency {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// Stands still until told to move. Starts at the Unix epoch unless given a time.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : now_(start) {}

  TimePoint Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void Advance(std::chrono::nanoseconds delta) {
    std::lock_guard lock(mu_);
    now_ += std::chrono::duration_cast<TimePoint::duration>(delta);
  }
  void Set(TimePoint now) {
    std::lock_guard lock(mu_);
    now_ = now;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;  // guarded by mu_
};

}  // namespace weft::common::concurrency
