// Protobuf (de)serialisation with Weft's two rules: bytes that another party
// hashes or signs are produced deterministically, and parse failures name
// the layer that was malformed.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <google/protobuf/message_lite.h>

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace weft::common::protoutil {

// Serialises with deterministic map ordering (fabric-interop.md G.8).
std::string DeterministicSerialize(const google::protobuf::MessageLite& message);

// Parses `bytes` as M; on failure: "<what> is not a valid <proto type name>".
template <typename M>
[[nodiscard]] StatusOr<M> ParseMessage(std::string_view bytes, std::string_view what) {
  M message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), " is not a valid ", message.GetTypeName()));
  }
  return message;
}

}  // namespace weft::common::protoutil
