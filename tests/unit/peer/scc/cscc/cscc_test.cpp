#include "peer/scc/cscc/cscc.h"

#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>

#include "common/channelconfig/channel_config.h"
#include "common/channelconfig/config_builder.h"
#include "common/protoutil/proposal.h"
#include "msp/msp.h"
#include "peer/query.pb.h"
#include "tests/support/test_network.h"
#include "tests/support/test_orgs.h"

namespace {

using weft::peer::scc::cscc::PeerConfiger;
namespace protoutil = weft::common::protoutil;

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(std::string(value.status().message()));
  return *std::move(value);
}

class FakeChannelManager final : public weft::peer::scc::cscc::ChannelManager {
 public:
  std::vector<std::string> ids;
  std::vector<std::pair<std::string, uint64_t>> created;  // channel id, block number
  weft::Status refuse = absl::OkStatus();

  [[nodiscard]] weft::Status CreateChannel(const std::string& channel_id,
                                           const ::common::Block& genesis_block) override {
    if (!refuse.ok()) return refuse;
    created.emplace_back(channel_id, genesis_block.header().number());
    ids.push_back(channel_id);
    return absl::OkStatus();
  }
  std::vector<std::string> ChannelIds() const override { return ids; }
  [[nodiscard]] weft::StatusOr<::common::Block> ConfigBlock(
      const std::string& channel_id) const override {
    auto found = config_blocks.find(channel_id);
    if (found == config_blocks.end()) return absl::NotFoundError("not joined");
    return found->second;
  }

  std::map<std::string, ::common::Block> config_blocks;
};

struct CsccFixture {
  weft::testing::TestNetwork network;
  std::shared_ptr<const weft::msp::Msp> local_msp =
      Must(weft::msp::Msp::Create(weft::testing::NodeOuMsp("Org1MSP", network.org1_ca)));
  std::shared_ptr<const weft::common::channelconfig::ChannelConfig> bundle =
      network.Bundle("mychannel");
  weft::peer::aclmgmt::ChannelAclProvider acl{
      [this](std::string_view channel_id) { return channel_id == "mychannel" ? bundle : nullptr; }};
  FakeChannelManager channels;
  PeerConfiger cscc{*local_msp, acl, channels};
  std::string genesis = network.Genesis("mychannel").SerializeAsString();

  // A channel-less proposal to `chaincode` as `peer channel join` builds it.
  ::protos::SignedProposal Proposal(const weft::msp::SigningIdentity& signer,
                                    const std::vector<std::string>& args,
                                    const std::string& chaincode = "cscc") const {
    protoutil::ChaincodeProposalSpec spec;
    spec.chaincode_name = chaincode;
    spec.args = args;
    auto created = Must(protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity()));
    return Must(protoutil::SignProposal(created.proposal, signer));
  }

  ::protos::Response Invoke(const weft::msp::SigningIdentity& signer,
                            const std::vector<std::string>& args,
                            const std::string& chaincode = "cscc") const {
    return cscc.Invoke(args, Proposal(signer, args, chaincode));
  }
};

}  // namespace

// configure.go InvokeNoShim JoinChain: the block's channel, then the local Admins ACL.
TEST_CASE("JoinChain by a local MSP admin creates the genesis block's channel") {
  CsccFixture f;
  auto response = f.Invoke(f.network.admin, {"JoinChain", f.genesis});
  INFO(response.message());
  CHECK(response.status() == 200);
  CHECK(f.channels.created == std::vector<std::pair<std::string, uint64_t>>{{"mychannel", 0}});
}

// core/policy CheckPolicyNoChannel messages, wrapped as configure.go does.
TEST_CASE("JoinChain is refused to anyone but a local MSP admin") {
  CsccFixture f;
  SECTION("a client of the local MSP") {
    auto response = f.Invoke(f.network.client, {"JoinChain", f.genesis});
    CHECK(response.status() == 500);
    CHECK_THAT(response.message(),
               Catch::StartsWith("access denied for [JoinChain][mychannel]: [Failed verifying "
                                 "that proposal's creator satisfies local MSP principal during "
                                 "channelless check policy with policy [Admins]: ["));
  }
  SECTION("an admin of another MSP") {
    auto response = f.Invoke(f.network.orderer_admin, {"JoinChain", f.genesis});
    CHECK(response.status() == 500);
    CHECK(response.message() ==
          "access denied for [JoinChain][mychannel]: [Failed deserializing proposal creator "
          "during channelless check policy with policy [Admins]: [expected MSP ID Org1MSP, "
          "received OrdererMSP]]");
  }
  CHECK(f.channels.created.empty());
}

