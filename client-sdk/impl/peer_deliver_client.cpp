#include "client-sdk/peer_deliver_client.h"

#include <grpcpp/grpcpp.h>

#include "common/grpc/channel.h"
#include "common/grpc/status_mapping.h"
#include "common/protoutil/serialize.h"
#include "fmt/format.h"
#include "peer/events.grpc.pb.h"

namespace weft::client {

namespace protoutil = common::protoutil;

[[nodiscard]] StatusOr<::common::Envelope> CreateSeekEnvelope(std::string_view channel_id,
                                                              const ::orderer::SeekInfo& seek_info,
                                                              const protoutil::Signer& signer,
                                                              std::string tls_cert_hash) {
  protoutil::ChannelHeaderFields fields;
  fields.type = ::common::DELIVER_SEEK_INFO;
  fields.channel_id = std::string(channel_id);
  fields.tls_cert_hash = std::move(tls_cert_hash);
  return protoutil::CreateSignedEnvelope(fields, signer,
                                         protoutil::DeterministicSerialize(seek_info));
}

struct PeerDeliverClient::Connection {
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::protos::Deliver::Stub> stub;
};

StatusOr<std::unique_ptr<PeerDeliverClient>> PeerDeliverClient::Connect(
    const std::string& target, const common::settings::GrpcClientSettings& settings) {
  auto channel = common::grpc::MakeChannel(target, settings);
  if (!channel.ok()) return Annotate(channel.status(), fmt::format("peer deliver {}", target));
  auto connection = std::make_unique<Connection>();
  connection->stub = ::protos::Deliver::NewStub(*channel);
  connection->channel = *std::move(channel);
  return std::unique_ptr<PeerDeliverClient>(new PeerDeliverClient(target, std::move(connection)));
}

PeerDeliverClient::PeerDeliverClient(std::string address, std::unique_ptr<Connection> connection)
    : address_(std::move(address)), connection_(std::move(connection)) {}
PeerDeliverClient::~PeerDeliverClient() = default;

namespace {

using Stream = ::grpc::ClientReaderWriter<::common::Envelope, ::protos::DeliverResponse>;

// Runs one deliver stream: `on_response` takes a block-carrying response and
// returns false to stop, or an error for a response of the wrong kind.
[[nodiscard]] StatusOr<::common::Status> RunStream(
    ::grpc::ClientContext& context, Stream& stream, const ::common::Envelope& seek,
    const std::string& what,
    const std::function<StatusOr<bool>(const ::protos::DeliverResponse&)>& on_response) {
  if (!stream.Write(seek)) {
    return Annotate(common::grpc::FromGrpcStatus(stream.Finish()), what);
  }
  stream.WritesDone();
  ::protos::DeliverResponse response;
  while (stream.Read(&response)) {
    if (response.has_status()) {
      const ::common::Status status = response.status();
      context.TryCancel();
      (void)stream.Finish();
      return status;
    }
    auto more = on_response(response);
    if (!more.ok() || !*more) {
      context.TryCancel();
      (void)stream.Finish();
      if (!more.ok()) return Annotate(more.status(), what);
      return ::common::SUCCESS;
    }
  }
  const Status finished = common::grpc::FromGrpcStatus(stream.Finish());
  if (finished.ok()) {
    return absl::UnavailableError(fmt::format("{}: the stream ended without a status", what));
  }
  return Annotate(finished, fmt::format("{}: the stream ended without a status", what));
}

}  // namespace

StatusOr<::common::Status> PeerDeliverClient::Deliver(
    const ::common::Envelope& seek, const std::function<bool(const ::common::Block&)>& on_block) {
  ::grpc::ClientContext context;
  auto stream = connection_->stub->Deliver(&context);
  return RunStream(
      context, *stream, seek, fmt::format("deliver from peer {}", address_),
      [&](const ::protos::DeliverResponse& response) -> StatusOr<bool> {
        if (!response.has_block()) {
          return absl::InternalError(fmt::format("unexpected response type {} on Deliver",
                                                 static_cast<int>(response.Type_case())));
        }
        return on_block(response.block());
      });
}

StatusOr<::common::Status> PeerDeliverClient::DeliverFiltered(
    const ::common::Envelope& seek,
    const std::function<bool(const ::protos::FilteredBlock&)>& on_block,
    std::optional<std::chrono::system_clock::time_point> deadline) {
  ::grpc::ClientContext context;
  if (deadline.has_value()) context.set_deadline(*deadline);
  auto stream = connection_->stub->DeliverFiltered(&context);
  return RunStream(
      context, *stream, seek, fmt::format("filtered deliver from peer {}", address_),
      [&](const ::protos::DeliverResponse& response) -> StatusOr<bool> {
        if (!response.has_filtered_block()) {
          return absl::InternalError(fmt::format("unexpected response type {} on DeliverFiltered",
                                                 static_cast<int>(response.Type_case())));
        }
        return on_block(response.filtered_block());
      });
}

}  // namespace weft::client
