#include "grpc_test_support.h"

#include <grpcpp/client_context.h>

#include <chrono>

#include "common/grpc/peer_certificate.h"

namespace weft::common::grpc::testing {

using ::weft::testing::EchoMessage;

::grpc::Status EchoServiceImpl::Echo(::grpc::ServerContext* context, const EchoMessage* request,
                                     EchoMessage* response) {
  auto cert = ClientCertificatePem(*context);
  {
    std::lock_guard lock(mu_);
    last_client_cert_ = cert.ok() ? std::optional<std::string>(*cert) : std::nullopt;
  }
  response->set_payload(request->payload());
  return ::grpc::Status::OK;
}

::grpc::Status EchoServiceImpl::Chat(::grpc::ServerContext* context,
                                     ::grpc::ServerReaderWriter<EchoMessage, EchoMessage>* stream) {
  EchoMessage message;
  while (stream->Read(&message)) {
    if (!stream->Write(message)) break;
  }
  return ::grpc::Status::OK;
}

std::optional<std::string> EchoServiceImpl::last_client_cert() const {
  std::lock_guard lock(mu_);
  return last_client_cert_;
}

settings::TlsSettings TestPki::ServerTls(bool client_auth_required) const {
  settings::TlsSettings tls;
  tls.enabled = true;
  tls.client_auth_required = client_auth_required;
  tls.certificate_pem = server.CertPem();
  tls.private_key_pem = server.KeyPem();
  tls.client_root_ca_pems = {ca.CertPem()};
  return tls;
}

settings::TlsSettings TestPki::ClientTls(const ::weft::testing::TestIdentity& root,
                                         const ::weft::testing::TestIdentity* identity) {
  settings::TlsSettings tls;
  tls.enabled = true;
  tls.root_ca_pems = {root.CertPem()};
  if (identity != nullptr) {
    tls.certificate_pem = identity->CertPem();
    tls.private_key_pem = identity->KeyPem();
  }
  return tls;
}

settings::GrpcServerSettings LocalServer() {
  settings::GrpcServerSettings server;
  server.listen_address = "127.0.0.1:0";
  return server;
}

::grpc::Status CallEcho(const std::shared_ptr<::grpc::Channel>& channel, const std::string& payload,
                        std::string* reply) {
  auto stub = ::weft::testing::EchoService::NewStub(channel);
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EchoMessage request;
  request.set_payload(payload);
  EchoMessage response;
  ::grpc::Status status = stub->Echo(&context, request, &response);
  if (reply != nullptr) *reply = response.payload();
  return status;
}

}  // namespace weft::common::grpc::testing
