#include "tools/configtxgen/configtx.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>

#include "fmt/format.h"
#include "fmt/ranges.h"
#include "msp/local_msp.h"

namespace weft::tools::configtxgen {
namespace {

namespace channelconfig = common::channelconfig;
using common::config::Need;
using common::config::Reader;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Reads the sections of configtx.yaml into ChannelSpec parts; problems are recorded in the
// Reader and reported together by Finish().
class ConfigtxReader {
 public:
  explicit ConfigtxReader(Reader* reader) : reader_(*reader) {}

  channelconfig::PolicySpecs Policies(const std::string& key) {
    channelconfig::PolicySpecs policies;
    const std::vector<std::string> names = reader_.MapKeys(key);
    // As in Fabric 2.x: every group needs its policies spelled out.
    if (names.empty()) reader_.AddError(key, "no policies defined");
    for (const std::string& name : names) {
      const std::string policy_key = fmt::format("{}.{}", key, name);
      channelconfig::PolicySpec& policy = policies[name];
      if (Required(policy_key + ".Type")) {
        reader_.ReadOneOf(policy_key + ".Type", &policy.type, {"Signature", "ImplicitMeta"});
      }
      reader_.ReadString(policy_key + ".Rule", &policy.rule, Need::kRequired);
    }
    return policies;
  }

  // Fabric writes only the capabilities set to true.
  std::vector<std::string> Capabilities(const std::string& key) {
    std::vector<std::pair<std::string, bool>> entries;
    reader_.ReadBoolMap(key, &entries);
    std::vector<std::string> names;
    for (const auto& [name, enabled] : entries) {
      if (enabled) names.push_back(name);
    }
    return names;
  }

  std::optional<channelconfig::OrganizationSpec> Organization(const std::string& key) {
    const size_t errors_before = reader_.errors().size();
    channelconfig::OrganizationSpec org;
    reader_.ReadString(key + ".Name", &org.name, Need::kRequired);
    reader_.ReadString(key + ".ID", &org.msp.name, Need::kRequired);
    std::filesystem::path msp_dir;
    reader_.ReadPath(key + ".MSPDir", &msp_dir, Need::kRequired);
    std::string msp_type = "bccsp";
    reader_.ReadOneOf(key + ".MSPType", &msp_type, {"bccsp", "idemix"});
    if (msp_type != "bccsp") {
      reader_.AddError(key + ".MSPType", "MSP type 'idemix' is not supported (supported: bccsp)");
    }
    bool skip_as_foreign = false;  // only matters for -asOrg, which Weft does not offer
    reader_.ReadBool(key + ".SkipAsForeign", &skip_as_foreign);
    org.policies = Policies(key + ".Policies");
    reader_.ReadStringList(key + ".OrdererEndpoints", &org.orderer_endpoints);
    const size_t anchors = reader_.ListSize(key + ".AnchorPeers");
    for (size_t i = 0; i < anchors; ++i) {
      const std::string anchor_key = fmt::format("{}.AnchorPeers[{}]", key, i);
      channelconfig::Endpoint& anchor = org.anchor_peers.emplace_back();
      reader_.ReadString(anchor_key + ".Host", &anchor.host, Need::kRequired);
      if (Required(anchor_key + ".Port")) {
        reader_.ReadInt<uint32_t>(anchor_key + ".Port", &anchor.port, 1, 65535);
      }
    }
    if (reader_.errors().size() != errors_before) return std::nullopt;
    StatusOr<msp::MspConfig> msp = msp::LoadMspConfig(msp_dir, org.msp.name);
    if (!msp.ok()) {
      reader_.AddError(key + ".MSPDir", fmt::format("loading the MSP of organisation {}: {}",
                                                    org.name, std::string(msp.status().message())));
      return std::nullopt;
    }
    org.msp = *std::move(msp);
    return org;
  }