TEST_CASE("JoinChain refuses blocks that are no channel genesis block") {
  CsccFixture f;
  CHECK(f.Invoke(f.network.admin, {"JoinChain", ""}).message() ==
        "Cannot join the channel <nil> configuration block provided");
  CHECK_THAT(f.Invoke(f.network.admin, {"JoinChain", "\xff\xff"}).message(),
             Catch::StartsWith("Failed to reconstruct the genesis block, "));
  // validateConfigBlock: the config must have an Application group.
  auto spec = f.network.Spec();
  spec.application.reset();
  auto no_application = Must(weft::common::channelconfig::BuildGenesisBlock(
      "sys", Must(weft::common::channelconfig::BuildConfig(spec))));
  CHECK(f.Invoke(f.network.admin, {"JoinChain", no_application.SerializeAsString()}).message() ==
        "\"JoinChain\" for channelID = sys failed because of validation of configuration block, "
        "because of Invalid configuration block, missing Application configuration group");
  CHECK(f.channels.created.empty());
}

TEST_CASE("JoinChain returns the peer's refusal to create the channel as its message") {
  CsccFixture f;
  f.channels.refuse = absl::AlreadyExistsError(
      "cannot create ledger from genesis block: ledger [mychannel] already exists with state "
      "[ACTIVE]");
  auto response = f.Invoke(f.network.admin, {"JoinChain", f.genesis});
  CHECK(response.status() == 500);
  CHECK(response.message() == f.channels.refuse.message());
}

// configure.go Invoke: argument count, then the invoked chaincode's name.
TEST_CASE("cscc checks its arguments and who invoked it") {
  CsccFixture f;
  CHECK(f.Invoke(f.network.admin, {}).message() == "Incorrect number of arguments, 0");
  CHECK(f.Invoke(f.network.admin, {"JoinChain"}).message() == "Incorrect number of arguments, 1");
  CHECK(f.Invoke(f.network.admin, {"JoinChain", f.genesis}, "qscc").message() ==
        "Rejecting invoke of CSCC from another chaincode, original invocation for 'qscc'");
  CHECK(f.Invoke(f.network.admin, {"Nope", "x"}).message() == "Requested function Nope not found.");
  CHECK(f.channels.created.empty());
}

// GetChannels: local MSP Members; a ChannelQueryResponse.
TEST_CASE("GetChannels lists the joined channels to members of the local MSP") {
  CsccFixture f;
  f.channels.ids = {"a", "b"};
  auto response = f.Invoke(f.network.peer, {"GetChannels"});
  REQUIRE(response.status() == 200);
  ::protos::ChannelQueryResponse channels;
  REQUIRE(channels.ParseFromString(response.payload()));
  REQUIRE(channels.channels_size() == 2);
  CHECK(channels.channels(0).channel_id() == "a");
  CHECK(channels.channels(1).channel_id() == "b");

  auto refused = f.Invoke(f.network.orderer, {"GetChannels"});
  CHECK(refused.status() == 500);
  CHECK(refused.message() ==
        "access denied for [GetChannels]: Failed deserializing proposal creator during "
        "channelless check policy with policy [Members]: [expected MSP ID Org1MSP, received "
        "OrdererMSP]");
}

// configure.go GetConfigBlock / GetChannelConfig: channel ACL (default channel Readers),
// then the channel's newest config block.
TEST_CASE("GetConfigBlock and GetChannelConfig answer channel readers") {
  CsccFixture f;
  const ::common::Block genesis_block = f.network.Genesis("mychannel");
  f.channels.config_blocks["mychannel"] = genesis_block;

  auto block = f.Invoke(f.network.peer, {"GetConfigBlock", "mychannel"});
  INFO(block.message());
  REQUIRE(block.status() == 200);
  CHECK(block.payload() == genesis_block.SerializeAsString());

  auto config = f.Invoke(f.network.client, {"GetChannelConfig", "mychannel"});
  REQUIRE(config.status() == 200);
  ::common::Config parsed;
  REQUIRE(parsed.ParseFromString(config.payload()));
  auto expected = Must(weft::common::channelconfig::ChannelConfig::FromConfigBlock(genesis_block));
  CHECK(google::protobuf::util::MessageDifferencer::Equals(parsed, expected->config()));

  CHECK(f.Invoke(f.network.client, {"GetChannelConfig", ""}).message() ==
        "empty channel name provided");
  CHECK_THAT(f.Invoke(f.network.stranger, {"GetConfigBlock", "mychannel"}).message(),
             Catch::StartsWith("access denied for [GetConfigBlock][mychannel]: "));
  CHECK_THAT(f.Invoke(f.network.client, {"GetChannelConfig", "other"}).message(),
             Catch::StartsWith("access denied for [GetChannelConfig][other]: "));
}
