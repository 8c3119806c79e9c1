// The shim side of one peer conversation (fabric-chaincode-go shim/handler.go):
// REGISTER, then created -> established (REGISTERED) -> ready (READY); in ready,
// INIT and TRANSACTION run on their own threads, and each thread's requests are
// answered by the RESPONSE or ERROR carrying the same channel_id + txid. A
// KEEPALIVE from the peer is echoed as the Go shim does.
// Thread-safety: Run on one thread; Call from the transaction threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "chaincode-sdk/shim/chaincode.h"
#include "peer/chaincode_shim.pb.h"

namespace weft::chaincode_sdk::shim {

// A bidirectional ChaincodeMessage stream (a Register client call or a Connect
// server call). Read is called by one thread, Write by one at a time.
class MessageStream {
 public:
  virtual ~MessageStream() = default;
  virtual bool Read(::protos::ChaincodeMessage* message) = 0;
  virtual bool Write(const ::protos::ChaincodeMessage& message) = 0;
};

class Handler {
 public:
  Handler(Chaincode& chaincode, MessageStream& stream) : chaincode_(chaincode), stream_(stream) {}
  ~Handler();

  // Registers as `chaincode_id` and serves until the stream ends (an error
  // status saying why) or the peer breaks the protocol. Returns after every
  // transaction thread has finished.
  [[nodiscard]] absl::Status Run(const std::string& chaincode_id);

  // Sends a request of `type` for the transaction (channel_id, txid) and waits for
  // the peer's RESPONSE (returned) or ERROR (an UNKNOWN status with the peer's
  // text). One request per transaction at a time, as Fabric's shims.
  [[nodiscard]] absl::StatusOr<std::string> Call(::protos::ChaincodeMessage::Type type,
                                                 const std::string& payload,
                                                 const std::string& channel_id,
                                                 const std::string& txid);

  // What the peer's READY offered (Fabric 3.x ChaincodeAdditionalParams).
  bool use_get_multiple_keys() const { return use_get_multiple_keys_; }
  uint32_t max_size_get_multiple_keys() const { return max_size_get_multiple_keys_; }

 private:
  struct Pending {
    std::optional<::protos::ChaincodeMessage> reply;  // guarded by mu_
    // Its own, so that a reply wakes only the call it answers.
    std::condition_variable answered;
  };

  bool Send(const ::protos::ChaincodeMessage& message);
  void Route(const ::protos::ChaincodeMessage& message);
  void StartTransaction(::protos::ChaincodeMessage message);
  ::protos::ChaincodeMessage Execute(const ::protos::ChaincodeMessage& message);
  void FailPending();

  Chaincode& chaincode_;
  MessageStream& stream_;
  std::mutex send_mu_;  // gRPC allows one Write at a time

  std::mutex mu_;
  std::condition_variable all_finished_;     // running_ dropped to 0
  std::map<std::string, Pending*> pending_;  // channel_id + txid -> waiting call
  bool closed_ = false;                      // the stream ended: calls fail at once
  int running_ = 0;                          // transaction threads still running

  // Set before the first transaction starts, read-only afterwards.
  bool use_get_multiple_keys_ = false;
  uint32_t max_size_get_multiple_keys_ = 0;
};

}  // namespace weft::chaincode_sdk::shim
