// Reading Fabric's configtx.yaml: a profile becomes a ChannelSpec (organisations with
// their MSPs loaded from MSPDir, policies, capabilities, ACLs, orderer settings) ready for
// channelconfig::BuildConfig. YAML anchors and merge keys ("<<: *ChannelDefaults") are
// resolved as Fabric's viper does; keys match case-insensitively; CONFIGTX_* variables in
// `env` override scalar keys. Supported orderer types: solo and kafka.
//
//   WEFT_ASSIGN_OR_RETURN(auto profile, LoadProfile(dir / "configtx.yaml", "TwoOrgs", env));
//   WEFT_ASSIGN_OR_RETURN(auto config, channelconfig::BuildConfig(profile.spec));
//
// Errors are InvalidArgument and list every problem as "configtx.yaml: <key>: <what>", the
// key naming the profile ("Profiles.TwoOrgs.Orderer.OrdererType: ..."); a missing file or
// profile is NotFound.
// Thread-safety: stateless functions.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "common/config/reader.h"
#include "common/status/status.h"

namespace weft::tools::configtxgen {

inline constexpr char kConfigtxFileName[] = "configtx.yaml";
// Prefix of the environment variables that override configtx.yaml keys, as in Fabric.
inline constexpr char kEnvPrefix[] = "CONFIGTX";

struct Profile {
  std::string name;  // as spelled in the file
  common::channelconfig::ChannelSpec spec;
  // Keys of the profile that configtxgen does not use, for the caller to log.
  std::vector<std::string> warnings;
};

[[nodiscard]] StatusOr<Profile> LoadProfile(const std::filesystem::path& configtx_file,
                                            std::string_view profile,
                                            const common::config::Environment& env);

// The organisation named `name` in the top-level Organizations list (for -printOrg).
[[nodiscard]] StatusOr<common::channelconfig::OrganizationSpec> LoadOrganization(
    const std::filesystem::path& configtx_file, std::string_view name,
    const common::config::Environment& env);

// Go's time.Duration.String() for a whole number of milliseconds ("2s", "500ms",
// "1m30s", "1h0m0s"), the form Fabric writes into BatchTimeout.
std::string GoDurationString(std::chrono::milliseconds duration);

}  // namespace weft::tools::configtxgen
