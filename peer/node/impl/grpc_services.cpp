#include "peer/node/impl/grpc_services.h"

#include <fmt/format.h>

#include <string>

#include "common/grpc/cancellation.h"
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
  const std::string tls_cert_hash = common::grpc::ClientCertificateHash(*context);
  // A stream waiting for a future block ends when the call is cancelled.
  const common::grpc::CancellationWatcher cancellation(*context);
  StreamSink sink(stream);
  ::common::Envelope seek;
  while (!cancellation.cancelled() && stream->Read(&seek)) {
    ::common::Status status = ::common::SUCCESS;
    switch (kind) {
      case Kind::kBlock:
        status = events_.Deliver(seek, sink, cancellation.token(), tls_cert_hash);
        break;
      case Kind::kFiltered:
        status = events_.DeliverFiltered(seek, sink, cancellation.token(), tls_cert_hash);
        break;
      case Kind::kPrivateData:
        status = events_.DeliverWithPrivateData(seek, sink, cancellation.token(), tls_cert_hash);
        break;
    }
    if (status != ::common::SUCCESS) break;
  }
  return ::grpc::Status::OK;
}

}  // namespace weft::peer::node
