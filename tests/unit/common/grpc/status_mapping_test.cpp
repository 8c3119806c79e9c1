#include "common/grpc/status_mapping.h"

#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>
#include <string>

#include "common/grpc/channel.h"
#include "common/grpc/server.h"
#include "echo.grpc.pb.h"

namespace weft::common::grpc {
namespace {

TEST_CASE("Every canonical status code maps to the same gRPC code and back") {
  const std::pair<absl::StatusCode, ::grpc::StatusCode> table[] = {
      {absl::StatusCode::kOk, ::grpc::StatusCode::OK},
      {absl::StatusCode::kCancelled, ::grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kUnknown, ::grpc::StatusCode::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, ::grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded, ::grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, ::grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, ::grpc::StatusCode::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied, ::grpc::StatusCode::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted, ::grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition, ::grpc::StatusCode::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, ::grpc::StatusCode::ABORTED},
      {absl::StatusCode::kOutOfRange, ::grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, ::grpc::StatusCode::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, ::grpc::StatusCode::INTERNAL},
      {absl::StatusCode::kUnavailable, ::grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, ::grpc::StatusCode::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, ::grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const auto& [absl_code, grpc_code] : table) {
    INFO(absl::StatusCodeToString(absl_code));
    CHECK(ToGrpcCode(absl_code) == grpc_code);
    CHECK(FromGrpcCode(grpc_code) == absl_code);
  }
}

TEST_CASE("Status messages survive the conversion in both directions") {
  const ::grpc::Status to = ToGrpcStatus(absl::AbortedError("endorsement failed"));
  CHECK(to.error_code() == ::grpc::StatusCode::ABORTED);
  CHECK(to.error_message() == "endorsement failed");
  CHECK(to.error_details().empty());

  const Status back = FromGrpcStatus(::grpc::Status(::grpc::StatusCode::NOT_FOUND, "no such tx"));
  CHECK(back.code() == absl::StatusCode::kNotFound);
  CHECK(back.message() == "no such tx");

  CHECK(ToGrpcStatus(absl::OkStatus()).ok());
  CHECK(FromGrpcStatus(::grpc::Status::OK).ok());
}

TEST_CASE("An OK status never carries details") {
  CHECK(ToGrpcStatus(absl::OkStatus(), "details").error_details().empty());
}

// Fails every Echo with the given status and serialized details.
class FailingEcho final : public ::weft::testing::EchoService::Service {
 public:
  ::grpc::Status Echo(::grpc::ServerContext*, const ::weft::testing::EchoMessage*,
                      ::weft::testing::EchoMessage*) override {
    return ToGrpcStatus(absl::FailedPreconditionError("chaincode not found"), details_);
  }
  std::string details_;
};

TEST_CASE("Serialized status details reach the client in the details trailer") {
  FailingEcho service;
  // Any bytes stand in for a serialized google.rpc.Status.
  service.details_ = std::string(
      "\x08\x09\x12\x03"
      "abc",
      7);
  settings::GrpcServerSettings local;
  local.listen_address = "127.0.0.1:0";
  auto built = BuildServer(local, {&service});
  REQUIRE(built.ok());
  auto channel = MakeChannel("127.0.0.1:" + std::to_string(built->port), {});
  REQUIRE(channel.ok());

  auto stub = ::weft::testing::EchoService::NewStub(*channel);
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ::weft::testing::EchoMessage request, response;
  const ::grpc::Status status = stub->Echo(&context, request, &response);
  CHECK(status.error_code() == ::grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(status.error_message() == "chaincode not found");
  CHECK(status.error_details() == service.details_);
  CHECK(FromGrpcStatus(status).code() == absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace weft::common::grpc
