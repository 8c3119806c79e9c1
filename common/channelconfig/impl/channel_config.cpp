#include "common/channelconfig/channel_config.h"

#include <limits>

#include "common/config/values.h"
#include "common/configuration.pb.h"
#include "fmt/format.h"
#include "msp/msp_config.h"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace weft::common::channelconfig {
namespace {

constexpr char kOrdererGroup[] = "Orderer";
constexpr char kApplicationGroup[] = "Application";

// Parses value `key` of `group` (at `path`) into `out`. Absent values are an error
// only when `required`; returns whether the value was present.
template <typename Message>
[[nodiscard]] StatusOr<bool> ReadValue(const ::common::ConfigGroup& group, const std::string& path,
                                       const std::string& key, Message* out, bool required) {
  auto found = group.values().find(key);
  if (found == group.values().end()) {
    if (!required) return false;
    return absl::InvalidArgumentError(
        fmt::format("channel config {}: required value {} is missing", path, key));
  }
  if (!out->ParseFromString(found->second.value())) {
    return absl::InvalidArgumentError(fmt::format("channel config {}: value {} is not a valid {}",
                                                  path, key, out->GetTypeName()));
  }
  return true;
}

[[nodiscard]] StatusOr<std::set<std::string>> ReadCapabilities(const ::common::ConfigGroup& group,
                                                               const std::string& path) {
  ::common::Capabilities capabilities;
  WEFT_RETURN_IF_ERROR(ReadValue(group, path, "Capabilities", &capabilities, false).status());
  std::set<std::string> names;
  for (const auto& [name, unused] : capabilities.capabilities()) names.insert(name);
  return names;
}

[[nodiscard]] StatusOr<Organization> ReadOrganization(
    const std::string& name, const ::common::ConfigGroup& group, const std::string& path,
    const std::shared_ptr<msp::EcdsaCounter>& ecdsa_counter) {
  Organization organization;
  organization.name = name;
  ::msp::MSPConfig msp_proto;
  WEFT_RETURN_IF_ERROR(ReadValue(group, path, "MSP", &msp_proto, true).status());
  auto msp_config = msp::MspConfigFromProto(msp_proto);
  if (!msp_config.ok())
    return Annotate(msp_config.status(), fmt::format("channel config {}", path));
  auto built = msp::Msp::Create(*std::move(msp_config), ecdsa_counter);
  if (!built.ok()) return Annotate(built.status(), fmt::format("channel config {}", path));
  organization.msp = *std::move(built);
  organization.msp_id = organization.msp->id();

  ::protos::AnchorPeers anchors;
  WEFT_ASSIGN_OR_RETURN(bool has_anchors, ReadValue(group, path, "AnchorPeers", &anchors, false));
  if (has_anchors) {
    for (const auto& anchor : anchors.anchor_peers()) {
      if (anchor.host().empty() || anchor.port() <= 0 || anchor.port() > 65535) {
        return absl::InvalidArgumentError(
            fmt::format("channel config {}: anchor peer {}:{} is not a valid endpoint", path,
                        anchor.host(), anchor.port()));
      }
      organization.anchor_peers.push_back({anchor.host(), static_cast<uint32_t>(anchor.port())});
    }
  }
  ::common::OrdererAddresses endpoints;
  WEFT_ASSIGN_OR_RETURN(bool has_endpoints, ReadValue(group, path, "Endpoints", &endpoints, false));
  if (has_endpoints) {
    organization.orderer_endpoints.assign(endpoints.addresses().begin(),
                                          endpoints.addresses().end());
  }
  return organization;
}

[[nodiscard]] StatusOr<std::map<std::string, Organization>> ReadOrganizations(
    const ::common::ConfigGroup& group, const std::string& path,
    const std::shared_ptr<msp::EcdsaCounter>& ecdsa_counter) {
  std::map<std::string, Organization> organizations;
  for (const auto& [name, org_group] : group.groups()) {
    WEFT_ASSIGN_OR_RETURN(
        auto organization,
        ReadOrganization(name, org_group, fmt::format("{}/{}", path, name), ecdsa_counter));
    organizations.emplace(name, std::move(organization));
  }
  return organizations;
}

[[nodiscard]] StatusOr<OrdererSection> ReadOrderer(
    const ::common::ConfigGroup& group, const std::shared_ptr<msp::EcdsaCounter>& ecdsa_counter) {
  const std::string path = "/Channel/Orderer";
  OrdererSection orderer;
  ::orderer::ConsensusType consensus;
  WEFT_RETURN_IF_ERROR(ReadValue(group, path, "ConsensusType", &consensus, true).status());
  if (consensus.type().empty()) {
    return absl::InvalidArgumentError("channel config /Channel/Orderer: ConsensusType has no type");
  }
  orderer.consensus_type = consensus.type();
  orderer.consensus_metadata = consensus.metadata();
  orderer.maintenance_mode = consensus.state() == ::orderer::ConsensusType::STATE_MAINTENANCE;

  ::orderer::BatchSize batch_size;
  WEFT_RETURN_IF_ERROR(ReadValue(group, path, "BatchSize", &batch_size, true).status());
  if (batch_size.max_message_count() == 0 || batch_size.absolute_max_bytes() == 0 ||
      batch_size.preferred_max_bytes() == 0 ||
      batch_size.preferred_max_bytes() > batch_size.absolute_max_bytes()) {
    return absl::InvalidArgumentError(fmt::format(
        "channel config {}: BatchSize needs MaxMessageCount > 0 and 0 < PreferredMaxBytes <= "
        "AbsoluteMaxBytes, got {}, {}, {}",
        path, batch_size.max_message_count(), batch_size.preferred_max_bytes(),
        batch_size.absolute_max_bytes()));
  }
  orderer.batch_size = {batch_size.max_message_count(), batch_size.absolute_max_bytes(),
                        batch_size.preferred_max_bytes()};

  ::orderer::BatchTimeout batch_timeout;
  WEFT_RETURN_IF_ERROR(ReadValue(group, path, "BatchTimeout", &batch_timeout, true).status());
  auto timeout = config::ParseDuration(batch_timeout.timeout());
  if (!timeout.ok() || timeout->count() <= 0) {
    return absl::InvalidArgumentError(
        fmt::format("channel config {}: BatchTimeout '{}' is not a positive duration", path,
                    batch_timeout.timeout()));
  }
  orderer.batch_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);

