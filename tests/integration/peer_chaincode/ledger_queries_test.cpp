// Issue [F9]: every shim call of the C++ chaincode SDK against real peers. The
// asset-transfer-ledger-queries sample (chaincode-sdk/samples/asset-transfer-ledger-queries)
// is deployed as a `binary` package on two orgs' peers and driven through endorsed,
// ordered transactions: GetState/PutState/DelState, ranges (unbounded, crossing the
// peer's batches of 100, paginated with bookmarks), partial composite key queries
// (plain and paginated), GetHistoryForKey, SetEvent seen through DeliverFiltered,
// key-level endorsement (Set/GetStateValidationParameter) and chaincode errors.
// The test cases share one network, the CTest fixture of chaincode_network_main.cpp
// (shared_network.h), which deployed the sample with kAssets assets; a test that adds
// keys uses keys of its own run and deletes them, so the ranges see the assets alone.
#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/protoutil/envelope.h"
#include "tests/integration/peer_chaincode/shared_network.h"
#include "tests/support/chaincode_deploy.h"

namespace {

using namespace weft::peer_chaincode_test;  // NOLINT: the shared helpers of this folder
using Json = nlohmann::json;

// The evaluation's answer on both peers: status 200 and byte-identical payloads;
// returns the payload parsed as JSON.
Json EvaluateOnBoth(ChaincodeNetwork& net, const std::string& function,
                    const std::vector<std::string>& args) {
  INFO(function);
  const ::protos::Response first = net.Evaluate(1, kLedger, function, args);
  const ::protos::Response second = net.Evaluate(2, kLedger, function, args);
  INFO(first.message() << " / " << second.message());
  REQUIRE(first.status() == 200);
  REQUIRE(second.status() == 200);
  CHECK(first.payload() == second.payload());
  Json parsed = Json::parse(first.payload(), nullptr, /*allow_exceptions=*/false);
  REQUIRE_FALSE(parsed.is_discarded());
  return parsed;
}

std::vector<std::string> Ids(const Json& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) ids.push_back(record.at("ID").get<std::string>());
  return ids;
}

// A submitted transaction endorsed by `orgs`; returns its tx ID after checking `code`.
std::string SubmitChecked(ChaincodeNetwork& net, const std::string& function,
                          std::vector<std::string> args, const std::vector<int>& orgs,
                          const std::string& code = "VALID") {
  INFO(function);
  const client::SignedProposal proposal =
      net.Proposal(net.user(1), kLedger, function, std::move(args));
  CHECK(CodeName(net.Submit(proposal, net.Endorse(proposal, orgs), net.user(1))) == code);
  return proposal.tx_id;
}

// The filtered transaction `tx_id` from org `org`'s peer's DeliverFiltered, oldest
// block to newest.
::protos::FilteredTransaction FilteredTx(ChaincodeNetwork& net, int org, const std::string& tx_id) {
  auto deliver = client::PeerDeliverClient::Connect(net.address(org), net.peer_settings(org));
  REQUIRE(deliver.ok());
  auto seek = client::CreateSeekEnvelope(
      net.channel(), protoutil::MakeSeekInfo(protoutil::SeekOldest(), protoutil::SeekNewest()),
      net.user(org));
  REQUIRE(seek.ok());
  ::protos::FilteredTransaction found;
  int matches = 0;
  auto status = (*deliver)->DeliverFiltered(*seek, [&](const ::protos::FilteredBlock& block) {
    for (const auto& tx : block.filtered_transactions()) {
      if (tx.txid() != tx_id) continue;
      found = tx;
      ++matches;
    }
    return true;
  });
  INFO(status.status().ToString());
  REQUIRE(status.ok());
  CHECK(*status == ::common::SUCCESS);
  REQUIRE(matches == 1);
  return found;
}

}  // namespace

TEST_CASE("ledger-queries on the shared network: GetState of an asset written through both peers") {
  ChaincodeNetwork net(SharedStateFile());
  {  // GetState
    const Json asset = EvaluateOnBoth(net, "ReadAsset", {"asset042"});
    CHECK(asset == Json{{"docType", "asset"},
                        {"ID", "asset042"},
                        {"color", "red"},
                        {"size", 5},
                        {"owner", "Tom"},
                        {"appraisedValue", 100}});
  }
}

