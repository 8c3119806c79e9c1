// Unwraps a StatusOr in a Catch2 test case's own thread: REQUIREs it is OK, with its
// status in the failure report. (Fixtures and builders, which have no Catch2 context,
// use ValueOrThrow.)
#pragma once

#include <catch2/catch.hpp>
#include <utility>

#include "common/status/status.h"

namespace weft::testing {

template <typename T>
T RequireOk(StatusOr<T> value) {
  INFO(value.status().ToString());
  REQUIRE(value.ok());
  return *std::move(value);
}

}  // namespace weft::testing
