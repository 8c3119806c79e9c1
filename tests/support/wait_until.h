// Waiting for another thread's effect in tests: poll a condition until it holds or
// a generous deadline passes (a hang guard, not a timing assumption). Prefer a
// condition variable exposed by a fake when there is one; this is for state only
// observable by polling (a store being closed, a stream having sent two blocks).
// Thread-safety: stateless.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace weft::testing {

// How long tests wait for something that normally takes milliseconds.
inline constexpr std::chrono::seconds kHangGuard{20};

// True as soon as `condition()` holds; false if it still does not after `timeout`.
template <typename Condition>
bool WaitUntil(Condition&& condition, std::chrono::milliseconds timeout = kHangGuard) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(100);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace weft::testing
