// The asset-transfer-basic chaincode executable: dials the peer (start mode) or
// serves a peer (chaincode as a service), per chaincode-sdk/README.md.
#include "chaincode-sdk/samples/asset-transfer-basic/asset_transfer.h"
#include "chaincode-sdk/shim/shim.h"

int main(int argc, char** argv) {
  auto chaincode = weft::chaincode_sdk::samples::AssetTransferChaincode();
  return weft::chaincode_sdk::shim::Main(chaincode, argc, argv);
}
