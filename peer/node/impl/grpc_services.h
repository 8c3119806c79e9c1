// gRPC adapters of the peer: protos.Endorser onto peer/endorser and protos.Deliver
// onto peer/events. No peer logic lives here.
#pragma once

#include "peer/endorser/endorser.h"
#include "peer/events.grpc.pb.h"
#include "peer/events/deliver_events.h"
#include "peer/peer.grpc.pb.h"

namespace weft::peer::node {

class EndorserService final : public ::protos::Endorser::Service {
 public:
  explicit EndorserService(const endorser::Endorser& endorser) : endorser_(endorser) {}
  ::grpc::Status ProcessProposal(::grpc::ServerContext* context,
                                 const ::protos::SignedProposal* request,
                                 ::protos::ProposalResponse* response) override;

 private:
  const endorser::Endorser& endorser_;
};

class DeliverService final : public ::protos::Deliver::Service {
 public:
  explicit DeliverService(const events::DeliverEvents& events) : events_(events) {}
  using Stream = ::grpc::ServerReaderWriter<::protos::DeliverResponse, ::common::Envelope>;
  ::grpc::Status Deliver(::grpc::ServerContext* context, Stream* stream) override;
  ::grpc::Status DeliverFiltered(::grpc::ServerContext* context, Stream* stream) override;
  ::grpc::Status DeliverWithPrivateData(::grpc::ServerContext* context, Stream* stream) override;

 private:
  enum class Kind { kBlock, kFiltered, kPrivateData };
  ::grpc::Status Serve(::grpc::ServerContext* context, Stream* stream, Kind kind);
  const events::DeliverEvents& events_;
};

}  // namespace weft::peer::node
