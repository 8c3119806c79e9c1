#include "tests/support/scripted_chaincode.h"

#include <fmt/format.h>
#include <grpcpp/client_context.h>

#include <stdexcept>
#include <utility>

#include "common/grpc/channel.h"
#include "common/grpc/server.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/chaincode_shim.grpc.pb.h"
#include "tests/support/wait_until.h"

namespace weft::testing {
namespace {

using ::protos::ChaincodeMessage;

std::string Key(const std::string& channel, const std::string& txid) {
  return channel + "\n" + txid;
}

}  // namespace

// ---- ScriptedOutcome ----

ScriptedOutcome ScriptedOutcome::Ok(std::string payload) {
  ScriptedOutcome outcome;
  outcome.response.set_status(200);
  outcome.response.set_payload(std::move(payload));
  return outcome;
}

ScriptedOutcome ScriptedOutcome::Fail(int status, std::string message) {
  ScriptedOutcome outcome;
  outcome.response.set_status(status);
  outcome.response.set_message(std::move(message));
  return outcome;
}

// ---- ScriptedCall ----

ScriptedCall::ScriptedCall(ScriptedChaincode& chaincode, ChaincodeMessage invocation)
    : chaincode_(chaincode), invocation_(std::move(invocation)) {
  if (!input_.ParseFromString(invocation_.payload())) {
    throw std::runtime_error("the invocation's payload is not a ChaincodeInput");
  }
}

std::string ScriptedCall::Arg(int i) const {
  return i < input_.args_size() ? input_.args(i) : std::string();
}

ChaincodeMessage ScriptedCall::Request(ChaincodeMessage::Type type,
                                       const google::protobuf::MessageLite& payload) {
  ChaincodeMessage request;
  request.set_type(type);
  request.set_payload(payload.SerializeAsString());
  request.set_txid(invocation_.txid());
  request.set_channel_id(invocation_.channel_id());
  const std::string key = Key(invocation_.channel_id(), invocation_.txid());
  {
    std::lock_guard lock(chaincode_.mu_);
    chaincode_.pending_[key] = {};
  }
  if (!chaincode_.Send(request)) throw std::runtime_error("the chaincode stream is closed");
  std::optional<ChaincodeMessage> reply = chaincode_.Await(key);
  if (!reply) {
    throw std::runtime_error(fmt::format("no answer to {} for {}",
                                         ChaincodeMessage::Type_Name(type), invocation_.txid()));
  }
  return *std::move(reply);
}

std::string ScriptedCall::MustRespond(ChaincodeMessage::Type type,
                                      const google::protobuf::MessageLite& payload) {
  ChaincodeMessage reply = Request(type, payload);
  if (reply.type() != ChaincodeMessage::RESPONSE) {
    throw std::runtime_error(fmt::format("{} answered {}: {}", ChaincodeMessage::Type_Name(type),
                                         ChaincodeMessage::Type_Name(reply.type()),
                                         reply.payload()));
  }
  return reply.payload();
}

std::string ScriptedCall::GetState(const std::string& key) {
  ::protos::GetState request;
  request.set_key(key);
  return MustRespond(ChaincodeMessage::GET_STATE, request);
}

void ScriptedCall::PutState(const std::string& key, const std::string& value) {
  ::protos::PutState request;
  request.set_key(key);
  request.set_value(value);
  MustRespond(ChaincodeMessage::PUT_STATE, request);
}

void ScriptedCall::DelState(const std::string& key) {
  ::protos::DelState request;
  request.set_key(key);
  MustRespond(ChaincodeMessage::DEL_STATE, request);
}

std::vector<std::pair<std::string, std::string>> ScriptedCall::GetStateByRange(
    const std::string& start, const std::string& end, std::vector<int>* batches) {
  std::vector<std::pair<std::string, std::string>> results;
  ::protos::GetStateByRange request;
  request.set_startkey(start);
  request.set_endkey(end);
  ::protos::QueryResponse response;
  if (!response.ParseFromString(MustRespond(ChaincodeMessage::GET_STATE_BY_RANGE, request))) {
    throw std::runtime_error("GET_STATE_BY_RANGE answered no QueryResponse");
  }
  while (true) {
    if (batches != nullptr) batches->push_back(response.results_size());
    for (const auto& result : response.results()) {
      ::queryresult::KV kv;
      if (!kv.ParseFromString(result.resultbytes())) throw std::runtime_error("bad KV");
      results.emplace_back(kv.key(), kv.value());
    }
    if (!response.has_more()) return results;
    ::protos::QueryStateNext next;
    next.set_id(response.id());
    if (!response.ParseFromString(MustRespond(ChaincodeMessage::QUERY_STATE_NEXT, next))) {
      throw std::runtime_error("QUERY_STATE_NEXT answered no QueryResponse");
    }
  }
}

// ---- ScriptedChaincode ----

// The stream a scripted chaincode talks over: its Register call to the peer, or a
// Connect call the peer made to it.
class ScriptedChaincode::Transport {
 public:
  virtual ~Transport() = default;
  virtual bool Write(const ChaincodeMessage& message) = 0;
  virtual bool Read(ChaincodeMessage* message) = 0;
  virtual void Cancel() = 0;
  virtual void Finish() = 0;
};

namespace {

class RegisterTransport final : public ScriptedChaincode::Transport {
 public:
  explicit RegisterTransport(const chaincode_support::PeerConnection& peer) {
    common::settings::GrpcClientSettings settings;
    if (!peer.client_cert_pem.empty()) {
      settings.tls.enabled = true;
      settings.tls.root_ca_pems = {peer.root_cert_pem};
      settings.tls.certificate_pem = peer.client_cert_pem;
      settings.tls.private_key_pem = peer.client_key_pem;
    }
    auto channel = common::grpc::MakeChannel(peer.address, settings);
    if (!channel.ok()) {
      throw std::runtime_error(
          fmt::format("cannot dial {}: {}", peer.address, std::string(channel.status().message())));
    }
    channel_ = *std::move(channel);
    stub_ = ::protos::ChaincodeSupport::NewStub(channel_);
    stream_ = stub_->Register(&context_);
  }
  bool Write(const ChaincodeMessage& message) override { return stream_->Write(message); }
  bool Read(ChaincodeMessage* message) override { return stream_->Read(message); }
  void Cancel() override { context_.TryCancel(); }
  void Finish() override { (void)stream_->Finish(); }

