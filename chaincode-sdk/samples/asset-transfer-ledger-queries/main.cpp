// The asset-transfer-ledger-queries chaincode executable (see asset_ledger.h).
#include "chaincode-sdk/samples/asset-transfer-ledger-queries/asset_ledger.h"
#include "chaincode-sdk/shim/shim.h"

int main(int argc, char** argv) {
  auto chaincode = weft::chaincode_sdk::samples::AssetLedgerChaincode();
  return weft::chaincode_sdk::shim::Main(chaincode, argc, argv);
}
