// What a chaincode implements for the shim: Init and Invoke, each given the stub of
// one transaction and answering a protos.Response (Fabric's shim.Chaincode).
// Thread-safety: the shim calls Init/Invoke concurrently, one thread per
// transaction in flight, so implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "chaincode-sdk/shim/stub.h"
#include "peer/proposal_response.pb.h"

namespace weft::chaincode_sdk::shim {

// Status codes of Fabric's shim (fabric-chaincode-go shim/response.go): the
// endorser endorses a response below kErrorThreshold and refuses the rest.
inline constexpr int32_t kOk = 200;
inline constexpr int32_t kErrorThreshold = 400;
inline constexpr int32_t kError = 500;

// Response{status 200, payload}.
::protos::Response Success(std::string payload = {});
// Response{status 500, message}.
::protos::Response Error(std::string message);

class Chaincode {
 public:
  virtual ~Chaincode() = default;
  // Called for INIT messages (a definition with init-required, first invocation).
  virtual ::protos::Response Init(ChaincodeStub& stub) = 0;
  // Called for TRANSACTION messages.
  virtual ::protos::Response Invoke(ChaincodeStub& stub) = 0;
};

}  // namespace weft::chaincode_sdk::shim
