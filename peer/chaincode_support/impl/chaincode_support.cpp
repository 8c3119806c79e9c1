#include "peer/chaincode_support/chaincode_support.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "peer/chaincode_support/chaincode_ca.h"
#include "peer/chaincode_support/impl/ccaas.h"
#include "peer/chaincode_support/impl/handler.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"

namespace weft::peer::chaincode_support {
namespace {

using impl::Clock;
using impl::Handler;
using ::protos::ChaincodeMessage;

// Fabric's LaunchState: the outcome of one launch, decided once.
class LaunchState {
 public:
  void Notify(Status error) {
    {
      std::lock_guard lock(mu_);
      if (done_) return;
      done_ = true;
      error_ = std::move(error);
    }
    cv_.notify_all();
  }
  // nullopt when `deadline` passed first; no deadline waits for the outcome.
  std::optional<Status> Wait(std::optional<Clock::time_point> deadline) {
    std::unique_lock lock(mu_);
    if (!deadline.has_value()) {
      cv_.wait(lock, [this] { return done_; });
    } else if (!cv_.wait_until(lock, *deadline, [this] { return done_; })) {
      return std::nullopt;
    }
    return error_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  Status error_;
};

// Fabric's processChaincodeExecutionResult.
[[nodiscard]] StatusOr<ExecuteResult> ExecutionResult(const std::string& tx_id,
                                                      std::string_view chaincode_name,
                                                      const StatusOr<ChaincodeMessage>& message) {
  if (!message.ok()) {
    return Annotate(message.status(), fmt::format("failed to execute transaction {}", tx_id));
  }
  ExecuteResult result;
  if (message->has_chaincode_event()) {
    result.event = message->chaincode_event();
    result.event->set_chaincode_id(std::string(chaincode_name));
    result.event->set_tx_id(tx_id);
  }
  switch (message->type()) {
    case ChaincodeMessage::COMPLETED:
      if (!result.response.ParseFromString(message->payload())) {
        return absl::InvalidArgumentError(
            fmt::format("failed to unmarshal response for transaction {}", tx_id));
      }
      return result;
    case ChaincodeMessage::ERROR:
      return absl::UnknownError(
          fmt::format("transaction returned with failure: {}", message->payload()));
    default:
      return absl::InternalError(fmt::format("unexpected response type {} for transaction {}",
                                             static_cast<int>(message->type()), tx_id));
  }
}

}  // namespace

struct ChaincodeSupport::Impl final : impl::HandlerHost {
  explicit Impl(ChaincodeSupportOptions opts) : options(std::move(opts)) {}

  ChaincodeSupportOptions options;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::string peer_address;                                                    // guarded by mu
  std::map<std::string, std::shared_ptr<Handler>, std::less<>> handlers;       // guarded by mu
  std::map<std::string, std::shared_ptr<LaunchState>, std::less<>> launching;  // guarded by mu
  std::set<std::string, std::less<>> started;  // ccids the runtime started; guarded by mu
  bool stopped = false;                        // guarded by mu
  std::list<std::thread> launchers;            // guarded by mu
  std::list<Handler*> live;                    // handlers of running streams; guarded by mu

  // HandlerHost.
  [[nodiscard]] Status RegisterHandler(const std::shared_ptr<Handler>& handler) override {
    std::lock_guard lock(mu);
    const std::string& ccid = handler->chaincode_id();
    if (handlers.count(ccid) != 0) {
      return absl::AlreadyExistsError(fmt::format("duplicate chaincodeID: {}", ccid));
    }
    if (launching.count(ccid) == 0) {
      return absl::PermissionDeniedError(fmt::format(
          "peer will not accept external chaincode connection {} (except in dev mode)", ccid));
    }
    handlers[ccid] = handler;
    return absl::OkStatus();
  }
  void HandlerReady(const std::string& ccid) override { NotifyLaunch(ccid, absl::OkStatus()); }
  void HandlerFailed(const std::string& ccid, const Status& error) override {
    NotifyLaunch(ccid, error);
  }
  void DeregisterHandler(const Handler* handler) override {
    std::lock_guard lock(mu);
    auto it = handlers.find(handler->chaincode_id());
    if (it == handlers.end() || it->second.get() != handler) return;
    handlers.erase(it);
    launching.erase(handler->chaincode_id());
    if (options.logger) {
      options.logger->Info("chaincode {} deregistered; it is launched again on next use",
                           handler->chaincode_id());
    }
  }
  [[nodiscard]] StatusOr<ChaincodeMessage> Invoke(const TransactionParams& params,
                                                  std::string_view chaincode_name,
                                                  ::protos::ChaincodeInput input,
                                                  Clock::time_point deadline) override;

