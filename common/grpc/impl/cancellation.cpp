#include "common/grpc/cancellation.h"

namespace weft::common::grpc {

CancellationWatcher::CancellationWatcher(::grpc::ServerContext& context,
                                         std::chrono::milliseconds poll)
    : watcher_([&context, this, poll](std::stop_token done) {
        while (!done.stop_requested()) {
          if (context.IsCancelled()) {
            cancelled_.request_stop();
            return;
          }
          std::this_thread::sleep_for(poll);
        }
      }) {}

}  // namespace weft::common::grpc
