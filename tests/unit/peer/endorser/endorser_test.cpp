#include "peer/endorser/endorser.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "common/channelconfig/config_builder.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/txid.h"
#include "msp/ecdsa_counter.h"
#include "msp/identities.pb.h"
#include "msp/msp.h"
#include "peer/chaincode.pb.h"
#include "tests/support/test_network.h"
#include "tests/support/test_orgs.h"

namespace {

using weft::common::channelconfig::ChannelConfig;
using weft::peer::endorser::Endorser;
using weft::peer::endorser::ProposalResult;
namespace protoutil = weft::common::protoutil;

constexpr char kChannel[] = "mychannel";

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(std::string(value.status().message()));
  return *std::move(value);
}

class FakeChannels final : public weft::peer::endorser::Channels {
 public:
  std::shared_ptr<const ChannelConfig> config;
  std::set<std::string> committed;

  std::shared_ptr<const ChannelConfig> Config(std::string_view channel_id) const override {
    return channel_id == kChannel ? config : nullptr;
  }
  [[nodiscard]] weft::StatusOr<bool> TxIdExists(std::string_view,
                                                const std::string& tx_id) const override {
    return committed.count(tx_id) > 0;
  }
};

// Records the invocations it gets; answers with `answer`.
struct FakeChaincode {
  ::protos::Response answer;
  std::vector<std::vector<std::string>> calls;
};

struct EndorserFixture {
  weft::testing::TestNetwork network;
  FakeChannels channels;
  std::shared_ptr<const weft::msp::Msp> local_msp =
      Must(weft::msp::Msp::Create(weft::testing::NodeOuMsp("Org1MSP", network.org1_ca)));
  weft::peer::aclmgmt::ChannelAclProvider acl{
      [this](std::string_view channel_id) { return channels.Config(channel_id); }};
  FakeChaincode qscc;
  FakeChaincode cscc;
  // Counts the signature checks of the channel's MSPs.
  std::shared_ptr<weft::msp::EcdsaCounter> ecdsa = std::make_shared<weft::msp::EcdsaCounter>();
  std::unique_ptr<Endorser> endorser;

  explicit EndorserFixture(std::map<std::string, std::string> acls = {}) {
    auto spec = network.Spec();
    spec.application->acls = std::move(acls);
    channels.config = Must(ChannelConfig::FromConfig(
        kChannel, Must(weft::common::channelconfig::BuildConfig(spec)), ecdsa));
    qscc.answer.set_status(200);
    qscc.answer.set_payload("chain info");
    cscc.answer.set_status(200);
    weft::peer::endorser::EndorserOptions options;
    options.channels = &channels;
    const weft::msp::Msp* local = local_msp.get();
    options.local_msp = [local](std::string_view creator)
        -> weft::StatusOr<std::shared_ptr<const weft::msp::Identity>> {
      ::msp::SerializedIdentity serialized;
      if (!serialized.ParseFromString(std::string(creator)) || serialized.mspid() != local->id()) {
        return absl::InvalidArgumentError("not of the local MSP");
      }
      return local->DeserializeIdentity(serialized, std::string(creator));
    };
    options.acl = &acl;
    options.signer = &network.peer;
    options.system_chaincodes["qscc"] = [this](const std::vector<std::string>& args,
                                               const ::protos::SignedProposal&) {
      qscc.calls.push_back(args);
      return qscc.answer;
    };
    options.system_chaincodes["cscc"] = [this](const std::vector<std::string>& args,
                                               const ::protos::SignedProposal&) {
      cscc.calls.push_back(args);
      return cscc.answer;
    };
    endorser = std::make_unique<Endorser>(std::move(options));
  }
};

