// client-sdk's Gateway API (client-sdk/gateway.h) against a real `peer` (peer0.org1)
// in a two-org network with a real solo `orderer`, TLS on. No application chaincode
// runs here, so transactions are qscc's: evaluated, and submitted — Fabric's gateway
// endorses a qscc proposal and the orderer orders it, and the validator marks it
// INVALID_CHAINCODE (release-2.5 core/committer/txvalidator/v20/plugindispatcher/
// dispatcher.go Dispatch: the invoked namespace's GetInfoForValidate fails because
// qscc has no chaincode definition (lscc ValidationInfo "chaincode qscc not found")
// → TxValidationCode_INVALID_CHAINCODE). Chaincode events come from a "basic"
// transaction endorsed in the test by the peers' own keys and submitted raw. Anchor
// peers are published, so the gateway reaches Org2's peer (and names it when down).
// A chaincode error comes from qscc GetBlockByNumber of a block number that is not a
// number (status 500 with the chaincode's message).
// Error shapes: fabric-gateway pkg/client/errors.go (EndorseError, SubmitError,
// CommitError "transaction <id> failed to commit with status code <n> (<NAME>)"),
// Fabric release-2.5 internal/pkg/gateway api.go / apiutils.go for codes/messages.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <catch2/catch.hpp>

#include "client-sdk/gateway.h"
#include "common/grpc/channel.h"
#include "common/ledger.pb.h"
#include "gateway/gateway.grpc.pb.h"
#include "peer/transaction.pb.h"
#include "tests/integration/peer_network/two_org_scenario.h"
#include "tests/support/gateway_network.h"
#include "tests/support/worker_thread.h"