  ::orderer::KafkaBrokers brokers;
  WEFT_ASSIGN_OR_RETURN(bool has_brokers, ReadValue(group, path, "KafkaBrokers", &brokers, false));
  if (has_brokers) orderer.kafka_brokers.assign(brokers.brokers().begin(), brokers.brokers().end());
  if (orderer.consensus_type == "kafka" && orderer.kafka_brokers.empty()) {
    return absl::InvalidArgumentError(
        "channel config /Channel/Orderer: consensus type kafka needs KafkaBrokers");
  }
  ::orderer::ChannelRestrictions restrictions;
  WEFT_ASSIGN_OR_RETURN(bool has_restrictions,
                        ReadValue(group, path, "ChannelRestrictions", &restrictions, false));
  if (has_restrictions) orderer.max_channels = restrictions.max_count();
  WEFT_ASSIGN_OR_RETURN(orderer.capabilities, ReadCapabilities(group, path));
  WEFT_ASSIGN_OR_RETURN(orderer.organizations, ReadOrganizations(group, path, ecdsa_counter));
  return orderer;
}

[[nodiscard]] StatusOr<ApplicationSection> ReadApplication(
    const ::common::ConfigGroup& group, const std::shared_ptr<msp::EcdsaCounter>& ecdsa_counter) {
  const std::string path = "/Channel/Application";
  ApplicationSection application;
  WEFT_ASSIGN_OR_RETURN(application.capabilities, ReadCapabilities(group, path));
  ::protos::ACLs acls;
  WEFT_ASSIGN_OR_RETURN(bool has_acls, ReadValue(group, path, "ACLs", &acls, false));
  if (has_acls) {
    for (const auto& [resource, api] : acls.acls()) application.acls[resource] = api.policy_ref();
  }
  WEFT_ASSIGN_OR_RETURN(application.organizations, ReadOrganizations(group, path, ecdsa_counter));
  return application;
}

}  // namespace

[[nodiscard]] StatusOr<ConfigBlockContents> OpenConfigBlock(const ::common::Block& block) {
  if (block.data().data_size() != 1) {
    return absl::InvalidArgumentError(
        fmt::format("config block {} must hold exactly one envelope, it holds {}",
                    block.header().number(), block.data().data_size()));
  }
  ::common::Envelope envelope;
  ::common::Payload payload;
  ::common::ChannelHeader channel_header;
  if (!envelope.ParseFromString(block.data().data(0)) ||
      !payload.ParseFromString(envelope.payload()) ||
      !channel_header.ParseFromString(payload.header().channel_header())) {
    return absl::InvalidArgumentError(
        fmt::format("config block {}: its envelope, payload or channel header is malformed",
                    block.header().number()));
  }
  if (channel_header.type() != ::common::CONFIG) {
    return absl::InvalidArgumentError(
        fmt::format("block {} is not a config block: its envelope has header type {}",
                    block.header().number(), channel_header.type()));
  }
  ConfigBlockContents contents;
  contents.channel_id = channel_header.channel_id();
  if (!contents.envelope.ParseFromString(payload.data()) || !contents.envelope.has_config()) {
    return absl::InvalidArgumentError(
        fmt::format("config block {}: payload data is not a ConfigEnvelope with a config",
                    block.header().number()));
  }
  return contents;
}

