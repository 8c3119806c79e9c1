#include "common/concurrency/clock.h"

#include <catch2/catch.hpp>
#include <chrono>

namespace weft::common::concurrency {
namespace {

using namespace std::chrono_literals;

TEST_CASE("ManualClock stands still until advanced or set") {
  const Clock::TimePoint start = Clock::TimePoint{} + 1000h;
  ManualClock clock(start);
  CHECK(clock.Now() == start);
  CHECK(clock.Now() == start);
  clock.Advance(1500ms);
  CHECK(clock.Now() == start + 1500ms);
  clock.Set(start + 1h);
  CHECK(clock.Now() == start + 1h);
}

TEST_CASE("SystemClock reports the wall clock") {
  SystemClock clock;
  const Clock& as_seam = clock;
  const auto before = std::chrono::system_clock::now();
  const auto now = as_seam.Now();
  const auto after = std::chrono::system_clock::now();
  CHECK(before <= now);
  CHECK(now <= after);
}

}  // namespace
}  // namespace weft::common::concurrency
