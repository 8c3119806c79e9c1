// The C++ asset-transfer-basic against the fake peer. Expected bytes are what
// fabric-samples' asset-transfer-basic (chaincode-typescript/src/assetTransfer.ts,
// chaincode-javascript/lib/assetTransfer.js) stores: json-stringify-deterministic of
// sortKeysRecursive(asset), InitLedger's assets with docType "asset", and its error
// messages.
#include "chaincode-sdk/samples/asset-transfer-basic/asset_transfer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>

#include "tests/support/chaincode_session.h"
#include "tests/support/child_process.h"
#include "tests/support/wait_until.h"

namespace samples = weft::chaincode_sdk::samples;
using weft::testing::ChaincodeSession;

namespace {

// What the TypeScript sample's InitLedger writes, key by key.
const std::map<std::string, std::string> kInitialAssets = {
    {"asset1",
     R"({"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5,"docType":"asset"})"},
    {"asset2",
     R"({"AppraisedValue":400,"Color":"red","ID":"asset2","Owner":"Brad","Size":5,"docType":"asset"})"},
    {"asset3",
     R"({"AppraisedValue":500,"Color":"green","ID":"asset3","Owner":"Jin Soo","Size":10,"docType":"asset"})"},
    {"asset4",
     R"({"AppraisedValue":600,"Color":"yellow","ID":"asset4","Owner":"Max","Size":10,"docType":"asset"})"},
    {"asset5",
     R"({"AppraisedValue":700,"Color":"black","ID":"asset5","Owner":"Adriana","Size":15,"docType":"asset"})"},
    {"asset6",
     R"({"AppraisedValue":800,"Color":"white","ID":"asset6","Owner":"Michel","Size":15,"docType":"asset"})"},
};

struct Basic {
  Basic() : chaincode(samples::AssetTransferChaincode()), session(chaincode) {}
  weft::chaincode_sdk::contract::ContractChaincode chaincode;
  ChaincodeSession session;
};

}  // namespace

TEST_CASE("InitLedger stores the six assets with the bytes the TypeScript sample stores") {
  Basic basic;
  auto outcome = basic.session.Invoke({"InitLedger"});
  REQUIRE(outcome.response.status() == 200);
  CHECK(outcome.response.payload().empty());
  CHECK(basic.session.peer().state() == kInitialAssets);
}

TEST_CASE("CreateAsset stores compact sorted JSON with numbers and refuses an existing ID") {
  Basic basic;
  auto created = basic.session.Invoke({"CreateAsset", "asset7", "purple", "20", "Ana", "1300"});
  REQUIRE(created.response.status() == 200);
  CHECK(basic.session.peer().state().at("asset7") ==
        R"({"AppraisedValue":1300,"Color":"purple","ID":"asset7","Owner":"Ana","Size":20})");
  auto again = basic.session.Invoke({"CreateAsset", "asset7", "red", "1", "Bo", "2"});
  CHECK(again.response.status() == 500);
  CHECK(again.response.message() == "The asset asset7 already exists");
  auto not_number = basic.session.Invoke({"CreateAsset", "asset8", "red", "big", "Bo", "2"});
  CHECK(not_number.response.status() == 500);
  CHECK(not_number.response.message() == "fromBuffer could not convert data to number");
  auto short_args = basic.session.Invoke({"CreateAsset", "asset8"});
  CHECK(short_args.response.message() == "Expected 5 parameters, but 1 have been supplied");
  CHECK(basic.session.peer().state().count("asset8") == 0);
}

TEST_CASE("ReadAsset returns the stored bytes and names a missing asset") {
  Basic basic;
  REQUIRE(basic.session.Invoke({"InitLedger"}).response.status() == 200);
  auto read = basic.session.Invoke({"ReadAsset", "asset3"});
  REQUIRE(read.response.status() == 200);
  CHECK(read.response.payload() == kInitialAssets.at("asset3"));
  auto missing = basic.session.Invoke({"ReadAsset", "asset9"});
  CHECK(missing.response.status() == 500);
  CHECK(missing.response.message() == "The asset asset9 does not exist");
}

TEST_CASE("UpdateAsset overwrites an existing asset and refuses a missing one") {
  Basic basic;
  REQUIRE(basic.session.Invoke({"InitLedger"}).response.status() == 200);
  auto updated = basic.session.Invoke({"UpdateAsset", "asset1", "blue", "5", "Tomoko", "350"});
  REQUIRE(updated.response.status() == 200);
  // The updated asset is built afresh: no docType.
  CHECK(basic.session.peer().state().at("asset1") ==
        R"({"AppraisedValue":350,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5})");
  auto missing = basic.session.Invoke({"UpdateAsset", "asset70", "blue", "5", "T", "1"});
  CHECK(missing.response.status() == 500);
  CHECK(missing.response.message() == "The asset asset70 does not exist");
  CHECK(basic.session.peer().state().count("asset70") == 0);
}

TEST_CASE("DeleteAsset removes an asset, AssetExists reports it, and a missing one is refused") {
  Basic basic;
  REQUIRE(basic.session.Invoke({"InitLedger"}).response.status() == 200);
  CHECK(basic.session.Invoke({"AssetExists", "asset2"}).response.payload() == "true");
  REQUIRE(basic.session.Invoke({"DeleteAsset", "asset2"}).response.status() == 200);
  CHECK(basic.session.peer().state().count("asset2") == 0);
  CHECK(basic.session.Invoke({"AssetExists", "asset2"}).response.payload() == "false");
  auto again = basic.session.Invoke({"DeleteAsset", "asset2"});
  CHECK(again.response.status() == 500);
  CHECK(again.response.message() == "The asset asset2 does not exist");
}

