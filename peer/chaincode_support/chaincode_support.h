// The peer side of out-of-process chaincode, Fabric's core/chaincode (release-2.5):
// ChaincodeSupport launches a chaincode through the ChaincodeRuntime seam (Build, then
// Start and wait for the chaincode to REGISTER on the chaincode listener, or dial a
// chaincode server for ccaas), keeps one handler per registered stream, and Execute()s
// invocations (TRANSACTION / INIT carrying the ChaincodeInput and the client's
// SignedProposal) against a TxSimulator, answering the chaincode's GET_STATE, PUT_STATE,
// range, history, metadata and INVOKE_CHAINCODE requests on the way.
//
// Facts kept from Fabric: transaction contexts are keyed by channel + tx id (a second
// execution of the same pair on one chaincode fails "txid: <tx>(<ch>) exists"); range
// results go back in batches of 100, reading one result ahead before a batch is cut
// (QueryResponseGenerator), so the range info in the rwset matches Fabric's; requests
// fail with "<TYPE> failed: transaction ID: <tx>: <reason>"; an execution that outlives
// chaincode.executetimeout fails "timeout expired while executing transaction"; a stream
// that ends fails its executions with "chaincode stream terminated" and the chaincode is
// launched again on next use; KEEPALIVE is never sent (fabric-shim 2.5 exits on it).
//
// Thread-safety: every member function is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/log/logger.h"
#include "common/status/status.h"
#include "peer/chaincode_event.pb.h"
#include "peer/chaincode_shim.pb.h"
#include "peer/chaincode_support/runtime.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::chaincode_support {

// Fabric's ErrorExecutionTimeout and ErrorStreamTerminated.
inline constexpr char kErrorExecutionTimeout[] = "timeout expired while executing transaction";
inline constexpr char kErrorStreamTerminated[] = "chaincode stream terminated";
// The message of a launch when no ChaincodeRuntime is configured.
inline constexpr char kErrorNoRuntime[] = "no chaincode runtime is configured on this peer";
// Fabric's InitializedKeyName: "\x00" + U+10FFFF + "initialized".
inline constexpr std::string_view kInitializedKeyName{"\x00\xf4\x8f\xbf\xbfinitialized", 16};

// Fabric's lifecycle.ChaincodeEndorsementInfo: what an invocation needs to know about a
// defined chaincode.
struct ChaincodeEndorsementInfo {
  std::string version;             // the definition's version (ChaincodeAction.chaincode_id)
  bool enforce_init = false;       // the definition's init_required
  std::string endorsement_plugin;  // "escc" by default
  std::string chaincode_id;        // what to launch: the installed package ID
};

// Where definitions come from (Fabric's chaincode.Lifecycle). Implementations read at
// least the definition's Sequence through `simulator`, so a definition committed between
// endorsement and commit makes the transaction an MVCC conflict.
class Lifecycle {
 public:
  virtual ~Lifecycle() = default;
  // NotFound "chaincode <name> not found" when the chaincode has no definition.
  [[nodiscard]] virtual StatusOr<ChaincodeEndorsementInfo> GetEndorsementInfo(
      std::string_view channel_id, std::string_view chaincode_name,
      ledger::TxSimulator& simulator) = 0;
};

// Fabric's ccprovider.TransactionParams. Pointers are borrowed for the call.
struct TransactionParams {
  std::string tx_id;
  std::string channel_id;
  // Sent to the chaincode in TRANSACTION / INIT (fabric-contract-api needs the
  // creator's certificate from it) and used for the cc2cc ACL.
  const ::protos::SignedProposal* signed_proposal = nullptr;
  ledger::TxSimulator* simulator = nullptr;
  // Fabric's ProposalDecorations, copied into ChaincodeInput.decorations.
  std::map<std::string, std::string> decorations;
};

// What an execution answers: the chaincode's Response and, when it set one, its event
// with chaincode_id (the chaincode name) and tx_id filled in by the peer.
struct ExecuteResult {
  ::protos::Response response;
  std::optional<::protos::ChaincodeEvent> event;
};

// One bidirectional ChaincodeMessage stream (a Register call the peer serves, or a
// Connect call it made to a chaincode server). Send is called from several threads,
// one at a time (the handler serialises); Recv from one thread. Cancel (any thread)
// makes a blocked Recv return false.
class ChaincodeStream {
 public:
  virtual ~ChaincodeStream() = default;
  virtual bool Send(const ::protos::ChaincodeMessage& message) = 0;
  virtual bool Recv(::protos::ChaincodeMessage* message) = 0;
  virtual void Cancel() = 0;
};

class ChaincodeCa;

