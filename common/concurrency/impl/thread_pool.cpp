#include "common/concurrency/thread_pool.h"

#include <cstdlib>
#include <mutex>

namespace weft::common::concurrency {

ThreadPool::ThreadPool(std::size_t threads) {
  if (threads == 0) std::abort();  // Broken invariant: a pool that never runs anything.
  workers_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { RunWorker(); });
}

ThreadPool::~ThreadPool() { Shutdown(); }

Status ThreadPool::Submit(Task task) {
  if (!tasks_.Push(std::move(task))) {
    return absl::FailedPreconditionError("thread pool is shut down; task not accepted");
  }
  return absl::OkStatus();
}

void ThreadPool::Shutdown() {
  tasks_.Close();
  std::call_once(joined_, [this] {
    for (auto& worker : workers_) worker.join();
  });
}

void ThreadPool::RunWorker() {
  while (auto task = tasks_.Pop()) std::move (*task)();
}

}  // namespace weft::common::concurrency
