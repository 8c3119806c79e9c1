#include "common/concurrency/thread_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace weft::common::concurrency {
namespace {

TEST_CASE("ThreadPool runs every submitted task before Shutdown returns") {
  std::atomic<int> done{0};
  ThreadPool pool(2);
  CHECK(pool.size() == 2);
  for (int i = 0; i < 100; ++i) {
    REQUIRE(pool.Submit([&done] { done.fetch_add(1); }).ok());
  }
  pool.Shutdown();
  CHECK(done == 100);
}

TEST_CASE("ThreadPool runs tasks on its worker threads, not the caller's") {
  ThreadPool pool(2);
  std::promise<std::thread::id> ran_on;
  REQUIRE(pool.Submit([&ran_on] { ran_on.set_value(std::this_thread::get_id()); }).ok());
  CHECK(ran_on.get_future().get() != std::this_thread::get_id());
}

TEST_CASE("ThreadPool runs tasks concurrently up to its size") {
  ThreadPool pool(2);
  // Each task waits for the other to start: both can only see each other if
  // they run at the same time.
  std::promise<void> a_started, b_started;
  auto a = a_started.get_future().share();
  auto b = b_started.get_future().share();
  std::promise<bool> a_saw_b, b_saw_a;
  REQUIRE(pool.Submit([&, b] {
                a_started.set_value();
                a_saw_b.set_value(b.wait_for(std::chrono::seconds(10)) ==
                                  std::future_status::ready);
              })
              .ok());
  REQUIRE(pool.Submit([&, a] {
                b_started.set_value();
                b_saw_a.set_value(a.wait_for(std::chrono::seconds(10)) ==
                                  std::future_status::ready);
              })
              .ok());
  CHECK(a_saw_b.get_future().get());
  CHECK(b_saw_a.get_future().get());
}

TEST_CASE("ThreadPool accepts move-only tasks") {
  ThreadPool pool(1);
  auto value = std::make_unique<int>(41);
  std::promise<int> result;
  REQUIRE(pool.Submit([v = std::move(value), &result] { result.set_value(*v + 1); }).ok());
  CHECK(result.get_future().get() == 42);
}

TEST_CASE("ThreadPool rejects tasks after Shutdown with FailedPrecondition") {
  ThreadPool pool(1);
  pool.Shutdown();
  bool ran = false;
  const Status status = pool.Submit([&ran] { ran = true; });
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  pool.Shutdown();  // idempotent
  CHECK_FALSE(ran);
}

TEST_CASE("InlineExecutor runs the task before Submit returns") {
  InlineExecutor executor;
  bool ran = false;
  REQUIRE(executor.Submit([&ran] { ran = true; }).ok());
  CHECK(ran);
}

}  // namespace
}  // namespace weft::common::concurrency
