#include "peer/scc/qscc/qscc.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "common/channelconfig/config_builder.h"
#include "common/ledger.pb.h"
#include "common/protoutil/block.h"
#include "common/protoutil/proposal.h"
#include "peer/transaction.pb.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_network.h"

namespace {

using weft::common::channelconfig::ChannelConfig;
using weft::peer::aclmgmt::ChannelAclProvider;
using weft::peer::ledger::PeerLedger;
using weft::peer::scc::qscc::LedgerQuerier;
namespace protoutil = weft::common::protoutil;

constexpr char kChannel[] = "mychannel";

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(std::string(value.status().message()));
  return *std::move(value);
}

class OneLedger final : public weft::peer::scc::qscc::LedgerGetter {
 public:
  explicit OneLedger(std::shared_ptr<const PeerLedger> ledger) : ledger_(std::move(ledger)) {}
  std::shared_ptr<const PeerLedger> GetLedger(std::string_view channel_id) const override {
    return channel_id == kChannel ? ledger_ : nullptr;
  }

 private:
  std::shared_ptr<const PeerLedger> ledger_;
};

struct QsccFixture {
  weft::testing::TestNetwork network;
  weft::testing::TempDir dir{"weft-qscc"};
  std::shared_ptr<PeerLedger> ledger;
  std::shared_ptr<const ChannelConfig> config;
  OneLedger ledgers{nullptr};
  ChannelAclProvider acl{
      [this](std::string_view channel_id) { return channel_id == kChannel ? config : nullptr; }};
  LedgerQuerier qscc{acl, ledgers};
  weft::testing::EndorserTx valid;
  weft::testing::EndorserTx invalid;

  // Block 1: a VALID transaction and one marked ENDORSEMENT_POLICY_FAILURE.
  QsccFixture() {
    ::common::Block genesis = network.Genesis(kChannel);
    ledger = Must(weft::peer::ledger::LedgerManager(dir.path()).CreateLedger(genesis));
    config = Must(ChannelConfig::FromConfigBlock(genesis));
    ledgers = OneLedger(ledger);

    weft::testing::EndorserTxSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode = "basic";
    spec.creator = &network.client;
    spec.endorsers = {&network.peer};
    valid = weft::testing::BuildEndorserTx(spec);
    invalid = weft::testing::BuildEndorserTx(spec);
    auto info = ledger->GetBlockchainInfo();
    Must(ledger->CommitBlock(weft::testing::LedgerBlock(info.height, info.current_block_hash,
                                                        {valid.Bytes(), invalid.Bytes()}),
                             {::protos::VALID, ::protos::ENDORSEMENT_POLICY_FAILURE}));
  }

  // A proposal to `chaincode` carrying `args`, signed by `signer`.
  ::protos::SignedProposal Proposal(const std::vector<std::string>& args,
                                    const protoutil::Signer& signer,
                                    const std::string& chaincode = "qscc") const {
    protoutil::ChaincodeProposalSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode_name = chaincode;
    spec.args = args;
    auto created = Must(protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity()));
    return Must(protoutil::SignProposal(created.proposal, signer));
  }

  ::protos::Response Invoke(const std::vector<std::string>& args) const {
    return qscc.Invoke(args, Proposal(args, network.client));
  }
  ::protos::Response InvokeAs(const std::vector<std::string>& args,
                              const protoutil::Signer& signer) const {
    return qscc.Invoke(args, Proposal(args, signer));
  }

  ::common::Block Block(uint64_t number) const { return Must(ledger->GetBlockByNumber(number)); }

  void SetAcls(std::map<std::string, std::string> acls) {
    auto spec = network.Spec();
    spec.application->acls = std::move(acls);
    config = Must(
        ChannelConfig::FromConfig(kChannel, Must(weft::common::channelconfig::BuildConfig(spec))));
  }
};

// shim.Success / shim.Error (fabric-chaincode-go shim/response.go): 200 with the
// payload, or 500 with the message.
void CheckError(const ::protos::Response& response, const std::string& message) {
  CHECK(response.status() == 500);
  CHECK(response.message() == message);
  CHECK(response.payload().empty());
}

template <typename M>
M Payload(const ::protos::Response& response) {
  REQUIRE(response.status() == 200);
  M message;
  REQUIRE(message.ParseFromString(response.payload()));
  return message;
}

bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

}  // namespace

