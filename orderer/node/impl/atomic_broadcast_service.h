// gRPC adapter for orderer.AtomicBroadcast: decodes streams and hands every envelope
// to the broadcast or deliver handler. No ordering logic lives here.
#pragma once

#include "common/deliver/deliver_handler.h"
#include "orderer/ab.grpc.pb.h"
#include "orderer/broadcast/broadcast_handler.h"

namespace weft::orderer::node {

class AtomicBroadcastService final : public ::orderer::AtomicBroadcast::Service {
 public:
  AtomicBroadcastService(broadcast::BroadcastHandler& broadcast,
                         common::deliver::DeliverHandler& deliver)
      : broadcast_(broadcast), deliver_(deliver) {}

  ::grpc::Status Broadcast(::grpc::ServerContext* context,
                           ::grpc::ServerReaderWriter<::orderer::BroadcastResponse,
                                                      ::common::Envelope>* stream) override;
  ::grpc::Status Deliver(
      ::grpc::ServerContext* context,
      ::grpc::ServerReaderWriter<::orderer::DeliverResponse, ::common::Envelope>* stream) override;

 private:
  broadcast::BroadcastHandler& broadcast_;
  common::deliver::DeliverHandler& deliver_;
};

}  // namespace weft::orderer::node
