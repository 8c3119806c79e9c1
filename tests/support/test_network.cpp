#include "tests/support/test_network.h"

#include "tests/support/value_or_throw.h"

namespace weft::testing {

common::channelconfig::ChannelSpec TestNetwork::Spec() const {
  common::channelconfig::ChannelSpec spec;
  spec.policies = StandardPolicies();
  spec.capabilities = {"V2_0"};
  common::channelconfig::OrdererSpec orderer_spec = StandardOrderer(orderer_ca, batch_timeout);
  orderer_spec.orderer_type = consensus_type;
  orderer_spec.batch_size = batch_size;
  spec.orderer = orderer_spec;
  common::channelconfig::ApplicationSpec application;
  application.policies = StandardPolicies();
  application.capabilities = {"V2_5"};
  application.organizations = {NodeOuOrg("Org1MSP", org1_ca)};
  spec.application = application;
  return spec;
}

::common::Config TestNetwork::Config() const {
  return ValueOrThrow(common::channelconfig::BuildConfig(Spec()), "building the test config");
}

::common::Block TestNetwork::Genesis(const std::string& channel_id) const {
  return ValueOrThrow(common::channelconfig::BuildGenesisBlock(channel_id, Config()),
                      "building the genesis block of " + channel_id);
}

std::shared_ptr<const common::channelconfig::ChannelConfig> TestNetwork::Bundle(
    const std::string& channel_id, uint64_t sequence) const {
  ::common::Config config = Config();
  config.set_sequence(sequence);
  return ValueOrThrow(common::channelconfig::ChannelConfig::FromConfig(channel_id, config),
                      "the config bundle of " + channel_id);
}

}  // namespace weft::testing