TEST_CASE("qscc GetChainInfo returns the marshalled common.BlockchainInfo") {
  QsccFixture fixture;
  auto info = Payload<::common::BlockchainInfo>(fixture.Invoke({"GetChainInfo", kChannel}));
  CHECK(info.height() == 2);
  CHECK(info.currentblockhash() == protoutil::BlockHeaderHash(fixture.Block(1).header()));
  CHECK(info.previousblockhash() == protoutil::BlockHeaderHash(fixture.Block(0).header()));
  CHECK_FALSE(info.has_bootstrappingsnapshotinfo());
}

TEST_CASE("qscc GetBlockByNumber takes a decimal number and returns the marshalled block") {
  QsccFixture fixture;
  auto response = fixture.Invoke({"GetBlockByNumber", kChannel, "1"});
  CHECK(Same(Payload<::common::Block>(response), fixture.Block(1)));
  CHECK(Same(Payload<::common::Block>(fixture.Invoke({"GetBlockByNumber", kChannel, "0"})),
             fixture.Block(0)));
  // blockfile_mgr.go retrieveBlockByNumber reads math.MaxUint64 as the last block.
  CHECK(Same(Payload<::common::Block>(
                 fixture.Invoke({"GetBlockByNumber", kChannel, "18446744073709551615"})),
             fixture.Block(1)));
}

TEST_CASE("qscc GetBlockByNumber errors as Fabric's: strconv.ParseUint, then the block index") {
  QsccFixture fixture;
  // query.go getBlockByNumber wraps Go's strconv.ParseUint(number, 10, 64) error.
  CheckError(fixture.Invoke({"GetBlockByNumber", kChannel, "abc"}),
             "Failed to parse block number with error strconv.ParseUint: parsing \"abc\": "
             "invalid syntax");
  CheckError(fixture.Invoke({"GetBlockByNumber", kChannel, "-1"}),
             "Failed to parse block number with error strconv.ParseUint: parsing \"-1\": "
             "invalid syntax");
  CheckError(fixture.Invoke({"GetBlockByNumber", kChannel, ""}),
             "Failed to parse block number with error strconv.ParseUint: parsing \"\": "
             "invalid syntax");
  CheckError(fixture.Invoke({"GetBlockByNumber", kChannel, "18446744073709551616"}),
             "Failed to parse block number with error strconv.ParseUint: parsing "
             "\"18446744073709551616\": value out of range");
  // blockindex.go getBlockLocByBlockNum.
  CheckError(fixture.Invoke({"GetBlockByNumber", kChannel, "5"}),
             "Failed to get block number 5, error no such block number [5] in index");
}

TEST_CASE("qscc GetBlockByHash takes the raw header hash") {
  QsccFixture fixture;
  const std::string hash = protoutil::BlockHeaderHash(fixture.Block(1).header());
  CHECK(Same(Payload<::common::Block>(fixture.Invoke({"GetBlockByHash", kChannel, hash})),
             fixture.Block(1)));
  // Fabric prints the raw hash in the outer text and hex in the index's; Weft prints
  // hex in both so the message stays valid UTF-8.
  CheckError(fixture.Invoke({"GetBlockByHash", kChannel, std::string("\x01\xab", 2)}),
             "Failed to get block hash 01ab, error no such block hash [01ab] in index");
}

TEST_CASE("qscc GetTransactionByID returns protos.ProcessedTransaction with its code") {
  QsccFixture fixture;
  auto valid = Payload<::protos::ProcessedTransaction>(
      fixture.Invoke({"GetTransactionByID", kChannel, fixture.valid.tx_id}));
  CHECK(Same(valid.transactionenvelope(), fixture.valid.envelope));
  CHECK(valid.validationcode() == ::protos::VALID);
  auto invalid = Payload<::protos::ProcessedTransaction>(
      fixture.Invoke({"GetTransactionByID", kChannel, fixture.invalid.tx_id}));
  CHECK(Same(invalid.transactionenvelope(), fixture.invalid.envelope));
  CHECK(invalid.validationcode() == ::protos::ENDORSEMENT_POLICY_FAILURE);
  // blockindex.go: a tx id missing from the index.
  CheckError(fixture.Invoke({"GetTransactionByID", kChannel, "nope"}),
             "Failed to get transaction with id nope, error no such transaction ID [nope] in "
             "index");
}

