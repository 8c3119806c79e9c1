#include "orderer/broadcast/broadcast_handler.h"

#include <fmt/format.h>

#include <memory>
#include <string>

#include "common/protoutil/envelope.h"
#include "orderer/msgprocessor/msg_processor.h"

namespace weft::orderer::broadcast {
namespace {

::orderer::BroadcastResponse Respond(::common::Status status, std::string info) {
  ::orderer::BroadcastResponse response;
  response.set_status(status);
  response.set_info(std::move(info));
  return response;
}

// Fabric's ClassifyError: who is to blame decides the status.
::common::Status StatusFor(const Status& error) {
  switch (error.code()) {
    case absl::StatusCode::kPermissionDenied:
      return ::common::FORBIDDEN;
    case absl::StatusCode::kNotFound:
      return ::common::NOT_FOUND;
    case absl::StatusCode::kUnavailable:
      return ::common::SERVICE_UNAVAILABLE;
    default:
      return ::common::BAD_REQUEST;
  }
}

// Fabric answers with Info = err.Error(); the processor's messages carry Fabric's wording.
::orderer::BroadcastResponse Reject(const Status& error) {
  return Respond(StatusFor(error), std::string(error.message()));
}

std::string TypeName(int32_t type) {
  return ::common::HeaderType_IsValid(type)
             ? ::common::HeaderType_Name(static_cast<::common::HeaderType>(type))
             : std::to_string(type);
}

}  // namespace

BroadcastHandler::BroadcastHandler(multichannel::Registrar& registrar,
                                   common::metrics::MetricsRegistry* metrics)
    : registrar_(registrar) {
  if (metrics != nullptr) {
    auto counter = metrics->NewCounter({"broadcast_processed_count",
                                        "The number of transactions processed.",
                                        {"channel", "type", "status"}});
    if (counter.ok()) processed_ = *counter;
  }
}

::orderer::BroadcastResponse BroadcastHandler::Handle(const ::common::Envelope& envelope) {
  std::string channel;
  std::string type;
  ::orderer::BroadcastResponse response = Process(envelope, channel, type);
  if (processed_ != nullptr) {
    processed_->Add(1, {channel, type, ::common::Status_Name(response.status())});
  }
  return response;
}

::orderer::BroadcastResponse BroadcastHandler::Process(const ::common::Envelope& envelope,
                                                       std::string& channel, std::string& type) {
  auto opened = common::protoutil::OpenEnvelope(envelope);
  if (!opened.ok()) {
    return Respond(::common::BAD_REQUEST,
                   fmt::format("malformed envelope: {}", std::string(opened.status().message())));
  }
  channel = opened->channel_header.channel_id();
  type = TypeName(opened->channel_header.type());

  std::shared_ptr<multichannel::ChainSupport> chain = registrar_.FindChain(channel);
  if (chain == nullptr) {
    // Fabric 2.5's Registrar.BroadcastChannelSupport without a system channel: an
    // unknown channel would be a channel creation request, which needs one.
    return Respond(::common::BAD_REQUEST,
                   "channel creation request not allowed because the orderer system channel is "
                   "not defined");
  }

  switch (msgprocessor::Classify(opened->channel_header)) {
    case msgprocessor::Classification::kNormal: {
      auto sequence = chain->Processor().ProcessNormalMsg(envelope);
      if (!sequence.ok()) return Reject(sequence.status());
      if (Status ready = chain->Chain().WaitReady(); !ready.ok()) {
        return Respond(::common::SERVICE_UNAVAILABLE, std::string(ready.message()));
      }
      if (Status ordered = chain->Chain().Order(envelope, *sequence); !ordered.ok()) {
        return Respond(::common::SERVICE_UNAVAILABLE, std::string(ordered.message()));
      }
      return Respond(::common::SUCCESS, "accepted for ordering");
    }
    case msgprocessor::Classification::kConfigUpdate: {
      auto config = chain->Processor().ProcessConfigUpdateMsg(envelope);
      if (!config.ok()) return Reject(config.status());
      if (Status ready = chain->Chain().WaitReady(); !ready.ok()) {
        return Respond(::common::SERVICE_UNAVAILABLE, std::string(ready.message()));
      }
      if (Status ordered =
              chain->Chain().Configure(std::move(config->config), config->config_sequence);
          !ordered.ok()) {
        return Respond(::common::SERVICE_UNAVAILABLE, std::string(ordered.message()));
      }
      return Respond(::common::SUCCESS, "config update accepted for ordering");
    }
    case msgprocessor::Classification::kConfig:
      break;
  }
  // Fabric's BroadcastChannelSupport for ConfigMsg (CONFIG, ORDERER_TRANSACTION).
  return Respond(::common::BAD_REQUEST, "message is of type that cannot be processed directly");
}

}  // namespace weft::orderer::broadcast
