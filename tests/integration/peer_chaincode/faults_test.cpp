// Issue [F9] "Bad input and faults" against real peers: two orgs' peers and a solo
// orderer (TLS on), the test-only chaincode faults_chaincode.cpp deployed as a
// `binary` package. Each bad proposal, misbehaving chaincode or oversized
// transaction gets Fabric's answer, the peers keep serving, and nothing is written.
// One network serves every fault (they are checked one after another); the peers run
// with a short chaincode.executetimeout and the channel with a small AbsoluteMaxBytes.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "client-sdk/orderer_client.h"
#include "client-sdk/transaction_builder.h"
#include "tests/support/chaincode_deploy.h"
#include "tests/support/fabric_package.h"
#include "tests/support/test_crypto.h"

namespace {

using namespace weft::peer_chaincode_test;  // NOLINT: the shared helpers of this folder

constexpr char kFaults[] = "faults";
constexpr char kFaultsLabel[] = "faults_1.0";
constexpr char kProgram[] = "weft-faults-chaincode";
// chaincode.executetimeout for the peers: long enough for the Fill transactions on a
// loaded machine, short enough to wait for once.
constexpr char kExecuteTimeout[] = "10s";
// The channel's Orderer BatchSize AbsoluteMaxBytes, 1 MB (configtx.yaml units).
constexpr char kAbsoluteMaxBytes[] = "1 MB";
constexpr uint32_t kAbsoluteMaxBytesValue = 1024 * 1024;
constexpr char kChannel[] = "testchannel";

// The test chaincode as a `binary` package (chaincode-sdk/README.md's layout).
std::string FaultsPackage() {
  const fs::path executable = fs::path(WEFT_BINARY_DIR) / "tests" / kProgram;
  REQUIRE(fs::exists(executable));
  testing::TarItem program(std::string("src/") + kProgram, ReadFile(executable));
  program.uid = program.gid = 500;
  return testing::FabricPackage(kProgram, "binary", kFaultsLabel,
                                testing::GoGzip(testing::GoTar({program})));
}

// `function(args)` evaluated on both peers; both must answer 200 with the same payload,
// which is returned.
std::string EvaluateOnBoth(ChaincodeNetwork& net, const std::string& function,
                           const std::vector<std::string>& args) {
  INFO(function);
  const ::protos::Response first = net.Evaluate(1, kFaults, function, args);
  const ::protos::Response second = net.Evaluate(2, kFaults, function, args);
  INFO(first.message() << " / " << second.message());
  REQUIRE(first.status() == 200);
  REQUIRE(second.status() == 200);
  CHECK(first.payload() == second.payload());
  return first.payload();
}

// The peers still endorse: a key written at the start reads back on both.
void CheckStillServing(ChaincodeNetwork& net) {
  INFO("the peers keep serving");
  CHECK(EvaluateOnBoth(net, "Get", {"alive"}) == "yes");
}

// The key is absent on both peers (an empty GET_STATE result is no error).
void CheckNotWritten(ChaincodeNetwork& net, const std::string& key) {
  INFO("nothing written under " << key);
  CHECK(EvaluateOnBoth(net, "Get", {key}).empty());
}

// The proposal's answer from org `org`'s peer as a gRPC status (Fabric's endorser
// returns proposal errors as errors, core/endorser/endorser.go ProcessProposal).
[[nodiscard]] weft::Status AskStatus(ChaincodeNetwork& net, int org,
                                     const client::SignedProposal& proposal) {
  return net.endorser(org).ProcessProposal(proposal.signed_proposal, kEndorseTimeout).status();
}

}  // namespace