  std::vector<channelconfig::OrganizationSpec> Organizations(const std::string& key) {
    std::vector<channelconfig::OrganizationSpec> orgs;
    const size_t count = reader_.ListSize(key);
    for (size_t i = 0; i < count; ++i) {
      if (auto org = Organization(fmt::format("{}[{}]", key, i))) orgs.push_back(*std::move(org));
    }
    return orgs;
  }

  channelconfig::OrdererSpec Orderer(const std::string& key) {
    channelconfig::OrdererSpec orderer;
    reader_.ReadString(key + ".OrdererType", &orderer.orderer_type);
    if (orderer.orderer_type != "solo" && orderer.orderer_type != "kafka") {
      reader_.AddError(key + ".OrdererType",
                       fmt::format("orderer type '{}' is not supported (supported: solo, kafka)",
                                   orderer.orderer_type));
    }
    reader_.ReadStringList(key + ".Addresses", &orderer.addresses);
    if (reader_.Has(key + ".BatchTimeout")) {
      std::chrono::milliseconds timeout{0};
      reader_.ReadDuration(key + ".BatchTimeout", &timeout);
      orderer.batch_timeout = GoDurationString(timeout);
    }
    channelconfig::BatchSize& batch = orderer.batch_size;
    reader_.ReadInt<uint32_t>(key + ".BatchSize.MaxMessageCount", &batch.max_message_count, 1);
    reader_.ReadByteSize<uint32_t>(key + ".BatchSize.AbsoluteMaxBytes", &batch.absolute_max_bytes);
    reader_.ReadByteSize<uint32_t>(key + ".BatchSize.PreferredMaxBytes",
                                   &batch.preferred_max_bytes);
    if (batch.preferred_max_bytes > batch.absolute_max_bytes) {
      reader_.AddError(key + ".BatchSize.PreferredMaxBytes",
                       fmt::format("{} bytes is more than AbsoluteMaxBytes ({} bytes)",
                                   batch.preferred_max_bytes, batch.absolute_max_bytes));
    }
    reader_.ReadStringList(key + ".Kafka.Brokers", &orderer.kafka_brokers);
    if (orderer.orderer_type == "kafka" && orderer.kafka_brokers.empty()) {
      orderer.kafka_brokers = {"127.0.0.1:9092"};  // Fabric's default
    }
    int64_t max_channels = 0;
    reader_.ReadInt<int64_t>(key + ".MaxChannels", &max_channels, 0);
    orderer.max_channels = static_cast<uint64_t>(max_channels);
    orderer.organizations = Organizations(key + ".Organizations");
    orderer.policies = Policies(key + ".Policies");
    orderer.capabilities = Capabilities(key + ".Capabilities");
    return orderer;
  }

  channelconfig::ApplicationSpec Application(const std::string& key) {
    channelconfig::ApplicationSpec application;
    application.organizations = Organizations(key + ".Organizations");
    application.policies = Policies(key + ".Policies");
    application.capabilities = Capabilities(key + ".Capabilities");
    std::vector<std::pair<std::string, std::string>> acls;
    reader_.ReadStringMap(key + ".ACLs", &acls);
    application.acls.insert(acls.begin(), acls.end());
    return application;
  }

 private:
  // For keys whose Read* call has no Need parameter.
  bool Required(const std::string& key) {
    if (reader_.Has(key)) return true;
    reader_.AddError(key, "required key is missing");
    return false;
  }