 private:
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<::protos::ChaincodeSupport::Stub> stub_;
  ::grpc::ClientContext context_;
  std::unique_ptr<::grpc::ClientReaderWriter<ChaincodeMessage, ChaincodeMessage>> stream_;
};

class ConnectTransport final : public ScriptedChaincode::Transport {
 public:
  ConnectTransport(::grpc::ServerContext& context,
                   ::grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream)
      : context_(context), stream_(stream) {}
  bool Write(const ChaincodeMessage& message) override { return stream_.Write(message); }
  bool Read(ChaincodeMessage* message) override { return stream_.Read(message); }
  void Cancel() override { context_.TryCancel(); }
  void Finish() override {}

 private:
  ::grpc::ServerContext& context_;
  ::grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream_;
};

}  // namespace

ScriptedChaincode::ScriptedChaincode(std::string register_as,
                                     chaincode_support::PeerConnection peer, Script script)
    : ScriptedChaincode(std::move(register_as), std::make_unique<RegisterTransport>(peer),
                        std::move(script), true) {}

ScriptedChaincode::ScriptedChaincode(std::string register_as, std::unique_ptr<Transport> transport,
                                     Script script, bool own_reader)
    : transport_(std::move(transport)), script_(std::move(script)) {
  ChaincodeMessage registration;
  registration.set_type(ChaincodeMessage::REGISTER);
  ::protos::ChaincodeID id;
  id.set_name(register_as);
  registration.set_payload(id.SerializeAsString());
  if (!Send(registration)) Fail("could not send REGISTER");
  if (own_reader) reader_ = std::thread([this] { ReadLoop(); });
}

ScriptedChaincode::~ScriptedChaincode() {
  Kill();
  if (reader_.joinable()) reader_.join();
  std::list<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
  // Only now: no worker writes to the stream any more.
  transport_->Finish();
}

void ScriptedChaincode::Kill() { transport_->Cancel(); }

void ScriptedChaincode::WaitEnded() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return ended_; });
}

bool ScriptedChaincode::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

std::vector<ChaincodeMessage> ScriptedChaincode::Received() const {
  std::lock_guard lock(mu_);
  return received_;
}

std::vector<std::string> ScriptedChaincode::Failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

void ScriptedChaincode::Fail(std::string failure) {
  std::lock_guard lock(mu_);
  failures_.push_back(std::move(failure));
}

bool ScriptedChaincode::Send(const ChaincodeMessage& message) {
  std::lock_guard lock(send_mu_);
  return transport_->Write(message);
}

std::optional<ChaincodeMessage> ScriptedChaincode::Await(const std::string& key) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, kHangGuard, [&] { return ended_ || pending_[key].reply.has_value(); });
  std::optional<ChaincodeMessage> reply = std::move(pending_[key].reply);
  pending_.erase(key);
  return reply;
}

