#include "orderer/node/impl/atomic_broadcast_service.h"

#include <atomic>
#include <thread>

#include "common/crypto/hash.h"
#include "common/crypto/x509.h"
#include "common/grpc/peer_certificate.h"

namespace weft::orderer::node {
namespace {

class StreamSink final : public common::deliver::BlockSink {
 public:
  explicit StreamSink(
      ::grpc::ServerReaderWriter<::orderer::DeliverResponse, ::common::Envelope>* stream)
      : stream_(stream) {}
  bool Send(const ::common::Block& block) override {
    ::orderer::DeliverResponse response;
    *response.mutable_block() = block;
    return stream_->Write(response);
  }

 private:
  ::grpc::ServerReaderWriter<::orderer::DeliverResponse, ::common::Envelope>* stream_;
};

// SHA-256 of the client's TLS certificate (DER) for Fabric's tls_cert_hash binding;
// empty for plaintext calls.
std::string ClientCertHash(const ::grpc::ServerContext& context) {
  auto pem = common::grpc::ClientCertificatePem(context);
  if (!pem.ok()) return "";
  auto certificate = common::crypto::Certificate::FromPem(*pem);
  if (!certificate.ok()) return "";
  return common::crypto::Sha256(certificate->der());
}

}  // namespace

::grpc::Status AtomicBroadcastService::Broadcast(
    ::grpc::ServerContext* context,
    ::grpc::ServerReaderWriter<::orderer::BroadcastResponse, ::common::Envelope>* stream) {
  ::common::Envelope envelope;
  // One response per envelope, in order; Fabric ends the stream after a failure.
  // Reading stops at the client's half-close, after which responses still go out.
  while (!context->IsCancelled() && stream->Read(&envelope)) {
    ::orderer::BroadcastResponse response = broadcast_.Handle(envelope);
    if (!stream->Write(response)) break;
    if (response.status() != ::common::SUCCESS) break;
  }
  return ::grpc::Status::OK;
}

::grpc::Status AtomicBroadcastService::Deliver(
    ::grpc::ServerContext* context,
    ::grpc::ServerReaderWriter<::orderer::DeliverResponse, ::common::Envelope>* stream) {
  const std::string tls_cert_hash = ClientCertHash(*context);
  // Cancellation (client gone, server shutting down) must end a stream that is
  // waiting for a future block, so it is watched from a small side thread.
  std::stop_source stop;
  std::jthread watcher([context, &stop](std::stop_token done) {
    while (!done.stop_requested()) {
      if (context->IsCancelled()) {
        stop.request_stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  StreamSink sink(stream);
  ::common::Envelope seek;
  while (!stop.stop_requested() && stream->Read(&seek)) {
    ::common::Status status = deliver_.Handle(seek, sink, stop.get_token(), tls_cert_hash);
    ::orderer::DeliverResponse response;
    response.set_status(status);
    if (!stream->Write(response) || status != ::common::SUCCESS) break;
  }
  return ::grpc::Status::OK;
}

}  // namespace weft::orderer::node
