#include "peer/ledger/commit_lock.h"

namespace weft::peer::ledger {

void CommitLock::lock() {
  std::unique_lock guard(mu_);
  ++waiting_writers_;
  writers_cv_.wait(guard, [this] { return !writer_active_ && readers_ == 0; });
  --waiting_writers_;
  writer_active_ = true;
}

bool CommitLock::try_lock() {
  std::lock_guard guard(mu_);
  if (writer_active_ || readers_ > 0) return false;
  writer_active_ = true;
  return true;
}

void CommitLock::unlock() {
  {
    std::lock_guard guard(mu_);
    writer_active_ = false;
  }
  // A waiting writer goes first; readers re-check and wait again if one does.
  writers_cv_.notify_one();
  readers_cv_.notify_all();
}

void CommitLock::lock_shared() {
  std::unique_lock guard(mu_);
  readers_cv_.wait(guard, [this] { return ReaderMayEnter(); });
  ++readers_;
}

bool CommitLock::try_lock_shared() {
  std::lock_guard guard(mu_);
  if (!ReaderMayEnter()) return false;
  ++readers_;
  return true;
}

void CommitLock::unlock_shared() {
  bool wake_writer;
  {
    std::lock_guard guard(mu_);
    --readers_;
    wake_writer = readers_ == 0 && waiting_writers_ > 0;
  }
  if (wake_writer) writers_cv_.notify_one();
}

std::size_t CommitLock::waiting_writers() const {
  std::lock_guard guard(mu_);
  return waiting_writers_;
}

}  // namespace weft::peer::ledger
