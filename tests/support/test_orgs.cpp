#include "tests/support/test_orgs.h"

#include <stdexcept>

namespace weft::testing {

common::channelconfig::PolicySpecs StandardPolicies() {
  return {{"Readers", {"ImplicitMeta", "ANY Readers"}},
          {"Writers", {"ImplicitMeta", "ANY Writers"}},
          {"Admins", {"ImplicitMeta", "MAJORITY Admins"}}};
}

msp::MspConfig NodeOuMsp(const std::string& msp_id, const TestIdentity& ca) {
  msp::MspConfig config;
  config.name = msp_id;
  config.root_certs = {ca.cert};
  config.node_ous.enable = true;
  config.node_ous.client.organizational_unit = "client";
  config.node_ous.peer.organizational_unit = "peer";
  config.node_ous.admin.organizational_unit = "admin";
  config.node_ous.orderer.organizational_unit = "orderer";
  return config;
}

common::channelconfig::OrganizationSpec NodeOuOrg(const std::string& msp_id,
                                                  const TestIdentity& ca) {
  common::channelconfig::OrganizationSpec org;
  org.name = msp_id;
  org.msp = NodeOuMsp(msp_id, ca);
  const std::string m = "'" + msp_id;
  org.policies = {
      {"Readers",
       {"Signature",
        "OR(" + m + ".admin', " + m + ".peer', " + m + ".client', " + m + ".orderer')"}},
      {"Writers", {"Signature", "OR(" + m + ".admin', " + m + ".client', " + m + ".orderer')"}},
      {"Admins", {"Signature", "OR(" + m + ".admin')"}},
      {"Endorsement", {"Signature", "OR(" + m + ".peer')"}},
  };
  return org;
}

common::channelconfig::OrdererSpec StandardOrderer(const TestIdentity& orderer_ca,
                                                   const std::string& batch_timeout) {
  common::channelconfig::OrdererSpec orderer;
  orderer.batch_timeout = batch_timeout;
  orderer.batch_size = {10, 1 << 20, 1 << 19};
  orderer.policies = StandardPolicies();
  orderer.policies["BlockValidation"] = {"ImplicitMeta", "ANY Writers"};
  orderer.capabilities = {"V2_0"};
  auto orderer_org = NodeOuOrg("OrdererMSP", orderer_ca);
  orderer_org.orderer_endpoints = {"127.0.0.1:7050"};
  orderer.organizations = {orderer_org};
  return orderer;
}

msp::SigningIdentity MakeSigner(const TestIdentity& who, const std::string& msp_id) {
  auto signer = msp::SigningIdentity::Create(msp_id, who.cert, who.key);
  if (!signer.ok()) {
    throw std::runtime_error("signer for " + msp_id + ": " +
                             std::string(signer.status().message()));
  }
  return *std::move(signer);
}

}  // namespace weft::testing
