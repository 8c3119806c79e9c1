// absl::Status <-> grpc::Status. The two code sets are the same canonical
// codes; messages pass through unchanged.
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "common/status/status.h"

namespace weft::common::grpc {

::grpc::StatusCode ToGrpcCode(absl::StatusCode code);
absl::StatusCode FromGrpcCode(::grpc::StatusCode code);

::grpc::Status ToGrpcStatus(const Status& status);
// Also sends `serialized_details` (a serialized google.rpc.Status, e.g. with
// gateway.ErrorDetail entries) in the grpc-status-details-bin trailer. An OK
// status carries no details.
::grpc::Status ToGrpcStatus(const Status& status, std::string serialized_details);

[[nodiscard]] Status FromGrpcStatus(const ::grpc::Status& status);

}  // namespace weft::common::grpc