void ScriptedChaincode::ReadLoop() {
  ChaincodeMessage message;
  while (transport_->Read(&message)) {
    std::lock_guard lock(mu_);
    received_.push_back(message);
    switch (message.type()) {
      case ChaincodeMessage::TRANSACTION:
      case ChaincodeMessage::INIT:
        workers_.emplace_back([this, message] { RunScript(message); });
        break;
      case ChaincodeMessage::RESPONSE:
      case ChaincodeMessage::ERROR: {
        auto it = pending_.find(Key(message.channel_id(), message.txid()));
        if (it == pending_.end()) {
          failures_.push_back(fmt::format(
              "unexpected {} for {}", ChaincodeMessage::Type_Name(message.type()), message.txid()));
        } else {
          it->second.reply = message;
        }
        cv_.notify_all();
        break;
      }
      case ChaincodeMessage::REGISTERED:
      case ChaincodeMessage::READY:
        break;
      default:
        // fabric-shim 2.5 exits on anything else (KEEPALIVE included).
        failures_.push_back(
            fmt::format("the peer sent {}", ChaincodeMessage::Type_Name(message.type())));
    }
  }
  std::lock_guard lock(mu_);
  ended_ = true;
  cv_.notify_all();
}

void ScriptedChaincode::RunScript(ChaincodeMessage invocation) {
  ScriptedOutcome outcome;
  try {
    ScriptedCall call(*this, invocation);
    outcome = script_(call);
  } catch (const std::exception& e) {
    Fail(fmt::format("script of {} threw: {}", invocation.txid(), e.what()));
    outcome = ScriptedOutcome::Fail(500, e.what());
  }
  ChaincodeMessage reply;
  reply.set_txid(invocation.txid());
  reply.set_channel_id(invocation.channel_id());
  switch (outcome.ending) {
    case ScriptedOutcome::Ending::kCompleted:
      reply.set_type(ChaincodeMessage::COMPLETED);
      reply.set_payload(outcome.response.SerializeAsString());
      if (outcome.event) *reply.mutable_chaincode_event() = *outcome.event;
      break;
    case ScriptedOutcome::Ending::kError:
      reply.set_type(ChaincodeMessage::ERROR);
      reply.set_payload(outcome.error_text);
      break;
    case ScriptedOutcome::Ending::kNoAnswer:
      return;
    case ScriptedOutcome::Ending::kDie:
      Kill();
      return;
  }
  (void)Send(reply);
}

// ---- ScriptedChaincodeServer ----

class ScriptedChaincodeServer::Service final : public ::protos::Chaincode::Service {
 public:
  Service(std::string register_as, Script script)
      : register_as_(std::move(register_as)), script_(std::move(script)) {}

  ::grpc::Status Connect(
      ::grpc::ServerContext* context,
      ::grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>* stream) override {
    // Each Connect call is one chaincode instance, served on this call's thread.
    ScriptedChaincode chaincode(register_as_, std::make_unique<ConnectTransport>(*context, *stream),
                                script_, false);
    chaincode.ServeOnThisThread();
    std::lock_guard lock(mu_);
    ++connects_;
    for (auto& failure : chaincode.Failures()) failures_.push_back(failure);
    return ::grpc::Status::OK;
  }

  int connects() const {
    std::lock_guard lock(mu_);
    return connects_;
  }
  std::vector<std::string> failures() const {
    std::lock_guard lock(mu_);
    return failures_;
  }

 private:
  const std::string register_as_;
  const Script script_;
  mutable std::mutex mu_;
  int connects_ = 0;
  std::vector<std::string> failures_;
};

ScriptedChaincodeServer::ScriptedChaincodeServer(std::string register_as, Script script,
                                                 common::settings::TlsSettings tls)
    : service_(std::make_unique<Service>(std::move(register_as), std::move(script))) {
  common::settings::GrpcServerSettings settings;
  settings.listen_address = "127.0.0.1:0";
  settings.tls = std::move(tls);
  auto built = common::grpc::BuildServer(settings, {service_.get()});
  if (!built.ok()) {
    throw std::runtime_error(fmt::format("cannot start the chaincode server: {}",
                                         std::string(built.status().message())));
  }
  server_ = std::move(built->server);
  address_ = fmt::format("127.0.0.1:{}", built->port);
}

ScriptedChaincodeServer::~ScriptedChaincodeServer() {
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
}

int ScriptedChaincodeServer::connects() const { return service_->connects(); }

std::vector<std::string> ScriptedChaincodeServer::Failures() const { return service_->failures(); }

// ---- ScriptedRuntime ----

