// A chaincode for peer tests that speaks the shim protocol through the generated gRPC
// stubs (protos.ChaincodeSupport/Register): it registers, then runs a script per
// TRANSACTION / INIT on its own thread, each script calling the peer (GET_STATE,
// PUT_STATE, ranges, ...) and choosing how the transaction ends (COMPLETED, ERROR, no
// answer, or the process "dying" by dropping its stream). ScriptedRuntime is the
// ChaincodeRuntime that "starts" such chaincodes in process, so ChaincodeSupport's
// launch path (Build, Start with a PeerConnection, registration, Wait) runs for real.
//
// Scripts run on worker threads: they use no Catch2 macro; they throw
// std::runtime_error on unexpected answers, which the chaincode records
// (ScriptedRuntime::Failures) for the test thread to assert.
// Thread-safety: thread-safe.
#pragma once

#include <grpcpp/server.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/settings/settings.h"
#include "google/protobuf/message_lite.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode_shim.pb.h"
#include "peer/chaincode_support/runtime.h"

namespace weft::testing {

namespace chaincode_support = peer::chaincode_support;

class ScriptedChaincode;

// One transaction as the script sees it.
class ScriptedCall {
 public:
  ScriptedCall(ScriptedChaincode& chaincode, ::protos::ChaincodeMessage invocation);

  const ::protos::ChaincodeMessage& invocation() const { return invocation_; }
  const ::protos::ChaincodeInput& input() const { return input_; }
  // Argument i as a string; "" past the end.
  std::string Arg(int i) const;

  // Sends a request for this transaction and waits for the peer's RESPONSE or ERROR.
  // Throws std::runtime_error when the stream ends or no answer comes (hang guard).
  ::protos::ChaincodeMessage Request(::protos::ChaincodeMessage::Type type,
                                     const google::protobuf::MessageLite& payload);
  // Request, throwing unless the answer is a RESPONSE; returns its payload.
  std::string MustRespond(::protos::ChaincodeMessage::Type type,
                          const google::protobuf::MessageLite& payload);

  std::string GetState(const std::string& key);
  void PutState(const std::string& key, const std::string& value);
  void DelState(const std::string& key);
  // Every KV of [start, end) through GET_STATE_BY_RANGE and QUERY_STATE_NEXT; the
  // batch sizes seen are appended to `batches` when given.
  std::vector<std::pair<std::string, std::string>> GetStateByRange(
      const std::string& start, const std::string& end, std::vector<int>* batches = nullptr);

 private:
  ScriptedChaincode& chaincode_;
  ::protos::ChaincodeMessage invocation_;
  ::protos::ChaincodeInput input_;
};

// How a scripted transaction ends.
struct ScriptedOutcome {
  enum class Ending {
    kCompleted,  // COMPLETED with `response` (and `event`)
    kError,      // ERROR with `error_text`
    kNoAnswer,   // nothing: the peer's execute timeout must fire
    kDie,        // the chaincode drops its stream
  };
  Ending ending = Ending::kCompleted;
  ::protos::Response response;
  std::optional<::protos::ChaincodeEvent> event;
  std::string error_text;

  static ScriptedOutcome Ok(std::string payload = {});
  static ScriptedOutcome Fail(int status, std::string message);
};

using Script = std::function<ScriptedOutcome(ScriptedCall&)>;

class ScriptedChaincode {
 public:
  // Dials `peer` (mutual TLS with its client pair when it has one), sends REGISTER
  // naming `register_as` and serves invocations with `script` until the stream ends.
  ScriptedChaincode(std::string register_as, chaincode_support::PeerConnection peer, Script script);
  ~ScriptedChaincode();

  class Transport;
  // Over `transport`; with `own_reader` a thread reads it, else ServeOnThisThread does.
  ScriptedChaincode(std::string register_as, std::unique_ptr<Transport> transport, Script script,
                    bool own_reader);
  // Reads and serves the stream on the calling thread until it ends.
  void ServeOnThisThread() { ReadLoop(); }

