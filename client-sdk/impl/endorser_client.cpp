#include "client-sdk/endorser_client.h"

#include <grpcpp/grpcpp.h>

#include <future>
#include <optional>

#include "common/grpc/channel.h"
#include "common/grpc/status_mapping.h"
#include "fmt/format.h"
#include "peer/peer.grpc.pb.h"

namespace weft::client {

struct EndorserClient::Connection {
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::protos::Endorser::Stub> stub;
};

StatusOr<std::unique_ptr<EndorserClient>> EndorserClient::Connect(
    const std::string& target, const common::settings::GrpcClientSettings& settings) {
  auto channel = common::grpc::MakeChannel(target, settings);
  if (!channel.ok()) return Annotate(channel.status(), fmt::format("endorser {}", target));
  auto connection = std::make_unique<Connection>();
  connection->stub = ::protos::Endorser::NewStub(*channel);
  connection->channel = *std::move(channel);
  return std::unique_ptr<EndorserClient>(new EndorserClient(target, std::move(connection)));
}

EndorserClient::EndorserClient(std::string address, std::unique_ptr<Connection> connection)
    : address_(std::move(address)), connection_(std::move(connection)) {}
EndorserClient::~EndorserClient() = default;

StatusOr<::protos::ProposalResponse> EndorserClient::ProcessProposal(
    const ::protos::SignedProposal& proposal, std::chrono::milliseconds timeout) const {
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  ::protos::ProposalResponse response;
  ::grpc::Status status = connection_->stub->ProcessProposal(&context, proposal, &response);
  if (!status.ok()) {
    return Annotate(common::grpc::FromGrpcStatus(status), fmt::format("endorser {}", address_));
  }
  return response;
}

[[nodiscard]] StatusOr<std::vector<::protos::ProposalResponse>> Endorse(
    std::span<const EndorserClient* const> endorsers, const ::protos::SignedProposal& proposal,
    std::chrono::milliseconds timeout) {
  if (endorsers.empty()) return absl::InvalidArgumentError("no endorsing peers given");
  // Every peer at once, as the peer CLI's processProposals does.
  std::vector<std::future<StatusOr<::protos::ProposalResponse>>> pending;
  pending.reserve(endorsers.size());
  for (const EndorserClient* endorser : endorsers) {
    pending.push_back(std::async(std::launch::async, [endorser, &proposal, timeout] {
      return endorser->ProcessProposal(proposal, timeout);
    }));
  }
  std::vector<::protos::ProposalResponse> responses;
  std::vector<std::string> failures;
  std::optional<absl::StatusCode> transport_code;
  for (size_t i = 0; i < pending.size(); ++i) {
    auto response = pending[i].get();
    const std::string& address = endorsers[i]->address();
    if (!response.ok()) {
      if (!transport_code) transport_code = response.status().code();
      failures.push_back(fmt::format("{}: {}", address, std::string(response.status().message())));
      continue;
    }
    const int32_t status = response->response().status();
    if (status < 200 || status >= 400) {
      failures.push_back(
          fmt::format("{}: status {}: {}", address, status, response->response().message()));
      continue;
    }
    responses.push_back(*std::move(response));
  }
  if (failures.empty()) return responses;
  return Status(transport_code.value_or(absl::StatusCode::kAborted),
                fmt::format("endorsement failed on {} of {} peers: {}", failures.size(),
                            endorsers.size(), fmt::join(failures, "; ")));
}

}  // namespace weft::client
