#include "common/status/status.h"

#include <catch2/catch.hpp>

namespace {

[[nodiscard]] weft::StatusOr<int> ParsePositive(int value) {
  if (value <= 0) return absl::InvalidArgumentError("value must be positive");
  return value;
}

[[nodiscard]] weft::StatusOr<int> Doubled(int value) {
  WEFT_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

[[nodiscard]] weft::Status CheckBoth(int a, int b) {
  WEFT_RETURN_IF_ERROR(ParsePositive(a).status());
  WEFT_RETURN_IF_ERROR(ParsePositive(b).status());
  return absl::OkStatus();
}

}  // namespace

TEST_CASE("ASSIGN_OR_RETURN passes a value through and returns the first error") {
  REQUIRE(Doubled(4).value() == 8);
  auto failed = Doubled(-1);
  REQUIRE(failed.status().code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(failed.status().message() == "value must be positive");
}

TEST_CASE("RETURN_IF_ERROR stops at the first failing call") {
  REQUIRE(CheckBoth(1, 2).ok());
  REQUIRE(CheckBoth(1, 0).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Annotate keeps the code and prefixes the message") {
  auto annotated = weft::Annotate(absl::NotFoundError("no such key"), "reading core.yaml");
  REQUIRE(annotated.code() == absl::StatusCode::kNotFound);
  REQUIRE(annotated.message() == "reading core.yaml: no such key");
  REQUIRE(weft::Annotate(absl::OkStatus(), "anything").ok());
}
