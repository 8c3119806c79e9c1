// Validation of CONFIG_UPDATE transactions against a channel's current config and
// computation of the next config (Fabric's common/configtx validator):
// read-set versions must match the current config, every element the write set
// changes must move up exactly one version and have its current mod_policy satisfied
// by the update's signatures, and the result must build a valid ChannelConfig.
// Errors use InvalidArgument for malformed or stale updates and PermissionDenied when
// a mod_policy is not satisfied (Broadcast maps them to BAD_REQUEST / FORBIDDEN);
// messages name the element path ("/Channel/Orderer/BatchSize").
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <memory>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"

namespace weft::common::configtx {

struct ProposedConfig {
  // config = the next config (sequence + 1), last_update = the CONFIG_UPDATE envelope.
  ::common::ConfigEnvelope envelope;
  // The bundle built from envelope.config, so callers need not build it twice.
  std::shared_ptr<const channelconfig::ChannelConfig> bundle;
};

// Checks `config_update_envelope` (a CONFIG_UPDATE for current.channel_id()) and
// computes the next config. The envelope's own signature is not checked here: that
// is the orderer's Writers check, as in Fabric.
[[nodiscard]] StatusOr<ProposedConfig> ProposeConfigUpdate(
    const channelconfig::ChannelConfig& current, const ::common::Envelope& config_update_envelope);

// ProposeConfigUpdate, then wraps the ConfigEnvelope in a CONFIG envelope for the
// channel signed by `orderer_signer`, ready to be ordered.
[[nodiscard]] StatusOr<::common::Envelope> ValidateConfigUpdate(
    const channelconfig::ChannelConfig& current, const ::common::Envelope& config_update_envelope,
    const protoutil::Signer& orderer_signer);

// The config `update` leads to from `current`, without any signature check; exposed
// for tools that preview an update. Errors as for ProposeConfigUpdate, minus the
// policy and bundle checks.
[[nodiscard]] StatusOr<::common::Config> ApplyConfigUpdate(const ::common::Config& current,
                                                           const ::common::ConfigUpdate& update);

}  // namespace weft::common::configtx
