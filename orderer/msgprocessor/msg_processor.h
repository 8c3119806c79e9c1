// Validation of envelopes entering a channel (Fabric 2.5's msgprocessor
// StandardChannel): the rules a broadcast envelope must pass before it is
// ordered, and again at ordering time when the config sequence has moved.
// The filters, in Fabric's order (CreateStandardChannelFilters): empty message,
// AbsoluteMaxBytes, creator expiry (orderer capability V1_1+, unless switched
// off), then the signature filter (/Channel/Writers, or /Channel/Orderer/Writers
// in maintenance mode).
//
// Errors carry the code the broadcast handler maps to a response status (Fabric's
// ClassifyError): PermissionDenied -> FORBIDDEN (the signature filter),
// Unavailable -> SERVICE_UNAVAILABLE (maintenance mode), anything else ->
// BAD_REQUEST.
//
// Thread-safety: StandardChannel is immutable after construction and safe for
// concurrent use provided its ConfigSource and ConfigUpdateValidator are.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/protoutil/envelope.h"
#include "common/status/status.h"
#include "msp/identity.h"

namespace weft::orderer::msgprocessor {

// Fabric's StandardChannel.ClassifyMsg.
enum class Classification {
  kNormal,        // every other header type, unknown numbers included
  kConfigUpdate,  // CONFIG_UPDATE
  kConfig,        // CONFIG, ORDERER_TRANSACTION: never accepted from a client
};
Classification Classify(const ::common::ChannelHeader& channel_header);

using ConfigSource = std::function<std::shared_ptr<const common::channelconfig::ChannelConfig>()>;

// Validates a CONFIG_UPDATE envelope against the current config and returns the
// signed CONFIG envelope to order (common/configtx's ValidateConfigUpdate with the
// orderer's signer bound in).
using ConfigUpdateValidator = std::function<StatusOr<::common::Envelope>(
    const common::channelconfig::ChannelConfig& current, const ::common::Envelope& config_update)>;

struct ConfigMessage {
  ::common::Envelope config;  // header type CONFIG
  uint64_t config_sequence = 0;
};

struct StandardChannelOptions {
  // Fabric's General.Authentication.NoExpirationChecks: drop the expiry filter.
  bool no_expiration_checks = false;
  // The instant creator expiry is judged at; tests fix it.
  std::function<std::chrono::system_clock::time_point()> now = std::chrono::system_clock::now;
};

class StandardChannel {
 public:
  // Both must be callable (a config update always has a validator).
  StandardChannel(ConfigSource config, ConfigUpdateValidator validator,
                  StandardChannelOptions options = {});

  // Checks a normal envelope: refused with Unavailable in maintenance mode (orderer
  // capability V1_4_2+), then the filters. Returns the config sequence it was
  // checked at.
  [[nodiscard]] StatusOr<uint64_t> ProcessNormalMsg(const ::common::Envelope& envelope) const;
  // The filters on a CONFIG_UPDATE envelope, then the update itself (any refusal
  // there is InvalidArgument, as Fabric), then the filters again on the CONFIG
  // envelope the orderer signed, then Fabric's maintenance filter; returns the
  // CONFIG envelope to order.
  [[nodiscard]] StatusOr<ConfigMessage> ProcessConfigUpdateMsg(
      const ::common::Envelope& envelope) const;
  // Re-validates a CONFIG envelope produced earlier by ProcessConfigUpdateMsg by
  // processing its ConfigEnvelope.last_update again (Fabric's ProcessConfigMsg).
  [[nodiscard]] StatusOr<ConfigMessage> ProcessConfigMsg(
      const ::common::Envelope& config_envelope) const;

 private:
  // Shared by normal, config update and the orderer's CONFIG envelopes.
  [[nodiscard]] Status ApplyFilters(const common::channelconfig::ChannelConfig& config,
                                    const ::common::Envelope& envelope) const;
  using CreatorIdentity = std::shared_ptr<const msp::Identity>;
  [[nodiscard]] Status CheckExpiration(const common::channelconfig::ChannelConfig& config,
                                       const common::protoutil::OpenedEnvelope& opened,
                                       const StatusOr<CreatorIdentity>& creator) const;

  ConfigSource config_;
  ConfigUpdateValidator validator_;
  StandardChannelOptions options_;
};

// The envelope's serialized size limit check used at broadcast and by the filters:
// len(payload) + len(signature) <= AbsoluteMaxBytes (InvalidArgument otherwise).
[[nodiscard]] Status CheckSize(const common::channelconfig::ChannelConfig& config,
                               const ::common::Envelope& envelope);

}  // namespace weft::orderer::msgprocessor
