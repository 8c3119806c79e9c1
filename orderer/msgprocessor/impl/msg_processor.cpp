#include "orderer/msgprocessor/msg_processor.h"

#include <fmt/format.h>

#include <cassert>
#include <memory>
#include <utility>
#include <vector>

#include "common/channelconfig/capabilities.h"
#include "common/configtx.pb.h"
#include "common/protoutil/identity_expiry.h"
#include "common/protoutil/serialize.h"
#include "orderer/configuration.pb.h"

namespace weft::orderer::msgprocessor {
namespace {

using common::channelconfig::ChannelConfig;
using common::channelconfig::OrdererSection;

// Fabric's policies.ChannelWriters and policies.ChannelOrdererWriters.
constexpr char kWritersPolicy[] = "/Channel/Writers";
constexpr char kOrdererWritersPolicy[] = "/Channel/Orderer/Writers";

// Fabric's EnvelopeAsSignedData failing inside a filter: a malformed envelope.
[[nodiscard]] StatusOr<common::protoutil::OpenedEnvelope> Open(const ::common::Envelope& envelope) {
  auto opened = common::protoutil::OpenEnvelope(envelope);
  if (!opened.ok()) {
    return absl::InvalidArgumentError(fmt::format("could not convert message to signedData: {}",
                                                  std::string(opened.status().message())));
  }
  return opened;
}

// Fabric panics ("Programming error: orderer config not found"); a channel is never
// loaded or updated without an Orderer group (ChainSupport, CheckOrdererResources),
// so this only guards against a wiring bug.
[[nodiscard]] StatusOr<const OrdererSection*> OrdererOf(const ChannelConfig& config) {
  if (!config.orderer().has_value()) {
    return absl::InternalError(
        fmt::format("channel {} has no orderer config", config.channel_id()));
  }
  return &*config.orderer();
}

// A status with `prefix` added to its message and its code kept.
[[nodiscard]] Status Prefixed(const Status& status, std::string_view prefix) {
  return Status(status.code(), fmt::format("{}: {}", prefix, std::string(status.message())));
}

// Fabric's MaintenanceFilter.ensureConsensusTypeChangeOnly: an update that moves
// the consensus state touches nothing but /Channel/Orderer/ConsensusType.
[[nodiscard]] Status EnsureConsensusTypeChangeOnly(const ::common::ConfigEnvelope& contents) {
  auto opened = common::protoutil::OpenEnvelope(contents.last_update());
  if (!opened.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("envelope to config update unmarshalling error: {}",
                    std::string(opened.status().message())));
  }
  ::common::ConfigUpdateEnvelope update_envelope;
  ::common::ConfigUpdate update;
  if (!update_envelope.ParseFromString(opened->data()) ||
      !update.ParseFromString(update_envelope.config_update())) {
    return absl::InvalidArgumentError("config update unmarshalling error");
  }
  const auto& write_set = update.write_set();
  if (write_set.groups().empty())
    return absl::InvalidArgumentError("config update contains no changes");
  if (!write_set.values().empty()) {
    return absl::InvalidArgumentError("config update contains changes to values in group Channel");
  }
  if (write_set.groups().size() > 1) {
    return absl::InvalidArgumentError("config update contains changes to more than one group");
  }
  auto orderer = write_set.groups().find("Orderer");
  if (orderer == write_set.groups().end()) {
    return absl::InvalidArgumentError("update does not contain the Orderer group");
  }
  if (!orderer->second.groups().empty()) {
    return absl::InvalidArgumentError(
        "config update contains changes to groups within the Orderer group");
  }
  if (!orderer->second.values().contains("ConsensusType")) {
    return absl::InvalidArgumentError("config update does not contain the ConsensusType value");
  }
  if (orderer->second.values().size() > 1) {
    return absl::InvalidArgumentError(
        "config update contain more then just the ConsensusType value in the Orderer group");
  }
  return absl::OkStatus();
}

std::string StateName(bool maintenance) {
  return maintenance ? "STATE_MAINTENANCE" : "STATE_NORMAL";
}

// Fabric's MaintenanceFilter.inspect: consensus-type migration rules between the
// current orderer config and the one `contents` proposes.
[[nodiscard]] Status InspectMaintenance(const ChannelConfig& current,
                                        const ::common::ConfigEnvelope& contents) {
  if (!contents.has_last_update()) {
    return absl::InvalidArgumentError("updated config does not include a config update");
  }
  auto next = ChannelConfig::FromConfig(current.channel_id(), contents.config());
  if (!next.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("failed to parse config: {}", std::string(next.status().message())));
  }
  if (!(*next)->orderer().has_value()) {
    return absl::InvalidArgumentError("next config is missing orderer group");
  }
  const OrdererSection& now = *current.orderer();
  const OrdererSection& then = *(*next)->orderer();
  if (!common::channelconfig::OrdererConsensusTypeMigration(now.capabilities)) {
    if (then.maintenance_mode) {
      return absl::InvalidArgumentError(
          "next config attempted to change ConsensusType.State to STATE_MAINTENANCE, but "
          "capability is disabled");
    }
    if (now.consensus_type != then.consensus_type) {
      return absl::InvalidArgumentError(fmt::format(
          "next config attempted to change ConsensusType.Type from {} to {}, but capability is "
          "disabled",
          now.consensus_type, then.consensus_type));
    }
    return absl::OkStatus();
  }
  if (now.maintenance_mode != then.maintenance_mode) {
    WEFT_RETURN_IF_ERROR(EnsureConsensusTypeChangeOnly(contents));
    if (now.consensus_type != then.consensus_type) {
      return absl::InvalidArgumentError(fmt::format(
          "attempted to change ConsensusType.Type from {} to {}, but ConsensusType.State is "
          "changing from {} to {}",
          now.consensus_type, then.consensus_type, StateName(now.maintenance_mode),
          StateName(then.maintenance_mode)));
    }
    if (now.consensus_metadata != then.consensus_metadata) {
      return absl::InvalidArgumentError(fmt::format(
          "attempted to change ConsensusType.Metadata, but ConsensusType.State is changing from "
          "{} to {}",
          StateName(now.maintenance_mode), StateName(then.maintenance_mode)));
    }
  }
  if (now.consensus_type != then.consensus_type) {
    if (!now.maintenance_mode) {
      return absl::InvalidArgumentError(
          fmt::format("attempted to change consensus type from {} to {}, but current config "
                      "ConsensusType.State is not in maintenance mode",
                      now.consensus_type, then.consensus_type));
    }
    if (!then.maintenance_mode) {
      return absl::InvalidArgumentError(fmt::format(
          "attempted to change consensus type from {} to {}, but next config ConsensusType.State "
          "is not in maintenance mode",
          now.consensus_type, then.consensus_type));
    }
    // Fabric permits etcdraft, solo and kafka as targets; Weft implements solo and kafka.
    if (then.consensus_type != "solo" && then.consensus_type != "kafka") {
      return absl::InvalidArgumentError(
          fmt::format("attempted to change consensus type from {} to {}, transition not supported",
                      now.consensus_type, then.consensus_type));
    }
  }
  return absl::OkStatus();
}

