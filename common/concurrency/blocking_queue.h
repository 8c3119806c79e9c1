// A FIFO queue between threads, bounded or unbounded, that can be closed:
// the C++ form of the Go channels that feed Fabric's per-channel loops.
//
// After Close(), pushes fail and pops drain the remaining items, then return
// std::nullopt. Timed pops wait on the real steady clock (they are for
// shutdown-responsive loops, not for logical timeouts; use a Clock for those).
//
// Thread-safety: thread-safe; any number of producers and consumers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace weft::common::concurrency {

template <typename T>
class BlockingQueue {
 public:
  // capacity 0 means unbounded.
  explicit BlockingQueue(std::size_t capacity = 0) : capacity_(capacity) {}
  BlockingQueue(const BlockingQueue&) = delete;
  BlockingQueue& operator=(const BlockingQueue&) = delete;

  // Blocks while the queue is full. Returns false (dropping `item`) if the
  // queue is or becomes closed.
  bool Push(T item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [this] { return closed_ || !FullLocked(); });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Returns false without blocking if the queue is full or closed.
  bool TryPush(T item) {
    std::lock_guard lock(mu_);
    if (closed_ || FullLocked()) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Blocks until an item is available; std::nullopt once closed and drained.
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [this] { return closed_ || !items_.empty(); });
    return TakeLocked();
  }

  // Like Pop, but also returns std::nullopt when `timeout` passes first.
  template <typename Rep, typename Period>
  std::optional<T> PopFor(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mu_);
    not_empty_.wait_for(lock, timeout, [this] { return closed_ || !items_.empty(); });
    return TakeLocked();
  }

  std::optional<T> TryPop() {
    std::lock_guard lock(mu_);
    return TakeLocked();
  }

  // Idempotent. Wakes every blocked Push and Pop.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }

 private:
  bool FullLocked() const { return capacity_ != 0 && items_.size() >= capacity_; }

  std::optional<T> TakeLocked() {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;  // guarded by mu_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace weft::common::concurrency
