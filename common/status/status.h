// The one error model of Weft: absl::Status / absl::StatusOr<T> at every module
// boundary. This header adds the two propagation macros absl does not publish.
// Thread-safety: stateless.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace weft {

using Status = absl::Status;
template <typename T>
using StatusOr = absl::StatusOr<T>;

// Prefixes the message of a non-OK status with context, keeping its code:
// Annotate(s, "loading orderer.yaml") -> "loading orderer.yaml: <message>".
[[nodiscard]] inline Status Annotate(const Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

}  // namespace weft

#define WEFT_STATUS_CONCAT_INNER_(a, b) a##b
#define WEFT_STATUS_CONCAT_(a, b) WEFT_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define WEFT_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::absl::Status weft_status_ = (expr);        \
    if (!weft_status_.ok()) return weft_status_; \
  } while (false)

// WEFT_ASSIGN_OR_RETURN(auto value, FunctionReturningStatusOr());
#define WEFT_ASSIGN_OR_RETURN(lhs, expr) \
  WEFT_ASSIGN_OR_RETURN_IMPL_(WEFT_STATUS_CONCAT_(weft_statusor_, __LINE__), lhs, expr)
#define WEFT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()
