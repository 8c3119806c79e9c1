// A sample on the rest of the stub, after fabric-samples'
// asset-transfer-ledger-queries (chaincode-go), asset-transfer-events and
// asset-transfer-sbe: assets {"ID","appraisedValue","color","docType","owner","size"}
// with a "color~name" composite-key index, ranges with and without pagination,
// partial composite key queries, key history, chaincode events on create and
// transfer, and key-level endorsement policies.
//   CreateAsset(id, color, size, owner, appraisedValue)  event "CreateAsset"
//   ReadAsset(id)  DeleteAsset(id)  TransferAsset(id, newOwner)  event "TransferAsset"
//   GetAssetsByRange(start, end)
//   GetAssetsByRangeWithPagination(start, end, pageSize, bookmark)
//   TransferAssetByColor(color, newOwner)
//   GetAssetsByColorWithPagination(color, pageSize, bookmark)
//   GetAssetHistory(id)
//   SetAssetEndorsement(id, mspIds)  mspIds comma-separated: every org's peer must endorse
//   GetAssetEndorsement(id)  the org MSP IDs of the key's policy, a JSON array
// Thread-safety: the chaincode is stateless and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "chaincode-sdk/contract/contract.h"

namespace weft::chaincode_sdk::samples {

inline constexpr char kColorNameIndex[] = "color~name";

contract::Contract AssetLedgerContract();
contract::ContractChaincode AssetLedgerChaincode();

// The serialized SignaturePolicyEnvelope Fabric's statebased package builds for
// `msp_ids` with the PEER role: sorted MSP IDs, NOutOf(all, SignedBy each).
std::string PeerEndorsementPolicy(std::vector<std::string> msp_ids);
// The MSP IDs of the ROLE principals of a serialized SignaturePolicyEnvelope.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> PolicyOrgs(const std::string& policy);

}  // namespace weft::chaincode_sdk::samples
