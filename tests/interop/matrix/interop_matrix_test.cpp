// Issue [F11]'s matrix: {fabric-gateway (npm, unmodified), Weft's C++ client API} x
// {C++ asset-transfer-basic, Node asset-transfer-basic (fabric-contract-api)} on the
// two-org network the CTest fixture interop_network shares (interop_network.sh: solo
// orderer, TLS, MAJORITY endorsement), each cell on its own chaincode definition so it
// starts from an empty namespace. Both clients run the same scenario
// (tests/interop/gateway/app.js is the fabric-gateway one; RunCppClient below the
// C++ one) and produce the same JSON; CheckScenario holds Fabric's expectations and is
// applied to all four cells.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client-sdk/gateway.h"
#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "common/grpc/channel.h"
#include "common/protoutil/block.h"
#include "gateway/gateway.grpc.pb.h"
#include "peer/transaction.pb.h"
#include "tests/support/child_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
namespace client = weft::client;

using Env = std::map<std::string, std::string>;

// The KEY=value lines interop_network.sh wrote.
Env LoadNetwork() {
  const fs::path file = fs::path(WEFT_INTEROP_NETWORK_DIR) / "network.env";
  std::ifstream in(file);
  INFO("the interop_network fixture did not write " << file.string()
                                                    << " (run the tests with ctest -L interop)");
  REQUIRE(in.good());
  Env env;
  for (std::string line; std::getline(in, line);) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) env[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return env;
}

// The fabric-gateway app's JSON; its output (with the gRPC status, message and
// details of a failure) is shown when it fails.
json RunFabricGateway(const Env& network, const std::string& chaincode) {
  const fs::path interop = fs::path(WEFT_SOURCE_DIR) / "tests" / "interop";
  INFO("@hyperledger/fabric-gateway is not installed in " << interop.string()
                                                          << "/node_modules: run deploy/setup.sh");
  REQUIRE(fs::is_directory(interop / "node_modules" / "@hyperledger" / "fabric-gateway"));
  const auto run = weft::testing::RunCommand(
      {"node", (interop / "gateway" / "app.js").string()},
      {{"CHANNEL_NAME", network.at("CHANNEL_NAME")},
       {"CHAINCODE_NAME", chaincode},
       {"MSP_ID", "Org1MSP"},
       {"CRYPTO_PATH", network.at("ORG1_CRYPTO_PATH")},
       {"PEER_ENDPOINT", "localhost:" + network.at("WEFT_ORG1_PEER_PORT")},
       {"PEER_HOST_ALIAS", "peer0.org1.example.com"}});
  INFO("node gateway/app.js exited with " << run.exit_code << ":\n" << run.output());
  REQUIRE(run.exit_code == 0);
  const json result = json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  REQUIRE(result.is_object());
  return result;
}

// ---- the C++ client's side ----

template <typename T>
T Ok(weft::StatusOr<T> value, const char* what) {
  INFO(what << ": " << value.status().ToString());
  REQUIRE(value.ok());
  return *std::move(value);
}

json StatusJson(const client::CommitStatus& status) {
  return {{"code", static_cast<int>(status.code)},
          {"successful", status.successful()},
          {"blockNumber", status.block_number}};
}

// A failure as app.js's describeError reports it: fabric-gateway's class name, the
// gRPC code (or for a CommitError the TxValidationCode), message, details.
json ErrorJson(const weft::Status& status) {
  json out = {{"message", std::string(status.message())}};
  const auto error = client::GetGatewayError(status);
  if (!error) {
    out["name"] = "Error";
    return out;
  }
  using Kind = client::GatewayError::Kind;
  switch (error->kind) {
    case Kind::kEndorse:
      out["name"] = "EndorseError";
      break;
    case Kind::kSubmit:
      out["name"] = "SubmitError";
      break;
    case Kind::kCommitStatus:
      out["name"] = "CommitStatusError";
      break;
    case Kind::kCommit:
      out["name"] = "CommitError";
      break;
    default:
      out["name"] = "GatewayError";
  }
  out["code"] = error->kind == Kind::kCommit ? static_cast<int>(error->validation_code)
                                             : static_cast<int>(status.code());
  if (error->kind != Kind::kCommit) {
    out["details"] = json::array();
    for (const auto& detail : error->details) {
      out["details"].push_back(
          {{"address", detail.address}, {"mspId", detail.msp_id}, {"message", detail.message}});
    }
  }
  if (!error->transaction_id.empty()) out["transactionId"] = error->transaction_id;
  return out;
}

