// A one-org application channel with one orderer org, minted at test time:
// CAs, the orderer's signing identity, client / peer identities and genesis
// blocks. Used by the orderer and deliver unit tests.
// Throws std::runtime_error on failure so Catch2 reports the cause.
#pragma once

#include <stdexcept>
#include <string>

#include "common/channelconfig/channel_config.h"
#include "common/channelconfig/config_builder.h"
#include "common/common.pb.h"
#include "msp/signing_identity.h"
#include "tests/support/test_crypto.h"

namespace weft::testing {

inline msp::SigningIdentity MakeSigner(const TestIdentity& who, const std::string& msp_id) {
  auto signer = msp::SigningIdentity::Create(msp_id, who.cert, who.key);
  if (!signer.ok()) throw std::runtime_error(std::string(signer.status().message()));
  return *std::move(signer);
}

struct TestNetwork {
  TestIdentity orderer_ca = MakeTestCa("ca.example.com", "Orderer");
  TestIdentity org1_ca = MakeTestCa("ca.org1.example.com", "Org1");
  TestIdentity stranger_ca = MakeTestCa("ca.evil.example.com", "Evil");

  msp::SigningIdentity orderer =
      MakeSigner(IssueLeaf(orderer_ca, "orderer0", {"orderer"}), "OrdererMSP");
  msp::SigningIdentity orderer_admin =
      MakeSigner(IssueLeaf(orderer_ca, "Admin@example.com", {"admin"}), "OrdererMSP");
  msp::SigningIdentity client = MakeSigner(IssueLeaf(org1_ca, "User1", {"client"}), "Org1MSP");
  msp::SigningIdentity admin = MakeSigner(IssueLeaf(org1_ca, "Admin", {"admin"}), "Org1MSP");
  // A reader that is not a writer.
  msp::SigningIdentity peer = MakeSigner(IssueLeaf(org1_ca, "peer0", {"peer"}), "Org1MSP");
  // Claims Org1MSP but was issued by another CA.
  msp::SigningIdentity impostor = MakeSigner(IssueLeaf(stranger_ca, "eve", {"client"}), "Org1MSP");
  // Names an MSP the channel does not have.
  msp::SigningIdentity stranger = MakeSigner(IssueLeaf(stranger_ca, "eve", {"client"}), "EvilMSP");

  common::channelconfig::BatchSize batch_size{10, 1 << 20, 1 << 19};
  std::string batch_timeout = "2s";
  std::string consensus_type = "solo";

  static common::channelconfig::OrganizationSpec Org(const std::string& msp_id,
                                                     const TestIdentity& ca) {
    common::channelconfig::OrganizationSpec org;
    org.name = msp_id;
    org.msp.name = msp_id;
    org.msp.root_certs = {ca.cert};
    org.msp.node_ous.enable = true;
    org.msp.node_ous.client.organizational_unit = "client";
    org.msp.node_ous.peer.organizational_unit = "peer";
    org.msp.node_ous.admin.organizational_unit = "admin";
    org.msp.node_ous.orderer.organizational_unit = "orderer";
    const std::string m = "'" + msp_id;
    org.policies = {
        {"Readers",
         {"Signature",
          "OR(" + m + ".admin', " + m + ".peer', " + m + ".client', " + m + ".orderer')"}},
        {"Writers", {"Signature", "OR(" + m + ".admin', " + m + ".client', " + m + ".orderer')"}},
        {"Admins", {"Signature", "OR(" + m + ".admin')"}},
    };
    return org;
  }

  common::channelconfig::ChannelSpec Spec() const {
    common::channelconfig::PolicySpecs standard = {{"Readers", {"ImplicitMeta", "ANY Readers"}},
                                                   {"Writers", {"ImplicitMeta", "ANY Writers"}},
                                                   {"Admins", {"ImplicitMeta", "MAJORITY Admins"}}};
    common::channelconfig::ChannelSpec spec;
    spec.policies = standard;
    spec.capabilities = {"V2_0"};
    common::channelconfig::OrdererSpec orderer_spec;
    orderer_spec.orderer_type = consensus_type;
    orderer_spec.batch_timeout = batch_timeout;
    orderer_spec.batch_size = batch_size;
    orderer_spec.policies = standard;
    orderer_spec.policies["BlockValidation"] = {"ImplicitMeta", "ANY Writers"};
    orderer_spec.capabilities = {"V2_0"};
    auto orderer_org = Org("OrdererMSP", orderer_ca);
    orderer_org.orderer_endpoints = {"127.0.0.1:7050"};
    orderer_spec.organizations = {orderer_org};
    spec.orderer = orderer_spec;
    common::channelconfig::ApplicationSpec application;
    application.policies = standard;
    application.capabilities = {"V2_5"};
    application.organizations = {Org("Org1MSP", org1_ca)};
    spec.application = application;
    return spec;
  }

  ::common::Config Config() const {
    auto config = common::channelconfig::BuildConfig(Spec());
    if (!config.ok()) throw std::runtime_error(std::string(config.status().message()));
    return *std::move(config);
  }

  ::common::Block Genesis(const std::string& channel_id) const {
    auto block = common::channelconfig::BuildGenesisBlock(channel_id, Config());
    if (!block.ok()) throw std::runtime_error(std::string(block.status().message()));
    return *std::move(block);
  }
};

}  // namespace weft::testing
