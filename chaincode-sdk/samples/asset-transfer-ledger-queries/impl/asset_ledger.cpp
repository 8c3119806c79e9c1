#include "chaincode-sdk/samples/asset-transfer-ledger-queries/asset_ledger.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/policies.pb.h"
#include "msp/msp_principal.pb.h"

namespace weft::chaincode_sdk::samples {
namespace {

using contract::Context;
using contract::IntegerParameter;
using contract::Json;
using contract::StringParameter;

// Go's time.RFC3339Nano for a UTC time, as the Go sample's JSON timestamps.
constexpr char kRfc3339NanoUtc[] = "%Y-%m-%d%ET%H:%M:%E*SZ";

[[nodiscard]] absl::StatusOr<Json> ReadAssetJson(Context& ctx, const std::string& id) {
  auto value = ctx.stub().GetState(id);
  if (!value.ok()) {
    return absl::UnknownError(
        absl::StrCat("failed to get asset ", id, ": ", value.status().message()));
  }
  if (value->empty()) return absl::NotFoundError(absl::StrCat("asset ", id, " does not exist"));
  Json asset = Json::parse(*value, nullptr, /*allow_exceptions=*/false);
  if (!asset.is_object()) return absl::DataLossError(absl::StrCat("asset ", id, " is not JSON"));
  return asset;
}

[[nodiscard]] absl::StatusOr<Json> Records(shim::StateQueryIterator& iterator) {
  Json records = Json::array();
  while (iterator.HasNext()) {
    auto kv = iterator.Next();
    if (!kv.ok()) return kv.status();
    Json asset = Json::parse(kv->value(), nullptr, /*allow_exceptions=*/false);
    if (!asset.is_object()) return absl::DataLossError(absl::StrCat(kv->key(), " is not JSON"));
    records.push_back(std::move(asset));
  }
  return records;
}

[[nodiscard]] absl::Status CloseAfter(shim::StateQueryIterator& iterator, absl::Status status) {
  absl::Status closed = iterator.Close();
  return status.ok() ? closed : status;
}

[[nodiscard]] absl::StatusOr<Json> Paged(shim::PagedQuery page) {
  auto records = Records(*page.iterator);
  if (absl::Status status = CloseAfter(*page.iterator, records.status()); !status.ok()) {
    return status;
  }
  return Json{{"records", std::move(*records)},
              {"fetchedRecordsCount", page.metadata.fetched_records_count()},
              {"bookmark", page.metadata.bookmark()}};
}

[[nodiscard]] absl::Status Transfer(Context& ctx, Json asset, const std::string& new_owner) {
  asset["owner"] = new_owner;
  const std::string bytes = asset.dump();
  if (absl::Status status = ctx.stub().PutState(asset["ID"].get<std::string>(), bytes);
      !status.ok()) {
    return status;
  }
  return ctx.stub().SetEvent("TransferAsset", bytes);
}

[[nodiscard]] absl::StatusOr<Json> CreateAsset(Context& ctx, const std::vector<Json>& args) {
  const std::string id = args[0].get<std::string>();
  auto existing = ctx.stub().GetState(id);
  if (!existing.ok()) return existing.status();
  if (!existing->empty())
    return absl::AlreadyExistsError(absl::StrCat("asset already exists: ", id));
  Json asset{{"docType", "asset"}, {"ID", id},         {"color", args[1]},
             {"size", args[2]},    {"owner", args[3]}, {"appraisedValue", args[4]}};
  const std::string bytes = asset.dump();
  if (absl::Status status = ctx.stub().PutState(id, bytes); !status.ok()) return status;
  // The index entry: only the key matters; Fabric's samples store a single U+0000.
  auto index_key = ctx.stub().CreateCompositeKey(kColorNameIndex, {args[1].get<std::string>(), id});
  if (!index_key.ok()) return index_key.status();
  if (absl::Status status = ctx.stub().PutState(*index_key, std::string(1, '\0')); !status.ok()) {
    return status;
  }
  if (absl::Status status = ctx.stub().SetEvent("CreateAsset", bytes); !status.ok()) return status;
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> ReadAsset(Context& ctx, const std::vector<Json>& args) {
  return ReadAssetJson(ctx, args[0].get<std::string>());
}

[[nodiscard]] absl::StatusOr<Json> DeleteAsset(Context& ctx, const std::vector<Json>& args) {
  const std::string id = args[0].get<std::string>();
  auto asset = ReadAssetJson(ctx, id);
  if (!asset.ok()) return asset.status();
  if (absl::Status status = ctx.stub().DelState(id); !status.ok()) {
    return absl::UnknownError(absl::StrCat("failed to delete asset ", id, ": ", status.message()));
  }
  auto index_key =
      ctx.stub().CreateCompositeKey(kColorNameIndex, {(*asset)["color"].get<std::string>(), id});
  if (!index_key.ok()) return index_key.status();
  if (absl::Status status = ctx.stub().DelState(*index_key); !status.ok()) return status;
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> TransferAsset(Context& ctx, const std::vector<Json>& args) {
  auto asset = ReadAssetJson(ctx, args[0].get<std::string>());
  if (!asset.ok()) return asset.status();
  if (absl::Status status = Transfer(ctx, std::move(*asset), args[1].get<std::string>());
      !status.ok()) {
    return status;
  }
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> GetAssetsByRange(Context& ctx, const std::vector<Json>& args) {
  auto iterator =
      ctx.stub().GetStateByRange(args[0].get<std::string>(), args[1].get<std::string>());
  if (!iterator.ok()) return iterator.status();
  auto records = Records(**iterator);
  if (absl::Status status = CloseAfter(**iterator, records.status()); !status.ok()) return status;
  return records;
}

[[nodiscard]] absl::StatusOr<Json> GetAssetsByRangeWithPagination(Context& ctx,
                                                                  const std::vector<Json>& args) {
  auto page = ctx.stub().GetStateByRangeWithPagination(
      args[0].get<std::string>(), args[1].get<std::string>(), args[2].get<int32_t>(),
      args[3].get<std::string>());
  if (!page.ok()) return page.status();
  return Paged(std::move(*page));
}

[[nodiscard]] absl::StatusOr<Json> TransferAssetByColor(Context& ctx,
                                                        const std::vector<Json>& args) {
  auto iterator =
      ctx.stub().GetStateByPartialCompositeKey(kColorNameIndex, {args[0].get<std::string>()});
  if (!iterator.ok()) return iterator.status();
  absl::Status result;
  while (result.ok() && (*iterator)->HasNext()) {
    auto kv = (*iterator)->Next();
    if (!kv.ok()) {
      result = kv.status();
      break;
    }
    auto parts = ctx.stub().SplitCompositeKey(kv->key());
    if (!parts.ok() || parts->attributes.size() != 2) {
      result = absl::DataLossError(absl::StrCat("index key ", kv->key(), " is not color~name"));
      break;
    }
    const std::string& id = parts->attributes[1];
    auto asset = ReadAssetJson(ctx, id);
    if (asset.ok()) {
      result = Transfer(ctx, std::move(*asset), args[1].get<std::string>());
    } else {
      result = asset.status();
    }
    if (!result.ok()) {
      result = absl::UnknownError(
          absl::StrCat("transfer failed for asset ", id, ": ", result.message()));
    }
  }
  if (absl::Status status = CloseAfter(**iterator, result); !status.ok()) return status;
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> GetAssetsByColorWithPagination(Context& ctx,
                                                                  const std::vector<Json>& args) {
  auto page = ctx.stub().GetStateByPartialCompositeKeyWithPagination(
      kColorNameIndex, {args[0].get<std::string>()}, args[1].get<int32_t>(),
      args[2].get<std::string>());
  if (!page.ok()) return page.status();
  // The index entries name the assets; read each one.
  Json records = Json::array();
  absl::Status result;
  while (result.ok() && page->iterator->HasNext()) {
    auto kv = page->iterator->Next();
    if (!kv.ok()) {
      result = kv.status();
      break;
    }
    auto parts = ctx.stub().SplitCompositeKey(kv->key());
    if (!parts.ok() || parts->attributes.size() != 2) {
      result = absl::DataLossError(absl::StrCat("index key ", kv->key(), " is not color~name"));
      break;
    }
    auto asset = ReadAssetJson(ctx, parts->attributes[1]);
    if (!asset.ok()) {
      result = asset.status();
      break;
    }
    records.push_back(std::move(*asset));
  }
  if (absl::Status status = CloseAfter(*page->iterator, result); !status.ok()) return status;
  return Json{{"records", std::move(records)},
              {"fetchedRecordsCount", page->metadata.fetched_records_count()},
              {"bookmark", page->metadata.bookmark()}};
}

[[nodiscard]] absl::StatusOr<Json> GetAssetHistory(Context& ctx, const std::vector<Json>& args) {
  const std::string id = args[0].get<std::string>();
  auto iterator = ctx.stub().GetHistoryForKey(id);
  if (!iterator.ok()) return iterator.status();
  Json records = Json::array();
  absl::Status result;
  while ((*iterator)->HasNext()) {
    auto modification = (*iterator)->Next();
    if (!modification.ok()) {
      result = modification.status();
      break;
    }
    Json record = Json{{"ID", id}};
    if (!modification->value().empty()) {
      record = Json::parse(modification->value(), nullptr, /*allow_exceptions=*/false);
    }
    const auto& ts = modification->timestamp();
    absl::Time time = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
    records.push_back(
        Json{{"record", std::move(record)},
             {"txId", modification->tx_id()},
             {"timestamp", absl::FormatTime(kRfc3339NanoUtc, time, absl::UTCTimeZone())},
             {"isDelete", modification->is_delete()}});
  }
  absl::Status closed = (*iterator)->Close();
  if (!result.ok()) return result;
  if (!closed.ok()) return closed;
  return records;
}

[[nodiscard]] absl::StatusOr<Json> SetAssetEndorsement(Context& ctx,
                                                       const std::vector<Json>& args) {
  const std::string id = args[0].get<std::string>();
  auto asset = ReadAssetJson(ctx, id);
  if (!asset.ok()) return asset.status();
  std::vector<std::string> orgs =
      absl::StrSplit(args[1].get<std::string>(), ',', absl::SkipWhitespace());
  if (orgs.empty()) return absl::InvalidArgumentError("no MSP IDs given for the endorsement");
  if (absl::Status status = ctx.stub().SetStateValidationParameter(id, PeerEndorsementPolicy(orgs));
      !status.ok()) {
    return status;
  }
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> GetAssetEndorsement(Context& ctx,
                                                       const std::vector<Json>& args) {
  auto policy = ctx.stub().GetStateValidationParameter(args[0].get<std::string>());
  if (!policy.ok()) return policy.status();
  if (policy->empty()) return Json::array();
  auto orgs = PolicyOrgs(*policy);
  if (!orgs.ok()) return orgs.status();
  return Json(*orgs);
}

}  // namespace

std::string PeerEndorsementPolicy(std::vector<std::string> msp_ids) {
  std::sort(msp_ids.begin(), msp_ids.end());
  msp_ids.erase(std::unique(msp_ids.begin(), msp_ids.end()), msp_ids.end());
  ::common::SignaturePolicyEnvelope envelope;
  envelope.set_version(0);
  auto* n_out_of = envelope.mutable_rule()->mutable_n_out_of();
  n_out_of->set_n(static_cast<int32_t>(msp_ids.size()));
  for (size_t i = 0; i < msp_ids.size(); ++i) {
    ::common::MSPRole role;
    role.set_role(::common::MSPRole::PEER);
    role.set_msp_identifier(msp_ids[i]);
    auto* principal = envelope.add_identities();
    principal->set_principal_classification(::common::MSPPrincipal::ROLE);
    principal->set_principal(role.SerializeAsString());
    n_out_of->add_rules()->set_signed_by(static_cast<int32_t>(i));
  }
  return envelope.SerializeAsString();
}

[[nodiscard]] absl::StatusOr<std::vector<std::string>> PolicyOrgs(const std::string& policy) {
  ::common::SignaturePolicyEnvelope envelope;
  if (!envelope.ParseFromString(policy)) {
    return absl::DataLossError("the validation parameter is not a SignaturePolicyEnvelope");
  }
  std::vector<std::string> orgs;
  for (const auto& principal : envelope.identities()) {
    if (principal.principal_classification() != ::common::MSPPrincipal::ROLE) continue;
    ::common::MSPRole role;
    if (!role.ParseFromString(principal.principal())) {
      return absl::DataLossError("error unmarshaling msp principal");
    }
    orgs.push_back(role.msp_identifier());
  }
  return orgs;
}

contract::Contract AssetLedgerContract() {
  contract::Contract c("AssetLedgerContract");
  c.Submit("CreateAsset",
           {StringParameter("assetID"), StringParameter("color"), IntegerParameter("size"),
            StringParameter("owner"), IntegerParameter("appraisedValue")},
           CreateAsset)
      .Evaluate("ReadAsset", {StringParameter("assetID")}, ReadAsset)
      .Submit("DeleteAsset", {StringParameter("assetID")}, DeleteAsset)
      .Submit("TransferAsset", {StringParameter("assetID"), StringParameter("newOwner")},
              TransferAsset)
      .Evaluate("GetAssetsByRange", {StringParameter("startKey"), StringParameter("endKey")},
                GetAssetsByRange)
      .Evaluate("GetAssetsByRangeWithPagination",
                {StringParameter("startKey"), StringParameter("endKey"),
                 IntegerParameter("pageSize"), StringParameter("bookmark")},
                GetAssetsByRangeWithPagination)
      .Submit("TransferAssetByColor", {StringParameter("color"), StringParameter("newOwner")},
              TransferAssetByColor)
      .Evaluate(
          "GetAssetsByColorWithPagination",
          {StringParameter("color"), IntegerParameter("pageSize"), StringParameter("bookmark")},
          GetAssetsByColorWithPagination)
      .Evaluate("GetAssetHistory", {StringParameter("assetID")}, GetAssetHistory)
      .Submit("SetAssetEndorsement", {StringParameter("assetID"), StringParameter("mspIds")},
              SetAssetEndorsement)
      .Evaluate("GetAssetEndorsement", {StringParameter("assetID")}, GetAssetEndorsement);
  return c;
}

contract::ContractChaincode AssetLedgerChaincode() {
  std::vector<contract::Contract> contracts;
  contracts.push_back(AssetLedgerContract());
  return contract::ContractChaincode(std::move(contracts), "asset-transfer-ledger-queries",
                                     "1.0.0");
}

}  // namespace weft::chaincode_sdk::samples
