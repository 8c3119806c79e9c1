// A one-org application channel with one orderer org, minted at test time: CAs,
// the orderer's signing identity, client / peer / admin identities, the channel
// config and genesis blocks. Used by the orderer, deliver, msgprocessor and
// client-sdk unit tests.
// Throws std::runtime_error on failure so Catch2 reports the cause.
// Thread-safety: immutable after construction apart from the public knobs, which
// a test sets before use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/channelconfig/channel_config.h"
#include "common/channelconfig/config_builder.h"
#include "common/common.pb.h"
#include "msp/signing_identity.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace weft::testing {

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

  common::channelconfig::ChannelSpec Spec() const;
  ::common::Config Config() const;
  ::common::Block Genesis(const std::string& channel_id) const;
  // The config bundle of `channel_id`, stamped with config sequence `sequence`.
  std::shared_ptr<const common::channelconfig::ChannelConfig> Bundle(const std::string& channel_id,
                                                                     uint64_t sequence = 0) const;
};

}  // namespace weft::testing
