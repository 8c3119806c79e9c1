#include "common/grpc/process.h"

#include "absl/synchronization/mutex.h"

namespace weft::common::grpc {

void DisableAbslDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace weft::common::grpc