namespace {

namespace fs = std::filesystem;
namespace client = weft::client;
using weft::testing::PeerNetwork;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;

template <typename T>
T Value(weft::StatusOr<T> value) {
  INFO(value.status().ToString());
  REQUIRE(value.ok());
  return *std::move(value);
}

// The gateway error a failed call carried, of kind `kind`.
client::GatewayError ErrorOf(const weft::Status& status, client::GatewayError::Kind kind) {
  INFO(status.ToString());
  REQUIRE(!status.ok());
  auto error = client::GetGatewayError(status);
  REQUIRE(error.has_value());
  CHECK(error->kind == kind);
  return *std::move(error);
}

// The error names one endpoint: `address` of `msp_id`.
void CheckOneDetail(const client::GatewayError& error, const std::string& address,
                    const std::string& msp_id) {
  REQUIRE(error.details.size() == 1);
  CHECK(error.details[0].address == address);
  CHECK(error.details[0].msp_id == msp_id);
}

// The envelope of transaction `tx_id` in `block`, and its one action's payload.
struct BlockTx {
  ::common::Envelope envelope;
  ::protos::ChaincodeActionPayload action;
};
BlockTx TxIn(const ::common::Block& block, const std::string& tx_id) {
  for (const auto& data : block.data().data()) {
    BlockTx tx;
    ::common::Payload payload;
    ::common::ChannelHeader header;
    REQUIRE(tx.envelope.ParseFromString(data));
    REQUIRE(payload.ParseFromString(tx.envelope.payload()));
    REQUIRE(header.ParseFromString(payload.header().channel_header()));
    if (header.tx_id() != tx_id) continue;
    ::protos::Transaction transaction;
    REQUIRE(transaction.ParseFromString(payload.data()));
    REQUIRE(transaction.actions_size() == 1);
    REQUIRE(tx.action.ParseFromString(transaction.actions(0).payload()));
    return tx;
  }
  FAIL("transaction " << tx_id << " is not in block " << block.header().number());
  return {};
}

client::ProposalOptions WithArgs(std::vector<std::string> args) {
  client::ProposalOptions options;
  options.args = std::move(args);
  return options;
}

client::ChaincodeEventsOptions FromBlock(uint64_t block) {
  client::ChaincodeEventsOptions options;
  options.start_block = block;
  return options;
}

TEST_CASE("the client Gateway API evaluates, submits, streams events and reports gateway errors") {
  weft::testing::PeerNetworkOptions options;
  options.anchor_peers = true;
  weft::testing::GatewayNetwork gateway_network(kBin, kSource, options);
  PeerNetwork& network = gateway_network.network();
  weft::testing::peer_network::TwoOrgScenario scenario(network);
  scenario.StartAndJoinPeers();
  scenario.DefineChaincode();

  const client::GatewayOptions gateway_options = weft::testing::GatewayOptionsFor(network, 1);
  auto gateway =
      Value(client::Gateway::Connect(gateway_options, network.UserMsp(1, "User1"), "Org1MSP"));
  const client::Network channel = gateway->GetNetwork(network.channel());
  const client::Contract qscc = channel.GetContract("qscc");

  // Evaluate: qscc GetChainInfo's BlockchainInfo.
  ::common::BlockchainInfo before;
  REQUIRE(
      before.ParseFromString(Value(qscc.EvaluateTransaction("GetChainInfo", {network.channel()}))));
  CHECK(before.height() >= 2);  // genesis and the chaincode definition

  // Block streams opened before the submit, from the next commit.
  auto blocks = Value(channel.BlockEvents());
  auto filtered = Value(channel.FilteredBlockEvents(before.height()));

  // SubmitAsync: the endorsed result, then the commit status of the ordered tx.
  auto submitted = Value(qscc.SubmitAsync("GetChainInfo", WithArgs({network.channel()})));
  ::common::BlockchainInfo endorsed_info;
  REQUIRE(endorsed_info.ParseFromString(submitted.result));
  CHECK(endorsed_info.height() == before.height());
  const client::CommitStatus committed = Value(submitted.commit.Status());
  CHECK(committed.transaction_id == submitted.commit.transaction_id());
  CHECK(committed.code == ::protos::INVALID_CHAINCODE);
  CHECK(!committed.successful());
  CHECK(committed.block_number >= before.height());

  {  // The block stream sees that block with the transaction in it.
    std::optional<::common::Block> block;
    do {
      block = Value(blocks->Next());
      REQUIRE(block.has_value());
    } while (block->header().number() < committed.block_number);
    CHECK(block->header().number() == committed.block_number);
    CHECK(block->data().data_size() >= 1);
    blocks->Close();
    CHECK(!Value(blocks->Next()).has_value());  // closed: the stream ends
  }
  {  // The filtered stream from a block number shows the transaction's code.
    bool seen = false;
    while (!seen) {
      auto block = Value(filtered->Next());
      REQUIRE(block.has_value());
      REQUIRE(block->number() <= committed.block_number);
      for (const auto& tx : block->filtered_transactions()) {
        if (tx.txid() != committed.transaction_id) continue;
        seen = true;
        CHECK(tx.tx_validation_code() == ::protos::INVALID_CHAINCODE);
        CHECK(block->number() == committed.block_number);
      }
    }
    filtered->Close();
  }
  {  // Blocks with private data (Deliver.DeliverWithPrivateData) from that block: the
     // same block, no private data (the channel has no collections).
    auto with_private = Value(channel.BlockAndPrivateDataEvents(committed.block_number));
    const auto block = Value(with_private->Next());
    REQUIRE(block.has_value());
    CHECK(block->block().header().number() == committed.block_number);
    CHECK(block->private_data_map().empty());
    with_private->Close();
  }
  {  // A second connection with an already loaded identity (Connect's other form):
     // the same peer, the same answer, the identity it was given.
    auto identity = weft::testing::LoadIdentity(network.UserMsp(1, "User1"), "Org1MSP");
    const std::string serialized = identity.SerializedIdentity();
    auto second = Value(client::Gateway::Connect(gateway_options, std::move(identity)));
    CHECK(second->identity().SerializedIdentity() == serialized);
    const client::Network again = second->GetNetwork(network.channel());
    CHECK(again.name() == network.channel());
    const client::Contract second_qscc = again.GetContract("qscc");
    CHECK(second_qscc.chaincode_name() == "qscc");
    CHECK(second_qscc.contract_name().empty());
    ::common::BlockchainInfo info;
    REQUIRE(info.ParseFromString(
        Value(second_qscc.Evaluate("GetChainInfo", WithArgs({network.channel()})))));
    CHECK(info.height() > committed.block_number);
  }

  {  // Submit with options (transient data, the gateway picks the endorsers): the
     // same CommitError as SubmitTransaction below.
    client::ProposalOptions with_transient = WithArgs({network.channel()});
    with_transient.transient = {{"key", "transient value"}};
    const auto result = qscc.Submit("GetChainInfo", with_transient);
    REQUIRE(!result.ok());
    const auto error = ErrorOf(result.status(), client::GatewayError::Kind::kCommit);
    CHECK(error.validation_code == ::protos::INVALID_CHAINCODE);
  }

  {  // SubmitTransaction fails with fabric-gateway's CommitError.
    const auto result = qscc.SubmitTransaction("GetChainInfo", {network.channel()});
    REQUIRE(!result.ok());
    const auto error = ErrorOf(result.status(), client::GatewayError::Kind::kCommit);
    CHECK(error.validation_code == ::protos::INVALID_CHAINCODE);
    CHECK(error.block_number > committed.block_number);
    CHECK(result.status().message() ==
          "transaction " + error.transaction_id + " failed to commit with status code " +
              std::to_string(static_cast<int>(::protos::INVALID_CHAINCODE)) +
              " (INVALID_CHAINCODE)");
  }

  {  // Chaincode events of "basic": transactions with an event, submitted raw.
    const std::string chaincode = weft::testing::peer_network::kChaincode;
    auto make_tx = [&](const std::string& key) {
      return gateway_network.EventTx(chaincode, key, "client-gateway-nonce");
    };
    auto grpc_channel =
        weft::common::grpc::MakeChannel(gateway_options.endpoint, gateway_options.grpc);
    REQUIRE(grpc_channel.ok());
    auto stub = ::gateway::Gateway::NewStub(*grpc_channel);
    auto submit_raw = [&](const weft::testing::EndorserTx& tx) {
      ::gateway::SubmitRequest request;
      request.set_transaction_id(tx.tx_id);
      request.set_channel_id(network.channel());
      *request.mutable_prepared_transaction() = tx.envelope;
      ::gateway::SubmitResponse response;
      ::grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      const auto sent = stub->Submit(&context, request, &response);
      INFO(sent.error_message());
      REQUIRE(sent.ok());
    };

    // From a known block (the next one), opened before the transaction is submitted.
    const ::common::BlockchainInfo now = [&] {
      ::common::BlockchainInfo info;
      REQUIRE(info.ParseFromString(
          Value(qscc.EvaluateTransaction("GetChainInfo", {network.channel()}))));
      return info;
    }();
    auto events = Value(channel.ChaincodeEvents(chaincode, FromBlock(now.height())));
    const auto first = make_tx("k1");
    submit_raw(first);
    const auto got = Value(events->Next());
    REQUIRE(got.has_value());
    CHECK(got->transaction_id == first.tx_id);
    CHECK(got->chaincode_name == chaincode);
    CHECK(got->event_name == "created k1");
    CHECK(got->payload == "k1");
    CHECK(got->block_number >= now.height());

    // The same stream sees the next one as it commits.
    const auto second = make_tx("k2");
    submit_raw(second);
    const auto next = Value(events->Next());
    REQUIRE(next.has_value());
    CHECK(next->transaction_id == second.tx_id);
    CHECK(next->block_number > got->block_number);
    events->Close();
    CHECK(!Value(events->Next()).has_value());

    // Replayed from the first's block: the first again.
    auto replay = Value(channel.ChaincodeEvents(chaincode, FromBlock(got->block_number)));
    const auto again = Value(replay->Next());
    REQUIRE(again.has_value());
    CHECK(again->transaction_id == first.tx_id);
    replay->Close();

    // From a checkpoint (the first's block and transaction): the events after it
    // only (Fabric internal/pkg/gateway chaincodeevents.go skips up to and including
    // after_transaction_id), so the second comes first.
    client::ChaincodeEventsOptions checkpoint = FromBlock(got->block_number);
    checkpoint.after_transaction_id = first.tx_id;
    auto resumed = Value(channel.ChaincodeEvents(chaincode, checkpoint));
    const auto after = Value(resumed->Next());
    REQUIRE(after.has_value());
    CHECK(after->transaction_id == second.tx_id);
    resumed->Close();
  }

  {  // Explicit organisations and transient data on the real gateway: Org1 is named
     // (Endorse's endorsing_organizations: one peer of each named org, Fabric
     // registry.planForOrgs); the transient data stays out of the transaction.
    client::ProposalOptions on_org1 = WithArgs({network.channel()});
    on_org1.endorsing_organizations = {"Org1MSP"};
    ::common::BlockchainInfo info;
    REQUIRE(info.ParseFromString(Value(qscc.Evaluate("GetChainInfo", on_org1))));
    CHECK(info.height() >= 2);

    client::ProposalOptions named = WithArgs({network.channel()});
    named.endorsing_organizations = {"Org1MSP"};
    named.transient = {{"secret", "not in the transaction"}};
    auto sent = Value(qscc.SubmitAsync("GetChainInfo", named));
    const auto status = Value(sent.commit.Status());
    CHECK(status.code == ::protos::INVALID_CHAINCODE);
    // The committed transaction: Org1's endorsement, no transient data.
    auto from_block = Value(channel.BlockEvents(status.block_number));
    const auto block = Value(from_block->Next());
    REQUIRE(block.has_value());
    CHECK(block->header().number() == status.block_number);
    const BlockTx tx = TxIn(*block, sent.commit.transaction_id());
    CHECK(tx.action.action().endorsements_size() == 1);
    CHECK(tx.envelope.payload().find("not in the transaction") == std::string::npos);
    from_block->Close();
  }

  {  // Evaluate of a chaincode that is not defined: a plain gateway error, details
     // attached (Fabric api.go Evaluate).
    const auto result = channel.GetContract("nosuch").EvaluateTransaction("Anything");
    REQUIRE(!result.ok());
    const auto error = ErrorOf(result.status(), client::GatewayError::Kind::kEvaluate);
    CHECK(std::string(result.status().message()).find("nosuch") != std::string::npos);
  }

  {  // A chaincode that is not defined: the gateway's endorse failure (Fabric api.go
     // Endorse: ABORTED "failed to endorse transaction, see attached details for more
     // info", one detail per failed peer, here peer0.org1).
    const client::Contract missing = channel.GetContract("nosuch");
    const auto result = missing.SubmitTransaction("Anything");
    REQUIRE(!result.ok());
    CHECK(result.status().code() == absl::StatusCode::kAborted);
    const auto error = ErrorOf(result.status(), client::GatewayError::Kind::kEndorse);
    CHECK(!error.transaction_id.empty());
    REQUIRE(!error.details.empty());
    CHECK(error.details[0].msp_id == "Org1MSP");
    CHECK(error.details[0].message.find("nosuch") != std::string::npos);
    CHECK(std::string(result.status().message()).find(error.details[0].message) !=
          std::string::npos);
  }

  {  // A chaincode error: Evaluate gives the gateway's UNKNOWN "evaluate call to
     // endorser returned error: chaincode response 500, <message>" (Fabric
     // evaluate.go, apiutils.go responseStatus), detail from peer0.org1.
    const std::string chaincode_message = "chaincode response 500, Failed to parse block number";
    const auto evaluated =
        qscc.EvaluateTransaction("GetBlockByNumber", {network.channel(), "not-a-number"});
    REQUIRE(!evaluated.ok());
    CHECK(evaluated.status().code() == absl::StatusCode::kUnknown);
    CHECK(std::string(evaluated.status().message()).find(chaincode_message) != std::string::npos);
    const auto error = ErrorOf(evaluated.status(), client::GatewayError::Kind::kEvaluate);
    CheckOneDetail(error, network.AnchorAddress(1), "Org1MSP");
    CHECK(error.details[0].message.rfind(chaincode_message, 0) == 0);

    // Submit: fabric-gateway's EndorseError, ABORTED "failed to endorse transaction,
    // see attached details for more info" (Fabric endorse.go) with the same detail.
    const auto submitted =
        qscc.SubmitTransaction("GetBlockByNumber", {network.channel(), "not-a-number"});
    REQUIRE(!submitted.ok());
    CHECK(submitted.status().code() == absl::StatusCode::kAborted);
    CHECK(std::string(submitted.status().message())
              .find("failed to endorse transaction, see attached details for more info") !=
          std::string::npos);
    const auto endorse_error = ErrorOf(submitted.status(), client::GatewayError::Kind::kEndorse);
    CHECK(!endorse_error.transaction_id.empty());
    REQUIRE(endorse_error.details.size() == 1);
    CHECK(endorse_error.details[0].message.rfind(chaincode_message, 0) == 0);
  }

  {  // Org2's peer down: an EndorseError whose detail names it (Fabric endorse.go
     // "failed to collect enough transaction endorsements, see attached details for
     // more info"); once it is back both orgs endorse again.
    client::ProposalOptions both = WithArgs({network.channel()});
    both.endorsing_organizations = {"Org1MSP", "Org2MSP"};
    network.StopPeer(2);
    const auto refused = qscc.SubmitAsync("GetChainInfo", both);
    CHECK(refused.status().code() == absl::StatusCode::kAborted);
    const auto error = ErrorOf(refused.status(), client::GatewayError::Kind::kEndorse);
    CheckOneDetail(error, network.AnchorAddress(2), "Org2MSP");
    const std::string message(refused.status().message());
    CHECK(message.find("failed to collect enough transaction endorsements") != std::string::npos);
    CHECK(message.find(network.AnchorAddress(2)) != std::string::npos);

    network.StartPeer(2);
    auto sent = Value(weft::testing::RetryUntilOk<client::SubmittedTransaction>(
        [&] { return qscc.SubmitAsync("GetChainInfo", both); }, std::chrono::seconds(60)));
    const auto status = Value(sent.commit.Status());
    // Both orgs' endorsements are in the committed transaction.
    auto from_block = Value(channel.BlockEvents(status.block_number));
    const auto block = Value(from_block->Next());
    REQUIRE(block.has_value());
    CHECK(TxIn(*block, sent.commit.transaction_id()).action.action().endorsements_size() == 2);
    from_block->Close();
  }

  {  // Close() from another thread ends a Next() waiting on an idle stream (a
     // chaincode event stream and a block stream from the next commit; none comes).
    auto idle_events = Value(channel.ChaincodeEvents("nosuch"));
    auto idle_blocks = Value(channel.BlockEvents());
    weft::testing::WorkerThread reader([&](weft::testing::FailureLog& failures) {
      auto event = idle_events->Next();
      if (failures.ExpectOk(event.status(), "chaincode events Next after Close")) {
        failures.Expect(!event->has_value(), "an event after Close");
      }
      auto block = idle_blocks->Next();
      if (failures.ExpectOk(block.status(), "block events Next after Close")) {
        failures.Expect(!block->has_value(), "a block after Close");
      }
    });
    // Give the reader time to block in Next(); the outcome is the same if it has not.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    idle_events->Close();
    idle_blocks->Close();
    REQUIRE(reader.Join() == weft::testing::kNoFailures);
  }

  {  // The orderer down: SubmitError, UNAVAILABLE, one detail naming the orderer
     // (Fabric api.go Submit: "no orderers could successfully process transaction").
    network.StopOrderer(0, SIGTERM);
    const auto result = qscc.SubmitTransaction("GetChainInfo", {network.channel()});
    CHECK(result.status().code() == absl::StatusCode::kUnavailable);
    const auto error = ErrorOf(result.status(), client::GatewayError::Kind::kSubmit);
    CheckOneDetail(error, network.orderer_address(0), "OrdererMSP");
    const std::string message(result.status().message());
    CHECK(message.find("no orderers could successfully process transaction") != std::string::npos);
    CHECK(message.find(network.orderer_address(0)) != std::string::npos);
  }
}

}  // namespace
