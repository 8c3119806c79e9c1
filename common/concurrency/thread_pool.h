// A fixed number of worker threads running submitted tasks in FIFO order.
//
// Shutdown() (also run by the destructor) stops accepting tasks, lets the
// workers finish everything already queued, and joins them. Tasks must not
// call Shutdown() or destroy the pool themselves.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "common/concurrency/blocking_queue.h"
#include "common/concurrency/executor.h"

namespace weft::common::concurrency {

class ThreadPool final : public Executor {
 public:
  // REQUIRES: threads > 0.
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  [[nodiscard]] Status Submit(Task task) override;
  void Shutdown();
  std::size_t size() const { return workers_.size(); }

 private:
  void RunWorker();

  BlockingQueue<Task> tasks_;
  std::vector<std::thread> workers_;
  std::once_flag joined_;
};

}  // namespace weft::common::concurrency
