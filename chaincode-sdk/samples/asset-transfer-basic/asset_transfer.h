// fabric-samples' asset-transfer-basic (chaincode-typescript/src/assetTransfer.ts)
// in C++: InitLedger, CreateAsset, ReadAsset, UpdateAsset, DeleteAsset,
// AssetExists, TransferAsset (returns the old owner), GetAllAssets. Assets are
// stored as compact JSON with sorted keys ({"AppraisedValue":300,"Color":"blue",
// "ID":"asset1","Owner":"Tomoko","Size":5}, plus "docType":"asset" for the assets
// InitLedger writes), Size and AppraisedValue as numbers, so that the stored
// bytes equal the TypeScript sample's. Error messages are the sample's.
// Thread-safety: the chaincode is stateless and thread-safe.
#pragma once

#include "chaincode-sdk/contract/contract.h"

namespace weft::chaincode_sdk::samples {

// The contract, named "AssetTransferContract" like the TypeScript class.
contract::Contract AssetTransferContract();

// A chaincode whose only (default) contract is AssetTransferContract.
contract::ContractChaincode AssetTransferChaincode();

}  // namespace weft::chaincode_sdk::samples