  Reader& reader_;
};

[[nodiscard]] StatusOr<Reader> OpenConfigtx(const std::filesystem::path& file,
                                            const common::config::Environment& env) {
  return Reader::Open(file, kEnvPrefix, env);
}

// The spelling in the file of the first key of `keys` equal to `name` ignoring case.
std::optional<std::string> FindName(const std::vector<std::string>& keys, std::string_view name) {
  for (const std::string& key : keys) {
    if (EqualsIgnoreCase(key, name)) return key;
  }
  return std::nullopt;
}

std::string ListOrNone(const std::vector<std::string>& names) {
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

[[nodiscard]] StatusOr<Profile> LoadProfile(const std::filesystem::path& configtx_file,
                                            std::string_view profile_name,
                                            const common::config::Environment& env) {
  WEFT_ASSIGN_OR_RETURN(Reader reader, OpenConfigtx(configtx_file, env));
  const std::vector<std::string> profiles = reader.MapKeys("Profiles");
  std::optional<std::string> found = FindName(profiles, profile_name);
  if (!found) {
    return absl::NotFoundError(fmt::format("{}: profile '{}' not found (profiles in the file: {})",
                                           configtx_file.string(), profile_name,
                                           ListOrNone(profiles)));
  }
  Profile profile;
  profile.name = *found;
  const std::string key = "Profiles." + profile.name;
  ConfigtxReader sections(&reader);
  profile.spec.policies = sections.Policies(key + ".Policies");
  profile.spec.capabilities = sections.Capabilities(key + ".Capabilities");
  // MapKeys rather than Has: Has would count the whole section as read, hiding unknown keys.
  if (!reader.MapKeys(key + ".Orderer").empty()) {
    profile.spec.orderer = sections.Orderer(key + ".Orderer");
  }
  if (!reader.MapKeys(key + ".Application").empty()) {
    profile.spec.application = sections.Application(key + ".Application");
  }
  if (reader.Has(key + ".Consortiums") || reader.Has(key + ".Consortium")) {
    reader.AddError(key, "system channel profiles (Consortiums) are not supported");
  }
  WEFT_RETURN_IF_ERROR(reader.Finish());
  // Other profiles and the sections they are built from are not this profile's business.
  const std::string own_prefix = fmt::format("{}: {}.", reader.file_name(), key);
  for (std::string& warning : reader.UnknownKeys()) {
    if (EqualsIgnoreCase(std::string_view(warning).substr(0, own_prefix.size()), own_prefix)) {
      profile.warnings.push_back(std::move(warning));
    }
  }
  return profile;
}

[[nodiscard]] StatusOr<common::channelconfig::OrganizationSpec> LoadOrganization(
    const std::filesystem::path& configtx_file, std::string_view name,
    const common::config::Environment& env) {
  WEFT_ASSIGN_OR_RETURN(Reader reader, OpenConfigtx(configtx_file, env));
  const size_t count = reader.ListSize("Organizations");
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) {
    const std::string key = fmt::format("Organizations[{}]", i);
    std::string org_name;
    reader.ReadString(key + ".Name", &org_name);
    if (org_name != name) {
      names.push_back(org_name);
      continue;
    }
    std::optional<channelconfig::OrganizationSpec> org = ConfigtxReader(&reader).Organization(key);
    WEFT_RETURN_IF_ERROR(reader.Finish());
    return *std::move(org);
  }
  WEFT_RETURN_IF_ERROR(reader.Finish());
  return absl::NotFoundError(
      fmt::format("{}: organisation '{}' not found in Organizations (found: {})",
                  configtx_file.string(), name, ListOrNone(names)));
}

std::string GoDurationString(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  ms = ms < 0 ? -ms : ms;
  if (ms < 1000) return fmt::format("{}{}ms", sign, ms);
  const int64_t hours = ms / 3'600'000;
  const int64_t minutes = ms / 60'000 % 60;
  const int64_t seconds = ms / 1000 % 60;
  const int64_t fraction = ms % 1000;
  std::string out = sign;
  if (hours > 0) out += fmt::format("{}h{}m", hours, minutes);
  if (hours == 0 && minutes > 0) out += fmt::format("{}m", minutes);
  out += std::to_string(seconds);
  if (fraction != 0) {
    std::string digits = fmt::format("{:03}", fraction);
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out + "s";
}

}  // namespace weft::tools::configtxgen
