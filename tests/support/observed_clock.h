// A manual clock that tells the test when the code under test has looked at it.
// Timer loops (the solo batch timer) poll their clock; after Advance() a test waits
// until the loop has read the new time and finished acting on it, instead of
// sleeping and hoping the loop got there:
//
//   const auto advanced = clock.Advance(1999ms);
//   REQUIRE(clock.WaitForReadsAfter(advanced, 2));  // one full loop saw 1999 ms
//   CHECK(support.Blocks().empty());                 // and cut nothing
//
// Thread-safety: thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "common/concurrency/clock.h"
#include "tests/support/wait_until.h"

namespace weft::testing {

class ObservedClock final : public common::concurrency::Clock {
 public:
  // How many times Now() had been called when a change of time took effect.
  using ReadCount = uint64_t;

  explicit ObservedClock(TimePoint start = TimePoint{}) : now_(start) {}

  TimePoint Now() const override;
  // Moves time forward; every Now() counted after the returned count sees the new time.
  ReadCount Advance(std::chrono::nanoseconds delta);
  // Waits until Now() was called `reads` more times after `since`; false on timeout.
  bool WaitForReadsAfter(ReadCount since, uint64_t reads,
                         std::chrono::milliseconds timeout = kHangGuard) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable read_;
  TimePoint now_;                // guarded by mu_
  mutable ReadCount reads_ = 0;  // guarded by mu_
};

}  // namespace weft::testing