TEST_CASE(
    "ledger-queries on the shared network: GetStateByRange, unbounded and bounded, across the "
    "peer's batches of 100, and GetStateByRangeWithPagination with bookmarks") {
  ChaincodeNetwork net(SharedStateFile());
  std::vector<std::string> all_ids;
  for (int i = 0; i < kAssets; ++i) all_ids.push_back(AssetId(i));

  {  // GetStateByRange("", ""): unbounded; Fabric's shim (stub.go GetStateByRange)
     // replaces an empty start key by "\x01", so the composite index keys (which begin
     // with U+0000) are not in it. 250 results cross the peer's batches of 100.
    CHECK(Ids(EvaluateOnBoth(net, "GetAssetsByRange", {"", ""})) == all_ids);
    // A bounded range: start inclusive, end exclusive (Fabric's GetStateByRange).
    CHECK(Ids(EvaluateOnBoth(net, "GetAssetsByRange", {"asset010", "asset020"})) ==
          std::vector<std::string>(all_ids.begin() + 10, all_ids.begin() + 20));
    // Only an open end: from asset240 to the end of the namespace's simple keys.
    CHECK(Ids(EvaluateOnBoth(net, "GetAssetsByRange", {"asset240", ""})) ==
          std::vector<std::string>(all_ids.begin() + 240, all_ids.end()));
  }

  {  // GetStateByRangeWithPagination: pages of 100 following bookmarks. Fabric's
     // leveldb kvScanner.GetBookmarkAndClose: the bookmark is the key after the page,
     // empty when the range is exhausted.
    std::vector<std::string> paged;
    std::vector<std::string> bookmarks;
    std::string bookmark;
    for (int page = 0; page < 5; ++page) {
      const Json result =
          EvaluateOnBoth(net, "GetAssetsByRangeWithPagination", {"", "", "100", bookmark});
      const auto ids = Ids(result.at("records"));
      CHECK(result.at("fetchedRecordsCount").get<int>() == static_cast<int>(ids.size()));
      paged.insert(paged.end(), ids.begin(), ids.end());
      bookmark = result.at("bookmark").get<std::string>();
      bookmarks.push_back(bookmark);
      if (bookmark.empty()) break;
    }
    CHECK(bookmarks == std::vector<std::string>{"asset100", "asset200", ""});
    CHECK(paged == all_ids);
  }
}

TEST_CASE(
    "ledger-queries on the shared network: GetStateByPartialCompositeKey in a transaction and "
    "paginated") {
  ChaincodeNetwork net(SharedStateFile());
  std::vector<std::string> blue_ids;
  for (int i = 0; i < kAssets; i += 20) blue_ids.push_back(AssetId(i));

  {  // GetStateByPartialCompositeKey (TransferAssetByColor), then the paginated form
    SubmitChecked(net, "TransferAssetByColor", {"blue", "Carol"}, {1, 2});
    std::vector<std::string> paged;
    std::vector<size_t> page_sizes;
    std::string bookmark;
    for (int page = 0; page < 5; ++page) {
      const Json result =
          EvaluateOnBoth(net, "GetAssetsByColorWithPagination", {"blue", "5", bookmark});
      for (const auto& record : result.at("records")) {
        CHECK(record.at("owner") == "Carol");
        CHECK(record.at("color") == "blue");
      }
      const auto ids = Ids(result.at("records"));
      CHECK(result.at("fetchedRecordsCount").get<int>() == static_cast<int>(ids.size()));
      page_sizes.push_back(ids.size());
      paged.insert(paged.end(), ids.begin(), ids.end());
      bookmark = result.at("bookmark").get<std::string>();
      if (bookmark.empty()) break;
    }
    CHECK(page_sizes == std::vector<size_t>{5, 5, 3});
    // Index keys sort by color, then ID.
    CHECK(paged == blue_ids);
    // The red ones are untouched.
    CHECK(EvaluateOnBoth(net, "ReadAsset", {"asset001"}).at("owner") == "Tom");
  }
}

TEST_CASE(
    "ledger-queries on the shared network: GetHistoryForKey newest first after create, transfers "
    "and DelState") {
  ChaincodeNetwork net(SharedStateFile());
  // A key of this run only (the network outlives it; ctest --repeat runs it again).
  const std::string hist =
      "hist-" + net.Proposal(net.user(1), kLedger, "ReadAsset", {"x"}).tx_id.substr(0, 12);
  {  // GetHistoryForKey after a create, two transfers and a delete (DelState). Fabric
     // 2.x's history query executor (core/ledger/kvledger/history/query_executer.go,
     // historyScanner.Next walking back) returns a key's modifications newest first.
    const std::string created =
        SubmitChecked(net, "CreateAsset", {hist, "green", "1", "Ann", "10"}, {1, 2});
    const std::string first = SubmitChecked(net, "TransferAsset", {hist, "Bob"}, {1, 2});
    const std::string second = SubmitChecked(net, "TransferAsset", {hist, "Cid"}, {1, 2});
    const std::string deleted = SubmitChecked(net, "DeleteAsset", {hist}, {1, 2});
    const Json history = EvaluateOnBoth(net, "GetAssetHistory", {hist});
    REQUIRE(history.size() == 4);
    CHECK(history[0].at("txId") == deleted);
    CHECK(history[0].at("isDelete") == true);
    CHECK(history[1].at("txId") == second);
    CHECK(history[1].at("isDelete") == false);
    CHECK(history[1].at("record").at("owner") == "Cid");
    CHECK(history[2].at("txId") == first);
    CHECK(history[2].at("record").at("owner") == "Bob");
    CHECK(history[3].at("txId") == created);
    CHECK(history[3].at("record").at("owner") == "Ann");
    CHECK(history[3].at("isDelete") == false);
    // DelState removed the asset and its index entry.
    for (int org = 1; org <= 2; ++org) {
      const ::protos::Response gone = net.Evaluate(org, kLedger, "ReadAsset", {hist});
      CHECK(gone.status() == 500);
      CHECK(gone.message() == "asset " + hist + " does not exist");
    }
    CHECK(EvaluateOnBoth(net, "GetAssetsByColorWithPagination", {"green", "10", ""})
              .at("records")
              .empty());
  }
}

