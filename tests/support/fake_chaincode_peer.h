// The peer's side of the chaincode stream, for chaincode SDK tests. Either it
// serves protos.ChaincodeSupport/Register on 127.0.0.1 (the chaincode dials in,
// "start" mode) or it dials a chaincode server's protos.Chaincode/Connect
// (chaincode as a service). Then it plays Fabric's peer (release-2.5
// core/chaincode/handler.go): answers REGISTER with REGISTERED and READY, sends
// TRANSACTION/INIT messages carrying a signed proposal, and answers the
// chaincode's requests from a small ledger of its own:
//  - reads see committed state only (Fabric's simulator does not read its own
//    writes); a transaction's writes (PUT_STATE with an empty value deletes) and
//    metadata writes are committed when it COMPLETES with a status below 400;
//  - ranges are [start, end), an empty end unbounded, answered in batches of
//    `batch_size` with has_more and continued by QUERY_STATE_NEXT; paginated ranges
//    (QueryMetadata) answer one page with fetched_records_count and the bookmark of
//    the next key (Fabric's pagination);
//  - QUERY_STATE_CLOSE always succeeds; GET_QUERY_RESULT answers LevelDB's error;
//  - a request whose (channel_id, txid) is not a transaction in flight, or whose
//    payload does not parse, gets an ERROR and is recorded as a violation.
// Every message the chaincode sends is recorded for the test to compare.
// Thread-safety: all methods are thread-safe; gRPC and reader threads only
// record, the test thread asserts.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/chaincode_shim.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::testing {

class FakeChaincodePeer {
 public:
  struct Options {
    int batch_size = 100;  // results per QueryResponse, Fabric's default
    // When set, READY carries ChaincodeAdditionalParams offering GET_STATE_MULTIPLE.
    bool offer_get_multiple_keys = false;
    uint32_t max_size_get_multiple_keys = 100;
    // Listen only: TLS with this server pair (PEM) when set; with client_ca_pem the
    // chaincode must present a certificate that CA issued (mutual TLS, as Fabric's
    // peer requires of chaincode when TLS is on).
    std::string tls_key_pem;
    std::string tls_cert_pem;
    std::string tls_client_ca_pem;
    // When set, REGISTER is answered with ERROR carrying this text (a peer refusing
    // an unknown chaincode) instead of REGISTERED and READY.
    std::string refuse_registration;
  };

  // Serves ChaincodeSupport on 127.0.0.1:0. Throws std::runtime_error on failure.
  static std::unique_ptr<FakeChaincodePeer> Listen(Options options);
  static std::unique_ptr<FakeChaincodePeer> Listen() { return Listen(Options()); }
  // Opens a Connect stream to a chaincode server at `address` (insecure, or TLS
  // with `root_cert_pem` and optionally a client pair). Throws on failure.
  static std::unique_ptr<FakeChaincodePeer> Dial(const std::string& address, Options options,
                                                 const std::string& root_cert_pem = "",
                                                 const std::string& client_key_pem = "",
                                                 const std::string& client_cert_pem = "");
  ~FakeChaincodePeer();

  // host:port of the ChaincodeSupport server (start mode).
  std::string address() const;

  // Waits for a chaincode to register; its REGISTER name, or nullopt when the
  // stream ended first or after kHangGuard.
  std::optional<std::string> WaitForRegistration();

  // The chaincode's final message for one invocation: COMPLETED or ERROR.
  struct Outcome {
    ::protos::ChaincodeMessage message;
    ::protos::Response response;  // parsed from a COMPLETED payload
    bool completed() const { return message.type() == ::protos::ChaincodeMessage::COMPLETED; }
  };
  // Sends TRANSACTION (INIT when `init`) with ChaincodeInput{args} and `proposal`,
  // and waits for the outcome; nullopt when none arrives within kHangGuard or the
  // stream is gone. Safe to call from several threads at once.
  std::optional<Outcome> Invoke(const std::string& channel_id, const std::string& txid,
                                const std::vector<std::string>& args,
                                const ::protos::SignedProposal& proposal, bool init = false);
  // Sends `message` as it is (tests of the handshake and of unexpected messages).
  bool SendRaw(const ::protos::ChaincodeMessage& message);
  // Messages the chaincode sent that were not requests of a transaction in flight
  // (ERROR replies to SendRaw, KEEPALIVE echoes), in order.
  std::vector<::protos::ChaincodeMessage> unsolicited() const;
  // Waits until `count` unsolicited messages arrived.
  bool WaitForUnsolicited(size_t count);

  // --- the ledger ---
  void Put(const std::string& key, const std::string& value);
  void PutPrivate(const std::string& collection, const std::string& key, const std::string& value);
  void PutMetadata(const std::string& key, const std::string& metakey, const std::string& value);
  void SetHistory(const std::string& key, std::vector<::queryresult::KeyModification> history);
  std::map<std::string, std::string> state() const;
  std::map<std::string, std::string> private_state(const std::string& collection) const;
  std::map<std::string, std::string> metadata(const std::string& key) const;

  // The next request of `type` gets ERROR with `text` instead of an answer.
  void FailNext(::protos::ChaincodeMessage::Type type, std::string text);
  // INVOKE_CHAINCODE is answered with a COMPLETED message carrying `response`
  // (as Fabric's peer answers with the callee's final message).
  void AnswerInvokeChaincode(::protos::Response response);

  // Requests the chaincode sent (type, txid, channel_id, payload as sent), in order.
  std::vector<::protos::ChaincodeMessage> requests() const;
  std::vector<::protos::ChaincodeMessage> requests(const std::string& txid) const;
  // Protocol violations seen, empty when none.
  std::vector<std::string> violations() const;
  // Highest number of transactions that were in flight at once.
  int max_in_flight() const;

  // Ends the stream (the chaincode sees it close).
  void Close();

  class Impl;

 private:
  struct Transport;
  FakeChaincodePeer(std::unique_ptr<Impl> impl, std::unique_ptr<Transport> transport);
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace weft::testing
