#include "common/grpc/cancellation.h"

#include <condition_variable>
#include <mutex>

namespace weft::common::grpc {

CancellationWatcher::CancellationWatcher(::grpc::ServerContext& context,
                                         std::chrono::milliseconds poll)
    : watcher_([&context, this, poll](std::stop_token done) {
        // The wait ends as soon as the call's handler is done, so that the watcher
        // never holds the answer back for the rest of a poll interval.
        std::mutex mu;
        std::condition_variable_any woken;
        std::unique_lock lock(mu);
        while (!done.stop_requested()) {
          if (context.IsCancelled()) {
            cancelled_.request_stop();
            return;
          }
          woken.wait_for(lock, done, poll, [] { return false; });
        }
      }) {}

}  // namespace weft::common::grpc
