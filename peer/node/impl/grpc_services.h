// gRPC adapters of the peer: protos.Endorser onto peer/endorser and protos.Deliver
// onto peer/events. No peer logic lives here.
#pragma once

#include <atomic>
#include <string>
#include <utility>

#include "peer/endorser/endorser.h"
#include "peer/events.grpc.pb.h"
#include "peer/events/deliver_events.h"
#include "peer/peer.grpc.pb.h"

namespace weft::peer::node {

// peer.limits.concurrency for one gRPC service (Fabric's grpc_limiters.go): at most
// `limit` calls at once, 0 for no limit; a call beyond it is refused at once.
// Thread-safe.
class ConcurrencyLimit {
 public:
  ConcurrencyLimit(std::string service, int limit) : service_(std::move(service)), limit_(limit) {}

  // Holds one slot until destroyed; ok() is false when none was free.
  class Slot {
   public:
    explicit Slot(ConcurrencyLimit* owner) : owner_(owner) {}
    Slot(Slot&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_) owner_->in_use_.fetch_sub(1);
    }
    bool ok() const { return owner_ != nullptr; }

   private:
    ConcurrencyLimit* owner_;
  };

  Slot TryAcquire();
  // Fabric's refusal: "too many requests for <service>, exceeding concurrency limit (<n>)",
  // a Go error, so gRPC code UNKNOWN.
  ::grpc::Status Refusal() const;

 private:
  const std::string service_;
  const int limit_;
  std::atomic<int> in_use_{0};
};

class EndorserService final : public ::protos::Endorser::Service {
 public:
  EndorserService(const endorser::Endorser& endorser, int limit)
      : endorser_(endorser), limit_("/protos.Endorser", limit) {}
  ::grpc::Status ProcessProposal(::grpc::ServerContext* context,
                                 const ::protos::SignedProposal* request,
                                 ::protos::ProposalResponse* response) override;

 private:
  const endorser::Endorser& endorser_;
  ConcurrencyLimit limit_;
};

class DeliverService final : public ::protos::Deliver::Service {
 public:
  DeliverService(const events::DeliverEvents& events, int limit)
      : events_(events), limit_("/protos.Deliver", limit) {}
  using Stream = ::grpc::ServerReaderWriter<::protos::DeliverResponse, ::common::Envelope>;
  ::grpc::Status Deliver(::grpc::ServerContext* context, Stream* stream) override;
  ::grpc::Status DeliverFiltered(::grpc::ServerContext* context, Stream* stream) override;
  ::grpc::Status DeliverWithPrivateData(::grpc::ServerContext* context, Stream* stream) override;

 private:
  enum class Kind { kBlock, kFiltered, kPrivateData };
  ::grpc::Status Serve(::grpc::ServerContext* context, Stream* stream, Kind kind);
  const events::DeliverEvents& events_;
  ConcurrencyLimit limit_;
};

}  // namespace weft::peer::node
