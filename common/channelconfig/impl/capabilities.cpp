#include "common/channelconfig/capabilities.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace weft::common::channelconfig {
namespace {

// Fabric 2.5's HasCapability lists (common/capabilities channel.go, orderer.go,
// application.go).
constexpr std::string_view kChannelCapabilities[] = {"V1_1", "V1_3", "V1_4_2", "V1_4_3", "V2_0"};
constexpr std::string_view kOrdererCapabilities[] = {"V1_1", "V1_4_2", "V2_0"};
constexpr std::string_view kApplicationCapabilities[] = {"V1_1",
                                                         "V1_2",
                                                         "V1_3",
                                                         "V1_4_2",
                                                         "V2_0",
                                                         "V2_5",
                                                         "V1_1_PVTDATA_EXPERIMENTAL",
                                                         "V1_1_RESOURCETREE_EXPERIMENTAL"};

bool AnyOf(const std::set<std::string>& capabilities,
           std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view name) {
    return capabilities.count(std::string(name)) > 0;
  });
}

template <size_t N>
bool Known(const std::string_view (&known)[N], const std::string& name) {
  return std::find(std::begin(known), std::end(known), name) != std::end(known);
}

// MSP IDs of the organisations both sections name (Fabric skips removed orgs).
[[nodiscard]] Status SameMspIds(std::string_view section,
                                const std::map<std::string, Organization>& current,
                                const std::map<std::string, Organization>& next) {
  for (const auto& [name, organization] : current) {
    auto it = next.find(name);
    if (it == next.end()) continue;
    if (it->second.msp_id != organization.msp_id) {
      return absl::InvalidArgumentError(
          fmt::format("{} org {} attempted to change MSP ID from {} to {}", section, name,
                      organization.msp_id, it->second.msp_id));
    }
  }
  return absl::OkStatus();
}

}  // namespace

[[nodiscard]] Status CheckCapabilitiesSupported(CapabilitySection section,
                                                const std::set<std::string>& capabilities) {
  for (const std::string& name : capabilities) {
    bool known = false;
    std::string_view type;
    switch (section) {
      case CapabilitySection::kChannel:
        known = Known(kChannelCapabilities, name);
        type = "Channel";
        break;
      case CapabilitySection::kOrderer:
        known = Known(kOrdererCapabilities, name);
        type = "Orderer";
        break;
      case CapabilitySection::kApplication:
        known = Known(kApplicationCapabilities, name);
        type = "Application";
        break;
    }
    if (!known) {
      return absl::InvalidArgumentError(
          fmt::format("{} capability {} is required but not supported", type, name));
    }
  }
  return absl::OkStatus();
}

bool OrdererExpirationCheck(const std::set<std::string>& orderer_capabilities) {
  return AnyOf(orderer_capabilities, {"V1_1", "V1_4_2", "V2_0"});
}

bool OrdererConsensusTypeMigration(const std::set<std::string>& orderer_capabilities) {
  return AnyOf(orderer_capabilities, {"V1_4_2", "V2_0"});
}

bool ChannelConsensusTypeMigration(const std::set<std::string>& channel_capabilities) {
  return AnyOf(channel_capabilities, {"V1_4_2", "V1_4_3", "V2_0"});
}

[[nodiscard]] Status CheckOrdererResources(const ChannelConfig& config) {
  if (!config.orderer().has_value()) {
    return absl::InvalidArgumentError("config does not contain orderer config");
  }
  if (Status supported =
          CheckCapabilitiesSupported(CapabilitySection::kOrderer, config.orderer()->capabilities);
      !supported.ok()) {
    return absl::InvalidArgumentError(fmt::format(
        "config requires unsupported orderer capabilities: {}", std::string(supported.message())));
  }
  if (Status supported =
          CheckCapabilitiesSupported(CapabilitySection::kChannel, config.capabilities());
      !supported.ok()) {
    return absl::InvalidArgumentError(fmt::format(
        "config requires unsupported channel capabilities: {}", std::string(supported.message())));
  }
  return absl::OkStatus();
}

[[nodiscard]] Status ValidateNew(const ChannelConfig& current, const ChannelConfig& next) {
  if (current.orderer().has_value()) {
    if (!next.orderer().has_value()) {
      return absl::InvalidArgumentError(
          "current config has orderer section, but new config does not");
    }
    if (!ChannelConsensusTypeMigration(current.capabilities()) &&
        current.orderer()->consensus_type != next.orderer()->consensus_type) {
      return absl::InvalidArgumentError(
          fmt::format("attempted to change consensus type from {} to {}",
                      current.orderer()->consensus_type, next.orderer()->consensus_type));
    }
    WEFT_RETURN_IF_ERROR(
        SameMspIds("orderer", current.orderer()->organizations, next.orderer()->organizations));
  }
  if (current.application().has_value()) {
    if (!next.application().has_value()) {
      return absl::InvalidArgumentError(
          "current config has application section, but new config does not");
    }
    WEFT_RETURN_IF_ERROR(SameMspIds("application", current.application()->organizations,
                                    next.application()->organizations));
  }
  return absl::OkStatus();
}

}  // namespace weft::common::channelconfig