json ExpectFailure(const weft::Status& status) {
  INFO("the call succeeded but was expected to fail");
  REQUIRE_FALSE(status.ok());
  return ErrorJson(status);
}

// fabric-gateway's newProposal -> endorse -> submit as separate calls, which the C++
// client API folds into SubmitAsync: the gateway's Endorse, Submit and CommitStatus
// called directly, as fabric-gateway's proposal.ts / transaction.ts / commit.ts do.
class SplitFlow {
 public:
  SplitFlow(const Env& network, const weft::msp::SigningIdentity& identity,
            weft::common::settings::GrpcClientSettings settings)
      : network_(network), identity_(identity) {
    auto channel =
        weft::common::grpc::MakeChannel("localhost:" + network.at("WEFT_ORG1_PEER_PORT"), settings);
    REQUIRE(channel.ok());
    stub_ = ::gateway::Gateway::NewStub(*channel);
  }

  struct Endorsed {
    std::string tx_id;
    std::string result;
    ::common::Envelope envelope;
  };

  Endorsed Endorse(const std::string& chaincode, const std::string& function,
                   std::vector<std::string> args) const {
    client::ProposalRequest request;
    request.channel_id = network_.at("CHANNEL_NAME");
    request.chaincode_name = chaincode;
    request.function = function;
    request.args = std::move(args);
    auto proposal = Ok(client::CreateSignedProposal(request, identity_), "proposal");
    ::gateway::EndorseRequest endorse;
    endorse.set_transaction_id(proposal.tx_id);
    endorse.set_channel_id(request.channel_id);
    *endorse.mutable_proposed_transaction() = proposal.signed_proposal;
    ::gateway::EndorseResponse endorsed;
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(3));
    const ::grpc::Status status = stub_->Endorse(&context, endorse, &endorsed);
    INFO("Endorse: " << status.error_message());
    REQUIRE(status.ok());
    // The result where fabric-gateway reads it: the first action's ChaincodeAction.response.
    ::common::Payload payload;
    ::protos::Transaction transaction;
    REQUIRE(payload.ParseFromString(endorsed.prepared_transaction().payload()));
    REQUIRE(transaction.ParseFromString(payload.data()));
    REQUIRE(transaction.actions_size() > 0);
    ::protos::ChaincodeActionPayload action_payload;
    ::protos::ProposalResponsePayload response_payload;
    ::protos::ChaincodeAction action;
    REQUIRE(action_payload.ParseFromString(transaction.actions(0).payload()));
    REQUIRE(response_payload.ParseFromString(action_payload.action().proposal_response_payload()));
    REQUIRE(action.ParseFromString(response_payload.extension()));
    return {proposal.tx_id, action.response().payload(), endorsed.prepared_transaction()};
  }

  // Signs and submits the prepared transaction; returns its commit status.
  client::CommitStatus Submit(const Endorsed& endorsed) const {
    ::gateway::SubmitRequest submit;
    submit.set_transaction_id(endorsed.tx_id);
    submit.set_channel_id(network_.at("CHANNEL_NAME"));
    *submit.mutable_prepared_transaction() = endorsed.envelope;
    submit.mutable_prepared_transaction()->set_signature(
        Ok(identity_.Sign(endorsed.envelope.payload()), "signing"));
    {
      ::gateway::SubmitResponse submitted;
      ::grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      const ::grpc::Status status = stub_->Submit(&context, submit, &submitted);
      INFO("Submit: " << status.error_message());
      REQUIRE(status.ok());
    }
    ::gateway::CommitStatusRequest request;
    request.set_transaction_id(endorsed.tx_id);
    request.set_channel_id(network_.at("CHANNEL_NAME"));
    request.set_identity(identity_.SerializedIdentity());
    ::gateway::SignedCommitStatusRequest signed_request;
    signed_request.set_request(request.SerializeAsString());
    signed_request.set_signature(Ok(identity_.Sign(signed_request.request()), "signing"));
    ::gateway::CommitStatusResponse response;
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(2));
    const ::grpc::Status status = stub_->CommitStatus(&context, signed_request, &response);
    INFO("CommitStatus: " << status.error_message());
    REQUIRE(status.ok());
    return {endorsed.tx_id, response.result(), response.block_number()};
  }

 private:
  const Env& network_;
  const weft::msp::SigningIdentity& identity_;
  std::unique_ptr<::gateway::Gateway::Stub> stub_;
};