TEST_CASE("qscc GetBlockByTxID returns the block holding the transaction") {
  QsccFixture fixture;
  CHECK(Same(
      Payload<::common::Block>(fixture.Invoke({"GetBlockByTxID", kChannel, fixture.invalid.tx_id})),
      fixture.Block(1)));
  CheckError(fixture.Invoke({"GetBlockByTxID", kChannel, "nope"}),
             "Failed to get block for txID nope, error no such transaction ID [nope] in index");
}

TEST_CASE("qscc refuses missing arguments and unknown channels with Fabric's messages") {
  QsccFixture fixture;
  CheckError(fixture.Invoke({}), "Incorrect number of arguments, 0");
  CheckError(fixture.Invoke({"GetChainInfo"}), "Incorrect number of arguments, 1");
  CheckError(fixture.Invoke({"GetBlockByNumber", kChannel}),
             "missing 3rd argument for GetBlockByNumber");
  CheckError(fixture.Invoke({"GetTransactionByID", kChannel}),
             "missing 3rd argument for GetTransactionByID");
  CheckError(fixture.Invoke({"GetChainInfo", "otherchannel"}), "Invalid chain ID, otherchannel");
}

TEST_CASE("qscc refuses an unknown function at its ACL unless the config maps it") {
  QsccFixture fixture;
  // The resource qscc/Foo has no default policy (defaultACLProviderImpl.CheckACL).
  CheckError(fixture.Invoke({"Foo", kChannel, "x"}),
             "access denied for [Foo][mychannel]: [Unmapped policy for qscc/Foo]");
  CheckError(fixture.Invoke({"Foo", kChannel}), "missing 3rd argument for Foo");
  fixture.SetAcls({{"qscc/Foo", "Readers"}});
  CheckError(fixture.Invoke({"Foo", kChannel, "x"}), "Requested function Foo not found.");
}

TEST_CASE("qscc refuses invocations through another chaincode") {
  QsccFixture fixture;
  const std::vector<std::string> args = {"GetChainInfo", kChannel};
  CheckError(fixture.qscc.Invoke(args, fixture.Proposal(args, fixture.network.client, "mycc")),
             "Rejecting invoke of QSCC from another chaincode because of potential for "
             "deadlocks, original invocation for 'mycc'");
}

TEST_CASE("qscc checks the channel's Readers, or the policy its ACLs name") {
  QsccFixture fixture;
  CHECK(fixture.qscc.Init().status() == 200);
  CHECK(weft::peer::scc::qscc::AclResource("GetBlockByTxID") == "qscc/GetBlockByTxID");

  // Default: /Channel/Application/Readers (defaultaclprovider.go), evaluated by
  // policyChecker.CheckPolicy, whose message wraps the policy's reason.
  auto stranger = fixture.InvokeAs({"GetChainInfo", kChannel}, fixture.network.stranger);
  CHECK(stranger.status() == 500);
  CHECK_THAT(stranger.message(),
             Catch::StartsWith("access denied for [GetChainInfo][mychannel]: [Failed evaluating "
                               "policy on signed data during check policy on channel [mychannel] "
                               "with policy [/Channel/Application/Readers]: ["));
  CHECK(fixture.InvokeAs({"GetChainInfo", kChannel}, fixture.network.peer).status() == 200);

  // A relative ACL reference lives under /Channel/Application/ (channelconfig
  // acls.go); the config's policy is evaluated by aclmgmtPolicyProviderImpl.
  fixture.SetAcls({{"qscc/GetChainInfo", "Admins"}});
  auto client = fixture.Invoke({"GetChainInfo", kChannel});
  CHECK(client.status() == 500);
  CHECK_THAT(client.message(),
             Catch::StartsWith("access denied for [GetChainInfo][mychannel]: [failed evaluating "
                               "policy on signed data during check policy "
                               "[/Channel/Application/Admins]: ["));
  CHECK(fixture.InvokeAs({"GetChainInfo", kChannel}, fixture.network.admin).status() == 200);
  // Other functions keep their default.
  CHECK(fixture.Invoke({"GetBlockByNumber", kChannel, "0"}).status() == 200);

  // A reference to a policy the channel lacks: aclmgmt's PolicyNotFound.
  fixture.SetAcls({{"qscc/GetChainInfo", "/Channel/Application/Nobody"}});
  CheckError(fixture.Invoke({"GetChainInfo", kChannel}),
             "access denied for [GetChainInfo][mychannel]: [failed evaluating policy on signed "
             "data during check policy [/Channel/Application/Nobody]: [policy "
             "/Channel/Application/Nobody not found]]");
}
