#include "common/concurrency/blocking_queue.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "tests/support/wait_until.h"
#include "tests/support/worker_thread.h"

namespace weft::common::concurrency {
namespace {

using namespace std::chrono_literals;

TEST_CASE("BlockingQueue hands items out in the order they were pushed") {
  BlockingQueue<int> queue;
  for (int i = 0; i < 5; ++i) REQUIRE(queue.Push(i));
  CHECK(queue.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(queue.Pop() == i);
}

TEST_CASE("BlockingQueue carries move-only items") {
  BlockingQueue<std::unique_ptr<std::string>> queue;
  REQUIRE(queue.Push(std::make_unique<std::string>("block")));
  auto item = queue.Pop();
  REQUIRE(item.has_value());
  CHECK(**item == "block");
}

TEST_CASE("A bounded BlockingQueue refuses TryPush when full and blocks Push until a pop") {
  BlockingQueue<int> queue(2);
  REQUIRE(queue.TryPush(1));
  REQUIRE(queue.TryPush(2));
  CHECK_FALSE(queue.TryPush(3));

  weft::testing::WorkerThread producer(
      [&](weft::testing::FailureLog& failures) { failures.Expect(queue.Push(3), "Push(3)"); });
  // The producer cannot finish until there is room; popping makes room.
  CHECK(queue.Pop() == 1);
  CHECK(producer.Join() == weft::testing::kNoFailures);
  CHECK(queue.Pop() == 2);
  CHECK(queue.Pop() == 3);
}

TEST_CASE("PopFor returns nothing when no item arrives in time") {
  BlockingQueue<int> queue;
  CHECK_FALSE(queue.PopFor(20ms).has_value());
  CHECK_FALSE(queue.TryPop().has_value());
}

TEST_CASE("PopFor returns an item pushed by another thread while waiting") {
  BlockingQueue<int> queue;
  weft::testing::WorkerThread producer(
      [&](weft::testing::FailureLog& failures) { failures.Expect(queue.Push(7), "Push(7)"); });
  // Generous timeout: the test only fails if the wakeup is lost.
  CHECK(queue.PopFor(weft::testing::kHangGuard) == 7);
  CHECK(producer.Join() == weft::testing::kNoFailures);
}

TEST_CASE("Closing a BlockingQueue drains remaining items, then ends pops and refuses pushes") {
  BlockingQueue<int> queue;
  REQUIRE(queue.Push(1));
  queue.Close();
  CHECK(queue.closed());
  CHECK_FALSE(queue.Push(2));
  CHECK_FALSE(queue.TryPush(2));
  CHECK(queue.Pop() == 1);
  CHECK_FALSE(queue.Pop().has_value());
}

TEST_CASE("Closing a BlockingQueue wakes a blocked consumer and a blocked producer") {
  BlockingQueue<int> empty;
  auto consumer = std::async(std::launch::async, [&] { return empty.Pop(); });
  BlockingQueue<int> full(1);
  REQUIRE(full.Push(1));
  auto producer = std::async(std::launch::async, [&] { return full.Push(2); });

  empty.Close();
  full.Close();
  CHECK_FALSE(consumer.get().has_value());
  CHECK_FALSE(producer.get());
}

}  // namespace
}  // namespace weft::common::concurrency
