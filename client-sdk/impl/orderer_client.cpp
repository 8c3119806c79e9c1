#include "client-sdk/orderer_client.h"

#include <grpcpp/grpcpp.h>

#include "common/channelconfig/block_verifier.h"
#include "common/channelconfig/channel_config.h"
#include "common/grpc/channel.h"
#include "common/grpc/status_mapping.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "fmt/format.h"
#include "orderer/ab.grpc.pb.h"

namespace weft::client {

struct OrdererClient::Connection {
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::orderer::AtomicBroadcast::Stub> stub;
};

StatusOr<std::unique_ptr<OrdererClient>> OrdererClient::Connect(
    const std::string& target, const common::settings::GrpcClientSettings& settings) {
  WEFT_ASSIGN_OR_RETURN(auto channel, common::grpc::MakeChannel(target, settings));
  auto connection = std::make_unique<Connection>();
  connection->stub = ::orderer::AtomicBroadcast::NewStub(channel);
  connection->channel = std::move(channel);
  return std::unique_ptr<OrdererClient>(new OrdererClient(target, std::move(connection)));
}

OrdererClient::OrdererClient(std::string address, std::unique_ptr<Connection> connection)
    : address_(std::move(address)), connection_(std::move(connection)) {}
OrdererClient::~OrdererClient() = default;

StatusOr<std::vector<::orderer::BroadcastResponse>> OrdererClient::Broadcast(
    const std::vector<::common::Envelope>& envelopes, std::chrono::milliseconds timeout) {
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  auto stream = connection_->stub->Broadcast(&context);
  std::vector<::orderer::BroadcastResponse> responses;
  for (const auto& envelope : envelopes) {
    if (!stream->Write(envelope)) break;
    ::orderer::BroadcastResponse response;
    if (!stream->Read(&response)) break;
    responses.push_back(response);
    if (response.status() != ::common::SUCCESS) break;
  }
  stream->WritesDone();
  ::grpc::Status finished = stream->Finish();
  if (!finished.ok() && responses.empty()) {
    return Annotate(common::grpc::FromGrpcStatus(finished), "broadcast");
  }
  return responses;
}

StatusOr<::orderer::BroadcastResponse> OrdererClient::Submit(const ::common::Envelope& envelope,
                                                             std::chrono::milliseconds timeout) {
  WEFT_ASSIGN_OR_RETURN(auto responses, Broadcast({envelope}, timeout));
  if (responses.empty()) {
    return absl::UnavailableError(
        fmt::format("orderer {} ended the broadcast stream without an answer", address_));
  }
  return responses.front();
}

StatusOr<std::unique_ptr<BroadcastClient>> BroadcastClient::Connect(
    const std::vector<std::string>& targets, const common::settings::GrpcClientSettings& settings) {
  if (targets.empty()) return absl::InvalidArgumentError("no orderer endpoints given");
  std::vector<std::unique_ptr<OrdererClient>> orderers;
  for (const std::string& target : targets) {
    WEFT_ASSIGN_OR_RETURN(auto orderer, OrdererClient::Connect(target, settings));
    orderers.push_back(std::move(orderer));
  }
  return std::unique_ptr<BroadcastClient>(new BroadcastClient(std::move(orderers)));
}

Status BroadcastClient::Submit(const ::common::Envelope& envelope) {
  std::vector<std::string> failures;
  for (const auto& orderer : orderers_) {
    auto response = orderer->Submit(envelope);
    if (!response.ok()) {
      failures.push_back(
          fmt::format("{}: {}", orderer->address(), std::string(response.status().message())));
      continue;
    }
    const ::common::Status status = response->status();
    if (status == ::common::SUCCESS) return absl::OkStatus();
    const std::string name = ::common::Status_Name(status);
    if (status >= 400 && status < 500) {
      return absl::AbortedError(
          fmt::format("received unsuccessful response from orderer: status={}, info={}", name,
                      response->info()));
    }
    failures.push_back(
        fmt::format("{}: status={}, info={}", orderer->address(), name, response->info()));
  }
  return absl::UnavailableError(fmt::format(
      "no orderers could successfully process transaction: {}", fmt::join(failures, "; ")));
}

StatusOr<::common::Status> OrdererClient::Deliver(
    const std::string& channel_id, uint64_t start, uint64_t stop,
    const common::protoutil::Signer& signer, bool wait,
    const std::function<bool(const ::common::Block&)>& on_block) {
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_specified()->set_number(start);
  seek.mutable_stop()->mutable_specified()->set_number(stop);
  seek.set_behavior(wait ? ::orderer::SeekInfo::BLOCK_UNTIL_READY
                         : ::orderer::SeekInfo::FAIL_IF_NOT_READY);
  WEFT_ASSIGN_OR_RETURN(auto request,
                        common::protoutil::CreateSeekInfoEnvelope(channel_id, seek, signer));
  return Deliver(request, on_block);
}

StatusOr<::common::Status> OrdererClient::Deliver(
    const ::common::Envelope& seek_request,
    const std::function<bool(const ::common::Block&)>& on_block) {
  ::grpc::ClientContext context;
  auto stream = connection_->stub->Deliver(&context);
  if (!stream->Write(seek_request)) {
    return Annotate(common::grpc::FromGrpcStatus(stream->Finish()), "deliver");
  }
  stream->WritesDone();
  ::orderer::DeliverResponse response;
  while (stream->Read(&response)) {
    if (response.has_block()) {
      if (!on_block(response.block())) {
        context.TryCancel();
        stream->Finish();
        return ::common::SUCCESS;
      }
      continue;
    }
    ::common::Status status = response.status();
    context.TryCancel();
    stream->Finish();
    return status;
  }
  return Annotate(common::grpc::FromGrpcStatus(stream->Finish()),
                  fmt::format("deliver stream from {} ended without a status", address_));
}

StatusOr<ChainVerifier> ChainVerifier::FromGenesis(const ::common::Block& genesis) {
  if (genesis.header().number() != 0) {
    return absl::InvalidArgumentError(
        fmt::format("block {} is not a genesis block", genesis.header().number()));
  }
  ChainVerifier verifier;
  WEFT_ASSIGN_OR_RETURN(verifier.config_,
                        common::channelconfig::ChannelConfig::FromConfigBlock(genesis));
  verifier.next_number_ = 1;
  verifier.last_hash_ = common::protoutil::BlockHeaderHash(genesis.header());
  return verifier;
}

Status ChainVerifier::Verify(const ::common::Block& block) {
  if (block.header().number() != next_number_) {
    return absl::InvalidArgumentError(
        fmt::format("expected block {}, got block {}", next_number_, block.header().number()));
  }
  WEFT_RETURN_IF_ERROR(common::channelconfig::VerifyBlock(*config_, block, last_hash_));
  // A config block's configuration governs the blocks after it.
  if (auto contents = common::channelconfig::OpenConfigBlock(block); contents.ok()) {
    WEFT_ASSIGN_OR_RETURN(config_, common::channelconfig::ChannelConfig::FromConfig(
                                       contents->channel_id, contents->envelope.config()));
  }
  last_hash_ = common::protoutil::BlockHeaderHash(block.header());
  ++next_number_;
  return absl::OkStatus();
}

}  // namespace weft::client
