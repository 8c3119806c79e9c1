// asset-transfer-basic-app: a client of the asset-transfer-basic chaincode through a
// peer's Gateway, configured as fabric-samples' asset-transfer-basic/
// application-gateway-typescript is (same environment variables and defaults), so a
// user of that sample finds the same knobs:
//   CHANNEL_NAME (mychannel)   CHAINCODE_NAME (basic)   MSP_ID (Org1MSP)
//   CRYPTO_PATH (deploy/.network/organizations/peerOrganizations/org1.example.com)
//   CERT_DIRECTORY_PATH (CRYPTO_PATH/users/User1@<org>/msp/signcerts; its msp folder
//     holds the key in keystore/)
//   TLS_CERT_PATH (CRYPTO_PATH/peers/peer0.<org>/tls/ca.crt)
//   PEER_ENDPOINT (localhost:7051)   PEER_HOST_ALIAS (peer0.<org>)
// where <org> is CRYPTO_PATH's last folder (org1.example.com).
//
// Without arguments it runs the TypeScript sample's steps (InitLedger, GetAllAssets,
// CreateAsset, ReadAsset, and an UpdateAsset of a missing asset that must fail).
// With arguments it runs one transaction: `<function> [args...]`; ReadAsset,
// GetAllAssets and AssetExists are evaluated, every other function is submitted.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client-sdk/gateway.h"

namespace {

namespace fs = std::filesystem;
using weft::client::Contract;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// Evaluated, not submitted: the chaincode's read-only functions.
bool IsQuery(const std::string& function) {
  static const std::set<std::string> kQueries = {"ReadAsset", "GetAllAssets", "AssetExists"};
  return kQueries.count(function) > 0;
}

std::string Joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& arg : args) out += (out.empty() ? "" : ", ") + arg;
  return out;
}

// Runs one transaction and prints it as the TypeScript sample does; false on failure.
bool Run(const Contract& contract, const std::string& function,
         const std::vector<std::string>& args) {
  const bool query = IsQuery(function);
  std::cout << fmt::format("\n--> {} Transaction: {}{}{}", query ? "Evaluate" : "Submit", function,
                           args.empty() ? "" : ", ", Joined(args))
            << std::endl;
  auto result = query ? contract.EvaluateTransaction(function, args)
                      : contract.SubmitTransaction(function, args);
  if (!result.ok()) {
    // The code and message (with the gateway's details), not the attached payload.
    std::cout << "*** Failed: " << absl::StatusCodeToString(result.status().code()) << ": "
              << result.status().message() << std::endl;
    return false;
  }
  if (query) {
    std::cout << "*** Result: " << *result << std::endl;
  } else {
    std::cout << "*** Result: committed" << (result->empty() ? "" : ", returned " + *result)
              << std::endl;
  }
  return true;
}

// The TypeScript sample's main(): the steps a new user sees first.
bool RunDemo(const Contract& contract) {
  const std::string asset_id =
      fmt::format("asset{}", std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
  if (!Run(contract, "InitLedger", {})) return false;
  if (!Run(contract, "GetAllAssets", {})) return false;
  if (!Run(contract, "CreateAsset", {asset_id, "yellow", "5", "Tom", "1300"})) return false;
  if (!Run(contract, "TransferAsset", {asset_id, "Saptha"})) return false;
  if (!Run(contract, "ReadAsset", {asset_id})) return false;
  // The chaincode's error must reach the client (asset70 does not exist).
  if (Run(contract, "UpdateAsset", {"asset70", "blue", "5", "Tomoko", "300"})) {
    std::cout << "******** FAILED to return an error" << std::endl;
    return false;
  }
  std::cout << "*** Successfully caught the error" << std::endl;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string channel = EnvOr("CHANNEL_NAME", "mychannel");
  const std::string chaincode = EnvOr("CHAINCODE_NAME", "basic");
  const std::string msp_id = EnvOr("MSP_ID", "Org1MSP");
  const fs::path crypto_path =
      EnvOr("CRYPTO_PATH", "deploy/.network/organizations/peerOrganizations/org1.example.com");
  const std::string org = crypto_path.filename().empty()
                              ? crypto_path.parent_path().filename().string()
                              : crypto_path.filename().string();
  const fs::path cert_dir =
      EnvOr("CERT_DIRECTORY_PATH",
            (crypto_path / "users" / ("User1@" + org) / "msp" / "signcerts").string());
  const std::string tls_cert = EnvOr(
      "TLS_CERT_PATH", (crypto_path / "peers" / ("peer0." + org) / "tls" / "ca.crt").string());
  const std::string endpoint = EnvOr("PEER_ENDPOINT", "localhost:7051");
  const std::string host_alias = EnvOr("PEER_HOST_ALIAS", "peer0." + org);

  std::cout << fmt::format(
                   "channelName: {}\nchaincodeName: {}\nmspId: {}\ncryptoPath: {}\n"
                   "certDirectoryPath: {}\ntlsCertPath: {}\npeerEndpoint: {}\n"
                   "peerHostAlias: {}",
                   channel, chaincode, msp_id, crypto_path.string(), cert_dir.string(), tls_cert,
                   endpoint, host_alias)
            << std::endl;

  weft::client::GatewayOptions options;
  options.endpoint = endpoint;
  options.grpc.tls.enabled = true;
  options.grpc.tls.root_cas = {tls_cert};
  options.grpc.server_name_override = host_alias;
  // The user's MSP folder: signcerts/ and keystore/ side by side.
  auto gateway = weft::client::Gateway::Connect(options, cert_dir.parent_path(), msp_id);
  if (!gateway.ok()) {
    std::cerr << "******** FAILED to run the application: " << gateway.status().ToString()
              << std::endl;
    return 1;
  }
  const Contract contract = (*gateway)->GetNetwork(channel).GetContract(chaincode);

  bool ok = false;
  if (argc < 2) {
    ok = RunDemo(contract);
  } else {
    ok = Run(contract, argv[1], std::vector<std::string>(argv + 2, argv + argc));
  }
  if (!ok) {
    std::cerr << "******** FAILED to run the application" << std::endl;
    return 1;
  }
  return 0;
}
