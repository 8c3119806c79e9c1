#include "peer/aclmgmt/acl_provider.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "common/channelconfig/config_builder.h"
#include "common/protoutil/proposal.h"
#include "tests/support/test_network.h"

namespace {

using weft::common::channelconfig::ChannelConfig;
using weft::common::policies::SignedData;
using weft::peer::aclmgmt::ChannelAclProvider;
namespace aclmgmt = weft::peer::aclmgmt;
namespace protoutil = weft::common::protoutil;

constexpr char kChannel[] = "mychannel";

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(std::string(value.status().message()));
  return *std::move(value);
}

std::shared_ptr<const ChannelConfig> Bundle(const weft::testing::TestNetwork& network,
                                            std::map<std::string, std::string> acls) {
  auto spec = network.Spec();
  spec.application->acls = std::move(acls);
  return Must(
      ChannelConfig::FromConfig(kChannel, Must(weft::common::channelconfig::BuildConfig(spec))));
}

struct AclFixture {
  weft::testing::TestNetwork network;
  std::shared_ptr<const ChannelConfig> config =
      Bundle(network, {{"qscc/GetChainInfo", "Admins"}, {"event/Block", ""}});
  ChannelAclProvider acl{
      [this](std::string_view channel_id) { return channel_id == kChannel ? config : nullptr; }};

  ::protos::SignedProposal Proposal(const protoutil::Signer& signer) const {
    protoutil::ChaincodeProposalSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode_name = "qscc";
    spec.args = {"GetChainInfo", kChannel};
    auto created = Must(protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity()));
    return Must(protoutil::SignProposal(created.proposal, signer));
  }
};

}  // namespace

TEST_CASE("Channel resources default to Fabric's defaultACLProvider policies") {
  CHECK(aclmgmt::DefaultPolicy("event/Block") == "/Channel/Application/Readers");
  CHECK(aclmgmt::DefaultPolicy("event/FilteredBlock") == "/Channel/Application/Readers");
  CHECK(aclmgmt::DefaultPolicy("qscc/GetTransactionByID") == "/Channel/Application/Readers");
  CHECK(aclmgmt::DefaultPolicy("peer/Propose") == "/Channel/Application/Writers");
  CHECK(aclmgmt::DefaultPolicy("_lifecycle/CommitChaincodeDefinition") ==
        "/Channel/Application/Writers");
  CHECK(aclmgmt::DefaultPolicy("qscc/Unknown").empty());
}

TEST_CASE("The config's ACLs are made absolute under /Channel/Application, empty ones ignored") {
  // channelconfig acls.go newAPIsProvider.
  weft::testing::TestNetwork network;
  auto config = Bundle(network, {{"qscc/GetChainInfo", "Admins"},
                                 {"qscc/GetBlockByNumber", "/Channel/Orderer/Readers"},
                                 {"event/Block", ""}});
  CHECK(aclmgmt::ConfiguredPolicy(*config, "qscc/GetChainInfo") == "/Channel/Application/Admins");
  CHECK(aclmgmt::ConfiguredPolicy(*config, "qscc/GetBlockByNumber") == "/Channel/Orderer/Readers");
  CHECK(aclmgmt::ConfiguredPolicy(*config, "event/Block").empty());
  CHECK(aclmgmt::PolicyForResource(*config, "event/Block") == "/Channel/Application/Readers");
  CHECK(aclmgmt::PolicyForResource(*config, "qscc/GetChainInfo") == "/Channel/Application/Admins");
}

TEST_CASE("CheckAcl evaluates the resolved policy on signed data") {
  AclFixture fixture;
  auto proposal = fixture.Proposal(fixture.network.client);
  CHECK(fixture.acl.CheckAcl("qscc/GetBlockByNumber", kChannel, proposal).ok());
  weft::Status denied = fixture.acl.CheckAcl("qscc/GetChainInfo", kChannel, proposal);
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(denied.message()),
             Catch::StartsWith("failed evaluating policy on signed data during check policy "
                               "[/Channel/Application/Admins]: ["));
  CHECK(fixture.acl.CheckAcl("qscc/GetChainInfo", kChannel, fixture.Proposal(fixture.network.admin))
            .ok());

  // The same through signed data, as Deliver passes its envelope's.
  const SignedData data{proposal.proposal_bytes(), fixture.network.client.SerializedIdentity(),
                        proposal.signature()};
  CHECK(fixture.acl.CheckAcl("event/Block", kChannel, std::span<const SignedData>(&data, 1)).ok());
  SignedData forged = data;
  forged.signature = "not a signature";
  weft::Status forged_status =
      fixture.acl.CheckAcl("event/Block", kChannel, std::span<const SignedData>(&forged, 1));
  CHECK_THAT(
      std::string(forged_status.message()),
      Catch::StartsWith("Failed evaluating policy on signed data during check policy on "
                        "channel [mychannel] with policy [/Channel/Application/Readers]: ["));
}

TEST_CASE("CheckAcl refuses unmapped resources, unknown channels and malformed proposals") {
  AclFixture fixture;
  auto proposal = fixture.Proposal(fixture.network.client);
  // defaultACLProviderImpl.CheckACL, then policyChecker.CheckPolicy.
  CHECK(fixture.acl.CheckAcl("cscc/JoinChain", kChannel, proposal).message() ==
        "Unmapped policy for cscc/JoinChain");
  CHECK(fixture.acl.CheckAcl("qscc/GetBlockByHash", "otherchannel", proposal).message() ==
        "Failed to get policy manager for channel [otherchannel]");

  ::protos::SignedProposal garbage;
  garbage.set_proposal_bytes("\x0f");
  weft::Status by_default = fixture.acl.CheckAcl("qscc/GetBlockByHash", kChannel, garbage);
  CHECK(by_default.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(by_default.message()),
             Catch::StartsWith("Failing extracting proposal during check policy on channel "
                               "[mychannel] with policy [/Channel/Application/Readers]: ["));
  // aclmgmtPolicyProviderImpl.CheckACL words it without the channel.
  weft::Status by_config = fixture.acl.CheckAcl("qscc/GetChainInfo", kChannel, garbage);
  CHECK_THAT(std::string(by_config.message()),
             Catch::StartsWith("Failing extracting proposal during check policy with policy "
                               "[/Channel/Application/Admins]: ["));
}