TEST_CASE("TransferAsset changes the owner and returns the old owner") {
  Basic basic;
  REQUIRE(basic.session.Invoke({"InitLedger"}).response.status() == 200);
  auto transferred = basic.session.Invoke({"TransferAsset", "asset1", "Christopher"});
  REQUIRE(transferred.response.status() == 200);
  CHECK(transferred.response.payload() == "Tomoko");
  CHECK(
      basic.session.peer().state().at("asset1") ==
      R"({"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Christopher","Size":5,"docType":"asset"})");
  // The COMPLETED message carries the event SetEvent set (handler.go: ChaincodeEvent
  // of the transaction context): the new stored value under the name TransferAsset.
  CHECK(transferred.message.chaincode_event().event_name() == "TransferAsset");
  CHECK(transferred.message.chaincode_event().payload() ==
        basic.session.peer().state().at("asset1"));
  auto missing = basic.session.Invoke({"TransferAsset", "asset9", "X"});
  CHECK(missing.response.status() == 500);
  CHECK(missing.response.message() == "The asset asset9 does not exist");
}

TEST_CASE("GetAllAssets returns every asset of the open range as one JSON array") {
  weft::testing::FakeChaincodePeer::Options options;
  options.batch_size = 4;  // two batches: the iterator follows has_more
  auto chaincode = samples::AssetTransferChaincode();
  ChaincodeSession session(chaincode, options);
  REQUIRE(session.Invoke({"InitLedger"}).response.status() == 200);
  auto all = session.Invoke({"GetAllAssets"});
  REQUIRE(all.response.status() == 200);
  std::string expected = "[";
  for (const auto& [key, value] : kInitialAssets) {
    expected += (expected.size() > 1 ? "," : "") + value;
  }
  expected += "]";
  CHECK(all.response.payload() == expected);
  // getStateByRange('', '') arrives as start "\x01", end "" (fabric-chaincode-go stub.go).
  ::protos::GetStateByRange range;
  range.set_startkey("\x01");
  auto requests = session.peer().requests();
  auto first_range = std::find_if(requests.begin(), requests.end(), [](const auto& r) {
    return r.type() == ::protos::ChaincodeMessage::GET_STATE_BY_RANGE;
  });
  REQUIRE(first_range != requests.end());
  CHECK(first_range->payload() == range.SerializeAsString());
  CHECK(std::count_if(requests.begin(), requests.end(), [](const auto& r) {
          return r.type() == ::protos::ChaincodeMessage::QUERY_STATE_NEXT;
        }) == 1);
}

TEST_CASE("The asset-transfer-basic executable dials the peer named by CORE_PEER_ADDRESS") {
  auto peer = weft::testing::FakeChaincodePeer::Listen();
  weft::testing::ProcessOptions options;
  options.argv = {std::string(WEFT_BINARY_DIR) + "/bin/asset-transfer-basic"};
  options.env = {{"CORE_PEER_ADDRESS", peer->address()},
                 {"CORE_CHAINCODE_ID_NAME", "basic_1.0:4ec191e793b27e953ff2ede5a8bcc63152cecb1e"},
                 {"CORE_PEER_TLS_ENABLED", "false"},
                 {"CORE_PEER_LOCALMSPID", "Org1MSP"}};
  weft::testing::ChildProcess chaincode(options);
  REQUIRE(peer->WaitForRegistration() ==
          std::optional<std::string>("basic_1.0:4ec191e793b27e953ff2ede5a8bcc63152cecb1e"));
  weft::testing::TestProposals proposals;
  auto proposal = proposals.Make({"InitLedger"});
  auto outcome = peer->Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"InitLedger"},
                              proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  CHECK(outcome->response.status() == 200);
  CHECK(peer->state() == kInitialAssets);
  // Fabric's shim does not reconnect: a closed stream ends the process.
  peer->Close();
  CHECK(chaincode.Wait() == 1);
}

TEST_CASE(
    "The asset-transfer-basic executable serves a peer when CHAINCODE_SERVER_ADDRESS is set") {
  weft::testing::ProcessOptions options;
  options.argv = {std::string(WEFT_BINARY_DIR) + "/bin/asset-transfer-basic"};
  options.env = {{"CHAINCODE_SERVER_ADDRESS", "127.0.0.1:0"}, {"CHAINCODE_ID", "basic_1.0:ccaas"}};
  weft::testing::ChildProcess chaincode(options);
  const std::string marker = "listening on ";
  auto line = chaincode.WaitForLine(
      [&](const std::string& l) { return l.find(marker) != std::string::npos; },
      weft::testing::kHangGuard);
  REQUIRE(line.has_value());
  const std::string address = line->substr(line->find(marker) + marker.size());
  auto peer = weft::testing::FakeChaincodePeer::Dial(address, {});
  REQUIRE(peer->WaitForRegistration() == std::optional<std::string>("basic_1.0:ccaas"));
  weft::testing::TestProposals proposals;
  auto proposal = proposals.Make({"CreateAsset", "a1", "red", "1", "Zoe", "10"});
  auto outcome =
      peer->Invoke(weft::testing::kSessionChannel, proposal.tx_id,
                   {"CreateAsset", "a1", "red", "1", "Zoe", "10"}, proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  CHECK(outcome->response.status() == 200);
  CHECK(peer->state().at("a1") ==
        R"({"AppraisedValue":10,"Color":"red","ID":"a1","Owner":"Zoe","Size":1})");
  peer->Close();
  chaincode.Signal(SIGTERM);
  chaincode.Wait();
}