// A proposal as fabric-gateway builds it; `edit` may change the proposal before
// it is signed by `signer`.
::protos::SignedProposal Propose(
    const weft::msp::SigningIdentity& signer, const std::string& channel,
    const std::string& chaincode, std::vector<std::string> args,
    const std::function<void(::common::ChannelHeader&)>& edit_header = {}) {
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = channel;
  spec.chaincode_name = chaincode;
  spec.args = std::move(args);
  auto created = Must(protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity()));
  if (edit_header) {
    ::common::Header header;
    REQUIRE(header.ParseFromString(created.proposal.header()));
    ::common::ChannelHeader channel_header;
    REQUIRE(channel_header.ParseFromString(header.channel_header()));
    edit_header(channel_header);
    header.set_channel_header(channel_header.SerializeAsString());
    created.proposal.set_header(header.SerializeAsString());
  }
  return Must(protoutil::SignProposal(created.proposal, signer));
}

std::string TxId(const ::protos::SignedProposal& signed_proposal) {
  return Must(protoutil::OpenSignedProposal(signed_proposal)).tx_id();
}

// Fabric returns these with a Go error: the gRPC call fails with the message.
void CheckRefused(const ProposalResult& result, const std::string& message) {
  CHECK_FALSE(result.error.ok());
  CHECK(std::string(result.error.message()) == message);
  CHECK(result.response.response().status() == 500);
  CHECK(result.response.response().message() == message);
}

}  // namespace

// msgvalidation.go UnpackProposal.
TEST_CASE("a proposal that does not unpack is refused with a gRPC error") {
  EndorserFixture f;
  ::protos::SignedProposal garbage;
  garbage.set_proposal_bytes("\xff\xff not a proposal");
  garbage.set_signature("sig");
  auto result = f.endorser->ProcessProposal(garbage);
  CHECK_FALSE(result.error.ok());
  CHECK(result.response.response().status() == 500);
  CHECK_THAT(result.response.response().message(), Catch::StartsWith("error unmarshalling"));

  auto no_chaincode_id = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo"},
                                 [](::common::ChannelHeader& header) { header.clear_extension(); });
  CheckRefused(f.endorser->ProcessProposal(no_chaincode_id),
               "ChaincodeHeaderExtension.ChaincodeId is nil");
  CHECK(f.qscc.calls.empty());
}

// msgvalidation.go Validate, in its order; preProcess prefixes "error validating proposal".
TEST_CASE("header type, epoch, tx id and signature are checked as Fabric's Validate") {
  EndorserFixture f;
  SECTION("a header type other than ENDORSER_TRANSACTION or CONFIG") {
    auto proposal = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo", kChannel},
                            [](auto& header) { header.set_type(::common::MESSAGE); });
    CheckRefused(f.endorser->ProcessProposal(proposal),
                 "error validating proposal: invalid header type MESSAGE");
  }
  SECTION("a non-zero epoch") {
    auto proposal = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo", kChannel},
                            [](auto& header) { header.set_epoch(1); });
    CheckRefused(f.endorser->ProcessProposal(proposal),
                 "error validating proposal: epoch is non-zero");
  }
  SECTION("a tx id not computed from nonce and creator") {
    auto proposal = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo", kChannel},
                            [](auto& header) { header.set_tx_id("abc"); });
    auto result = f.endorser->ProcessProposal(proposal);
    CHECK_FALSE(result.error.ok());
    CHECK_THAT(std::string(result.error.message()),
               Catch::StartsWith(
                   "error validating proposal: incorrectly computed txid 'abc' -- expected '"));
  }
  SECTION("an empty signature") {
    auto proposal = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo", kChannel});
    proposal.clear_signature();
    CheckRefused(f.endorser->ProcessProposal(proposal),
                 "error validating proposal: empty signature bytes");
  }
  SECTION("a signature by someone else") {
    auto proposal = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo", kChannel});
    proposal.set_signature(Must(f.network.admin.Sign(proposal.proposal_bytes())));
    CheckRefused(f.endorser->ProcessProposal(proposal),
                 "error validating proposal: access denied: channel [mychannel] creator org "
                 "[Org1MSP]");
  }
  SECTION("a creator of an MSP the channel does not have") {
    auto proposal = Propose(f.network.stranger, kChannel, "qscc", {"GetChainInfo", kChannel});
    CheckRefused(f.endorser->ProcessProposal(proposal),
                 "error validating proposal: access denied: channel [mychannel] creator org "
                 "unknown, creator is malformed");
  }
  SECTION("a creator whose certificate its MSP did not issue") {
    auto proposal = Propose(f.network.impostor, kChannel, "qscc", {"GetChainInfo", kChannel});
    CheckRefused(f.endorser->ProcessProposal(proposal),
                 "error validating proposal: access denied: channel [mychannel] creator org "
                 "[Org1MSP]");
  }
  CHECK(f.qscc.calls.empty());
}

