// The second sample against the fake peer: composite-key index, paginated ranges,
// partial composite keys, history, events and key-level endorsement.
#include "chaincode-sdk/samples/asset-transfer-ledger-queries/asset_ledger.h"

#include <catch2/catch.hpp>

#include "common/policies.pb.h"
#include "msp/msp_principal.pb.h"
#include "tests/support/chaincode_session.h"

namespace samples = weft::chaincode_sdk::samples;
using weft::chaincode_sdk::contract::Json;
using weft::testing::ChaincodeSession;
using namespace std::string_literals;

namespace {

struct Ledger {
  Ledger() : chaincode(samples::AssetLedgerChaincode()), session(chaincode) {}
  explicit Ledger(weft::testing::FakeChaincodePeer::Options options)
      : chaincode(samples::AssetLedgerChaincode()), session(chaincode, options) {}
  void Create(const std::string& id, const std::string& color, const std::string& owner) {
    auto outcome = session.Invoke({"CreateAsset", id, color, "5", owner, "100"});
    if (outcome.response.status() != 200) {
      throw std::runtime_error("CreateAsset " + id + ": " + outcome.response.message());
    }
  }
  weft::chaincode_sdk::contract::ContractChaincode chaincode;
  ChaincodeSession session;
};

std::string AssetBytes(const std::string& id, const std::string& color, const std::string& owner) {
  return R"({"ID":")" + id + R"(","appraisedValue":100,"color":")" + color +
         R"(","docType":"asset","owner":")" + owner + R"(","size":5})";
}

}  // namespace

TEST_CASE("CreateAsset stores the asset and its color~name index entry and emits CreateAsset") {
  Ledger ledger;
  auto outcome = ledger.session.Invoke({"CreateAsset", "a1", "blue", "5", "tom", "100"});
  REQUIRE(outcome.response.status() == 200);
  auto state = ledger.session.peer().state();
  CHECK(state.at("a1") == AssetBytes("a1", "blue", "tom"));
  // The index key as CreateCompositeKey("color~name", {"blue", "a1"}) makes it.
  CHECK(state.at("\0color~name\0blue\0a1\0"s) == "\0"s);
  REQUIRE(outcome.message.has_chaincode_event());
  CHECK(outcome.message.chaincode_event().event_name() == "CreateAsset");
  CHECK(outcome.message.chaincode_event().payload() == AssetBytes("a1", "blue", "tom"));
  auto again = ledger.session.Invoke({"CreateAsset", "a1", "red", "1", "x", "1"});
  CHECK(again.response.status() == 500);
  CHECK(again.response.message() == "asset already exists: a1");
  CHECK(ledger.session.Invoke({"CreateAsset", "a2", "red", "1.5", "x", "1"}).response.message() ==
        R"(Unable to validate parameter due to ["must be integer"])");
}

TEST_CASE("TransferAssetByColor moves only the assets of the color through the index") {
  Ledger ledger;
  ledger.Create("a1", "blue", "tom");
  ledger.Create("a2", "red", "tom");
  ledger.Create("a3", "blue", "ann");
  auto outcome = ledger.session.Invoke({"TransferAssetByColor", "blue", "zoe"});
  REQUIRE(outcome.response.status() == 200);
  auto state = ledger.session.peer().state();
  CHECK(state.at("a1") == AssetBytes("a1", "blue", "zoe"));
  CHECK(state.at("a2") == AssetBytes("a2", "red", "tom"));
  CHECK(state.at("a3") == AssetBytes("a3", "blue", "zoe"));
  // The last SetEvent wins (one event per transaction).
  CHECK(outcome.message.chaincode_event().event_name() == "TransferAsset");
  CHECK(outcome.message.chaincode_event().payload() == AssetBytes("a3", "blue", "zoe"));
}