StatusOr<std::shared_ptr<const ChannelConfig>> ChannelConfig::FromConfigBlock(
    const ::common::Block& block, std::shared_ptr<msp::EcdsaCounter> ecdsa_counter) {
  WEFT_ASSIGN_OR_RETURN(auto contents, OpenConfigBlock(block));
  return FromConfig(std::move(contents.channel_id), contents.envelope.config(),
                    std::move(ecdsa_counter));
}

StatusOr<std::shared_ptr<const ChannelConfig>> ChannelConfig::FromConfig(
    std::string channel_id, const ::common::Config& config,
    std::shared_ptr<msp::EcdsaCounter> ecdsa_counter) {
  if (channel_id.empty()) return absl::InvalidArgumentError("channel config has no channel id");
  std::shared_ptr<ChannelConfig> bundle(new ChannelConfig());
  bundle->channel_id_ = std::move(channel_id);
  bundle->config_ = config;
  bundle->ecdsa_counter_ = std::move(ecdsa_counter);
  const auto& channel = config.channel_group();
  const std::string path = "/Channel";

  ::common::HashingAlgorithm hashing;
  WEFT_RETURN_IF_ERROR(ReadValue(channel, path, "HashingAlgorithm", &hashing, true).status());
  if (hashing.name() != "SHA256") {
    return absl::InvalidArgumentError(
        fmt::format("channel config /Channel: HashingAlgorithm {} is not supported (only SHA256)",
                    hashing.name()));
  }
  bundle->hashing_algorithm_ = hashing.name();
  ::common::BlockDataHashingStructure structure;
  WEFT_RETURN_IF_ERROR(
      ReadValue(channel, path, "BlockDataHashingStructure", &structure, true).status());
  if (structure.width() != std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(fmt::format(
        "channel config /Channel: BlockDataHashingStructure width {} is not supported (only "
        "4294967295)",
        structure.width()));
  }
  ::common::OrdererAddresses addresses;
  WEFT_ASSIGN_OR_RETURN(bool has_addresses,
                        ReadValue(channel, path, "OrdererAddresses", &addresses, false));
  if (has_addresses) {
    bundle->orderer_addresses_.assign(addresses.addresses().begin(), addresses.addresses().end());
  }
  WEFT_ASSIGN_OR_RETURN(bundle->capabilities_, ReadCapabilities(channel, path));

  std::vector<std::shared_ptr<const msp::Msp>> msps;
  auto collect = [&msps](const std::map<std::string, Organization>& organizations) {
    for (const auto& [name, organization] : organizations) msps.push_back(organization.msp);
  };
  auto orderer_group = channel.groups().find(kOrdererGroup);
  if (orderer_group != channel.groups().end()) {
    WEFT_ASSIGN_OR_RETURN(bundle->orderer_,
                          ReadOrderer(orderer_group->second, bundle->ecdsa_counter_));
    collect(bundle->orderer_->organizations);
  }
  auto application_group = channel.groups().find(kApplicationGroup);
  if (application_group != channel.groups().end()) {
    WEFT_ASSIGN_OR_RETURN(bundle->application_,
                          ReadApplication(application_group->second, bundle->ecdsa_counter_));
    // An organisation in both sections (same MSP ID) is one MSP.
    for (const auto& [name, organization] : bundle->application_->organizations) {
      bool duplicate = false;
      for (const auto& existing : msps) duplicate |= existing->id() == organization.msp_id;
      if (!duplicate) msps.push_back(organization.msp);
    }
  }
  auto msp_manager = msp::MspManager::Create(std::move(msps));
  if (!msp_manager.ok()) return Annotate(msp_manager.status(), "channel config");
  bundle->msp_manager_ = *std::move(msp_manager);
  WEFT_ASSIGN_OR_RETURN(bundle->policy_manager_,
                        policies::PolicyManager::Build("Channel", channel, *bundle->msp_manager_));
  return std::shared_ptr<const ChannelConfig>(std::move(bundle));
}

}  // namespace weft::common::channelconfig
