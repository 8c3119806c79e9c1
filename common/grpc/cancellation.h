// A stop token for a synchronous gRPC call: requested once the call is cancelled
// (the client went away, its deadline passed, or the server is shutting down), so
// that a handler blocked waiting for something else — a Deliver stream waiting for
// the next block — ends promptly. The sync API offers no callback for this, so a
// small thread polls ServerContext::IsCancelled.
// Thread-safety: token() may be used from any thread; the watcher belongs to the call.
#pragma once

#include <grpcpp/server_context.h>

#include <chrono>
#include <stop_token>
#include <thread>

namespace weft::common::grpc {

class CancellationWatcher {
 public:
  // `context` must outlive the watcher (it does: the watcher lives in the handler).
  explicit CancellationWatcher(::grpc::ServerContext& context,
                               std::chrono::milliseconds poll = std::chrono::milliseconds(100));
  CancellationWatcher(const CancellationWatcher&) = delete;
  CancellationWatcher& operator=(const CancellationWatcher&) = delete;

  std::stop_token token() const { return cancelled_.get_token(); }
  bool cancelled() const { return cancelled_.stop_requested(); }

 private:
  std::stop_source cancelled_;
  std::jthread watcher_;  // last: stops and joins before the source goes away
};

}  // namespace weft::common::grpc