  void NotifyLaunch(const std::string& ccid, const Status& error) {
    std::shared_ptr<LaunchState> state;
    {
      std::lock_guard lock(mu);
      auto it = launching.find(ccid);
      if (it != launching.end()) state = it->second;
    }
    if (state) state->Notify(error);
  }

  std::shared_ptr<Handler> FindHandler(std::string_view ccid) const {
    std::lock_guard lock(mu);
    auto it = handlers.find(ccid);
    return it == handlers.end() ? nullptr : it->second;
  }

  [[nodiscard]] Status Launch(std::string_view ccid);
  [[nodiscard]] StatusOr<std::shared_ptr<Handler>> LaunchAndGet(std::string_view ccid);
  // The body of a launch's own thread (Fabric's RuntimeLauncher goroutine).
  void RunLaunch(std::string ccid, std::shared_ptr<LaunchState> state,
                 std::shared_ptr<std::optional<Status>> start_failure);
  [[nodiscard]] Status ServeStream(ChaincodeStream& stream);
  [[nodiscard]] StatusOr<std::pair<std::string, ChaincodeMessage::Type>> CheckInvocation(
      const TransactionParams& params, std::string_view chaincode_name,
      const ::protos::ChaincodeInput& input);
  void Stop();
};

Status ChaincodeSupport::Impl::ServeStream(ChaincodeStream& stream) {
  impl::HandlerConfig config;
  config.total_query_limit = options.total_query_limit;
  config.new_tx_simulator = options.new_tx_simulator;
  config.check_cc2cc_acl = options.check_cc2cc_acl;
  config.application_capabilities = options.application_capabilities;
  config.logger = options.logger;
  auto handler = std::make_shared<Handler>(*this, std::move(config), stream);
  {
    std::lock_guard lock(mu);
    if (stopped) {
      stream.Cancel();
      return absl::CancelledError("chaincode support is stopped");
    }
    live.push_back(handler.get());
  }
  Status result = handler->ProcessStream();
  {
    std::lock_guard lock(mu);
    live.remove(handler.get());
  }
  cv.notify_all();
  return result;
}

void ChaincodeSupport::Impl::RunLaunch(std::string ccid, std::shared_ptr<LaunchState> state,
                                       std::shared_ptr<std::optional<Status>> start_failure) {
  auto fail = [&](Status error) {
    *start_failure = error;  // read by Launch only after state is notified
    state->Notify(std::move(error));
  };
  ChaincodeRuntime* runtime = options.runtime;
  if (runtime == nullptr) return fail(absl::FailedPreconditionError(kErrorNoRuntime));
  StatusOr<std::optional<ChaincodeServerInfo>> server = runtime->Build(ccid);
  if (!server.ok()) return fail(Annotate(server.status(), "error building chaincode"));
  if (server->has_value()) {
    // Chaincode as a service: the peer dials, and the stream lives on this thread.
    Status streamed = impl::StreamToChaincodeServer(
        **server, [this](ChaincodeStream& stream) { return ServeStream(stream); },
        [this] {
          std::lock_guard lock(mu);
          return stopped;
        });
    if (!streamed.ok()) {
      return fail(Annotate(streamed, fmt::format("connection to {} failed", ccid)));
    }
    state->Notify(absl::UnavailableError(fmt::format("connection to {} terminated", ccid)));
    return;
  }
  PeerConnection connection;
  {
    std::lock_guard lock(mu);
    connection.address = peer_address;
  }
  std::string cert_hash;
  if (options.ca != nullptr) {
    StatusOr<CertKeyPair> pair = options.ca->IssueClientPair(ccid);
    if (!pair.ok()) return fail(Annotate(pair.status(), "could not get connection info"));
    connection.client_cert_pem = pair->cert_pem;
    connection.client_key_pem = pair->key_pem;
    connection.root_cert_pem = options.ca->cert_pem();
    cert_hash = pair->cert_hash;
  }
  bool relaunch = false;
  {
    std::lock_guard lock(mu);
    relaunch = !started.insert(ccid).second;
  }
  // A chaincode whose stream ended may still run: stop it before starting it again.
  if (relaunch) (void)runtime->Stop(ccid);
  if (Status started_ok = runtime->Start(ccid, connection); !started_ok.ok()) {
    return fail(Annotate(started_ok, "error starting container"));
  }
  StatusOr<int> exit_code = runtime->Wait(ccid);
  // The process is gone, and with it the use of this launch's client certificate
  // (one that never registered included).
  if (options.ca != nullptr) options.ca->Forget(cert_hash);
  if (!exit_code.ok()) {
    state->Notify(Annotate(exit_code.status(), "failed to wait on container exit"));
  } else {
    state->Notify(absl::UnavailableError(fmt::format("container exited with {}", *exit_code)));
  }
}

Status ChaincodeSupport::Impl::Launch(std::string_view ccid_view) {
  const std::string ccid(ccid_view);
  std::shared_ptr<LaunchState> state;
  bool already_started = true;
  auto start_failure = std::make_shared<std::optional<Status>>();
  {
    std::lock_guard lock(mu);
    if (stopped) return absl::CancelledError("chaincode support is stopped");
    if (handlers.count(ccid) != 0) return absl::OkStatus();
    auto it = launching.find(ccid);
    if (it != launching.end()) {
      state = it->second;
    } else {
      already_started = false;
      state = std::make_shared<LaunchState>();
      launching[ccid] = state;
      // The thread lives as long as the chaincode runs; Stop joins it.
      launchers.emplace_back(
          [this, ccid, state, start_failure] { RunLaunch(ccid, state, start_failure); });
    }
  }
  // Fabric waits for registration, a start failure or the startup timeout; one who
  // joins a launch in progress waits without a timeout of its own.
  std::optional<Status> outcome = state->Wait(
      already_started ? std::nullopt : std::optional(Clock::now() + options.startup_timeout));
  Status error;
  if (!outcome.has_value()) {
    error = absl::DeadlineExceededError(
        fmt::format("timeout expired while starting chaincode {} for transaction", ccid));
    state->Notify(error);
  } else if (!outcome->ok()) {
    // A failure to build or start is reported as it is; anything else ended the
    // chaincode before it registered.
    error = start_failure->has_value() ? **start_failure
                                       : Annotate(*outcome, "chaincode registration failed");
  }
  if (!error.ok() && !already_started) {
    std::shared_ptr<Handler> handler;
    {
      std::lock_guard lock(mu);
      auto it = handlers.find(ccid);
      if (it != handlers.end()) handler = it->second;
      handlers.erase(ccid);
      launching.erase(ccid);
    }
    // A chaincode that registered too late is dropped with its stream.
    if (handler) handler->Cancel();
    if (options.runtime != nullptr) (void)options.runtime->Stop(ccid);
  }
  return error;
}

StatusOr<std::shared_ptr<Handler>> ChaincodeSupport::Impl::LaunchAndGet(std::string_view ccid) {
  if (auto handler = FindHandler(ccid)) return handler;
  if (Status launched = Launch(ccid); !launched.ok()) {
    return Annotate(launched, fmt::format("could not launch chaincode {}", ccid));
  }
  if (auto handler = FindHandler(ccid)) return handler;
  return absl::InternalError(
      fmt::format("claimed to start chaincode container for {} but could not find handler", ccid));
}

StatusOr<std::pair<std::string, ChaincodeMessage::Type>> ChaincodeSupport::Impl::CheckInvocation(
    const TransactionParams& params, std::string_view chaincode_name,
    const ::protos::ChaincodeInput& input) {
  if (params.simulator == nullptr) {
    return absl::InvalidArgumentError("a chaincode invocation needs a transaction simulator");
  }
  StatusOr<ChaincodeEndorsementInfo> info =
      options.lifecycle->GetEndorsementInfo(params.channel_id, chaincode_name, *params.simulator);
  if (!info.ok()) {
    return Annotate(info.status(),
                    fmt::format("[channel {}] failed to get chaincode container info for {}",
                                params.channel_id, chaincode_name));
  }
  bool needs_initialization = false;
  if (info->enforce_init) {
    StatusOr<std::string> value =
        params.simulator->GetState(chaincode_name, std::string(kInitializedKeyName));
    if (!value.ok()) return Annotate(value.status(), "could not get 'initialized' key");
    needs_initialization = *value != info->version;
  }
  if (input.is_init()) {
    if (!info->enforce_init) {
      return absl::FailedPreconditionError(fmt::format(
          "chaincode '{}' does not require initialization but called as init", chaincode_name));
    }
    if (!needs_initialization) {
      return absl::FailedPreconditionError(
          fmt::format("chaincode '{}' is already initialized but called as init", chaincode_name));
    }
    Status set =
        params.simulator->PutState(chaincode_name, std::string(kInitializedKeyName), info->version);
    if (!set.ok()) return Annotate(set, "could not set 'initialized' key");
    return std::make_pair(info->chaincode_id, ChaincodeMessage::INIT);
  }
  if (needs_initialization) {
    return absl::FailedPreconditionError(fmt::format(
        "chaincode '{}' has not been initialized for this version, must call as init first",
        chaincode_name));
  }
  return std::make_pair(info->chaincode_id, ChaincodeMessage::TRANSACTION);
}

StatusOr<ChaincodeMessage> ChaincodeSupport::Impl::Invoke(const TransactionParams& params,
                                                          std::string_view chaincode_name,
                                                          ::protos::ChaincodeInput input,
                                                          Clock::time_point deadline) {
  StatusOr<std::pair<std::string, ChaincodeMessage::Type>> invocation =
      CheckInvocation(params, chaincode_name, input);
  if (!invocation.ok()) return Annotate(invocation.status(), "invalid invocation");
  WEFT_ASSIGN_OR_RETURN(std::shared_ptr<Handler> handler, LaunchAndGet(invocation->first));
  // Fabric's execute: decorations from the proposal, then TRANSACTION or INIT.
  input.mutable_decorations()->clear();
  for (const auto& [key, value] : params.decorations) (*input.mutable_decorations())[key] = value;
  ChaincodeMessage message;
  message.set_type(invocation->second);
  message.set_payload(input.SerializeAsString());
  message.set_txid(params.tx_id);
  message.set_channel_id(params.channel_id);
  // A cc2cc call ends no later than its caller.
  const Clock::time_point own = Clock::now() + options.execute_timeout;
  StatusOr<ChaincodeMessage> response =
      handler->Execute(params, chaincode_name, std::move(message), deadline < own ? deadline : own);
  if (!response.ok()) return Annotate(response.status(), "error sending");
  return response;
}

void ChaincodeSupport::Impl::Stop() {
  std::list<std::thread> threads;
  std::set<std::string, std::less<>> to_stop;
  {
    std::unique_lock lock(mu);
    if (stopped && launchers.empty() && live.empty()) return;
    stopped = true;
    for (Handler* handler : live) handler->Cancel();
    to_stop = started;
    for (auto& [ccid, state] : launching) {
      state->Notify(absl::CancelledError("chaincode support is stopping"));
    }
  }
  if (options.runtime != nullptr) {
    for (const auto& ccid : to_stop) (void)options.runtime->Stop(ccid);
  }
  {
    std::unique_lock lock(mu);
    threads.swap(launchers);
  }
  for (auto& thread : threads) {
    if (thread.joinable()) thread.join();
  }
  // Streams served on gRPC threads end once cancelled.
  std::unique_lock lock(mu);
  cv.wait(lock, [this] { return live.empty(); });
}

ChaincodeSupport::ChaincodeSupport(ChaincodeSupportOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->peer_address = impl_->options.peer_address;
}

ChaincodeSupport::~ChaincodeSupport() { Stop(); }

void ChaincodeSupport::SetPeerAddress(std::string address) {
  std::lock_guard lock(impl_->mu);
  impl_->peer_address = std::move(address);
}

StatusOr<ExecuteResult> ChaincodeSupport::Execute(const TransactionParams& params,
                                                  std::string_view chaincode_name,
                                                  const ::protos::ChaincodeInput& input) {
  StatusOr<ChaincodeMessage> message =
      impl_->Invoke(params, chaincode_name, input, Clock::time_point::max());
  return ExecutionResult(params.tx_id, chaincode_name, message);
}

Status ChaincodeSupport::Launch(std::string_view ccid) { return impl_->Launch(ccid); }

Status ChaincodeSupport::HandleChaincodeStream(ChaincodeStream& stream) {
  return impl_->ServeStream(stream);
}

bool ChaincodeSupport::IsRegistered(std::string_view ccid) const {
  return impl_->FindHandler(ccid) != nullptr;
}

void ChaincodeSupport::Stop() { impl_->Stop(); }

namespace {

class DefinitionLifecycle final : public Lifecycle {
 public:
  DefinitionLifecycle(PackageIdResolver package_id, UnrecordedQueryExecutor unrecorded)
      : package_id_(std::move(package_id)), unrecorded_(std::move(unrecorded)) {}
  explicit DefinitionLifecycle(CachedDefinitionSource cache) : cache_(std::move(cache)) {}

