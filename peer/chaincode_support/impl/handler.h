// The peer side of one chaincode stream (Fabric's core/chaincode/handler.go with its
// transaction contexts, active transactions and query response generator).
// Thread-safety: ProcessStream runs on one thread; Execute and the accessors from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "peer/chaincode_support/chaincode_support.h"

namespace weft::peer::chaincode_support::impl {

using Clock = std::chrono::steady_clock;

// Fabric's QueryResponseGenerator.MaxResultLimit.
inline constexpr std::size_t kMaxResultLimit = 100;

class Handler;

// What a handler needs of the ChaincodeSupport that owns it.
class HandlerHost {
 public:
  virtual ~HandlerHost() = default;
  // Fabric's HandlerRegistry.Register: fails for a duplicate or an unsolicited id.
  [[nodiscard]] virtual Status RegisterHandler(const std::shared_ptr<Handler>& handler) = 0;
  virtual void HandlerReady(const std::string& ccid) = 0;
  virtual void HandlerFailed(const std::string& ccid, const Status& error) = 0;
  virtual void DeregisterHandler(const Handler* handler) = 0;
  // Fabric's Invoker, for INVOKE_CHAINCODE; ends no later than `deadline`.
  [[nodiscard]] virtual StatusOr<::protos::ChaincodeMessage> Invoke(const TransactionParams& params,
                                                                    std::string_view chaincode_name,
                                                                    ::protos::ChaincodeInput input,
                                                                    Clock::time_point deadline) = 0;
};

struct HandlerConfig {
  int total_query_limit = 100000;
  std::function<StatusOr<std::unique_ptr<ledger::TxSimulator>>(std::string_view)> new_tx_simulator;
  std::function<Status(std::string_view, const ::protos::SignedProposal&)> check_cc2cc_acl;
  std::function<StatusOr<std::set<std::string>>(std::string_view)> application_capabilities;
  std::shared_ptr<common::log::Logger> logger;
};

// An open range or history query of a transaction.
class QueryIterator {
 public:
  virtual ~QueryIterator() = default;
  // The next result, serialized (queryresult.KV or KeyModification); nullopt at the end.
  [[nodiscard]] virtual StatusOr<std::optional<std::string>> Next() = 0;
  // Paginated queries: where the next page starts ("" when none).
  [[nodiscard]] virtual StatusOr<std::string> GetBookmarkAndClose() = 0;
};

// Fabric's TransactionContext.
struct TransactionContext {
  struct Query {
    std::unique_ptr<QueryIterator> iterator;
    std::vector<std::string> pending;  // Fabric's PendingQueryResult
    int32_t total_returned = 0;
  };

  std::string channel_id;
  std::string tx_id;
  std::string namespace_id;
  const ::protos::SignedProposal* signed_proposal = nullptr;
  ledger::TxSimulator* simulator = nullptr;
  bool is_init = false;
  Clock::time_point deadline;

  // Guarded by the handler's mutex.
  std::optional<::protos::ChaincodeMessage> response;
  bool closed = false;  // the execution ended; requests fail from now on
  int busy = 0;         // requests being served on this context
  // Signalled when response or busy change or the stream ends. One per transaction,
  // so that a message wakes only the execution it belongs to, not every one in flight.
  std::condition_variable changed;
  // Only touched by the request being served (requests of one tx are serial).
  std::map<std::string, Query> queries;
};

class Handler : public std::enable_shared_from_this<Handler> {
 public:
  Handler(HandlerHost& host, HandlerConfig config, ChaincodeStream& stream);
  ~Handler();

  // Reads the stream until it ends; fails the executions in flight then. Returns why
  // the stream ended.
  [[nodiscard]] Status ProcessStream();

  // Fabric's Handler.Execute: sends `message` (TRANSACTION or INIT) and waits for the
  // chaincode's COMPLETED or ERROR until `deadline`.
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> Execute(const TransactionParams& params,
                                                             std::string_view ns,
                                                             ::protos::ChaincodeMessage message,
                                                             Clock::time_point deadline);

  // Ends the stream (Recv returns false). A no-op once ProcessStream returned.
  void Cancel();

  const std::string& chaincode_id() const { return chaincode_id_; }

 private:
  enum class State { kCreated, kReady };
  using Delegate = StatusOr<::protos::ChaincodeMessage> (Handler::*)(
      const ::protos::ChaincodeMessage&, TransactionContext&);

  [[nodiscard]] Status HandleMessage(const ::protos::ChaincodeMessage& message);
  [[nodiscard]] Status HandleRegister(const ::protos::ChaincodeMessage& message);
  void Notify(const ::protos::ChaincodeMessage& message);
  // Fabric's HandleTransaction: context lookup, the delegate, the reply.
  void HandleTransaction(const ::protos::ChaincodeMessage& message, Delegate delegate);
  bool Send(const ::protos::ChaincodeMessage& message);
  void JoinFinishedInvokes(bool all);

  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleGetState(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleGetStateMultiple(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandlePutState(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleDelState(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleWriteBatch(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  // Fabric's checkMetadataCap: the channel's capabilities allow key-level endorsement.
  [[nodiscard]] Status CheckMetadataCapability(const ::protos::ChaincodeMessage& message) const;
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleGetStateMetadata(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandlePutStateMetadata(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleGetStateByRange(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleQueryStateNext(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleQueryStateClose(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleGetQueryResult(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleGetHistoryForKey(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandlePrivateData(
      const ::protos::ChaincodeMessage&, TransactionContext&);
  [[nodiscard]] StatusOr<::protos::ChaincodeMessage> HandleInvokeChaincode(
      const ::protos::ChaincodeMessage&, TransactionContext&);

  // Fabric's QueryResponseGenerator.BuildQueryResponse.
  [[nodiscard]] StatusOr<::protos::QueryResponse> BuildQueryResponse(TransactionContext& context,
                                                                     const std::string& id,
                                                                     bool paginated,
                                                                     int32_t total_return_limit);
  std::string NewQueryId();

  HandlerHost& host_;
  const HandlerConfig config_;
  ChaincodeStream& stream_;
  State state_ = State::kCreated;  // only the reading thread
  std::string chaincode_id_;       // set once at REGISTER, before anyone else reads it
  bool registered_ = false;

  // The stream belongs to the caller of ProcessStream and is gone once it returns:
  // Send and Cancel hold this shared and check stream_gone_, ProcessStream sets it
  // holding it exclusively.
  std::shared_mutex stream_mu_;
  bool stream_gone_ = false;  // guarded by stream_mu_
  std::mutex send_mu_;        // Fabric's serialLock

  std::mutex mu_;
  bool stream_done_ = false;                                             // guarded by mu_
  std::map<std::string, std::shared_ptr<TransactionContext>> contexts_;  // guarded by mu_
  std::set<std::string> active_;  // Fabric's ActiveTransactions; guarded by mu_
  uint64_t next_query_id_ = 0;    // guarded by mu_

  struct InvokeThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<InvokeThread> invokes_;  // only the reading thread
};

}  // namespace weft::peer::chaincode_support::impl
