// Process-wide settings for programs that run gRPC, applied once from main().
#pragma once

namespace weft::common::grpc {

// gRPC locks with absl::Mutex, and Debian builds Abseil without NDEBUG, which leaves
// Abseil's lock-order (deadlock) detection on: every lock and unlock of every gRPC
// mutex then updates one process-wide graph under a global lock, a hot spot that
// serialises a busy node's threads. Weft's own code does not use absl::Mutex, so the
// detection guards only gRPC's internal lock order, which gRPC's own tests cover.
// Call before the first gRPC object is made.
void DisableAbslDeadlockDetection();

}  // namespace weft::common::grpc
