// The seam for "run this somewhere else": components that fan work out (the
// committer's parallel validation) take an Executor, so tests can pass an
// inline one and the composition root a ThreadPool.
//
// Thread-safety: implementations must accept Submit from any thread.
#pragma once

#include "absl/functional/any_invocable.h"
#include "common/status/status.h"

namespace weft::common::concurrency {

using Task = absl::AnyInvocable<void() &&>;

class Executor {
 public:
  virtual ~Executor() = default;
  // Queues `task` to run once. Fails with FailedPrecondition once the executor
  // has been shut down; the task is then dropped without running.
  [[nodiscard]] virtual Status Submit(Task task) = 0;
};

// Runs each task on the calling thread before Submit returns. Thread-safe.
class InlineExecutor final : public Executor {
 public:
  [[nodiscard]] Status Submit(Task task) override {
    std::move(task)();
    return absl::OkStatus();
  }
};

}  // namespace weft::common::concurrency
