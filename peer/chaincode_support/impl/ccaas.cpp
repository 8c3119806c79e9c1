#include "peer/chaincode_support/impl/ccaas.h"

#include <fmt/format.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "common/grpc/channel.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace weft::peer::chaincode_support::impl {
namespace {

using ::protos::ChaincodeMessage;

class ClientStream final : public ChaincodeStream {
 public:
  explicit ClientStream(::grpc::ClientContext& context,
                        ::grpc::ClientReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream)
      : context_(context), stream_(stream) {}
  bool Send(const ChaincodeMessage& message) override { return stream_.Write(message); }
  bool Recv(ChaincodeMessage* message) override { return stream_.Read(message); }
  void Cancel() override { context_.TryCancel(); }

 private:
  ::grpc::ClientContext& context_;
  ::grpc::ClientReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream_;
};

}  // namespace

[[nodiscard]] Status StreamToChaincodeServer(const ChaincodeServerInfo& server,
                                             const std::function<Status(ChaincodeStream&)>& serve,
                                             const std::function<bool()>& stopped) {
  common::settings::GrpcClientSettings settings;
  settings.tls.enabled = server.tls_required;
  if (server.tls_required) {
    if (!server.root_cert_pem.empty()) settings.tls.root_ca_pems.push_back(server.root_cert_pem);
    if (server.client_auth_required) {
      settings.tls.certificate_pem = server.client_cert_pem;
      settings.tls.private_key_pem = server.client_key_pem;
    }
  }
  WEFT_ASSIGN_OR_RETURN(auto channel, common::grpc::MakeChannel(server.address, settings));
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + server.dial_timeout)) {
    return absl::UnavailableError(
        fmt::format("could not connect to chaincode server at {} within {} ms", server.address,
                    server.dial_timeout.count()));
  }
  if (stopped()) return absl::CancelledError("chaincode support is stopped");
  auto stub = ::protos::Chaincode::NewStub(channel);
  ::grpc::ClientContext context;
  auto stream = stub->Connect(&context);
  ClientStream adapter(context, *stream);
  Status served = serve(adapter);
  context.TryCancel();
  (void)stream->Finish();
  if (absl::IsCancelled(served)) return served;
  return absl::OkStatus();
}

}  // namespace weft::peer::chaincode_support::impl