  [[nodiscard]] StatusOr<chaincode_support::ChaincodeEndorsementInfo> GetEndorsementInfo(
      std::string_view channel_id, std::string_view chaincode_name,
      ledger::TxSimulator& simulator) override {
    lifecycle::LifecycleSimulatorState recorded(simulator);
    StatusOr<int64_t> sequence = lifecycle::DeserializeFieldAsInt64(
        lifecycle::kNamespacesPrefix, chaincode_name, "Sequence", recorded);
    if (!sequence.ok()) {
      return Annotate(sequence.status(),
                      fmt::format("could not get current sequence for chaincode '{}' on channel "
                                  "'{}'",
                                  chaincode_name, channel_id));
    }
    // Committed sequences begin at 1; Fabric then asks the legacy lscc, which knows
    // nothing either.
    if (*sequence == 0) {
      return absl::NotFoundError(fmt::format("chaincode {} not found", chaincode_name));
    }
    StatusOr<chaincode_support::ChaincodeEndorsementInfo> info =
        cache_ ? cache_(channel_id, chaincode_name, *sequence)
               : FromState(channel_id, chaincode_name, *sequence, recorded);
    if (!info.ok()) return info.status();
    if (info->chaincode_id.empty()) {
      return absl::FailedPreconditionError(fmt::format(
          "chaincode definition for '{}' exists, but chaincode is not installed", chaincode_name));
    }
    return info;
  }

