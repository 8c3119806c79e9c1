#include "orderer/node/impl/atomic_broadcast_service.h"

#include "common/grpc/cancellation.h"
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
  const std::string tls_cert_hash = common::grpc::ClientCertificateHash(*context);
  // A stream waiting for a future block ends when the call is cancelled.
  const common::grpc::CancellationWatcher cancellation(*context);
  StreamSink sink(stream);
  ::common::Envelope seek;
  while (!cancellation.cancelled() && stream->Read(&seek)) {
    ::common::Status status = deliver_.Handle(seek, sink, cancellation.token(), tls_cert_hash);
    ::orderer::DeliverResponse response;
    response.set_status(status);
    if (!stream->Write(response) || status != ::common::SUCCESS) break;
  }
  return ::grpc::Status::OK;
}

}  // namespace weft::orderer::node
