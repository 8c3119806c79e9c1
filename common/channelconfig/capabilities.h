// Which channel capabilities this build implements and what they switch on
// (Fabric 2.5's common/capabilities), and the checks an orderer makes before it
// takes a new config (Fabric's checkResources and Bundle.ValidateNew).
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <set>
#include <string>

#include "common/channelconfig/channel_config.h"
#include "common/status/status.h"

namespace weft::common::channelconfig {

// The capability registries of a config: /Channel, /Channel/Orderer, /Channel/Application.
enum class CapabilitySection { kChannel, kOrderer, kApplication };

// OK when every name in `capabilities` is one this build implements; otherwise
// InvalidArgument "<Section> capability <name> is required but not supported"
// (Fabric's registry.Supported).
[[nodiscard]] Status CheckCapabilitiesSupported(CapabilitySection section,
                                                const std::set<std::string>& capabilities);

// Orderer V1_1 and later: the Broadcast filters reject expired creators.
bool OrdererExpirationCheck(const std::set<std::string>& orderer_capabilities);
// Orderer V1_4_2 and later: maintenance mode rejects normal transactions.
bool OrdererConsensusTypeMigration(const std::set<std::string>& orderer_capabilities);
// Channel V1_4_2 and later: the consensus type may change (through maintenance mode).
bool ChannelConsensusTypeMigration(const std::set<std::string>& channel_capabilities);

// What an orderer requires of a config it is to use (Fabric's multichannel
// checkResources): an Orderer group, and orderer and channel capabilities it
// implements. InvalidArgument naming the problem.
[[nodiscard]] Status CheckOrdererResources(const ChannelConfig& config);

// Whether `next` may follow `current` (Fabric's Bundle.ValidateNew): the Orderer and
// Application groups cannot be removed, an organisation keeps its MSP ID, and the
// consensus type stays unless the channel capability allows a migration.
// InvalidArgument with Fabric's wording otherwise.
[[nodiscard]] Status ValidateNew(const ChannelConfig& current, const ChannelConfig& next);

}  // namespace weft::common::channelconfig