// endorser.go ProcessProposal: an unknown channel is a 500 response, not a gRPC error.
TEST_CASE("a proposal for a channel the peer has not joined gets status 500") {
  EndorserFixture f;
  auto result =
      f.endorser->ProcessProposal(Propose(f.network.client, "other", "qscc", {"GetChainInfo"}));
  CHECK(result.error.ok());
  CHECK(result.response.response().status() == 500);
  CHECK(result.response.response().message() == "channel 'other' not found");
}

// endorser.go preProcess: GetTransactionByID finds the tx id.
TEST_CASE("a proposal whose tx id is already committed is a duplicate") {
  EndorserFixture f;
  auto proposal = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo", kChannel});
  const std::string tx_id = TxId(proposal);
  f.channels.committed.insert(tx_id);
  auto creator = f.network.client.SerializedIdentity();
  std::string hex;
  for (unsigned char c : creator) hex += fmt::format("{:02x}", c);
  CheckRefused(f.endorser->ProcessProposal(proposal),
               "duplicate transaction found [" + tx_id + "]. Creator [" + hex + "]");
  CHECK(f.qscc.calls.empty());
}

// preProcess: peer/Propose (default /Channel/Application/Writers; core/policy CheckPolicy
// message) for application
// chaincodes only; ProcessProposalSuccessfullyOrError then finds no definition.
TEST_CASE("application chaincode proposals pass peer/Propose and find no definition") {
  SECTION("a writer gets Fabric's undefined-chaincode answer, status 500 without gRPC error") {
    EndorserFixture f;
    auto result = f.endorser->ProcessProposal(
        Propose(f.network.client, kChannel, "basic", {"ReadAsset", "a1"}));
    CHECK(result.error.ok());
    CHECK(result.response.response().status() == 500);
    CHECK(result.response.response().message() ==
          "make sure the chaincode basic has been successfully defined on channel mychannel and "
          "try again: chaincode basic not found");
    CHECK_FALSE(result.response.has_endorsement());
  }
  SECTION("the proposal's signature is checked twice, as Fabric's endorser does") {
    // core/endorser/endorser.go: preProcess's UnpackedProposal.Validate verifies the
    // creator's signature, then CheckACL evaluates peer/Propose on the signed
    // proposal. The ACL's implicit meta policy checks it once, not once per org.
    EndorserFixture f;
    auto result = f.endorser->ProcessProposal(
        Propose(f.network.client, kChannel, "basic", {"ReadAsset", "a1"}));
    CHECK(result.response.response().status() == 500);  // no definition, after the ACL
    CHECK(f.ecdsa->verifies() == 2);
  }
  SECTION("a reader that is no writer fails peer/Propose") {
    EndorserFixture f;
    auto result = f.endorser->ProcessProposal(
        Propose(f.network.peer, kChannel, "basic", {"ReadAsset", "a1"}));
    CHECK_FALSE(result.error.ok());
    CHECK(result.response.response().status() == 500);
    CHECK_THAT(std::string(result.error.message()),
               Catch::StartsWith("Failed evaluating policy on signed data during check policy on "
                                 "channel [mychannel] with policy [/Channel/Application/Writers]"));
  }
  SECTION("the channel's ACLs may give peer/Propose another policy") {
    EndorserFixture f(
        std::map<std::string, std::string>{{"peer/Propose", "/Channel/Application/Readers"}});
    auto result = f.endorser->ProcessProposal(
        Propose(f.network.peer, kChannel, "basic", {"ReadAsset", "a1"}));
    CHECK(result.error.ok());
    CHECK_THAT(result.response.response().message(), Catch::EndsWith("chaincode basic not found"));
  }
  SECTION("system chaincodes are not checked against peer/Propose") {
    EndorserFixture f;
    auto result = f.endorser->ProcessProposal(
        Propose(f.network.peer, kChannel, "qscc", {"GetChainInfo", kChannel}));
    CHECK(result.error.ok());
    CHECK(result.response.response().status() == 200);
    CHECK(f.qscc.calls.size() == 1);
  }
}

