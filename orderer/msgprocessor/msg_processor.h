// Validation of envelopes entering a channel (Fabric's msgprocessor
// StandardChannel): the rules a broadcast envelope must pass before it is
// ordered, and again at ordering time when the config sequence has moved.
//
// Errors carry the code the broadcast handler maps to a response status:
// InvalidArgument -> BAD_REQUEST, PermissionDenied -> FORBIDDEN.
//
// Thread-safety: StandardChannel is immutable after construction and safe for
// concurrent use provided its ConfigSource and ConfigUpdateValidator are.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/protoutil/envelope.h"
#include "common/status/status.h"

namespace weft::orderer::msgprocessor {

enum class Classification {
  kNormal,        // ENDORSER_TRANSACTION, MESSAGE
  kConfigUpdate,  // CONFIG_UPDATE
  kUnsupported,   // everything else (CONFIG included: clients may not send it)
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

class StandardChannel {
 public:
  // Both must be callable (a config update always has a validator).
  StandardChannel(ConfigSource config, ConfigUpdateValidator validator);

  // Checks a normal envelope: not empty, within AbsoluteMaxBytes, creator valid
  // for the channel, signature verifies, /Channel/Writers satisfied. Returns the
  // config sequence it was checked at.
  [[nodiscard]] StatusOr<uint64_t> ProcessNormalMsg(const ::common::Envelope& envelope) const;
  // Same checks for a CONFIG_UPDATE envelope, then the update itself; returns the
  // CONFIG envelope to order.
  [[nodiscard]] StatusOr<ConfigMessage> ProcessConfigUpdateMsg(
      const ::common::Envelope& envelope) const;
  // Re-validates a CONFIG envelope produced earlier by ProcessConfigUpdateMsg by
  // processing its ConfigEnvelope.last_update again (Fabric's ProcessConfigMsg).
  [[nodiscard]] StatusOr<ConfigMessage> ProcessConfigMsg(
      const ::common::Envelope& config_envelope) const;

 private:
  // Shared by normal and config update envelopes.
  [[nodiscard]] Status ApplyFilters(const common::channelconfig::ChannelConfig& config,
                                    const ::common::Envelope& envelope) const;

  ConfigSource config_;
  ConfigUpdateValidator validator_;
};

// The envelope's serialized size limit check used at broadcast and by the filters:
// len(payload) + len(signature) <= AbsoluteMaxBytes (InvalidArgument otherwise).
[[nodiscard]] Status CheckSize(const common::channelconfig::ChannelConfig& config,
                               const ::common::Envelope& envelope);

}  // namespace weft::orderer::msgprocessor