template <typename Stream>
auto NextOf(Stream& stream) {
  auto next = stream.Next();
  INFO("event stream: " << next.status().ToString());
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  return **std::move(next);
}

json EventJson(const client::ChaincodeEvent& event) {
  return {{"eventName", event.event_name}, {"payload", event.payload}};
}

// blocks.js's checks, over Weft's own hash functions (common/protoutil/block.h).
json VerifyBlocks(const std::vector<::common::Block>& blocks) {
  json out = {{"count", blocks.size()},     {"numbersFromZero", true},
              {"dataHashesMatch", true},    {"previousHashesChain", true},
              {"firstIsConfig", false},     {"metadataHasFiveEntries", true},
              {"filterLengthsMatch", true}, {"envelopesDecode", true}};
  for (size_t i = 0; i < blocks.size(); ++i) {
    const ::common::Block& block = blocks[i];
    if (block.header().number() != i) out["numbersFromZero"] = false;
    if (weft::common::protoutil::BlockDataHash(block.data()) != block.header().data_hash()) {
      out["dataHashesMatch"] = false;
    }
    const std::string previous =
        i == 0 ? std::string() : weft::common::protoutil::BlockHeaderHash(blocks[i - 1].header());
    if (previous != block.header().previous_hash()) out["previousHashesChain"] = false;
    if (block.metadata().metadata_size() != 5) out["metadataHasFiveEntries"] = false;
    if (block.metadata().metadata_size() < 3 ||
        static_cast<int>(block.metadata().metadata(::common::TRANSACTIONS_FILTER).size()) !=
            block.data().data_size()) {
      out["filterLengthsMatch"] = false;
    }
    for (const std::string& entry : block.data().data()) {
      ::common::Envelope envelope;
      ::common::Payload payload;
      ::common::ChannelHeader header;
      if (!envelope.ParseFromString(entry) || !payload.ParseFromString(envelope.payload()) ||
          !header.ParseFromString(payload.header().channel_header())) {
        out["envelopesDecode"] = false;
      } else if (i == 0 && header.type() == ::common::CONFIG) {
        out["firstIsConfig"] = true;
      }
    }
  }
  return out;
}