TEST_CASE(
    "Bad proposals, failing chaincodes and oversized transactions get Fabric's errors on real "
    "peers, which keep serving and write nothing") {
  testing::PeerNetworkOptions options;
  options.absolute_max_bytes = kAbsoluteMaxBytes;
  options.preferred_max_bytes = "512 KB";
  options.peer_env = {{"CORE_CHAINCODE_EXECUTETIMEOUT", kExecuteTimeout}};
  ChaincodeNetwork net(options);
  REQUIRE(net.network().channel() == kChannel);
  const std::string package_id = DefineOnBoth(net, FaultsPackage(), kFaultsLabel, kFaults);
  const SigningIdentity& creator = net.user(1);
  CHECK(CodeName(net.Invoke(creator, kFaults, "Put", {"alive", "yes"}, {1, 2})) == "VALID");
  CheckStillServing(net);

  {  // a proposal whose signature is not the creator's: msgvalidation.go
     // checkSignatureFromCreator answers the generic access-denied error, which
     // preProcess wraps as "error validating proposal" and returns as a gRPC error.
    client::SignedProposal forged = net.Proposal(creator, kFaults, "Put", {"forged", "x"});
    auto other = net.user(2).Sign(forged.signed_proposal.proposal_bytes());
    REQUIRE(other.ok());
    forged.signed_proposal.set_signature(*other);
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const weft::Status refused = AskStatus(net, org, forged);
      CHECK_FALSE(refused.ok());
      CHECK_THAT(std::string(refused.message()),
                 Catch::Contains("error validating proposal: access denied: channel "
                                 "[testchannel] creator org [Org1MSP]"));
    }
    CheckNotWritten(net, "forged");
    CheckStillServing(net);
  }

  {  // a creator whose certificate Org1MSP's CAs did not issue: identity.Validate
     // fails, and the answer is the same generic access-denied error
    const testing::TestIdentity rogue_ca = testing::MakeTestCa("ca.rogue.example.com", "Rogue");
    const testing::TestIdentity rogue = testing::IssueLeaf(rogue_ca, "User1@org1.example.com");
    auto stranger = SigningIdentity::Create("Org1MSP", rogue.cert, rogue.key);
    REQUIRE(stranger.ok());
    const client::SignedProposal proposal =
        net.Proposal(*stranger, kFaults, "Put", {"stranger", "x"});
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const weft::Status refused = AskStatus(net, org, proposal);
      CHECK_FALSE(refused.ok());
      CHECK_THAT(std::string(refused.message()),
                 Catch::Contains("error validating proposal: access denied: channel "
                                 "[testchannel] creator org [Org1MSP]"));
    }
    CheckNotWritten(net, "stranger");
    CheckStillServing(net);
  }

  {  // a replayed proposal: its tx ID is in the ledger, so endorser.go preProcess
     // answers "duplicate transaction found [<txid>]. Creator [<hex creator>]" as a
     // gRPC error, and the chaincode never runs again
    const client::SignedProposal proposal = net.Proposal(creator, kFaults, "Put", {"once", "1"});
    CHECK(CodeName(net.Submit(proposal, net.Endorse(proposal, {1, 2}), creator)) == "VALID");
    CHECK(CodeName(net.Invoke(creator, kFaults, "Put", {"once", "2"}, {1, 2})) == "VALID");
    const std::string expected = "duplicate transaction found [" + proposal.tx_id + "]. Creator [" +
                                 crypto::HexEncode(creator.serialized()) + "]";
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const weft::Status refused = AskStatus(net, org, proposal);
      CHECK_FALSE(refused.ok());
      CHECK_THAT(std::string(refused.message()), Catch::Contains(expected));
    }
    // The replay wrote nothing: the second Put's value stands.
    CHECK(EvaluateOnBoth(net, "Get", {"once"}) == "2");
    CheckStillServing(net);
  }

  {  // a chaincode with no committed definition: endorser.go simulateProposal answers
     // status 500 "make sure the chaincode <cc> has been successfully defined on
     // channel <ch> and try again: ..." with gRPC OK and no endorsement
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const ::protos::ProposalResponse answer =
          net.Ask(org, net.Proposal(creator, "undefined", "Put", {"k", "v"}));
      CHECK(answer.response().status() == 500);
      CHECK_THAT(answer.response().message(),
                 Catch::StartsWith("make sure the chaincode undefined has been successfully "
                                   "defined on channel testchannel and try again: "));
      CHECK_FALSE(answer.has_endorsement());
    }
    CheckStillServing(net);
  }

  {  // a transaction function that throws: fabric-contract-api turns the error into
     // Response{500, message}; the endorser returns it unendorsed (endorser.go:
     // a chaincode status >= 400 is not endorsed)
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const ::protos::ProposalResponse answer =
          net.Ask(org, net.Proposal(creator, kFaults, "Throw", {"the chaincode gave up"}));
      CHECK(answer.response().status() == 500);
      CHECK(answer.response().message() == "the chaincode gave up");
      CHECK_FALSE(answer.has_endorsement());
    }
    CheckStillServing(net);
  }

  {  // wrong argument counts: fabric-contract-api (chaincodefromcontract.js) answers
     // "Expected <n> parameters, but <m> have been supplied"
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"only-key"}, "Expected 2 parameters, but 1 have been supplied"},
        {{"a", "b", "c"}, "Expected 2 parameters, but 3 have been supplied"},
        {{}, "Expected 2 parameters, but 0 have been supplied"}};
    for (const auto& [args, message] : cases) {
      for (int org = 1; org <= 2; ++org) {
        INFO("peer0.org" << org << ", " << args.size() << " arguments");
        const ::protos::ProposalResponse answer =
            net.Ask(org, net.Proposal(creator, kFaults, "Put", args));
        CHECK(answer.response().status() == 500);
        CHECK(answer.response().message() == message);
        CHECK_FALSE(answer.has_endorsement());
      }
    }
    CheckNotWritten(net, "only-key");
    CheckStillServing(net);
  }

  {  // a chaincode that exits mid-transaction: handler.go Execute sees the stream end
     // (ErrorStreamTerminated), chaincode_support.go wraps it ("error sending", then
     // "failed to execute transaction <txid>"), the endorser answers 500 "error in
     // simulation: ..."; the next use launches the chaincode again
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const client::SignedProposal proposal = net.Proposal(creator, kFaults, "Exit", {"exited"});
      const ::protos::ProposalResponse answer = net.Ask(org, proposal);
      CHECK(answer.response().status() == 500);
      CHECK(answer.response().message() == "error in simulation: failed to execute transaction " +
                                               proposal.tx_id +
                                               ": error sending: chaincode stream terminated");
      CHECK_FALSE(answer.has_endorsement());
    }
    CheckNotWritten(net, "exited");
    CheckStillServing(net);
    CHECK(CodeName(net.Invoke(creator, kFaults, "Put", {"after-exit", "ok"}, {1, 2})) == "VALID");
    CHECK(EvaluateOnBoth(net, "Get", {"after-exit"}) == "ok");
  }

  {  // a chaincode that never answers: chaincode.executetimeout expires (handler.go
     // ErrorExecutionTimeout) and the chaincode keeps serving other transactions
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const client::SignedProposal proposal = net.Proposal(creator, kFaults, "Hang", {"hung"});
      const ::protos::ProposalResponse answer = net.Ask(org, proposal);
      CHECK(answer.response().status() == 500);
      CHECK(answer.response().message() ==
            "error in simulation: failed to execute transaction " + proposal.tx_id +
                ": error sending: timeout expired while executing transaction");
      CHECK_FALSE(answer.has_endorsement());
    }
    CheckNotWritten(net, "hung");
    CheckStillServing(net);
  }

  {  // a range of 10,000 keys: the peer pages it to the chaincode in batches of 100
     // (query_response_generator.go BuildQueryResponse, MaxResultLimit 100 from
     // chaincode_support.go), under ledger.state.totalQueryLimit (100000); both peers
     // count every key and agree
    for (int part = 0; part < 5; ++part) {
      CHECK(CodeName(net.Invoke(creator, kFaults, "Fill", {"r" + std::to_string(part), "2000"},
                                {1, 2})) == "VALID");
    }
    CHECK(EvaluateOnBoth(net, "Count", {"r", "s"}) == "10000");
    CHECK(EvaluateOnBoth(net, "Count", {"r1", "r2"}) == "2000");
    CheckStillServing(net);
  }

  {  // a value over AbsoluteMaxBytes: endorsed by both peers, then the orderer's
     // Broadcast refuses the envelope with BAD_REQUEST (msgprocessor/sizefilter.go
     // MaxBytesRule: "message payload is <n> bytes and exceeds maximum allowed <max>
     // bytes"; broadcast.go ClassifyError); nothing is written
    const client::SignedProposal proposal = net.Proposal(
        creator, kFaults, "Big", {"big", std::to_string(3 * kAbsoluteMaxBytesValue / 2)});
    const auto responses = net.Endorse(proposal, {1, 2});
    auto envelope = client::CreateSignedTransaction(proposal.proposal, responses, creator);
    REQUIRE(envelope.ok());
    auto orderer = client::OrdererClient::Connect(net.network().orderer_address(0),
                                                  net.network().OrdererClientSettings());
    REQUIRE(orderer.ok());
    auto answer = (*orderer)->Submit(*envelope);
    INFO(answer.status().ToString());
    REQUIRE(answer.ok());
    CHECK(::common::Status_Name(answer->status()) == "BAD_REQUEST");
    const size_t size = envelope->payload().size() + envelope->signature().size();
    CHECK(answer->info() == "message payload is " + std::to_string(size) +
                                " bytes and exceeds maximum allowed " +
                                std::to_string(kAbsoluteMaxBytesValue) + " bytes");
    CHECK(CodeName(net.Invoke(creator, kFaults, "Put", {"after-big", "ok"}, {1, 2})) == "VALID");
    CheckNotWritten(net, "big");
    CHECK(EvaluateOnBoth(net, "Get", {"after-big"}) == "ok");
  }

  {  // packages that are no chaincode package: refused with a clear error, and nothing
     // is installed (lifecycle.go InstallChaincode: "could not parse as a chaincode
     // install package: ..."; persistence/chaincode_package.go ParseChaincodePackage)
    const std::string code = testing::GoGzip(testing::GoTar({testing::TarItem("src/x", "x")}));
    const std::string no_metadata =
        testing::GoGzip(testing::GoTar({testing::TarItem("code.tar.gz", code)}));
    ::lifecycle::InstallChaincodeArgs install;
    install.set_chaincode_install_package(no_metadata);
    const ::protos::Response refused =
        net.Channelless(1, "_lifecycle", {"InstallChaincode", install.SerializeAsString()});
    CHECK(refused.status() == 500);
    CHECK(refused.message() ==
          "failed to invoke backing implementation of 'InstallChaincode': could not parse as a "
          "chaincode install package: did not find any package metadata (missing metadata.json)");

    install.set_chaincode_install_package("\x1f\x8b not really gzip");
    const ::protos::Response junk =
        net.Channelless(1, "_lifecycle", {"InstallChaincode", install.SerializeAsString()});
    CHECK(junk.status() == 500);
    CHECK_THAT(junk.message(),
               Catch::StartsWith("failed to invoke backing implementation of 'InstallChaincode': "
                                 "could not parse as a chaincode install package: "));

    const ::protos::Response listed =
        net.Channelless(1, "_lifecycle",
                        {"QueryInstalledChaincodes",
                         ::lifecycle::QueryInstalledChaincodesArgs().SerializeAsString()});
    REQUIRE(listed.status() == 200);
    ::lifecycle::QueryInstalledChaincodesResult installed;
    REQUIRE(installed.ParseFromString(listed.payload()));
    REQUIRE(installed.installed_chaincodes_size() == 1);
    CHECK(installed.installed_chaincodes(0).package_id() == package_id);
    CheckStillServing(net);
  }
}
