// Shared helpers for turning config into channel arguments. Private.
#pragma once

#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <climits>

#include "common/grpc/server.h"

namespace weft::common::grpc::impl {

inline int Millis(std::chrono::milliseconds duration) {
  return duration.count() > INT_MAX ? INT_MAX : static_cast<int>(duration.count());
}

// Applies `args` through `set_int` / `set_string` callables.
template <typename SetInt, typename SetString>
void ApplyChannelArgs(const ChannelArgs& args, SetInt set_int, SetString set_string) {
  for (const auto& [name, value] : args) {
    if (const int* number = std::get_if<int>(&value)) {
      set_int(name, *number);
    } else {
      set_string(name, std::get<std::string>(value));
    }
  }
}

}  // namespace weft::common::grpc::impl