  // Drops the stream (the chaincode "dies").
  void Kill();
  // Blocks until the stream ended.
  void WaitEnded();
  bool ended() const;

  std::vector<::protos::ChaincodeMessage> Received() const;  // everything the peer sent
  std::vector<std::string> Failures() const;

 private:
  friend class ScriptedCall;
  struct Pending {
    std::optional<::protos::ChaincodeMessage> reply;
  };

  void ReadLoop();
  void RunScript(::protos::ChaincodeMessage invocation);
  bool Send(const ::protos::ChaincodeMessage& message);
  std::optional<::protos::ChaincodeMessage> Await(const std::string& key);
  void Fail(std::string failure);

  std::unique_ptr<Transport> transport_;
  Script script_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool ended_ = false;
  std::map<std::string, Pending> pending_;  // channel + txid -> the request's reply
  std::vector<::protos::ChaincodeMessage> received_;
  std::vector<std::string> failures_;
  std::list<std::thread> workers_;
  std::mutex send_mu_;
  std::thread reader_;
};

// A chaincode as a service: a gRPC server on 127.0.0.1 whose every protos.Chaincode/
// Connect call is served by a ScriptedChaincode that registers as `register_as`.
class ScriptedChaincodeServer {
 public:
  // `tls` (disabled by default) is the server's TLS, e.g. with client_auth_required.
  ScriptedChaincodeServer(std::string register_as, Script script,
                          common::settings::TlsSettings tls = {});
  ~ScriptedChaincodeServer();

  const std::string& address() const { return address_; }
  int connects() const;  // Connect calls that ended
  std::vector<std::string> Failures() const;

 private:
  class Service;
  std::unique_ptr<Service> service_;
  std::unique_ptr<::grpc::Server> server_;
  std::string address_;
};

// A ChaincodeRuntime whose chaincodes are ScriptedChaincodes, by package ID.
class ScriptedRuntime final : public chaincode_support::ChaincodeRuntime {
 public:
  ~ScriptedRuntime() override;

  void SetScript(const std::string& ccid, Script script);
  // The chaincode registers as `name` instead of its package ID.
  void RegisterAs(const std::string& ccid, const std::string& name);
  // Start succeeds but no chaincode ever registers (startup timeout).
  void NeverRegister(const std::string& ccid);
  // Build answers `server`: the package is a chaincode server to dial.
  void ServeAt(const std::string& ccid, chaincode_support::ChaincodeServerInfo server);

  [[nodiscard]] StatusOr<std::optional<chaincode_support::ChaincodeServerInfo>> Build(
      std::string_view package_id) override;
  [[nodiscard]] Status Start(std::string_view package_id,
                             const chaincode_support::PeerConnection& peer) override;
  [[nodiscard]] Status Stop(std::string_view package_id) override;
  [[nodiscard]] StatusOr<int> Wait(std::string_view package_id) override;

  int starts(const std::string& ccid) const;
  std::optional<chaincode_support::PeerConnection> last_connection(const std::string& ccid) const;
  // The running chaincode of `ccid` (null when none was started).
  std::shared_ptr<ScriptedChaincode> chaincode(const std::string& ccid) const;
  // Every message the chaincodes received from the peer, in order, per ccid.
  std::vector<::protos::ChaincodeMessage> Received(const std::string& ccid) const;
  // Failures of every chaincode started; empty when all went as scripted.
  std::vector<std::string> Failures() const;

 private:
  struct Entry {
    Script script;
    std::string register_as;
    bool never_register = false;
    std::optional<chaincode_support::ChaincodeServerInfo> server;
    int starts = 0;
    std::optional<chaincode_support::PeerConnection> connection;
    std::shared_ptr<ScriptedChaincode> running;
    std::vector<std::shared_ptr<ScriptedChaincode>> all;
    bool stopped = false;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace weft::testing
