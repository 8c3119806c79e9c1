// Validation of CONFIG_UPDATE transactions against a channel's current config and
// computation of the next config, as Fabric's common/configtx ValidatorImpl: the
// read set's versions must match the current config; the delta is every write-set
// element not read at the version written (an element written at the version it was
// read keeps its current content); each delta element must move up exactly one
// version (new ones start at 0) with its current mod_policy satisfied by the
// update's signatures; the result must build a valid ChannelConfig the orderer
// supports (Fabric's checkResources) that may follow the current one (ValidateNew).
// Every refusal is InvalidArgument (Broadcast answers BAD_REQUEST, as Fabric, whose
// configtx errors are never ErrPermissionDenied); messages use Fabric's wording and
// keys ("[Value]  /Channel/Orderer/BatchSize").
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
