// A channel's configuration as a typed, immutable bundle (Fabric's channelconfig.Bundle):
// organisations with their MSPs, anchor peers and orderer endpoints, policies, orderer
// batch settings, consensus type, capabilities, ACLs and the config sequence number.
// Built from a config block or ConfigEnvelope; an update replaces the whole bundle.
// Depends on msp (as Fabric's does): the bundle builds each organisation's MSP.
// Thread-safety: immutable after construction; share as shared_ptr<const ChannelConfig>.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/policies/policy_manager.h"
#include "common/status/status.h"
#include "msp/msp.h"
#include "msp/msp_manager.h"

namespace weft::common::channelconfig {

struct Endpoint {
  std::string host;
  uint32_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

struct Organization {
  std::string name;    // the config group name
  std::string msp_id;  // from its MSP value
  std::shared_ptr<const msp::Msp> msp;
  std::vector<Endpoint> anchor_peers;          // application orgs
  std::vector<std::string> orderer_endpoints;  // orderer orgs, "host:port"
};

struct BatchSize {
  uint32_t max_message_count = 0;
  uint32_t absolute_max_bytes = 0;
  uint32_t preferred_max_bytes = 0;
};

struct OrdererSection {
  std::string consensus_type;  // "solo", "kafka", ...
  std::string consensus_metadata;
  bool maintenance_mode = false;
  BatchSize batch_size;
  std::chrono::milliseconds batch_timeout{0};
  std::vector<std::string> kafka_brokers;
  uint64_t max_channels = 0;  // ChannelRestrictions; 0 = unlimited
  std::set<std::string> capabilities;
  std::map<std::string, Organization> organizations;
};

struct ApplicationSection {
  std::set<std::string> capabilities;
  std::map<std::string, std::string> acls;  // resource -> policy path
  std::map<std::string, Organization> organizations;
};

class ChannelConfig {
 public:
  // Reads block.data.data[0] as a CONFIG envelope (header type CONFIG, channel id
  // taken from its channel header) and builds the bundle.
  // The organisations' MSPs count their signature checks in `ecdsa_counter` (null:
  // not counted); a bundle derived from this one passes ecdsa_counter() on.
  [[nodiscard]] static StatusOr<std::shared_ptr<const ChannelConfig>> FromConfigBlock(
      const ::common::Block& block, std::shared_ptr<msp::EcdsaCounter> ecdsa_counter = nullptr);
  [[nodiscard]] static StatusOr<std::shared_ptr<const ChannelConfig>> FromConfig(
      std::string channel_id, const ::common::Config& config,
      std::shared_ptr<msp::EcdsaCounter> ecdsa_counter = nullptr);

  const std::string& channel_id() const { return channel_id_; }
  uint64_t sequence() const { return config_.sequence(); }
  const ::common::Config& config() const { return config_; }

  const std::string& hashing_algorithm() const { return hashing_algorithm_; }
  const std::vector<std::string>& orderer_addresses() const { return orderer_addresses_; }
  const std::set<std::string>& capabilities() const { return capabilities_; }
  // Absent when the channel config has no Orderer / Application group.
  const std::optional<OrdererSection>& orderer() const { return orderer_; }
  const std::optional<ApplicationSection>& application() const { return application_; }

  // Every organisation's MSP (application and orderer).
  const msp::MspManager& msp_manager() const { return *msp_manager_; }
  const policies::PolicyManager& policy_manager() const { return *policy_manager_; }
  const std::shared_ptr<msp::EcdsaCounter>& ecdsa_counter() const { return ecdsa_counter_; }

 private:
  ChannelConfig() = default;

  std::string channel_id_;
  ::common::Config config_;
  std::string hashing_algorithm_;
  std::vector<std::string> orderer_addresses_;
  std::set<std::string> capabilities_;
  std::optional<OrdererSection> orderer_;
  std::optional<ApplicationSection> application_;
  std::unique_ptr<msp::MspManager> msp_manager_;
  std::unique_ptr<policies::PolicyManager> policy_manager_;
  std::shared_ptr<msp::EcdsaCounter> ecdsa_counter_;
};

// Opens a config block's envelope: the ConfigEnvelope and the channel id.
struct ConfigBlockContents {
  std::string channel_id;
  ::common::ConfigEnvelope envelope;
};
[[nodiscard]] StatusOr<ConfigBlockContents> OpenConfigBlock(const ::common::Block& block);

}  // namespace weft::common::channelconfig