ScriptedRuntime::~ScriptedRuntime() {
  std::vector<std::shared_ptr<ScriptedChaincode>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [ccid, entry] : entries_) {
      for (auto& chaincode : entry.all) all.push_back(chaincode);
      entry.all.clear();
      entry.running.reset();
      entry.stopped = true;
    }
    cv_.notify_all();
  }
  all.clear();  // joins their threads
}

void ScriptedRuntime::SetScript(const std::string& ccid, Script script) {
  std::lock_guard lock(mu_);
  entries_[ccid].script = std::move(script);
}

void ScriptedRuntime::RegisterAs(const std::string& ccid, const std::string& name) {
  std::lock_guard lock(mu_);
  entries_[ccid].register_as = name;
}

void ScriptedRuntime::NeverRegister(const std::string& ccid) {
  std::lock_guard lock(mu_);
  entries_[ccid].never_register = true;
}

void ScriptedRuntime::ServeAt(const std::string& ccid,
                              chaincode_support::ChaincodeServerInfo server) {
  std::lock_guard lock(mu_);
  entries_[ccid].server = std::move(server);
}

StatusOr<std::optional<chaincode_support::ChaincodeServerInfo>> ScriptedRuntime::Build(
    std::string_view package_id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(package_id);
  if (it == entries_.end()) {
    return absl::NotFoundError(fmt::format("package {} is not installed", package_id));
  }
  return it->second.server;
}

Status ScriptedRuntime::Start(std::string_view package_id,
                              const chaincode_support::PeerConnection& peer) {
  std::unique_lock lock(mu_);
  auto it = entries_.find(package_id);
  if (it == entries_.end()) {
    return absl::NotFoundError(fmt::format("package {} is not installed", package_id));
  }
  Entry& entry = it->second;
  ++entry.starts;
  entry.connection = peer;
  entry.stopped = false;
  if (entry.never_register) return absl::OkStatus();
  const std::string name = entry.register_as.empty() ? std::string(package_id) : entry.register_as;
  Script script = entry.script;
  lock.unlock();
  std::shared_ptr<ScriptedChaincode> chaincode;
  try {
    chaincode = std::make_shared<ScriptedChaincode>(name, peer, std::move(script));
  } catch (const std::exception& e) {
    return absl::UnavailableError(e.what());
  }
  lock.lock();
  entry.running = chaincode;
  entry.all.push_back(chaincode);
  cv_.notify_all();
  return absl::OkStatus();
}

Status ScriptedRuntime::Stop(std::string_view package_id) {
  std::shared_ptr<ScriptedChaincode> running;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(package_id);
    if (it == entries_.end()) return absl::OkStatus();
    running = it->second.running;
    it->second.stopped = true;
    cv_.notify_all();
  }
  if (running) running->Kill();
  return absl::OkStatus();
}

StatusOr<int> ScriptedRuntime::Wait(std::string_view package_id) {
  std::shared_ptr<ScriptedChaincode> running;
  {
    std::unique_lock lock(mu_);
    auto it = entries_.find(package_id);
    if (it == entries_.end()) return absl::NotFoundError("not started");
    Entry& entry = it->second;
    // A chaincode that never registers "runs" until stopped.
    cv_.wait(lock, [&] { return entry.stopped || entry.running != nullptr; });
    running = entry.running;
  }
  if (running) running->WaitEnded();
  return 0;
}

int ScriptedRuntime::starts(const std::string& ccid) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ccid);
  return it == entries_.end() ? 0 : it->second.starts;
}

std::optional<chaincode_support::PeerConnection> ScriptedRuntime::last_connection(
    const std::string& ccid) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ccid);
  return it == entries_.end() ? std::nullopt : it->second.connection;
}

std::shared_ptr<ScriptedChaincode> ScriptedRuntime::chaincode(const std::string& ccid) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ccid);
  return it == entries_.end() ? nullptr : it->second.running;
}

std::vector<ChaincodeMessage> ScriptedRuntime::Received(const std::string& ccid) const {
  std::vector<ChaincodeMessage> all;
  std::lock_guard lock(mu_);
  auto it = entries_.find(ccid);
  if (it == entries_.end()) return all;
  for (const auto& chaincode : it->second.all) {
    auto received = chaincode->Received();
    all.insert(all.end(), received.begin(), received.end());
  }
  return all;
}

std::vector<std::string> ScriptedRuntime::Failures() const {
  std::vector<std::string> failures;
  std::lock_guard lock(mu_);
  for (const auto& [ccid, entry] : entries_) {
    for (const auto& chaincode : entry.all) {
      for (auto& failure : chaincode->Failures()) failures.push_back(ccid + ": " + failure);
    }
  }
  return failures;
}

}  // namespace weft::testing
