#include "common/channelconfig/config_builder.h"

#include <limits>

#include "common/configuration.pb.h"
#include "common/crypto/random.h"
#include "common/policies/policy_dsl.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"
#include "fmt/format.h"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace weft::common::channelconfig {
namespace {

using protoutil::DeterministicSerialize;

void SetValue(::common::ConfigGroup& group, const std::string& key,
              const google::protobuf::MessageLite& value) {
  auto& config_value = (*group.mutable_values())[key];
  config_value.set_value(DeterministicSerialize(value));
  config_value.set_mod_policy(kAdminsPolicyName);
}

[[nodiscard]] StatusOr<::common::Policy> EncodePolicy(const PolicySpec& spec) {
  ::common::Policy policy;
  if (spec.type == "Signature") {
    WEFT_ASSIGN_OR_RETURN(auto envelope, policies::ParsePolicy(spec.rule));
    policy.set_type(::common::Policy::SIGNATURE);
    policy.set_value(DeterministicSerialize(envelope));
    return policy;
  }
  if (spec.type == "ImplicitMeta") {
    auto space = spec.rule.find(' ');
    std::string rule_name = spec.rule.substr(0, space);
    std::string sub_policy = space == std::string::npos ? "" : spec.rule.substr(space + 1);
    ::common::ImplicitMetaPolicy::Rule rule;
    if (!::common::ImplicitMetaPolicy::Rule_Parse(rule_name, &rule) || sub_policy.empty() ||
        sub_policy.find(' ') != std::string::npos) {
      return absl::InvalidArgumentError(fmt::format(
          "implicit meta rule '{}' must be ANY, ALL or MAJORITY followed by one policy name",
          spec.rule));
    }
    ::common::ImplicitMetaPolicy meta;
    meta.set_rule(rule);
    meta.set_sub_policy(sub_policy);
    policy.set_type(::common::Policy::IMPLICIT_META);
    policy.set_value(DeterministicSerialize(meta));
    return policy;
  }
  return absl::InvalidArgumentError(
      fmt::format("policy type '{}' is not Signature or ImplicitMeta", spec.type));
}

[[nodiscard]] Status AddPolicies(::common::ConfigGroup& group, const std::string& path,
                                 const PolicySpecs& specs) {
  for (const auto& [name, spec] : specs) {
    auto policy = EncodePolicy(spec);
    if (!policy.ok()) return Annotate(policy.status(), fmt::format("{} policy {}", path, name));
    auto& config_policy = (*group.mutable_policies())[name];
    *config_policy.mutable_policy() = *std::move(policy);
    config_policy.set_mod_policy(kAdminsPolicyName);
  }
  return absl::OkStatus();
}

void AddCapabilities(::common::ConfigGroup& group, const std::vector<std::string>& names) {
  if (names.empty()) return;
  ::common::Capabilities capabilities;
  for (const auto& name : names) (*capabilities.mutable_capabilities())[name];
  SetValue(group, "Capabilities", capabilities);
}

[[nodiscard]] StatusOr<::common::ConfigGroup> BuildOrganization(const OrganizationSpec& spec,
                                                                const std::string& parent_path) {
  std::string path = fmt::format("{}/{}", parent_path, spec.name);
  if (spec.name.empty() || spec.msp.name.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: an organisation needs a name and an MSP ID", parent_path));
  }
  ::common::ConfigGroup group;
  group.set_mod_policy(kAdminsPolicyName);
  WEFT_RETURN_IF_ERROR(AddPolicies(group, path, spec.policies));
  SetValue(group, "MSP", msp::MspConfigToProto(spec.msp));
  if (!spec.anchor_peers.empty()) {
    ::protos::AnchorPeers anchors;
    for (const auto& endpoint : spec.anchor_peers) {
      auto* anchor = anchors.add_anchor_peers();
      anchor->set_host(endpoint.host);
      anchor->set_port(static_cast<int32_t>(endpoint.port));
    }
    SetValue(group, "AnchorPeers", anchors);
  }
  if (!spec.orderer_endpoints.empty()) {
    ::common::OrdererAddresses endpoints;
    for (const auto& address : spec.orderer_endpoints) endpoints.add_addresses(address);
    SetValue(group, "Endpoints", endpoints);
  }
  return group;
}

[[nodiscard]] Status AddOrganizations(::common::ConfigGroup& group, const std::string& path,
                                      const std::vector<OrganizationSpec>& organizations) {
  for (const auto& organization : organizations) {
    if (group.groups().count(organization.name) != 0) {
      return absl::InvalidArgumentError(
          fmt::format("{}: organisation {} is listed twice", path, organization.name));
    }
    WEFT_ASSIGN_OR_RETURN(auto org_group, BuildOrganization(organization, path));
    (*group.mutable_groups())[organization.name] = std::move(org_group);
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<::common::ConfigGroup> BuildOrderer(const OrdererSpec& spec) {
  const std::string path = "/Channel/Orderer";
  ::common::ConfigGroup group;
  group.set_mod_policy(kAdminsPolicyName);
  WEFT_RETURN_IF_ERROR(AddPolicies(group, path, spec.policies));
  ::orderer::ConsensusType consensus;
  consensus.set_type(spec.orderer_type);
  SetValue(group, "ConsensusType", consensus);
  ::orderer::BatchSize batch_size;
  batch_size.set_max_message_count(spec.batch_size.max_message_count);
  batch_size.set_absolute_max_bytes(spec.batch_size.absolute_max_bytes);
  batch_size.set_preferred_max_bytes(spec.batch_size.preferred_max_bytes);
  SetValue(group, "BatchSize", batch_size);
  ::orderer::BatchTimeout batch_timeout;
  batch_timeout.set_timeout(spec.batch_timeout);
  SetValue(group, "BatchTimeout", batch_timeout);
  ::orderer::ChannelRestrictions restrictions;
  restrictions.set_max_count(spec.max_channels);
  SetValue(group, "ChannelRestrictions", restrictions);
  if (spec.orderer_type == "kafka") {
    ::orderer::KafkaBrokers brokers;
    for (const auto& broker : spec.kafka_brokers) brokers.add_brokers(broker);
    SetValue(group, "KafkaBrokers", brokers);
  }
  AddCapabilities(group, spec.capabilities);
  WEFT_RETURN_IF_ERROR(AddOrganizations(group, path, spec.organizations));
  return group;
}

[[nodiscard]] StatusOr<::common::ConfigGroup> BuildApplication(const ApplicationSpec& spec) {
  const std::string path = "/Channel/Application";
  ::common::ConfigGroup group;
  group.set_mod_policy(kAdminsPolicyName);
  WEFT_RETURN_IF_ERROR(AddPolicies(group, path, spec.policies));
  AddCapabilities(group, spec.capabilities);
  if (!spec.acls.empty()) {
    ::protos::ACLs acls;
    for (const auto& [resource, policy] : spec.acls) {
      (*acls.mutable_acls())[resource].set_policy_ref(policy);
    }
    SetValue(group, "ACLs", acls);
  }
  WEFT_RETURN_IF_ERROR(AddOrganizations(group, path, spec.organizations));
  return group;
}

}  // namespace

[[nodiscard]] StatusOr<::common::Config> BuildConfig(const ChannelSpec& spec) {
  ::common::Config config;
  config.set_sequence(0);
  auto& channel = *config.mutable_channel_group();
  channel.set_mod_policy(kAdminsPolicyName);
  WEFT_RETURN_IF_ERROR(AddPolicies(channel, "/Channel", spec.policies));
  ::common::HashingAlgorithm hashing;
  hashing.set_name("SHA256");
  SetValue(channel, "HashingAlgorithm", hashing);
  ::common::BlockDataHashingStructure structure;
  structure.set_width(std::numeric_limits<uint32_t>::max());
  SetValue(channel, "BlockDataHashingStructure", structure);
  if (spec.orderer && !spec.orderer->addresses.empty()) {
    ::common::OrdererAddresses addresses;
    for (const auto& address : spec.orderer->addresses) addresses.add_addresses(address);
    SetValue(channel, "OrdererAddresses", addresses);
  }
  AddCapabilities(channel, spec.capabilities);
  if (spec.orderer) {
    WEFT_ASSIGN_OR_RETURN((*channel.mutable_groups())["Orderer"], BuildOrderer(*spec.orderer));
  }
  if (spec.application) {
    WEFT_ASSIGN_OR_RETURN((*channel.mutable_groups())["Application"],
                          BuildApplication(*spec.application));
  }
  return config;
}

[[nodiscard]] StatusOr<::common::Block> BuildGenesisBlock(const std::string& channel_id,
                                                          const ::common::Config& config) {
  if (channel_id.empty()) return absl::InvalidArgumentError("genesis block needs a channel id");
  ::common::ConfigEnvelope config_envelope;
  *config_envelope.mutable_config() = config;

  WEFT_ASSIGN_OR_RETURN(std::string nonce, crypto::RandomBytes(24));
  auto signature_header = protoutil::MakeSignatureHeader("", nonce);
  protoutil::ChannelHeaderFields fields;
  fields.type = ::common::CONFIG;
  fields.channel_id = channel_id;
  fields.version = 1;
  fields.tx_id = protoutil::ComputeTxId(nonce, "");
  ::common::Payload payload;
  *payload.mutable_header() =
      protoutil::MakeHeader(protoutil::MakeChannelHeader(fields), signature_header);
  payload.set_data(DeterministicSerialize(config_envelope));
  ::common::Envelope envelope;
  envelope.set_payload(DeterministicSerialize(payload));

  ::common::Block block = protoutil::NewBlock(0, "");
  block.mutable_data()->add_data(DeterministicSerialize(envelope));
  block.mutable_header()->set_data_hash(protoutil::BlockDataHash(block.data()));

  ::common::LastConfig last_config;
  last_config.set_index(0);
  ::common::Metadata last_config_metadata;
  last_config_metadata.set_value(DeterministicSerialize(last_config));
  block.mutable_metadata()->set_metadata(protoutil::kLastConfigMetadataIndex,
                                         DeterministicSerialize(last_config_metadata));
  ::common::OrdererBlockMetadata orderer_metadata;
  *orderer_metadata.mutable_last_config() = last_config;
  ::common::Metadata signatures;
  signatures.set_value(DeterministicSerialize(orderer_metadata));
  block.mutable_metadata()->set_metadata(::common::SIGNATURES, DeterministicSerialize(signatures));
  return block;
}

}  // namespace weft::common::channelconfig
