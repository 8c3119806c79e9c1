// Builds a channel configuration tree (common.Config) and a genesis block from a typed
// description, with the groups, values, policies and mod_policy that Fabric's
// configtxgen writes. configtxgen fills the description from configtx.yaml; tests fill
// it directly.
// Thread-safety: stateless functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/status/status.h"
#include "msp/msp_config.h"

namespace weft::common::channelconfig {

// A policy as configtx.yaml writes it: Type "Signature" with a policy-language Rule
// ("OR('Org1MSP.member')"), or Type "ImplicitMeta" with "ANY|ALL|MAJORITY <SubPolicy>".
struct PolicySpec {
  std::string type;
  std::string rule;
};
using PolicySpecs = std::map<std::string, PolicySpec>;

struct OrganizationSpec {
  std::string name;    // group name
  msp::MspConfig msp;  // msp.name is the MSP ID
  PolicySpecs policies;
  std::vector<Endpoint> anchor_peers;
  std::vector<std::string> orderer_endpoints;
};

struct OrdererSpec {
  std::string orderer_type = "solo";
  std::vector<std::string> addresses;  // deprecated global OrdererAddresses
  std::string batch_timeout = "2s";
  BatchSize batch_size{500, 10 * 1024 * 1024, 2 * 1024 * 1024};
  std::vector<std::string> kafka_brokers;
  uint64_t max_channels = 0;
  std::vector<OrganizationSpec> organizations;
  PolicySpecs policies;
  std::vector<std::string> capabilities;
};

struct ApplicationSpec {
  std::vector<OrganizationSpec> organizations;
  PolicySpecs policies;
  std::vector<std::string> capabilities;
  std::map<std::string, std::string> acls;
};

struct ChannelSpec {
  PolicySpecs policies;
  std::vector<std::string> capabilities;
  std::optional<OrdererSpec> orderer;
  std::optional<ApplicationSpec> application;
};

// The mod_policy configtxgen puts on every group, value and policy it writes.
inline constexpr char kAdminsPolicyName[] = "Admins";

// Errors name the section and policy ("/Channel/Application/Org1MSP policy Admins:
// ..."). Policies of type Signature are parsed with the policy language.
[[nodiscard]] StatusOr<::common::Config> BuildConfig(const ChannelSpec& spec);

// Block 0 of `channel_id`: one unsigned CONFIG envelope holding
// ConfigEnvelope{config}, data hash set, LAST_CONFIG and SIGNATURES metadata
// pointing at block 0, as Fabric's genesis factory makes it.
[[nodiscard]] StatusOr<::common::Block> BuildGenesisBlock(const std::string& channel_id,
                                                          const ::common::Config& config);

}  // namespace weft::common::channelconfig
