#include "tests/support/observed_clock.h"

namespace weft::testing {

ObservedClock::TimePoint ObservedClock::Now() const {
  std::lock_guard lock(mu_);
  ++reads_;
  read_.notify_all();
  return now_;
}

ObservedClock::ReadCount ObservedClock::Advance(std::chrono::nanoseconds delta) {
  std::lock_guard lock(mu_);
  now_ += std::chrono::duration_cast<TimePoint::duration>(delta);
  return reads_;
}

bool ObservedClock::WaitForReadsAfter(ReadCount since, uint64_t reads,
                                      std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return read_.wait_for(lock, timeout, [&] { return reads_ >= since + reads; });
}

}  // namespace weft::testing