struct ChaincodeSupportOptions {
  // Builds and starts chaincode; null: launching fails with kErrorNoRuntime.
  ChaincodeRuntime* runtime = nullptr;
  Lifecycle* lifecycle = nullptr;  // required
  // The chaincode listener's address chaincodes dial (PeerConnection.address); may be
  // set later with SetPeerAddress (a listener on port 0 knows its port only once bound).
  std::string peer_address;
  // With TLS on the listener: issues each launch's client pair, and its certificate is
  // the PeerConnection's root. Null: plaintext. Must outlive the support.
  ChaincodeCa* ca = nullptr;
  // chaincode.executetimeout and chaincode.startuptimeout (the node applies Fabric's
  // minimums: 1 s execute, else 30 s; 5 s startup).
  std::chrono::milliseconds execute_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds startup_timeout = std::chrono::seconds(300);
  // ledger.state.totalQueryLimit: results one range or history query may return.
  int total_query_limit = 100000;
  // A simulator on another channel, for cc2cc calls that name one ("cc/channel").
  // Null: such calls fail.
  std::function<StatusOr<std::unique_ptr<ledger::TxSimulator>>(std::string_view channel_id)>
      new_tx_simulator;
  // The peer/ChaincodeToChaincode ACL for a cc2cc call; null: allowed.
  std::function<Status(std::string_view channel_id, const ::protos::SignedProposal&)>
      check_cc2cc_acl;
  // The Application capabilities of a channel (NotFound when the channel has no
  // application config). GET/PUT_STATE_METADATA need key-level endorsement (V1_3,
  // V1_4_2, V2_0 or V2_5), as Fabric's handler.go checkMetadataCap. Null: allowed.
  std::function<StatusOr<std::set<std::string>>(std::string_view channel_id)>
      application_capabilities;
  std::shared_ptr<common::log::Logger> logger;  // nullable
};

class ChaincodeSupport {
 public:
  explicit ChaincodeSupport(ChaincodeSupportOptions options);
  // Stop()s.
  ~ChaincodeSupport();
  ChaincodeSupport(const ChaincodeSupport&) = delete;
  ChaincodeSupport& operator=(const ChaincodeSupport&) = delete;

  void SetPeerAddress(std::string address);

  // Fabric's ChaincodeSupport.Execute: finds the definition through the simulator
  // (Lifecycle), decides INIT or TRANSACTION (writing the "initialized" key for INIT as
  // Fabric does), launches the chaincode if it is not running and runs the invocation.
  // Errors name what failed ("invalid invocation: ...", "could not launch chaincode
  // <id>: ...", "failed to execute transaction <tx>: ..."); a chaincode's own failure
  // is a Response with its status and message, not an error.
  [[nodiscard]] StatusOr<ExecuteResult> Execute(const TransactionParams& params,
                                                std::string_view chaincode_name,
                                                const ::protos::ChaincodeInput& input);

  // Fabric's Launch: returns once chaincode `ccid` (a package ID) is registered and
  // ready, launching it through the runtime if needed; at most startup_timeout.
  [[nodiscard]] Status Launch(std::string_view ccid);

  // Serves one chaincode stream until it ends (Fabric's HandleChaincodeStream). The
  // first message must be REGISTER. Returns why the stream ended.
  [[nodiscard]] Status HandleChaincodeStream(ChaincodeStream& stream);

  // Whether chaincode `ccid` has a registered stream.
  bool IsRegistered(std::string_view ccid) const;

  // Ends every stream, stops every chaincode it launched and waits for its threads.
  // Executions in flight fail. Idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A Lifecycle over the committed definitions in the _lifecycle namespace
// (peer/lifecycle), after Fabric's ChaincodeEndorsementInfoSource: the definition's
// Sequence is read through the simulator (the one read Fabric records); 0 means not
// defined. The rest of the definition is read through `unrecorded` when given (a query
// executor over the same state that records nothing and takes no lock, the caller's
// simulator holding it: Fabric takes these fields from its cache, so the rwset is then
// Fabric's), else through the simulator too (an extra read of EndorsementInfo, which
// changes together with the Sequence, so MVCC outcomes are the same).
// `package_id` decides what runs the definition on this peer: an error is returned as
// it is (e.g. not approved by this org), nullopt fails "chaincode definition for '<cc>'
// exists, but chaincode is not installed" (Fabric's CachedChaincodeInfo).
using PackageIdResolver = std::function<StatusOr<std::optional<std::string>>(
    std::string_view channel_id, std::string_view chaincode_name, const std::string& version,
    int64_t sequence)>;
using UnrecordedQueryExecutor =
    std::function<StatusOr<std::unique_ptr<ledger::QueryExecutor>>(std::string_view channel_id)>;
std::unique_ptr<Lifecycle> NewDefinitionLifecycle(PackageIdResolver package_id,
                                                  UnrecordedQueryExecutor unrecorded = nullptr);

// The same Lifecycle over a lifecycle cache (the peer's: peer/lifecycle/cache.h), so
// that only the Sequence is read from the state, through the simulator, as Fabric's
// ChaincodeEndorsementInfoSource.CachedChaincodeInfo does. `cache` answers for the
// committed definition at the sequence the simulation read: its endorsement fields
// and in chaincode_id the installed package this org approved it with (empty when
// none is installed: "chaincode definition for '<cc>' exists, but chaincode is not
// installed"); its errors (a cache at another sequence, a definition this org has
// not approved) are returned as they are.
using CachedDefinitionSource = std::function<StatusOr<ChaincodeEndorsementInfo>(
    std::string_view channel_id, std::string_view chaincode_name, int64_t sequence)>;
std::unique_ptr<Lifecycle> NewCachedDefinitionLifecycle(CachedDefinitionSource cache);

}  // namespace weft::peer::chaincode_support
