#include "orderer/msgprocessor/msg_processor.h"

#include <fmt/format.h>

#include <cassert>
#include <utility>

#include "common/configtx.pb.h"
#include "common/protoutil/serialize.h"

namespace weft::orderer::msgprocessor {
namespace {

using common::channelconfig::ChannelConfig;

constexpr char kWritersPolicy[] = "/Channel/Writers";

[[nodiscard]] StatusOr<common::protoutil::OpenedEnvelope> Open(const ::common::Envelope& envelope) {
  auto opened = common::protoutil::OpenEnvelope(envelope);
  if (!opened.ok()) return absl::InvalidArgumentError(std::string(opened.status().message()));
  return opened;
}

}  // namespace

Classification Classify(const ::common::ChannelHeader& channel_header) {
  switch (channel_header.type()) {
    case ::common::ENDORSER_TRANSACTION:
    case ::common::MESSAGE:
      return Classification::kNormal;
    case ::common::CONFIG_UPDATE:
      return Classification::kConfigUpdate;
    default:
      return Classification::kUnsupported;
  }
}

[[nodiscard]] Status CheckSize(const ChannelConfig& config, const ::common::Envelope& envelope) {
  if (!config.orderer().has_value()) return absl::OkStatus();
  const uint64_t size = envelope.payload().size() + envelope.signature().size();
  const uint64_t limit = config.orderer()->batch_size.absolute_max_bytes;
  if (size > limit) {
    return absl::InvalidArgumentError(fmt::format(
        "message payload is {} bytes and exceeds maximum allowed {} bytes", size, limit));
  }
  return absl::OkStatus();
}

StandardChannel::StandardChannel(ConfigSource config, ConfigUpdateValidator validator)
    : config_(std::move(config)), validator_(std::move(validator)) {
  // Every channel takes config updates; a processor without a validator is a wiring bug.
  assert(config_ && validator_);
}

Status StandardChannel::ApplyFilters(const ChannelConfig& config,
                                     const ::common::Envelope& envelope) const {
  if (envelope.payload().empty()) return absl::InvalidArgumentError("message was empty");
  WEFT_RETURN_IF_ERROR(CheckSize(config, envelope));
  WEFT_ASSIGN_OR_RETURN(auto opened, Open(envelope));

  auto creator = config.msp_manager().Deserialize(opened.creator());
  if (!creator.ok()) {
    return absl::PermissionDeniedError(
        fmt::format("creator cannot be deserialized: {}", std::string(creator.status().message())));
  }
  if (Status valid = (*creator)->Validate(); !valid.ok()) {
    return absl::PermissionDeniedError(fmt::format(
        "creator of MSP {} is not valid: {}", (*creator)->MspId(), std::string(valid.message())));
  }
  if (Status verified = (*creator)->Verify(opened.payload_bytes(), opened.signature());
      !verified.ok()) {
    return absl::PermissionDeniedError(
        fmt::format("envelope signature does not verify: {}", std::string(verified.message())));
  }

  auto writers = config.policy_manager().GetPolicy(kWritersPolicy);
  if (!writers.ok()) {
    return absl::PermissionDeniedError(fmt::format("policy {} is unavailable: {}", kWritersPolicy,
                                                   std::string(writers.status().message())));
  }
  common::policies::SignedData signed_data{opened.payload_bytes(), opened.creator(),
                                           opened.signature()};
  if (Status allowed = (*writers)->EvaluateSignedData({&signed_data, 1}); !allowed.ok()) {
    return absl::PermissionDeniedError(
        fmt::format("policy {} not satisfied: {}", kWritersPolicy, std::string(allowed.message())));
  }
  return absl::OkStatus();
}

StatusOr<uint64_t> StandardChannel::ProcessNormalMsg(const ::common::Envelope& envelope) const {
  auto config = config_();
  WEFT_RETURN_IF_ERROR(ApplyFilters(*config, envelope));
  return config->sequence();
}

StatusOr<ConfigMessage> StandardChannel::ProcessConfigUpdateMsg(
    const ::common::Envelope& envelope) const {
  auto config = config_();
  WEFT_RETURN_IF_ERROR(ApplyFilters(*config, envelope));
  auto config_envelope = validator_(*config, envelope);
  if (!config_envelope.ok()) {
    // A rejected update is the client's problem unless the validator says otherwise.
    Status status = config_envelope.status();
    if (status.code() == absl::StatusCode::kInternal ||
        status.code() == absl::StatusCode::kPermissionDenied) {
      return Annotate(status, "config update rejected");
    }
    return absl::InvalidArgumentError(
        fmt::format("config update rejected: {}", std::string(status.message())));
  }
  WEFT_RETURN_IF_ERROR(CheckSize(*config, *config_envelope));
  return ConfigMessage{*std::move(config_envelope), config->sequence()};
}

StatusOr<ConfigMessage> StandardChannel::ProcessConfigMsg(
    const ::common::Envelope& config_envelope) const {
  WEFT_ASSIGN_OR_RETURN(auto opened, Open(config_envelope));
  if (opened.channel_header.type() != ::common::CONFIG) {
    return absl::InvalidArgumentError(fmt::format("expected a CONFIG envelope, got header type {}",
                                                  opened.channel_header.type()));
  }
  WEFT_ASSIGN_OR_RETURN(auto contents, common::protoutil::ParseMessage<::common::ConfigEnvelope>(
                                           opened.data(), "CONFIG envelope data"));
  if (!contents.has_last_update()) {
    return absl::InvalidArgumentError("CONFIG envelope has no last_update to re-validate");
  }
  return ProcessConfigUpdateMsg(contents.last_update());
}

}  // namespace weft::orderer::msgprocessor
