// Uses the installed client and chaincode SDK headers and libraries; prints what
// the test checks.
#include <iostream>

#include "chaincode-sdk/shim/composite_key.h"
#include "client-sdk/gateway.h"

int main() {
  weft::client::GatewayError error;
  error.kind = weft::client::GatewayError::Kind::kSubmit;
  error.transaction_id = "tx1";
  error.details = {{"orderer:7050", "OrdererMSP", "down"}};
  const auto status =
      weft::client::MakeGatewayStatus(absl::StatusCode::kUnavailable, "no orderers", error);
  const auto back = weft::client::GetGatewayError(status);
  std::cout << status.message() << "\n" << (back ? back->transaction_id : "none") << "\n";
  const auto key = weft::chaincode_sdk::shim::CreateCompositeKey("asset", {"a1"});
  std::cout << (key.ok() ? key->size() : 0) << "\n";
  return 0;
}
