#include "chaincode-sdk/samples/asset-transfer-basic/asset_transfer.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace weft::chaincode_sdk::samples {
namespace {

using contract::Context;
using contract::Json;
using contract::NumberParameter;
using contract::StringParameter;

// nlohmann::json keeps object keys sorted, so dump() is what the sample's
// json-stringify-deterministic(sortKeysRecursive(asset)) writes.
[[nodiscard]] absl::Status PutAsset(Context& ctx, const Json& asset) {
  return ctx.stub().PutState(asset.at("ID").get<std::string>(), asset.dump());
}

[[nodiscard]] absl::StatusOr<bool> Exists(Context& ctx, const std::string& id) {
  auto value = ctx.stub().GetState(id);
  if (!value.ok()) return value.status();
  return !value->empty();
}

[[nodiscard]] absl::StatusOr<std::string> Read(Context& ctx, const std::string& id) {
  auto value = ctx.stub().GetState(id);
  if (!value.ok()) return value.status();
  if (value->empty()) return absl::NotFoundError(absl::StrCat("The asset ", id, " does not exist"));
  return *value;
}

Json Asset(const std::string& id, const std::string& color, Json size, const std::string& owner,
           Json appraised_value) {
  return Json{{"ID", id},
              {"Color", color},
              {"Size", std::move(size)},
              {"Owner", owner},
              {"AppraisedValue", std::move(appraised_value)}};
}

[[nodiscard]] absl::StatusOr<Json> InitLedger(Context& ctx, const std::vector<Json>&) {
  const std::vector<Json> assets = {
      Asset("asset1", "blue", 5, "Tomoko", 300),    Asset("asset2", "red", 5, "Brad", 400),
      Asset("asset3", "green", 10, "Jin Soo", 500), Asset("asset4", "yellow", 10, "Max", 600),
      Asset("asset5", "black", 15, "Adriana", 700), Asset("asset6", "white", 15, "Michel", 800),
  };
  for (Json asset : assets) {
    asset["docType"] = "asset";
    if (absl::Status status = PutAsset(ctx, asset); !status.ok()) return status;
  }
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> CreateAsset(Context& ctx, const std::vector<Json>& args) {
  const std::string id = args[0].get<std::string>();
  auto exists = Exists(ctx, id);
  if (!exists.ok()) return exists.status();
  if (*exists) return absl::AlreadyExistsError(absl::StrCat("The asset ", id, " already exists"));
  if (absl::Status status = PutAsset(
          ctx, Asset(id, args[1].get<std::string>(), args[2], args[3].get<std::string>(), args[4]));
      !status.ok()) {
    return status;
  }
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> ReadAsset(Context& ctx, const std::vector<Json>& args) {
  auto value = Read(ctx, args[0].get<std::string>());
  if (!value.ok()) return value.status();
  return Json(std::move(*value));  // the stored text, returned as it is
}

[[nodiscard]] absl::StatusOr<Json> UpdateAsset(Context& ctx, const std::vector<Json>& args) {
  const std::string id = args[0].get<std::string>();
  auto exists = Exists(ctx, id);
  if (!exists.ok()) return exists.status();
  if (!*exists) return absl::NotFoundError(absl::StrCat("The asset ", id, " does not exist"));
  if (absl::Status status = PutAsset(
          ctx, Asset(id, args[1].get<std::string>(), args[2], args[3].get<std::string>(), args[4]));
      !status.ok()) {
    return status;
  }
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> DeleteAsset(Context& ctx, const std::vector<Json>& args) {
  const std::string id = args[0].get<std::string>();
  auto exists = Exists(ctx, id);
  if (!exists.ok()) return exists.status();
  if (!*exists) return absl::NotFoundError(absl::StrCat("The asset ", id, " does not exist"));
  if (absl::Status status = ctx.stub().DelState(id); !status.ok()) return status;
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> AssetExists(Context& ctx, const std::vector<Json>& args) {
  auto exists = Exists(ctx, args[0].get<std::string>());
  if (!exists.ok()) return exists.status();
  return Json(*exists);
}

[[nodiscard]] absl::StatusOr<Json> TransferAsset(Context& ctx, const std::vector<Json>& args) {
  auto value = Read(ctx, args[0].get<std::string>());
  if (!value.ok()) return value.status();
  Json asset = Json::parse(*value, nullptr, /*allow_exceptions=*/false);
  if (!asset.is_object()) {
    return absl::DataLossError(
        absl::StrCat("asset ", args[0].get<std::string>(), " is not stored as a JSON object"));
  }
  Json old_owner = asset.value("Owner", Json());
  asset["Owner"] = args[1];
  const std::string stored = asset.dump();
  if (absl::Status status = ctx.stub().PutState(args[0].get<std::string>(), stored); !status.ok()) {
    return status;
  }
  // As fabric-samples' asset-transfer-events: a chaincode event carrying the new value,
  // so clients can follow transfers (the interop tests read it on both contracts).
  if (absl::Status status = ctx.stub().SetEvent("TransferAsset", stored); !status.ok()) {
    return status;
  }
  return old_owner;
}

[[nodiscard]] absl::StatusOr<Json> GetAllAssets(Context& ctx, const std::vector<Json>&) {
  // An open range over the simple keys, like getStateByRange('', '').
  auto iterator = ctx.stub().GetStateByRange("", "");
  if (!iterator.ok()) return iterator.status();
  Json all = Json::array();
  while ((*iterator)->HasNext()) {
    auto kv = (*iterator)->Next();
    if (!kv.ok()) return kv.status();
    Json record = Json::parse(kv->value(), nullptr, /*allow_exceptions=*/false);
    all.push_back(record.is_discarded() ? Json(kv->value()) : std::move(record));
  }
  // The sample returns JSON.stringify(allResults): a string holding the array.
  return Json(all.dump());
}

}  // namespace

contract::Contract AssetTransferContract() {
  contract::Contract c("AssetTransferContract");
  c.Info("AssetTransfer", "")
      .Submit("InitLedger", {}, InitLedger)
      .Submit("CreateAsset",
              {StringParameter("id"), StringParameter("color"), NumberParameter("size"),
               StringParameter("owner"), NumberParameter("appraisedValue")},
              CreateAsset)
      .Evaluate("ReadAsset", {StringParameter("id")}, ReadAsset)
      .Submit("UpdateAsset",
              {StringParameter("id"), StringParameter("color"), NumberParameter("size"),
               StringParameter("owner"), NumberParameter("appraisedValue")},
              UpdateAsset)
      .Submit("DeleteAsset", {StringParameter("id")}, DeleteAsset)
      .Evaluate("AssetExists", {StringParameter("id")}, AssetExists, Json{{"type", "boolean"}})
      .Submit("TransferAsset", {StringParameter("id"), StringParameter("newOwner")}, TransferAsset)
      .Evaluate("GetAllAssets", {}, GetAllAssets, Json{{"type", "string"}});
  return c;
}

contract::ContractChaincode AssetTransferChaincode() {
  std::vector<contract::Contract> contracts;
  contracts.push_back(AssetTransferContract());
  return contract::ContractChaincode(std::move(contracts), "asset-transfer-basic", "1.0.0");
}

}  // namespace weft::chaincode_sdk::samples