// The scenario of gateway/app.js, step for step, through client-sdk/gateway.h.
json RunCppClient(const Env& network, const std::string& chaincode) {
  const fs::path crypto = network.at("ORG1_CRYPTO_PATH");
  client::GatewayOptions options;
  options.endpoint = "localhost:" + network.at("WEFT_ORG1_PEER_PORT");
  options.grpc.tls.enabled = true;
  options.grpc.tls.root_cas = {(crypto / "peers" / "peer0.org1.example.com" / "tls" / "ca.crt")};
  options.grpc.server_name_override = "peer0.org1.example.com";
  // Generous, as app.js: the first call may build and start the chaincode.
  options.timeouts.evaluate = std::chrono::minutes(2);
  options.timeouts.endorse = std::chrono::minutes(3);
  options.timeouts.submit = std::chrono::seconds(30);
  options.timeouts.commit_status = std::chrono::minutes(2);
  const auto identity = Ok(
      client::LoadSigner(crypto / "users" / "User1@org1.example.com" / "msp", "Org1MSP"), "signer");
  const auto gateway = Ok(client::Gateway::Connect(options, identity), "connect");
  const client::Network net = gateway->GetNetwork(network.at("CHANNEL_NAME"));
  const client::Contract contract = net.GetContract(chaincode);
  const SplitFlow split(network, identity, options.grpc);
  json r;

  r["initLedger"] = Ok(contract.SubmitTransaction("InitLedger"), "InitLedger");
  r["createAsset"] =
      Ok(contract.SubmitTransaction("CreateAsset", {"asset7", "purple", "20", "Weft", "900"}),
         "Create");
  r["readAsset"] = Ok(contract.EvaluateTransaction("ReadAsset", {"asset7"}), "ReadAsset");
  r["assetExists"] = Ok(contract.EvaluateTransaction("AssetExists", {"asset7"}), "AssetExists");

  client::ProposalOptions transfer_options;
  transfer_options.args = {"asset7", "Fabric"};
  auto transfer = Ok(contract.SubmitAsync("TransferAsset", transfer_options), "TransferAsset");
  r["transferResult"] = transfer.result;
  const auto transfer_status = Ok(transfer.commit.Status(), "commit status");
  r["transferStatus"] = StatusJson(transfer_status);
  r["transferTxIdMatches"] = transfer_status.transaction_id == transfer.commit.transaction_id();
  const uint64_t first_event_block = transfer_status.block_number;

  const auto endorsed = split.Endorse(chaincode, "TransferAsset", {"asset7", "Ana"});
  r["proposalResult"] = endorsed.result;
  const auto proposal_status = split.Submit(endorsed);
  r["proposalStatus"] = StatusJson(proposal_status);
  r["proposalTxIdMatches"] = proposal_status.transaction_id == endorsed.tx_id;

  client::ProposalOptions transient;
  transient.args = {"asset8", "green", "3", "Transient", "30"};
  transient.transient = {{"secret", "not in the ledger"}};
  transient.endorsing_organizations = {"Org1MSP", "Org2MSP"};
  auto with_transient = Ok(contract.SubmitAsync("CreateAsset", transient), "transient");
  r["transientStatus"] = StatusJson(Ok(with_transient.commit.Status(), "commit status"));
  client::ProposalOptions transient_evaluate;
  transient_evaluate.args = {"asset8"};
  transient_evaluate.transient = transient.transient;
  r["transientEvaluate"] = Ok(contract.Evaluate("AssetExists", transient_evaluate), "evaluate");

  r["evaluateError"] =
      ExpectFailure(contract.EvaluateTransaction("ReadAsset", {"asset404"}).status());
  r["endorseError"] =
      ExpectFailure(contract.SubmitTransaction("DeleteAsset", {"asset404"}).status());

  client::ProposalOptions one_org;
  one_org.args = {"asset9", "grey", "1", "Nobody", "1"};
  one_org.endorsing_organizations = {"Org1MSP"};
  auto policy = Ok(contract.SubmitAsync("CreateAsset", one_org), "one-org CreateAsset");
  r["policyStatus"] = StatusJson(Ok(policy.commit.Status(), "commit status"));
  r["policyCommitError"] = ExpectFailure(contract.Submit("CreateAsset", one_org).status());
  r["asset9Exists"] = Ok(contract.EvaluateTransaction("AssetExists", {"asset9"}), "AssetExists");

  const auto first = split.Endorse(chaincode, "TransferAsset", {"asset1", "First"});
  const auto second = split.Endorse(chaincode, "TransferAsset", {"asset1", "Second"});
  const auto first_status = split.Submit(first);
  r["mvccFirstStatus"] = StatusJson(first_status);
  const auto second_status = split.Submit(second);
  r["mvccSecondStatus"] = StatusJson(second_status);
  r["mvccOwner"] =
      json::parse(Ok(contract.EvaluateTransaction("ReadAsset", {"asset1"}), "read")).at("Owner");

  {
    client::ChaincodeEventsOptions from_block;
    from_block.start_block = first_event_block;
    auto stream = Ok(net.ChaincodeEvents(chaincode, from_block), "chaincode events");
    std::vector<client::ChaincodeEvent> replayed;
    for (int i = 0; i < 3; ++i) replayed.push_back(NextOf(*stream));
    stream->Close();
    r["replayedEvents"] = json::array();
    for (const auto& event : replayed) r["replayedEvents"].push_back(EventJson(event));
    r["replayedTxIds"] = {replayed[0].transaction_id == transfer.commit.transaction_id(),
                          replayed[1].transaction_id == endorsed.tx_id,
                          replayed[2].transaction_id == first.tx_id};
    // A checkpoint is the last event's block and transaction (fabric-gateway's
    // checkpointers: checkpointChaincodeEvent).
    client::ChaincodeEventsOptions checkpoint;
    checkpoint.start_block = replayed[0].block_number;
    checkpoint.after_transaction_id = replayed[0].transaction_id;
    auto resumed = Ok(net.ChaincodeEvents(chaincode, checkpoint), "chaincode events");
    r["checkpointResumedWithSecond"] = NextOf(*resumed).transaction_id == endorsed.tx_id;
    resumed->Close();
  }
  uint64_t live_block = 0;
  {
    auto live = Ok(net.ChaincodeEvents(chaincode), "chaincode events");
    client::ProposalOptions live_options;
    live_options.args = {"asset2", "Live"};
    auto live_transfer = Ok(contract.SubmitAsync("TransferAsset", live_options), "live transfer");
    const auto live_status = Ok(live_transfer.commit.Status(), "commit status");
    live_block = live_status.block_number;
    const client::ChaincodeEvent event = NextOf(*live);
    live->Close();
    r["liveEvent"] = EventJson(event);
    r["liveEventMatches"] = event.transaction_id == live_transfer.commit.transaction_id() &&
                            event.block_number == live_status.block_number;
  }
  {
    auto filtered = Ok(net.FilteredBlockEvents(first_status.block_number), "filtered blocks");
    std::map<std::string, int> codes;
    for (uint64_t n = first_status.block_number; n <= second_status.block_number; ++n) {
      const ::protos::FilteredBlock block = NextOf(*filtered);
      for (const auto& tx : block.filtered_transactions()) {
        codes[tx.txid()] = tx.tx_validation_code();
      }
      r["filteredChannel"] = block.channel_id();
    }
    filtered->Close();
    r["filteredCodes"] = {codes[first.tx_id], codes[second.tx_id]};
  }
  {
    auto stream = Ok(net.BlockEvents(0), "blocks");
    std::vector<::common::Block> blocks;
    for (uint64_t n = 0; n <= live_block; ++n) blocks.push_back(NextOf(*stream));
    stream->Close();
    r["blocks"] = VerifyBlocks(blocks);
    r["blocks"]["lastIsLiveBlock"] = blocks.size() == live_block + 1;
  }
  r["finalAsset7"] = Ok(contract.EvaluateTransaction("ReadAsset", {"asset7"}), "read");
  r["finalAsset8"] = Ok(contract.EvaluateTransaction("ReadAsset", {"asset8"}), "read");
  r["allAssets"] = Ok(contract.EvaluateTransaction("GetAllAssets"), "GetAllAssets");
  return r;
}