TEST_CASE("Paginated range and color queries return records, count and bookmark") {
  Ledger ledger;
  for (std::string id : {"a1", "a2", "a3", "a4", "a5"})
    ledger.Create(id, id == "a2" ? "red" : "blue", "tom");
  auto page = ledger.session.Invoke({"GetAssetsByRangeWithPagination", "a1", "a9", "2", ""});
  REQUIRE(page.response.status() == 200);
  Json first = Json::parse(page.response.payload());
  CHECK(first["fetchedRecordsCount"] == 2);
  CHECK(first["bookmark"] == "a3");
  REQUIRE(first["records"].size() == 2);
  CHECK(first["records"][1]["ID"] == "a2");
  Json rest =
      Json::parse(ledger.session.Invoke({"GetAssetsByRangeWithPagination", "a1", "a9", "10", "a3"})
                      .response.payload());
  CHECK(rest["fetchedRecordsCount"] == 3);
  CHECK(rest["bookmark"] == "");

  Json blue = Json::parse(ledger.session.Invoke({"GetAssetsByColorWithPagination", "blue", "3", ""})
                              .response.payload());
  CHECK(blue["fetchedRecordsCount"] == 3);
  REQUIRE(blue["records"].size() == 3);
  CHECK(blue["records"][2]["ID"] == "a4");
  CHECK(blue["bookmark"] == "\0color~name\0blue\0a5\0"s);

  Json all =
      Json::parse(ledger.session.Invoke({"GetAssetsByRange", "a2", "a4"}).response.payload());
  REQUIRE(all.size() == 2);
  CHECK(all[0]["ID"] == "a2");
}

TEST_CASE("GetAssetHistory turns the key's modifications into records") {
  Ledger ledger;
  std::vector<::queryresult::KeyModification> history(2);
  history[0].set_tx_id("tx1");
  history[0].set_value(AssetBytes("a1", "blue", "tom"));
  history[0].mutable_timestamp()->set_seconds(1700000000);
  history[0].mutable_timestamp()->set_nanos(500000000);
  history[1].set_tx_id("tx2");
  history[1].set_is_delete(true);
  history[1].mutable_timestamp()->set_seconds(1700000060);
  ledger.session.peer().SetHistory("a1", history);
  auto outcome = ledger.session.Invoke({"GetAssetHistory", "a1"});
  REQUIRE(outcome.response.status() == 200);
  Json records = Json::parse(outcome.response.payload());
  REQUIRE(records.size() == 2);
  CHECK(records[0]["txId"] == "tx1");
  CHECK(records[0]["timestamp"] == "2023-11-14T22:13:20.5Z");
  CHECK(records[0]["record"]["owner"] == "tom");
  CHECK(records[0]["isDelete"] == false);
  CHECK(records[1]["isDelete"] == true);
  CHECK(records[1]["record"] == Json{{"ID", "a1"}});
  CHECK(records[1]["timestamp"] == "2023-11-14T22:14:20Z");
}

TEST_CASE("SetAssetEndorsement writes the key-level policy Fabric's statebased package builds") {
  Ledger ledger;
  ledger.Create("a1", "blue", "tom");
  auto set = ledger.session.Invoke({"SetAssetEndorsement", "a1", "Org2MSP,Org1MSP"});
  REQUIRE(set.response.status() == 200);
  // statebasedimpl.go policyFromMSPIDs: sorted MSP IDs, ROLE principals, NOutOf(all).
  ::common::SignaturePolicyEnvelope expected;
  expected.set_version(0);
  auto* rule = expected.mutable_rule()->mutable_n_out_of();
  rule->set_n(2);
  int index = 0;
  for (std::string msp : {"Org1MSP", "Org2MSP"}) {
    ::common::MSPRole role;
    role.set_msp_identifier(msp);
    role.set_role(::common::MSPRole::PEER);
    auto* principal = expected.add_identities();
    principal->set_principal_classification(::common::MSPPrincipal::ROLE);
    principal->set_principal(role.SerializeAsString());
    rule->add_rules()->set_signed_by(index++);
  }
  CHECK(ledger.session.peer().metadata("a1") ==
        std::map<std::string, std::string>{{"VALIDATION_PARAMETER", expected.SerializeAsString()}});
  auto get = ledger.session.Invoke({"GetAssetEndorsement", "a1"});
  REQUIRE(get.response.status() == 200);
  CHECK(get.response.payload() == R"(["Org1MSP","Org2MSP"])");
  CHECK(ledger.session.Invoke({"GetAssetEndorsement", "a9"}).response.payload() == "[]");
  CHECK(ledger.session.Invoke({"SetAssetEndorsement", "a9", "Org1MSP"}).response.message() ==
        "asset a9 does not exist");
}

TEST_CASE("DeleteAsset removes the asset and its index entry") {
  Ledger ledger;
  ledger.Create("a1", "blue", "tom");
  ledger.Create("a2", "red", "tom");
  REQUIRE(ledger.session.Invoke({"DeleteAsset", "a1"}).response.status() == 200);
  auto state = ledger.session.peer().state();
  CHECK(state.count("a1") == 0);
  CHECK(state.count("\0color~name\0blue\0a1\0"s) == 0);
  CHECK(state.count("a2") == 1);
  CHECK(ledger.session.Invoke({"ReadAsset", "a1"}).response.message() == "asset a1 does not exist");
}