 private:
  // The definition's fields read from the state (no cache), the package from the
  // resolver; chaincode_id empty when it names none.
  [[nodiscard]] StatusOr<chaincode_support::ChaincodeEndorsementInfo> FromState(
      std::string_view channel_id, std::string_view chaincode_name, int64_t sequence,
      lifecycle::ReadableState& recorded) const {
    std::unique_ptr<ledger::QueryExecutor> executor;
    if (unrecorded_) {
      StatusOr<std::unique_ptr<ledger::QueryExecutor>> opened = unrecorded_(channel_id);
      if (!opened.ok()) {
        return Annotate(
            opened.status(),
            fmt::format("could not read the definition of chaincode {}", chaincode_name));
      }
      executor = *std::move(opened);
    }
    std::optional<lifecycle::LifecycleQueryState> quiet;
    if (executor) quiet.emplace(*executor);
    lifecycle::ReadableState& fields =
        quiet.has_value() ? static_cast<lifecycle::ReadableState&>(*quiet) : recorded;
    StatusOr<::lifecycle::ChaincodeEndorsementInfo> endorsement =
        lifecycle::DeserializeFieldAsProto<::lifecycle::ChaincodeEndorsementInfo>(
            lifecycle::kNamespacesPrefix, chaincode_name, "EndorsementInfo", fields);
    if (executor) executor->Done();
    if (!endorsement.ok()) {
      return Annotate(endorsement.status(),
                      fmt::format("could not deserialize chaincode definition for chaincode {}",
                                  chaincode_name));
    }
    StatusOr<std::optional<std::string>> package =
        package_id_ ? package_id_(channel_id, chaincode_name, endorsement->version(), sequence)
                    : StatusOr<std::optional<std::string>>(std::nullopt);
    if (!package.ok()) return package.status();
    chaincode_support::ChaincodeEndorsementInfo info;
    info.version = endorsement->version();
    info.enforce_init = endorsement->init_required();
    info.endorsement_plugin = endorsement->endorsement_plugin();
    info.chaincode_id = package->value_or("");
    return info;
  }

  PackageIdResolver package_id_;
  UnrecordedQueryExecutor unrecorded_;
  CachedDefinitionSource cache_;
};

}  // namespace

std::unique_ptr<Lifecycle> NewDefinitionLifecycle(PackageIdResolver package_id,
                                                  UnrecordedQueryExecutor unrecorded) {
  return std::make_unique<DefinitionLifecycle>(std::move(package_id), std::move(unrecorded));
}

std::unique_ptr<Lifecycle> NewCachedDefinitionLifecycle(CachedDefinitionSource cache) {
  return std::make_unique<DefinitionLifecycle>(std::move(cache));
}

}  // namespace weft::peer::chaincode_support