// Fabric's MaintenanceFilter.Apply on the CONFIG envelope the orderer made.
[[nodiscard]] Status ApplyMaintenanceFilter(const ChannelConfig& current,
                                            const ::common::Envelope& config_envelope) {
  auto opened = common::protoutil::OpenEnvelope(config_envelope);
  ::common::ConfigEnvelope contents;
  if (!opened.ok() || opened->channel_header.type() != ::common::CONFIG ||
      !contents.ParseFromString(opened->data())) {
    return absl::InvalidArgumentError(
        "envelope unmarshalling failed: not a CONFIG envelope holding a ConfigEnvelope");
  }
  if (Status inspected = InspectMaintenance(current, contents); !inspected.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("config transaction inspection failed: {}", std::string(inspected.message())));
  }
  return absl::OkStatus();
}

}  // namespace

Classification Classify(const ::common::ChannelHeader& channel_header) {
  switch (channel_header.type()) {
    case ::common::CONFIG_UPDATE:
      return Classification::kConfigUpdate;
    case ::common::ORDERER_TRANSACTION:
    case ::common::CONFIG:
      return Classification::kConfig;
    default:
      return Classification::kNormal;
  }
}

[[nodiscard]] Status CheckSize(const ChannelConfig& config, const ::common::Envelope& envelope) {
  WEFT_ASSIGN_OR_RETURN(const OrdererSection* orderer, OrdererOf(config));
  const uint64_t size = envelope.payload().size() + envelope.signature().size();
  const uint64_t limit = orderer->batch_size.absolute_max_bytes;
  if (size > limit) {
    return absl::InvalidArgumentError(fmt::format(
        "message payload is {} bytes and exceeds maximum allowed {} bytes", size, limit));
  }
  return absl::OkStatus();
}

StandardChannel::StandardChannel(ConfigSource config, ConfigUpdateValidator validator,
                                 StandardChannelOptions options)
    : config_(std::move(config)), validator_(std::move(validator)), options_(std::move(options)) {
  // Every channel takes config updates; a processor without a validator is a wiring bug.
  assert(config_ && validator_ && options_.now);
}

// Fabric's expirationRejectRule: only with orderer capability V1_1 or later; a
// creator whose certificate cannot be read has no expiry here (the signature
// filter refuses it). A creator the channel's MSPs know is judged by the certificate
// they parsed and cached, so the check costs no parsing per envelope.
Status StandardChannel::CheckExpiration(const ChannelConfig& config,
                                        const common::protoutil::OpenedEnvelope& opened,
                                        const StatusOr<CreatorIdentity>& creator) const {
  if (options_.no_expiration_checks) return absl::OkStatus();
  if (!common::channelconfig::OrdererExpirationCheck(config.orderer()->capabilities)) {
    return absl::OkStatus();
  }
  auto expires = creator.ok() ? StatusOr<std::optional<std::chrono::system_clock::time_point>>(
                                    (*creator)->certificate().not_after())
                              : common::protoutil::IdentityExpiresAt(opened.creator());
  if (!expires.ok() || !expires->has_value()) return absl::OkStatus();
  if (options_.now() < **expires) return absl::OkStatus();
  return absl::InvalidArgumentError("broadcast client identity expired");
}

