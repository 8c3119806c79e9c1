// The reader/writer lock between a ledger's readers (simulators, query
// executors, block and history reads) and the apply step of its commits.
// Writer-preferring, like Go's sync.RWMutex that Fabric's commitRWLock is:
// once a commit waits, new readers wait behind it, so a steady stream of
// simulations cannot starve commits (std::shared_mutex on glibc prefers
// readers). Consequence: a thread that holds a shared lock must not take it
// again (it could wait behind a queued commit that waits for it).
// Meets the SharedMutex requirements (std::shared_lock, std::unique_lock).
//
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace weft::peer::ledger {

class CommitLock {
 public:
  CommitLock() = default;
  CommitLock(const CommitLock&) = delete;
  CommitLock& operator=(const CommitLock&) = delete;

  void lock();
  bool try_lock();
  void unlock();

  void lock_shared();
  bool try_lock_shared();
  void unlock_shared();

  // Writers waiting for the lock (for tests and metrics).
  std::size_t waiting_writers() const;

 private:
  bool ReaderMayEnter() const { return !writer_active_ && waiting_writers_ == 0; }

  mutable std::mutex mu_;
  std::condition_variable readers_cv_;
  std::condition_variable writers_cv_;
  std::size_t readers_ = 0;          // guarded by mu_
  std::size_t waiting_writers_ = 0;  // guarded by mu_
  bool writer_active_ = false;       // guarded by mu_
};

}  // namespace weft::peer::ledger
