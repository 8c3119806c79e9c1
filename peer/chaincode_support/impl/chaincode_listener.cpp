#include "peer/chaincode_support/chaincode_listener.h"

#include <fmt/format.h>
#include <grpcpp/server_context.h>

#include <chrono>
#include <optional>
#include <utility>

#include "common/grpc/peer_certificate.h"
#include "common/grpc/server.h"
#include "common/settings/host_port.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace weft::peer::chaincode_support {
namespace {

using ::protos::ChaincodeMessage;

bool IsUnspecified(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

// A Register call as a ChaincodeStream; `first` is a message already read (by the
// authentication step) that Recv hands out before reading on.
class ServerStream final : public ChaincodeStream {
 public:
  ServerStream(::grpc::ServerContext& context,
               ::grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream,
               std::optional<ChaincodeMessage> first)
      : context_(context), stream_(stream), first_(std::move(first)) {}
  bool Send(const ChaincodeMessage& message) override { return stream_.Write(message); }
  bool Recv(ChaincodeMessage* message) override {
    if (first_.has_value()) {
      *message = *std::move(first_);
      first_.reset();
      return true;
    }
    return stream_.Read(message);
  }
  void Cancel() override { context_.TryCancel(); }

 private:
  ::grpc::ServerContext& context_;
  ::grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream_;
  std::optional<ChaincodeMessage> first_;
};

class RegisterService final : public ::protos::ChaincodeSupport::Service {
 public:
  RegisterService(ChaincodeSupport& support, ChaincodeCa* ca) : support_(support), ca_(ca) {}

  ::grpc::Status Register(
      ::grpc::ServerContext* context,
      ::grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>* stream) override {
    std::optional<ChaincodeMessage> first;
    std::string cert_hash;
    if (ca_ != nullptr) {
      // Fabric's accesscontrol interceptor: the first message is a REGISTER whose
      // name matches the client certificate's.
      ChaincodeMessage message;
      if (!stream->Read(&message)) {
        return ::grpc::Status(::grpc::StatusCode::UNKNOWN, "Recv() error, closing connection");
      }
      if (message.type() != ChaincodeMessage::REGISTER) {
        return ::grpc::Status(::grpc::StatusCode::UNKNOWN, "First message needs to be a register");
      }
      ::protos::ChaincodeID id;
      if (!id.ParseFromString(message.payload())) {
        return ::grpc::Status(::grpc::StatusCode::UNKNOWN, "could not unmarshal the REGISTER");
      }
      cert_hash = common::grpc::ClientCertificateHash(*context);
      Status allowed = ca_->Authenticate(id.name(), cert_hash);
      if (!allowed.ok()) {
        return ::grpc::Status(::grpc::StatusCode::UNKNOWN, std::string(allowed.message()));
      }
      first = std::move(message);
    }
    ServerStream adapter(*context, *stream, std::move(first));
    Status ended = support_.HandleChaincodeStream(adapter);
    // This launch's certificate has served its purpose; the next launch gets another.
    if (ca_ != nullptr) ca_->Forget(cert_hash);
    // A stream the chaincode closed ends the call normally; a protocol error is the
    // call's error, as Fabric's ProcessStream returns it.
    if (ended.ok() || absl::IsUnavailable(ended) || absl::IsCancelled(ended)) {
      return ::grpc::Status::OK;
    }
    return ::grpc::Status(::grpc::StatusCode::UNKNOWN, std::string(ended.message()));
  }

 private:
  ChaincodeSupport& support_;
  ChaincodeCa* ca_;
};

}  // namespace

struct ChaincodeListener::Impl {
  std::unique_ptr<RegisterService> service;
  std::unique_ptr<::grpc::Server> server;
  int port = 0;
  bool stopped = false;
};

std::string ChaincodeListenAddress(const std::string& chaincode_listen_address,
                                   const std::string& peer_host) {
  if (!chaincode_listen_address.empty()) return chaincode_listen_address;
  return common::settings::JoinHostPort(peer_host, kDefaultChaincodePort);
}

[[nodiscard]] StatusOr<std::string> ComputeChaincodeEndpoint(
    const std::string& chaincode_address, const std::string& chaincode_listen_address,
    const std::string& peer_host) {
  if (!chaincode_address.empty()) {
    WEFT_ASSIGN_OR_RETURN(auto address, common::settings::SplitHostPort(chaincode_address));
    if (IsUnspecified(address.host)) {
      return absl::InvalidArgumentError("invalid endpoint for chaincode to connect");
    }
    return chaincode_address;
  }
  if (!chaincode_listen_address.empty()) {
    WEFT_ASSIGN_OR_RETURN(auto listen, common::settings::SplitHostPort(chaincode_listen_address));
    if (!IsUnspecified(listen.host)) return chaincode_listen_address;
    if (IsUnspecified(peer_host)) {
      return absl::InvalidArgumentError("invalid endpoint for chaincode to connect");
    }
    return common::settings::JoinHostPort(peer_host, listen.port);
  }
  if (IsUnspecified(peer_host)) {
    return absl::InvalidArgumentError("invalid endpoint for chaincode to connect");
  }
  return common::settings::JoinHostPort(peer_host, kDefaultChaincodePort);
}

StatusOr<std::unique_ptr<ChaincodeListener>> ChaincodeListener::Start(
    ChaincodeListenerOptions options, ChaincodeSupport& support) {
  auto impl = std::make_unique<Impl>();
  common::settings::GrpcServerSettings settings = std::move(options.server);
  settings.tls = {};
  if (options.ca != nullptr) {
    StatusOr<CertKeyPair> pair = options.ca->IssueServerPair(options.host);
    WEFT_RETURN_IF_ERROR(pair.status());
    settings.tls.enabled = true;
    settings.tls.client_auth_required = true;
    settings.tls.certificate_pem = pair->cert_pem;
    settings.tls.private_key_pem = pair->key_pem;
    settings.tls.client_root_ca_pems = {options.ca->cert_pem()};
  }
  impl->service = std::make_unique<RegisterService>(support, options.ca);
  StatusOr<common::grpc::BuiltServer> built =
      common::grpc::BuildServer(settings, {impl->service.get()});
  if (!built.ok()) {
    return Annotate(built.status(), fmt::format("could not start the chaincode listener on {}",
                                                settings.listen_address));
  }
  impl->server = std::move(built->server);
  impl->port = built->port;
  return std::unique_ptr<ChaincodeListener>(new ChaincodeListener(std::move(impl)));
}

ChaincodeListener::ChaincodeListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChaincodeListener::~ChaincodeListener() { Stop(); }

int ChaincodeListener::port() const { return impl_->port; }

void ChaincodeListener::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  // Streams last as long as their chaincode: cancel them rather than wait.
  impl_->server->Shutdown(std::chrono::system_clock::now());
  impl_->server->Wait();
}

}  // namespace weft::peer::chaincode_support