Status StandardChannel::ApplyFilters(const ChannelConfig& config,
                                     const ::common::Envelope& envelope) const {
  // Fabric's EmptyRejectRule (ErrEmptyMessage).
  if (envelope.payload().empty()) return absl::InvalidArgumentError("Message was empty");
  WEFT_ASSIGN_OR_RETURN(const OrdererSection* orderer, OrdererOf(config));
  WEFT_RETURN_IF_ERROR(CheckSize(config, envelope));
  WEFT_ASSIGN_OR_RETURN(auto opened, Open(envelope));
  StatusOr<CreatorIdentity> creator = config.msp_manager().Deserialize(opened.creator());
  // Before the signature filter, so a flood of expired creators costs no signature check.
  WEFT_RETURN_IF_ERROR(CheckExpiration(config, opened, creator));

  // Fabric's SigFilter: look the policy up (a missing one is not ErrPermissionDenied),
  // then evaluate it on the envelope's one signature. The creator is deserialized and
  // its signature checked here, once, and the policy judges the verified identity
  // (EvaluateIdentities), which decides as EvaluateSignedData on the signed data
  // would: an unknown creator or a bad signature leaves no identity to judge.
  const char* policy_name = orderer->maintenance_mode ? kOrdererWritersPolicy : kWritersPolicy;
  auto writers = config.policy_manager().GetPolicy(policy_name);
  if (!writers.ok()) {
    return absl::InvalidArgumentError(fmt::format("could not find policy {}: {}", policy_name,
                                                  std::string(writers.status().message())));
  }
  std::vector<std::shared_ptr<const common::policies::Identity>> signers;
  std::string unverified;  // why the creator is not among the signers
  if (!creator.ok()) {
    unverified =
        fmt::format("creator cannot be deserialized: {}", std::string(creator.status().message()));
  } else if (Status verified = (*creator)->Verify(opened.payload_bytes(), opened.signature());
             !verified.ok()) {
    unverified =
        fmt::format("envelope signature does not verify: {}", std::string(verified.message()));
  } else {
    signers.push_back(*creator);
  }
  Status allowed = (*writers)->EvaluateIdentities(signers);
  if (allowed.ok()) return absl::OkStatus();
  // All of these are Fabric's ErrPermissionDenied; the message names the first
  // thing that failed.
  if (!unverified.empty()) return absl::PermissionDeniedError(unverified);
  if (Status valid = (*creator)->Validate(); !valid.ok()) {
    return absl::PermissionDeniedError(fmt::format(
        "creator of MSP {} is not valid: {}", (*creator)->MspId(), std::string(valid.message())));
  }
  return absl::PermissionDeniedError(
      fmt::format("policy {} not satisfied: {}", policy_name, std::string(allowed.message())));
}

StatusOr<uint64_t> StandardChannel::ProcessNormalMsg(const ::common::Envelope& envelope) const {
  auto config = config_();
  WEFT_ASSIGN_OR_RETURN(const OrdererSection* orderer, OrdererOf(*config));
  // Fabric's ProcessNormalMsg: ErrMaintenanceMode, which Broadcast answers with
  // SERVICE_UNAVAILABLE.
  if (common::channelconfig::OrdererConsensusTypeMigration(orderer->capabilities) &&
      orderer->maintenance_mode) {
    return absl::UnavailableError("normal transactions are rejected: maintenance mode");
  }
  WEFT_RETURN_IF_ERROR(ApplyFilters(*config, envelope));
  return config->sequence();
}

StatusOr<ConfigMessage> StandardChannel::ProcessConfigUpdateMsg(
    const ::common::Envelope& envelope) const {
  auto config = config_();
  if (Status initial = ApplyFilters(*config, envelope); !initial.ok()) {
    return Prefixed(initial, "config update for existing channel did not pass initial checks");
  }
  auto config_envelope = validator_(*config, envelope);
  if (!config_envelope.ok()) {
    // Fabric's configtx errors are never ErrPermissionDenied: a refused update,
    // mod_policy failures included, is BAD_REQUEST.
    Status status = config_envelope.status();
    const std::string message =
        fmt::format("error applying config update to existing channel '{}': {}",
                    config->channel_id(), std::string(status.message()));
    if (status.code() == absl::StatusCode::kInternal) return absl::InternalError(message);
    return absl::InvalidArgumentError(message);
  }
  // Fabric re-applies the filters to the CONFIG envelope the orderer signed: the size
  // limit, and the orderer's own identity against the Writers policy.
  if (Status final_checks = ApplyFilters(*config, *config_envelope); !final_checks.ok()) {
    return Prefixed(final_checks, "config update for existing channel did not pass final checks");
  }
  if (Status maintenance = ApplyMaintenanceFilter(*config, *config_envelope); !maintenance.ok()) {
    return Prefixed(maintenance,
                    "config update for existing channel did not pass maintenance checks");
  }
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
