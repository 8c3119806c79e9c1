#include "peer/node/impl/grpc_services.h"

#include <fmt/format.h>

#include <chrono>
#include <stop_token>
#include <string>
#include <thread>

#include "common/crypto/hash.h"
#include "common/crypto/x509.h"
#include "common/grpc/peer_certificate.h"

namespace weft::peer::node {
namespace {

class StreamSink final : public events::ResponseSink {
 public:
  explicit StreamSink(DeliverService::Stream* stream) : stream_(stream) {}
  bool Send(const ::protos::DeliverResponse& response) override { return stream_->Write(response); }

 private:
  DeliverService::Stream* stream_;
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

ConcurrencyLimit::Slot ConcurrencyLimit::TryAcquire() {
  if (limit_ <= 0) {
    in_use_.fetch_add(1);
    return Slot(this);
  }
  int current = in_use_.load();
  while (current < limit_) {
    if (in_use_.compare_exchange_weak(current, current + 1)) return Slot(this);
  }
  return Slot(nullptr);
}

::grpc::Status ConcurrencyLimit::Refusal() const {
  return ::grpc::Status(
      ::grpc::StatusCode::UNKNOWN,
      fmt::format("too many requests for {}, exceeding concurrency limit ({})", service_, limit_));
}

::grpc::Status EndorserService::ProcessProposal(::grpc::ServerContext* /*context*/,
                                                const ::protos::SignedProposal* request,
                                                ::protos::ProposalResponse* response) {
  const ConcurrencyLimit::Slot slot = limit_.TryAcquire();
  if (!slot.ok()) return limit_.Refusal();
  endorser::ProposalResult result = endorser_.ProcessProposal(*request);
  // Fabric returns a Go error for malformed or unauthorised proposals; grpc-go turns it
  // into status UNKNOWN carrying the error text.
  if (!result.error.ok()) {
    return ::grpc::Status(::grpc::StatusCode::UNKNOWN, std::string(result.error.message()));
  }
  *response = std::move(result.response);
  return ::grpc::Status::OK;
}

::grpc::Status DeliverService::Deliver(::grpc::ServerContext* context, Stream* stream) {
  return Serve(context, stream, Kind::kBlock);
}
::grpc::Status DeliverService::DeliverFiltered(::grpc::ServerContext* context, Stream* stream) {
  return Serve(context, stream, Kind::kFiltered);
}
::grpc::Status DeliverService::DeliverWithPrivateData(::grpc::ServerContext* context,
                                                      Stream* stream) {
  return Serve(context, stream, Kind::kPrivateData);
}

::grpc::Status DeliverService::Serve(::grpc::ServerContext* context, Stream* stream, Kind kind) {
  const ConcurrencyLimit::Slot slot = limit_.TryAcquire();
  if (!slot.ok()) return limit_.Refusal();
  const std::string tls_cert_hash = ClientCertHash(*context);
  // Cancellation (client gone, server shutting down) must end a stream waiting for a
  // future block, so a small side thread watches for it.
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
    ::common::Status status = ::common::SUCCESS;
    switch (kind) {
      case Kind::kBlock:
        status = events_.Deliver(seek, sink, stop.get_token(), tls_cert_hash);
        break;
      case Kind::kFiltered:
        status = events_.DeliverFiltered(seek, sink, stop.get_token(), tls_cert_hash);
        break;
      case Kind::kPrivateData:
        status = events_.DeliverWithPrivateData(seek, sink, stop.get_token(), tls_cert_hash);
        break;
    }
    if (status != ::common::SUCCESS) break;
  }
  return ::grpc::Status::OK;
}

}  // namespace weft::peer::node