// ---- Fabric's expectations, the same for every cell ----

bool Contains(const json& value, const std::string& text) {
  return value.get<std::string>().find(text) != std::string::npos;
}

void CheckError(const json& error, const char* name, int code, const std::string& message,
                const std::string& detail) {
  INFO(error.dump(1));
  CHECK(error.at("name") == name);
  CHECK(error.at("code") == code);
  CHECK(Contains(error.at("message"), message));
  REQUIRE(error.at("details").size() == 1);
  CHECK(error.at("details")[0].at("mspId") == "Org1MSP");
  CHECK(error.at("details")[0].at("message") == detail);
}

void CheckScenario(const json& r) {
  INFO(r.dump(1));
  // Create/Update/Delete return nothing; ReadAsset the stored compact JSON with sorted
  // keys; AssetExists true/false; TransferAsset the old owner (the contracts' rules).
  CHECK(r.at("initLedger") == "");
  CHECK(r.at("createAsset") == "");
  CHECK(r.at("readAsset") ==
        R"({"AppraisedValue":900,"Color":"purple","ID":"asset7","Owner":"Weft","Size":20})");
  CHECK(r.at("assetExists") == "true");
  CHECK(r.at("transferResult") == "Weft");
  CHECK(r.at("transferStatus").at("code") == 0);  // VALID
  CHECK(r.at("transferStatus").at("successful") == true);
  CHECK(r.at("transferTxIdMatches") == true);
  CHECK(r.at("proposalResult") == "Fabric");
  CHECK(r.at("proposalStatus").at("code") == 0);
  CHECK(r.at("proposalTxIdMatches") == true);
  CHECK(r.at("transientStatus").at("code") == 0);
  CHECK(r.at("transientEvaluate") == "true");

  // internal/pkg/gateway/api.go Evaluate: a chaincode response >= 400 becomes gRPC
  // UNKNOWN (2) "evaluate call to endorser returned error: chaincode response <status>,
  // <message>" with an ErrorDetail; Endorse: ABORTED (10) "failed to endorse
  // transaction, see attached details for more info", the detail "chaincode response
  // <status>, <message>". The contract throws "The asset <id> does not exist" (500).
  const std::string missing = "chaincode response 500, The asset asset404 does not exist";
  CheckError(r.at("evaluateError"), "GatewayError", 2,
             "evaluate call to endorser returned error: " + missing, missing);
  CheckError(r.at("endorseError"), "EndorseError", 10,
             "failed to endorse transaction, see attached details for more info", missing);
  CHECK_FALSE(r.at("endorseError").at("transactionId").get<std::string>().empty());

  // One org's endorsement under MAJORITY Endorsement of two orgs: committed as
  // ENDORSEMENT_POLICY_FAILURE (10); fabric-gateway's CommitError says "Transaction
  // <id> failed to commit with status code 10 (ENDORSEMENT_POLICY_FAILURE)" (commiterror.ts).
  CHECK(r.at("policyStatus").at("code") == 10);
  CHECK(r.at("policyStatus").at("successful") == false);
  {
    const json& error = r.at("policyCommitError");
    INFO(error.dump());
    CHECK(error.at("name") == "CommitError");
    CHECK(error.at("code") == 10);
    CHECK(Contains(error.at("message"),
                   "failed to commit with status code 10 "
                   "(ENDORSEMENT_POLICY_FAILURE)"));
    CHECK(Contains(error.at("message"), error.at("transactionId").get<std::string>()));
  }
  CHECK(r.at("asset9Exists") == "false");

  // Two transfers endorsed on the same version: the later one is MVCC_READ_CONFLICT (11).
  CHECK(r.at("mvccFirstStatus").at("code") == 0);
  CHECK(r.at("mvccSecondStatus").at("code") == 11);
  CHECK(r.at("mvccSecondStatus").at("successful") == false);
  CHECK(r.at("mvccOwner") == "First");
  CHECK(r.at("filteredCodes") == json({0, 11}));
  CHECK(r.at("filteredChannel") == "mychannel");

  // Chaincode events of VALID transactions only, in order (gateway ChaincodeEvents);
  // the TransferAsset event carries the new stored value.
  const std::string asset7 = R"({"AppraisedValue":900,"Color":"purple","ID":"asset7","Owner":")";
  CHECK(
      r.at("replayedEvents") ==
      json::array({{{"eventName", "TransferAsset"}, {"payload", asset7 + R"(Fabric","Size":20})"}},
                   {{"eventName", "TransferAsset"}, {"payload", asset7 + R"(Ana","Size":20})"}},
                   {{"eventName", "TransferAsset"},
                    {"payload", R"({"AppraisedValue":300,"Color":"blue","ID":"asset1",)"
                                R"("Owner":"First","Size":5,"docType":"asset"})"}}}));
  CHECK(r.at("replayedTxIds") == json({true, true, true}));
  CHECK(r.at("checkpointResumedWithSecond") == true);
  CHECK(r.at("liveEvent") ==
        json({{"eventName", "TransferAsset"},
              {"payload", R"({"AppraisedValue":400,"Color":"red","ID":"asset2","Owner":"Live",)"
                          R"("Size":5,"docType":"asset"})"}}));
  CHECK(r.at("liveEventMatches") == true);

  // Fabric's block hashes (protoutil BlockHeaderHash / ComputeBlockDataHash) hold for
  // every block from 0.
  const json& blocks = r.at("blocks");
  CHECK(blocks.at("count").get<int>() > 1);
  for (const char* flag :
       {"numbersFromZero", "dataHashesMatch", "previousHashesChain", "firstIsConfig",
        "metadataHasFiveEntries", "filterLengthsMatch", "envelopesDecode", "lastIsLiveBlock"}) {
    INFO(flag);
    CHECK(blocks.at(flag) == true);
  }

  CHECK(r.at("finalAsset7") == asset7 + R"(Ana","Size":20})");
  CHECK(r.at("finalAsset8") ==
        R"({"AppraisedValue":30,"Color":"green","ID":"asset8","Owner":"Transient","Size":3})");
  // The whole namespace at the end, the same bytes whichever client and contract: the
  // failed transactions (policy, MVCC loser, asset404) left nothing.
  CHECK(
      r.at("allAssets") ==
      R"([{"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"First","Size":5,"docType":"asset"},)"
      R"({"AppraisedValue":400,"Color":"red","ID":"asset2","Owner":"Live","Size":5,"docType":"asset"},)"
      R"({"AppraisedValue":500,"Color":"green","ID":"asset3","Owner":"Jin Soo","Size":10,"docType":"asset"},)"
      R"({"AppraisedValue":600,"Color":"yellow","ID":"asset4","Owner":"Max","Size":10,"docType":"asset"},)"
      R"({"AppraisedValue":700,"Color":"black","ID":"asset5","Owner":"Adriana","Size":15,"docType":"asset"},)"
      R"({"AppraisedValue":800,"Color":"white","ID":"asset6","Owner":"Michel","Size":15,"docType":"asset"},)"
      R"({"AppraisedValue":900,"Color":"purple","ID":"asset7","Owner":"Ana","Size":20},)"
      R"({"AppraisedValue":30,"Color":"green","ID":"asset8","Owner":"Transient","Size":3}])");
}

}  // namespace

TEST_CASE("fabric-gateway x C++ chaincode") {
  CheckScenario(RunFabricGateway(LoadNetwork(), "basic-cpp-gw"));
}

TEST_CASE("fabric-gateway x Node chaincode") {
  CheckScenario(RunFabricGateway(LoadNetwork(), "basic-node-gw"));
}

TEST_CASE("C++ client x C++ chaincode") {
  CheckScenario(RunCppClient(LoadNetwork(), "basic-cpp-sdk"));
}

TEST_CASE("C++ client x Node chaincode") {
  CheckScenario(RunCppClient(LoadNetwork(), "basic-node-sdk"));
}
