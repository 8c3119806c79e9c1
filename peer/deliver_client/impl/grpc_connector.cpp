#include "peer/deliver_client/grpc_connector.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <mutex>
#include <stop_token>
#include <utility>

#include "common/crypto/hash.h"
#include "common/crypto/x509.h"
#include "common/grpc/channel.h"
#include "common/grpc/status_mapping.h"
#include "common/settings/tls_material.h"
#include "fmt/format.h"
#include "orderer/ab.grpc.pb.h"

namespace weft::peer::deliver_client {
namespace {

constexpr std::chrono::milliseconds kStopCheckInterval{100};

class GrpcDeliverStream final : public DeliverStream {
 public:
  GrpcDeliverStream(std::shared_ptr<::grpc::Channel> channel, std::string address)
      : channel_(std::move(channel)),
        stub_(::orderer::AtomicBroadcast::NewStub(channel_)),
        address_(std::move(address)) {}

  ~GrpcDeliverStream() override {
    Cancel();
    if (stream_ != nullptr) (void)stream_->Finish();
  }

  [[nodiscard]] Status Open(const ::common::Envelope& seek_info) {
    stream_ = stub_->Deliver(&context_);
    if (!stream_->Write(seek_info)) {
      const ::grpc::Status finished = stream_->Finish();
      stream_ = nullptr;
      return Annotate(common::grpc::FromGrpcStatus(finished),
                      fmt::format("sending the seek request to {}", address_));
    }
    return absl::OkStatus();
  }

  [[nodiscard]] StatusOr<::orderer::DeliverResponse> Recv() override {
    ::orderer::DeliverResponse response;
    if (stream_ != nullptr && stream_->Read(&response)) return response;
    if (stream_ == nullptr) return absl::UnavailableError("deliver stream is closed");
    const ::grpc::Status finished = stream_->Finish();
    stream_ = nullptr;
    if (finished.ok()) {
      return absl::UnavailableError(
          fmt::format("orderer {} hung up without sending status", address_));
    }
    return Annotate(common::grpc::FromGrpcStatus(finished),
                    fmt::format("deliver stream from {}", address_));
  }

  void Cancel() override { context_.TryCancel(); }

 private:
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<::orderer::AtomicBroadcast::Stub> stub_;
  std::string address_;
  ::grpc::ClientContext context_;
  std::unique_ptr<::grpc::ClientReaderWriter<::common::Envelope, ::orderer::DeliverResponse>>
      stream_;
};

class GrpcConnector final : public Connector {
 public:
  GrpcConnector(common::settings::GrpcClientSettings client, std::chrono::milliseconds conn_timeout)
      : client_(std::move(client)), conn_timeout_(conn_timeout) {}

  [[nodiscard]] StatusOr<std::unique_ptr<DeliverStream>> Connect(
      const OrdererEndpoint& endpoint, const ::common::Envelope& seek_info,
      std::stop_token stop) override {
    common::settings::GrpcClientSettings settings = client_;
    // deliveryclient.go DialerAdapter: the endpoint's CAs replace the server root CAs.
    settings.tls.root_cas.clear();
    settings.tls.root_ca_pems = endpoint.root_cas;
    WEFT_ASSIGN_OR_RETURN(auto channel, common::grpc::MakeChannel(endpoint.address, settings));
    // Waits in short slices so that Stop() need not wait out connTimeout.
    const auto deadline = std::chrono::system_clock::now() + conn_timeout_;
    while (!channel->WaitForConnected(
        std::min(deadline, std::chrono::system_clock::now() + kStopCheckInterval))) {
      if (stop.stop_requested()) {
        return absl::CancelledError(fmt::format("dialing '{}' stopped", endpoint.address));
      }
      if (std::chrono::system_clock::now() >= deadline) {
        return absl::UnavailableError(fmt::format("could not dial endpoint '{}' within {} ms",
                                                  endpoint.address, conn_timeout_.count()));
      }
    }
    auto stream = std::make_unique<GrpcDeliverStream>(std::move(channel), endpoint.address);
    WEFT_RETURN_IF_ERROR(stream->Open(seek_info));
    return std::unique_ptr<DeliverStream>(std::move(stream));
  }

 private:
  const common::settings::GrpcClientSettings client_;
  const std::chrono::milliseconds conn_timeout_;
};

}  // namespace

std::unique_ptr<Connector> NewGrpcConnector(common::settings::GrpcClientSettings client,
                                            std::chrono::milliseconds conn_timeout) {
  return std::make_unique<GrpcConnector>(std::move(client), conn_timeout);
}

std::unique_ptr<Connector> NewGrpcConnector(
    common::settings::GrpcClientSettings client,
    const common::config::DeliveryClientSettings& delivery_client) {
  client.keepalive = delivery_client.keepalive;
  return NewGrpcConnector(std::move(client), delivery_client.conn_timeout);
}

[[nodiscard]] StatusOr<std::string> ClientTlsCertHash(
    const common::settings::GrpcClientSettings& client) {
  if (!client.tls.enabled) return std::string();
  WEFT_ASSIGN_OR_RETURN(auto material, common::settings::LoadTlsMaterial(client.tls));
  if (material.certificate.empty()) return std::string();
  WEFT_ASSIGN_OR_RETURN(auto cert, common::crypto::Certificate::FromPem(material.certificate));
  return common::crypto::Sha256(cert.der());
}

}  // namespace weft::peer::deliver_client
