// The peer_chaincode test group's shared network, a CTest fixture (see
// tests/README.md "Shared networks"): `weft-chaincode-network up` starts a process
// that runs the two-org network of tests/support/chaincode_deploy.h, deploys
// asset-transfer-ledger-queries on both peers with kAssets assets, and writes the state file the
// tests attach to (ChaincodeNetwork(SharedStateFile())); `weft-chaincode-network down` stops it.
#pragma once
#include <cstdio>
#include <filesystem>
#include <string>

namespace weft::peer_chaincode_test {

inline constexpr char kLedger[] = "ledger";
inline constexpr char kLedgerLabel[] = "ledger_1.0";
// More than the peer's batch of 100 query results (Fabric release-2.5
// core/chaincode/query_response_generator.go BuildQueryResponse, MaxResultLimit 100
// set in chaincode_support.go), so a full range crosses two batch boundaries.
inline constexpr int kAssets = 250;

inline std::string AssetId(int i) {
  char id[16];
  std::snprintf(id, sizeof(id), "asset%03d", i);
  return id;
}

// Every 20th asset is blue, the rest red: 13 blue assets.
inline std::string AssetColor(int i) { return i % 20 == 0 ? "blue" : "red"; }

// Under the build tree (a compile definition of the group's targets).
inline std::filesystem::path SharedStateDir() { return WEFT_CHAINCODE_NETWORK_DIR; }
inline std::filesystem::path SharedStateFile() { return SharedStateDir() / "state"; }

}  // namespace weft::peer_chaincode_test
