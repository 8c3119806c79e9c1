// A complete client: submits Write and evaluates Read of the minimal chaincode
// through a peer's Gateway, as User1 of Org1 on the network ./deploy/up.sh starts.
#include <cstdlib>
#include <iostream>
#include <string>

#include "client-sdk/gateway.h"

int main() {
  // up.sh prints the folder to export as CRYPTO_PATH (the org's material).
  const char* crypto = std::getenv("CRYPTO_PATH");
  const std::string org =
      crypto ? crypto : "deploy/.network/organizations/peerOrganizations/org1.example.com";

  weft::client::GatewayOptions options;
  options.endpoint = "localhost:7051";
  options.grpc.tls.enabled = true;
  options.grpc.tls.root_cas = {org + "/peers/peer0.org1.example.com/tls/ca.crt"};

  auto gateway =
      weft::client::Gateway::Connect(options, org + "/users/User1@org1.example.com/msp", "Org1MSP");
  if (!gateway.ok()) {
    std::cerr << gateway.status() << "\n";
    return 1;
  }
  const auto contract = (*gateway)->GetNetwork("mychannel").GetContract("notes");

  auto written = contract.SubmitTransaction("Write", {"n1", "hello"});
  if (!written.ok()) {
    // The message names every peer or orderer that failed, with its MSP and reason.
    std::cerr << "Write failed: " << written.status() << "\n";
    return 1;
  }
  auto text = contract.EvaluateTransaction("Read", {"n1"});
  if (!text.ok()) {
    std::cerr << "Read failed: " << text.status() << "\n";
    return 1;
  }
  std::cout << "n1 = " << *text << "\n";
  return 0;
}
