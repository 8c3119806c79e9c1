'use strict';
// Decodes a config block written by Weft's configtxgen with @hyperledger/fabric-protos
// (the bindings Fabric's Node SDKs use) and prints what a Fabric client would see:
// Block -> Envelope -> Payload -> ChannelHeader -> ConfigEnvelope -> Config.
// Usage: node decode_config_block.js <block file>

const fs = require('fs');
const { common, msp, orderer, peer } = require('@hyperledger/fabric-protos');

const utf8 = (bytes) => Buffer.from(bytes).toString('utf8');

// Map<string, T> of a jspb map field as [key, value] pairs sorted by key.
function entries(map) {
  const out = [];
  map.forEach((value, key) => out.push([key, value]));
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// Values this script understands, decoded by key as Fabric's channelconfig does.
const decoders = {
  HashingAlgorithm: (b) => ({ name: common.HashingAlgorithm.deserializeBinary(b).getName() }),
  BlockDataHashingStructure: (b) => ({
    width: common.BlockDataHashingStructure.deserializeBinary(b).getWidth(),
  }),
  OrdererAddresses: (b) => ({
    addresses: common.OrdererAddresses.deserializeBinary(b).getAddressesList(),
  }),
  Endpoints: (b) => ({
    addresses: common.OrdererAddresses.deserializeBinary(b).getAddressesList(),
  }),
  Capabilities: (b) => ({
    capabilities: entries(common.Capabilities.deserializeBinary(b).getCapabilitiesMap()).map(
      ([name]) => name),
  }),
  ConsensusType: (b) => ({ type: orderer.ConsensusType.deserializeBinary(b).getType() }),
  BatchSize: (b) => {
    const size = orderer.BatchSize.deserializeBinary(b);
    return {
      max_message_count: size.getMaxMessageCount(),
      absolute_max_bytes: size.getAbsoluteMaxBytes(),
      preferred_max_bytes: size.getPreferredMaxBytes(),
    };
  },
  BatchTimeout: (b) => ({ timeout: orderer.BatchTimeout.deserializeBinary(b).getTimeout() }),
  ChannelRestrictions: (b) => ({
    max_count: orderer.ChannelRestrictions.deserializeBinary(b).getMaxCount(),
  }),
  KafkaBrokers: (b) => ({ brokers: orderer.KafkaBrokers.deserializeBinary(b).getBrokersList() }),
  AnchorPeers: (b) => ({
    anchor_peers: peer.AnchorPeers.deserializeBinary(b)
      .getAnchorPeersList()
      .map((p) => ({ host: p.getHost(), port: p.getPort() })),
  }),
  ACLs: (b) => ({
    acls: Object.fromEntries(
      entries(peer.ACLs.deserializeBinary(b).getAclsMap()).map(([k, v]) => [k, v.getPolicyRef()])),
  }),
  MSP: (b) => {
    const config = msp.MSPConfig.deserializeBinary(b);
    const fabric = msp.FabricMSPConfig.deserializeBinary(config.getConfig_asU8());
    return {
      type: config.getType(),
      name: fabric.getName(),
      root_certs: fabric.getRootCertsList_asU8().map(utf8),
      node_ous_enabled: fabric.hasFabricNodeOus() && fabric.getFabricNodeOus().getEnable(),
    };
  },
};

// Every group, value and policy as path -> {mod_policy, value?}.
function walk(group, path, out) {
  out[path] = { mod_policy: group.getModPolicy() };
  for (const [name, value] of entries(group.getValuesMap())) {
    const decode = decoders[name];
    out[`${path}/values/${name}`] = {
      mod_policy: value.getModPolicy(),
      value: decode ? decode(value.getValue_asU8()) : null,
    };
  }
  for (const [name, policy] of entries(group.getPoliciesMap())) {
    out[`${path}/policies/${name}`] = {
      mod_policy: policy.getModPolicy(),
      type: policy.getPolicy().getType(),
    };
  }
  for (const [name, child] of entries(group.getGroupsMap())) {
    walk(child, `${path}/groups/${name}`, out);
  }
}

const block = common.Block.deserializeBinary(fs.readFileSync(process.argv[2]));
const envelope = common.Envelope.deserializeBinary(block.getData().getDataList_asU8()[0]);
const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
const channelHeader = common.ChannelHeader.deserializeBinary(
  payload.getHeader().getChannelHeader_asU8());
const configEnvelope = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8());
const config = configEnvelope.getConfig();
const paths = {};
walk(config.getChannelGroup(), '/Channel', paths);

process.stdout.write(JSON.stringify({
  block_number: block.getHeader().getNumber(),
  envelopes: block.getData().getDataList().length,
  header_type: channelHeader.getType(),
  header_type_is_config: channelHeader.getType() === common.HeaderType.CONFIG,
  channel_id: channelHeader.getChannelId(),
  sequence: config.getSequence(),
  paths,
}));
