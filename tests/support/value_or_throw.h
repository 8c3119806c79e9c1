// Unwraps a StatusOr inside test fixtures and builders, where there is no Catch2
// context to REQUIRE in: a failure throws std::runtime_error "<what>: <message>",
// which Catch2 reports with the test that hit it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "common/status/status.h"

namespace weft::testing {

template <typename T>
T ValueOrThrow(StatusOr<T> value, std::string_view what) {
  if (!value.ok()) {
    throw std::runtime_error(std::string(what) + ": " + std::string(value.status().message()));
  }
  return *std::move(value);
}

}  // namespace weft::testing