// ProcessProposalSuccessfullyOrError: a system chaincode's success on a channel is
// endorsed by the escc over ProposalResponsePayload with chaincode version "syscc".
TEST_CASE("a successful system chaincode response on a channel is endorsed") {
  EndorserFixture f;
  auto proposal = Propose(f.network.client, kChannel, "qscc", {"GetChainInfo", kChannel});
  auto result = f.endorser->ProcessProposal(proposal);
  REQUIRE(result.error.ok());
  REQUIRE(f.qscc.calls == std::vector<std::vector<std::string>>{{"GetChainInfo", kChannel}});
  const auto& response = result.response;
  CHECK(response.version() == 1);
  CHECK(response.response().status() == 200);
  CHECK(response.response().payload() == "chain info");
  REQUIRE(response.has_endorsement());
  CHECK(response.endorsement().endorser() == f.network.peer.SerializedIdentity());
  auto opened = Must(protoutil::OpenProposalResponse(response));
  CHECK(opened.proposal_hash() == Must(protoutil::OpenSignedProposal(proposal)).ProposalHash());
  CHECK(opened.action.chaincode_id().name() == "qscc");
  CHECK(opened.action.chaincode_id().version() == "syscc");
  CHECK(opened.action.response().payload() == "chain info");
  CHECK(opened.action.results().empty());
  auto peer_identity =
      Must(f.channels.config->msp_manager().Deserialize(response.endorsement().endorser()));
  CHECK(peer_identity
            ->Verify(protoutil::EndorsementSignedBytes(response.payload(),
                                                       response.endorsement().endorser()),
                     response.endorsement().signature())
            .ok());
}

TEST_CASE("a system chaincode error comes back unendorsed with its payload") {
  EndorserFixture f;
  f.qscc.answer.set_status(500);
  f.qscc.answer.set_message("Failed to get block number 9");
  auto result = f.endorser->ProcessProposal(
      Propose(f.network.client, kChannel, "qscc", {"GetBlockByNumber", kChannel, "9"}));
  CHECK(result.error.ok());
  CHECK(result.response.response().status() == 500);
  CHECK(result.response.response().message() == "Failed to get block number 9");
  CHECK_FALSE(result.response.has_endorsement());
  CHECK_FALSE(result.response.payload().empty());
}

// Channel-less proposals are judged by the local MSP and never endorsed.
TEST_CASE("channel-less proposals are validated by the local MSP and not endorsed") {
  EndorserFixture f;
  SECTION("a member of the local MSP reaches cscc; the CONFIG header type is accepted") {
    auto result = f.endorser->ProcessProposal(
        Propose(f.network.admin, "", "cscc", {"JoinChain", "block"},
                [](auto& header) { header.set_type(::common::CONFIG); }));
    CHECK(result.error.ok());
    CHECK(result.response.response().status() == 200);
    CHECK_FALSE(result.response.has_endorsement());
    CHECK(result.response.payload().empty());
    CHECK(f.cscc.calls == std::vector<std::vector<std::string>>{{"JoinChain", "block"}});
  }
  SECTION("an identity of another MSP is unknown to the local MSP") {
    CheckRefused(
        f.endorser->ProcessProposal(Propose(f.network.orderer_admin, "", "cscc", {"GetChannels"})),
        "error validating proposal: access denied: channel [] creator org unknown, "
        "creator is malformed");
    CHECK(f.cscc.calls.empty());
  }
  SECTION("an application chaincode without a channel has no channel config") {
    auto result = f.endorser->ProcessProposal(Propose(f.network.client, "", "basic", {"f"}));
    CHECK(result.error.ok());
    CHECK(result.response.response().message() ==
          "make sure the chaincode basic has been successfully defined on channel  and try "
          "again: could not get channel config for channel ''");
  }
}