TEST_CASE(
    "ledger-queries on the shared network: SetEvent reaches DeliverFiltered with the chaincode and "
    "tx ID the peer fills in") {
  ChaincodeNetwork net(SharedStateFile());
  // A key of this run only (the network outlives it; ctest --repeat runs it again).
  const std::string evt =
      "evt-" + net.Proposal(net.user(1), kLedger, "ReadAsset", {"x"}).tx_id.substr(0, 12);
  {  // SetEvent: the committed transaction's chaincode event in DeliverFiltered, its
     // chaincode ID and tx ID filled in by the peer and the payload left out (Fabric's
     // core/peer/deliverevents.go, the filtered chaincode action).
    const std::string tx_id =
        SubmitChecked(net, "CreateAsset", {evt, "white", "2", "Eve", "20"}, {1, 2});
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const ::protos::FilteredTransaction tx = FilteredTx(net, org, tx_id);
      CHECK(CodeName(tx.tx_validation_code()) == "VALID");
      REQUIRE(tx.transaction_actions().chaincode_actions_size() == 1);
      const ::protos::ChaincodeEvent& event =
          tx.transaction_actions().chaincode_actions(0).chaincode_event();
      CHECK(event.chaincode_id() == kLedger);
      CHECK(event.tx_id() == tx_id);
      CHECK(event.event_name() == "CreateAsset");
      CHECK(event.payload().empty());
    }
    // The group's range tests expect the kAssets assets alone.
    SubmitChecked(net, "DeleteAsset", {evt}, {1, 2});
  }
}

TEST_CASE(
    "ledger-queries on the shared network: key-level endorsement overrides the chaincode policy "
    "for its key") {
  ChaincodeNetwork net(SharedStateFile());
  {  // Key-level endorsement: asset003's validation parameter names Org2 only. Fabric
     // release-2.5 core/common/validation/statebased/validator_keylevel.go: checkSBAndCCEP
     // checks a key with a policy against that policy alone, and CheckCCEPIfNoEPChecked
     // skips the chaincode's policy once a key-level one was checked.
    SubmitChecked(net, "SetAssetEndorsement", {"asset003", "Org2MSP"}, {1, 2});
    CHECK(EvaluateOnBoth(net, "GetAssetEndorsement", {"asset003"}) == Json{"Org2MSP"});
    CHECK(EvaluateOnBoth(net, "GetAssetEndorsement", {"asset004"}) == Json::array());
    const Json owner = EvaluateOnBoth(net, "ReadAsset", {"asset003"}).at("owner");
    SubmitChecked(net, "TransferAsset", {"asset003", "Mallory"}, {1}, "ENDORSEMENT_POLICY_FAILURE");
    CHECK(EvaluateOnBoth(net, "ReadAsset", {"asset003"}).at("owner") == owner);
    SubmitChecked(net, "TransferAsset", {"asset003", "Olga"}, {2});
    CHECK(EvaluateOnBoth(net, "ReadAsset", {"asset003"}).at("owner") == "Olga");
    // A key without a key-level policy still needs the chaincode's (both orgs).
    SubmitChecked(net, "TransferAsset", {"asset004", "Olga"}, {2}, "ENDORSEMENT_POLICY_FAILURE");
  }
}

TEST_CASE(
    "ledger-queries on the shared network: a chaincode error reaches the client unendorsed with "
    "its status and message") {
  ChaincodeNetwork net(SharedStateFile());
  {  // A chaincode error reaches the client unendorsed with the chaincode's 500 and
     // message (Fabric's endorser.go: a chaincode response >= 400 is not endorsed).
    for (int org = 1; org <= 2; ++org) {
      INFO("peer0.org" << org);
      const ::protos::ProposalResponse duplicate = net.Ask(
          org,
          net.Proposal(net.user(1), kLedger, "CreateAsset", {"asset001", "red", "1", "Dup", "1"}));
      CHECK(duplicate.response().status() == 500);
      CHECK(duplicate.response().message() == "asset already exists: asset001");
      CHECK(duplicate.endorsement().signature().empty());
    }
  }
}
