#include "tests/support/fake_chaincode_peer.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/crypto/hash.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode_shim.grpc.pb.h"
#include "tests/support/wait_until.h"

namespace weft::testing {
namespace {

using ::protos::ChaincodeMessage;

std::string TxKey(const std::string& channel_id, const std::string& txid) {
  return channel_id + '\n' + txid;
}

}  // namespace

class FakeChaincodePeer::Impl {
 public:
  explicit Impl(Options options) : options_(options) {}

  struct Tx {
    std::optional<Outcome> outcome;
    std::map<std::pair<std::string, std::string>, std::optional<std::string>> writes;
    std::map<std::string, std::map<std::string, std::string>> metadata_writes;
  };

  // --- the stream ---

  // Binds a new stream; `write` sends on it, `cancel` ends it.
  void Attach(std::function<bool(const ChaincodeMessage&)> write, std::function<void()> cancel) {
    std::lock_guard lock(mu_);
    write_ = std::move(write);
    cancel_ = std::move(cancel);
    open_ = true;
  }

  // Reads until the stream ends, answering each message.
  void Serve(const std::function<bool(ChaincodeMessage*)>& read) {
    ChaincodeMessage message;
    while (read(&message)) Handle(message);
    // write_mu_ first: no Write may still be using the stream when the call ends.
    std::lock_guard write_lock(write_mu_);
    std::lock_guard lock(mu_);
    open_ = false;
    write_ = nullptr;
    cancel_ = nullptr;  // the call (and its context) ends when Serve returns
    ended_ = true;
    changed_.notify_all();
  }

  // Lock order: write_mu_, then mu_. Holding write_mu_ keeps the stream alive.
  bool Write(const ChaincodeMessage& message) {
    std::lock_guard write_lock(write_mu_);
    std::function<bool(const ChaincodeMessage&)> write;
    {
      std::lock_guard lock(mu_);
      if (!open_ || !write_) return false;
      write = write_;
    }
    return write(message);
  }

  void Close() {
    // Under mu_, so that the call's context cannot end meanwhile (Serve clears cancel_).
    std::lock_guard lock(mu_);
    if (cancel_) cancel_();
  }

  std::optional<std::string> WaitForRegistration() {
    std::unique_lock lock(mu_);
    if (!changed_.wait_for(lock, kHangGuard, [&] { return registered_.has_value() || ended_; }) ||
        !registered_) {
      return std::nullopt;
    }
    return registered_;
  }

  std::optional<Outcome> Invoke(const std::string& channel_id, const std::string& txid,
                                const std::vector<std::string>& args,
                                const ::protos::SignedProposal& proposal, bool init) {
    const std::string key = TxKey(channel_id, txid);
    {
      std::lock_guard lock(mu_);
      if (in_flight_.count(key) != 0) {
        violations_.push_back("the test started " + txid + " twice at once");
        return std::nullopt;
      }
      in_flight_[key];
      max_in_flight_ = std::max<int>(max_in_flight_, static_cast<int>(in_flight_.size()));
    }
    ::protos::ChaincodeInput input;
    for (const std::string& arg : args) input.add_args(arg);
    ChaincodeMessage message;
    message.set_type(init ? ChaincodeMessage::INIT : ChaincodeMessage::TRANSACTION);
    message.set_payload(input.SerializeAsString());
    message.set_txid(txid);
    message.set_channel_id(channel_id);
    *message.mutable_proposal() = proposal;
    bool sent = Write(message);
    std::unique_lock lock(mu_);
    Tx& tx = in_flight_[key];
    if (sent) {
      changed_.wait_for(lock, kHangGuard, [&] { return tx.outcome.has_value() || !open_; });
    }
    std::optional<Outcome> outcome = tx.outcome;
    in_flight_.erase(key);
    return outcome;
  }

  // --- answering ---

  void Handle(const ChaincodeMessage& message) {
    std::unique_lock lock(mu_);
    switch (message.type()) {
      case ChaincodeMessage::REGISTER: {
        ::protos::ChaincodeID id;
        if (!id.ParseFromString(message.payload()) || id.name().empty()) {
          violations_.push_back("REGISTER without a chaincode name");
          return;
        }
        lock.unlock();
        if (!options_.refuse_registration.empty()) {
          ChaincodeMessage refusal;
          refusal.set_type(ChaincodeMessage::ERROR);
          refusal.set_payload(options_.refuse_registration);
          Write(refusal);
          return;
        }
        ChaincodeMessage registered;
        registered.set_type(ChaincodeMessage::REGISTERED);
        Write(registered);
        ChaincodeMessage ready;
        ready.set_type(ChaincodeMessage::READY);
        if (options_.offer_get_multiple_keys) {
          ::protos::ChaincodeAdditionalParams params;
          params.set_use_get_multiple_keys(true);
          params.set_max_size_get_multiple_keys(options_.max_size_get_multiple_keys);
          ready.set_payload(params.SerializeAsString());
        }
        Write(ready);
        // Only now may the test send transactions: the chaincode reads in order.
        lock.lock();
        registered_ = id.name();
        changed_.notify_all();
        return;
      }
      case ChaincodeMessage::COMPLETED:
      case ChaincodeMessage::ERROR: {
        auto it = in_flight_.find(TxKey(message.channel_id(), message.txid()));
        if (it == in_flight_.end() || it->second.outcome) {
          unsolicited_.push_back(message);
          changed_.notify_all();
          return;
        }
        Outcome outcome;
        outcome.message = message;
        if (message.type() == ChaincodeMessage::COMPLETED) {
          if (!outcome.response.ParseFromString(message.payload())) {
            violations_.push_back("COMPLETED payload of " + message.txid() + " is no Response");
          } else if (outcome.response.status() < 400) {
            Commit(it->second);
          }
        }
        it->second.outcome = std::move(outcome);
        changed_.notify_all();
        return;
      }
      case ChaincodeMessage::KEEPALIVE:
        unsolicited_.push_back(message);
        changed_.notify_all();
        return;
      default:
        break;
    }
    requests_.push_back(message);
    ChaincodeMessage reply;
    reply.set_txid(message.txid());
    reply.set_channel_id(message.channel_id());
    std::string error;
    auto tx = in_flight_.find(TxKey(message.channel_id(), message.txid()));
    if (tx == in_flight_.end()) {
      error = "no transaction context for " + message.channel_id() + "/" + message.txid();
      violations_.push_back(ChaincodeMessage::Type_Name(message.type()) + ": " + error);
    } else if (auto fail = fail_next_.find(message.type()); fail != fail_next_.end()) {
      error = fail->second;
      fail_next_.erase(fail);
    } else {
      error = Answer(message, tx->second, reply);
    }
    if (!error.empty()) {
      reply.set_type(ChaincodeMessage::ERROR);
      reply.set_payload(error);
    } else {
      reply.set_type(ChaincodeMessage::RESPONSE);
    }
    lock.unlock();
    Write(reply);
  }

  // Answers one request into reply.payload; the error text when it fails.
  // Called with mu_ held.
  std::string Answer(const ChaincodeMessage& message, Tx& tx, ChaincodeMessage& reply);

  void Commit(Tx& tx) {
    for (auto& [where, value] : tx.writes) {
      auto& space = where.first.empty() ? state_ : private_[where.first];
      if (value) {
        space[where.second] = *value;
      } else {
        space.erase(where.second);
      }
    }
    for (auto& [key, entries] : tx.metadata_writes) {
      for (auto& [metakey, value] : entries) metadata_[key][metakey] = value;
    }
  }

  std::string Violation(std::string text) {
    violations_.push_back(text);
    return text;
  }

  // Cuts `results` into a response of at most batch_size, keeping the rest behind
  // an iterator id.
  ::protos::QueryResponse Batch(std::deque<std::string> results) {
    ::protos::QueryResponse response;
    response.set_id("iterator-" + std::to_string(++next_iterator_));
    for (int i = 0; i < options_.batch_size && !results.empty(); ++i) {
      response.add_results()->set_resultbytes(std::move(results.front()));
      results.pop_front();
    }
    if (!results.empty()) {
      response.set_has_more(true);
      iterators_[response.id()] = std::move(results);
    }
    return response;
  }

  Options options_;
  std::mutex write_mu_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::function<bool(const ChaincodeMessage&)> write_;
  std::function<void()> cancel_;
  bool open_ = false;
  bool ended_ = false;  // a stream ended (so no registration is coming on it)
  std::optional<std::string> registered_;
  std::map<std::string, Tx> in_flight_;
  int max_in_flight_ = 0;
  std::map<std::string, std::string> state_;
  std::map<std::string, std::map<std::string, std::string>> private_;
  std::map<std::string, std::map<std::string, std::string>> metadata_;
  std::map<std::string, std::vector<::queryresult::KeyModification>> history_;
  std::map<std::string, std::deque<std::string>> iterators_;
  int next_iterator_ = 0;
  std::map<ChaincodeMessage::Type, std::string> fail_next_;
  std::optional<::protos::Response> invoke_answer_;
  std::vector<ChaincodeMessage> requests_;
  std::vector<ChaincodeMessage> unsolicited_;
  std::vector<std::string> violations_;
};

std::string FakeChaincodePeer::Impl::Answer(const ChaincodeMessage& message, Tx& tx,
                                            ChaincodeMessage& reply) {
  const std::string& payload = message.payload();
  switch (message.type()) {
    case ChaincodeMessage::GET_STATE:
    case ChaincodeMessage::GET_PRIVATE_DATA_HASH: {
      ::protos::GetState request;
      if (!request.ParseFromString(payload)) return Violation("GET_STATE payload is no GetState");
      const auto& space = request.collection().empty() ? state_ : private_[request.collection()];
      auto it = space.find(request.key());
      std::string value = it == space.end() ? "" : it->second;
      if (message.type() == ChaincodeMessage::GET_PRIVATE_DATA_HASH && !value.empty()) {
        value = common::crypto::Sha256(value);
      }
      reply.set_payload(value);
      return "";
    }
    case ChaincodeMessage::GET_STATE_MULTIPLE: {
      if (!options_.offer_get_multiple_keys) {
        return Violation("GET_STATE_MULTIPLE although READY did not offer it");
      }
      ::protos::GetStateMultiple request;
      if (!request.ParseFromString(payload)) return Violation("payload is no GetStateMultiple");
      if (request.keys_size() > static_cast<int>(options_.max_size_get_multiple_keys)) {
        return Violation("GET_STATE_MULTIPLE over the offered batch size");
      }
      ::protos::GetStateMultipleResult result;
      for (const std::string& key : request.keys()) {
        auto it = state_.find(key);
        result.add_values(it == state_.end() ? "" : it->second);
      }
      reply.set_payload(result.SerializeAsString());
      return "";
    }
    case ChaincodeMessage::PUT_STATE: {
      ::protos::PutState request;
      if (!request.ParseFromString(payload)) return Violation("PUT_STATE payload is no PutState");
      if (request.key().empty()) return Violation("PUT_STATE with an empty key");
      // Fabric's rwset records an empty value as a delete.
      tx.writes[{request.collection(), request.key()}] =
          request.value().empty() ? std::nullopt : std::optional<std::string>(request.value());
      return "";
    }
    case ChaincodeMessage::DEL_STATE:
    case ChaincodeMessage::PURGE_PRIVATE_DATA: {
      ::protos::DelState request;
      if (!request.ParseFromString(payload)) return Violation("payload is no DelState");
      tx.writes[{request.collection(), request.key()}] = std::nullopt;
      return "";
    }
    case ChaincodeMessage::PUT_STATE_METADATA: {
      ::protos::PutStateMetadata request;
      if (!request.ParseFromString(payload)) return Violation("payload is no PutStateMetadata");
      tx.metadata_writes[request.key()][request.metadata().metakey()] = request.metadata().value();
      return "";
    }
    case ChaincodeMessage::GET_STATE_METADATA: {
      ::protos::GetStateMetadata request;
      if (!request.ParseFromString(payload)) return Violation("payload is no GetStateMetadata");
      ::protos::StateMetadataResult result;
      for (const auto& [metakey, value] : metadata_[request.key()]) {
        auto* entry = result.add_entries();
        entry->set_metakey(metakey);
        entry->set_value(value);
      }
      reply.set_payload(result.SerializeAsString());
      return "";
    }
    case ChaincodeMessage::GET_STATE_BY_RANGE: {
      ::protos::GetStateByRange request;
      if (!request.ParseFromString(payload)) return Violation("payload is no GetStateByRange");
      const auto& space = request.collection().empty() ? state_ : private_[request.collection()];
      std::string start = request.startkey();
      ::protos::QueryMetadata paging;
      const bool paginated = !request.metadata().empty();
      if (paginated) {
        if (!paging.ParseFromString(request.metadata()))
          return Violation("metadata is no QueryMetadata");
        if (!paging.bookmark().empty()) start = paging.bookmark();
      }
      std::deque<std::string> results;
      std::string next_key;
      for (auto it = space.lower_bound(start); it != space.end(); ++it) {
        if (!request.endkey().empty() && it->first >= request.endkey()) break;
        if (paginated && static_cast<int>(results.size()) == paging.pagesize()) {
          next_key = it->first;
          break;
        }
        ::queryresult::KV kv;
        kv.set_namespace_(registered_.value_or(""));
        kv.set_key(it->first);
        kv.set_value(it->second);
        results.push_back(kv.SerializeAsString());
      }
      ::protos::QueryResponse response;
      if (paginated) {
        response.set_id("iterator-" + std::to_string(++next_iterator_));
        for (auto& result : results) response.add_results()->set_resultbytes(std::move(result));
        ::protos::QueryResponseMetadata metadata;
        metadata.set_fetched_records_count(response.results_size());
        metadata.set_bookmark(next_key);
        response.set_metadata(metadata.SerializeAsString());
      } else {
        response = Batch(std::move(results));
      }
      reply.set_payload(response.SerializeAsString());
      return "";
    }
    case ChaincodeMessage::GET_HISTORY_FOR_KEY: {
      ::protos::GetHistoryForKey request;
      if (!request.ParseFromString(payload)) return Violation("payload is no GetHistoryForKey");
      std::deque<std::string> results;
      for (const auto& modification : history_[request.key()]) {
        results.push_back(modification.SerializeAsString());
      }
      reply.set_payload(Batch(std::move(results)).SerializeAsString());
      return "";
    }
    case ChaincodeMessage::QUERY_STATE_NEXT: {
      ::protos::QueryStateNext request;
      if (!request.ParseFromString(payload)) return Violation("payload is no QueryStateNext");
      auto it = iterators_.find(request.id());
      if (it == iterators_.end()) return "query iterator not found";
      std::deque<std::string> rest = std::move(it->second);
      iterators_.erase(it);
      ::protos::QueryResponse response = Batch(std::move(rest));
      // The continuation keeps the iterator's id.
      if (response.has_more()) {
        iterators_[request.id()] = std::move(iterators_[response.id()]);
        iterators_.erase(response.id());
      }
      response.set_id(request.id());
      reply.set_payload(response.SerializeAsString());
      return "";
    }
    case ChaincodeMessage::QUERY_STATE_CLOSE: {
      ::protos::QueryStateClose request;
      if (!request.ParseFromString(payload)) return Violation("payload is no QueryStateClose");
      iterators_.erase(request.id());
      ::protos::QueryResponse response;
      response.set_id(request.id());
      reply.set_payload(response.SerializeAsString());
      return "";
    }
    case ChaincodeMessage::GET_QUERY_RESULT:
      // Fabric's LevelDB state database (statedb/stateleveldb ExecuteQuery).
      return "ExecuteQuery not supported for leveldb";
    case ChaincodeMessage::INVOKE_CHAINCODE: {
      ::protos::ChaincodeSpec spec;
      if (!spec.ParseFromString(payload)) return Violation("payload is no ChaincodeSpec");
      if (!invoke_answer_) return "chaincode " + spec.chaincode_id().name() + " not found";
      ChaincodeMessage callee;
      callee.set_type(ChaincodeMessage::COMPLETED);
      callee.set_payload(invoke_answer_->SerializeAsString());
      callee.set_txid(message.txid());
      callee.set_channel_id(message.channel_id());
      reply.set_payload(callee.SerializeAsString());
      return "";
    }
    default:
      return Violation("unexpected request " + ChaincodeMessage::Type_Name(message.type()));
  }
}

namespace {

class RegisterService final : public ::protos::ChaincodeSupport::Service {
 public:
  explicit RegisterService(FakeChaincodePeer::Impl& impl) : impl_(impl) {}
  grpc::Status Register(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>* stream) override {
    impl_.Attach([stream](const ChaincodeMessage& m) { return stream->Write(m); },
                 [context] { context->TryCancel(); });
    impl_.Serve([stream](ChaincodeMessage* m) { return stream->Read(m); });
    return grpc::Status::OK;
  }

 private:
  FakeChaincodePeer::Impl& impl_;
};

}  // namespace

struct FakeChaincodePeer::Transport {
  std::unique_ptr<RegisterService> service;
  std::unique_ptr<grpc::Server> server;
  std::string address;
  std::unique_ptr<::protos::Chaincode::Stub> stub;
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReaderWriter<ChaincodeMessage, ChaincodeMessage>> stream;
  std::thread reader;
};

FakeChaincodePeer::FakeChaincodePeer(std::unique_ptr<Impl> impl,
                                     std::unique_ptr<Transport> transport)
    : impl_(std::move(impl)), transport_(std::move(transport)) {}

FakeChaincodePeer::~FakeChaincodePeer() {
  Close();
  if (transport_->server) transport_->server->Shutdown(std::chrono::system_clock::now());
  if (transport_->reader.joinable()) transport_->reader.join();
}

std::unique_ptr<FakeChaincodePeer> FakeChaincodePeer::Listen(Options options) {
  auto impl = std::make_unique<Impl>(options);
  auto transport = std::make_unique<Transport>();
  transport->service = std::make_unique<RegisterService>(*impl);
  grpc::ServerBuilder builder;
  int port = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_key_pem.empty()) {
    grpc::SslServerCredentialsOptions ssl(
        options.tls_client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = options.tls_client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({options.tls_key_pem, options.tls_cert_pem});
    credentials = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort("127.0.0.1:0", credentials, &port);
  builder.RegisterService(transport->service.get());
  transport->server = builder.BuildAndStart();
  if (!transport->server || port == 0) {
    throw std::runtime_error("FakeChaincodePeer: cannot listen on 127.0.0.1");
  }
  transport->address = "127.0.0.1:" + std::to_string(port);
  return std::unique_ptr<FakeChaincodePeer>(
      new FakeChaincodePeer(std::move(impl), std::move(transport)));
}

std::unique_ptr<FakeChaincodePeer> FakeChaincodePeer::Dial(const std::string& address,
                                                           Options options,
                                                           const std::string& root_cert_pem,
                                                           const std::string& client_key_pem,
                                                           const std::string& client_cert_pem) {
  auto impl = std::make_unique<Impl>(options);
  auto transport = std::make_unique<Transport>();
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!root_cert_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = root_cert_pem;
    ssl.pem_private_key = client_key_pem;
    ssl.pem_cert_chain = client_cert_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  transport->stub = ::protos::Chaincode::NewStub(grpc::CreateChannel(address, credentials));
  transport->context = std::make_unique<grpc::ClientContext>();
  // Fail fast: the chaincode server listens before a test dials it, and a refused
  // handshake must end the stream rather than be retried.
  transport->stream = transport->stub->Connect(transport->context.get());
  if (!transport->stream) throw std::runtime_error("FakeChaincodePeer: cannot call Connect");
  auto* stream = transport->stream.get();
  auto* context = transport->context.get();
  impl->Attach([stream](const ChaincodeMessage& m) { return stream->Write(m); },
               [context] { context->TryCancel(); });
  Impl* raw = impl.get();
  transport->reader = std::thread([raw, stream] {
    raw->Serve([stream](ChaincodeMessage* m) { return stream->Read(m); });
    stream->Finish().ok();  // the end is expected; the test checks what it needs
  });
  return std::unique_ptr<FakeChaincodePeer>(
      new FakeChaincodePeer(std::move(impl), std::move(transport)));
}

std::string FakeChaincodePeer::address() const { return transport_->address; }

std::optional<std::string> FakeChaincodePeer::WaitForRegistration() {
  return impl_->WaitForRegistration();
}

std::optional<FakeChaincodePeer::Outcome> FakeChaincodePeer::Invoke(
    const std::string& channel_id, const std::string& txid, const std::vector<std::string>& args,
    const ::protos::SignedProposal& proposal, bool init) {
  return impl_->Invoke(channel_id, txid, args, proposal, init);
}

bool FakeChaincodePeer::SendRaw(const ChaincodeMessage& message) { return impl_->Write(message); }

std::vector<ChaincodeMessage> FakeChaincodePeer::unsolicited() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->unsolicited_;
}

bool FakeChaincodePeer::WaitForUnsolicited(size_t count) {
  std::unique_lock lock(impl_->mu_);
  return impl_->changed_.wait_for(lock, kHangGuard,
                                  [&] { return impl_->unsolicited_.size() >= count; });
}

void FakeChaincodePeer::Put(const std::string& key, const std::string& value) {
  std::lock_guard lock(impl_->mu_);
  impl_->state_[key] = value;
}

void FakeChaincodePeer::PutPrivate(const std::string& collection, const std::string& key,
                                   const std::string& value) {
  std::lock_guard lock(impl_->mu_);
  impl_->private_[collection][key] = value;
}

void FakeChaincodePeer::PutMetadata(const std::string& key, const std::string& metakey,
                                    const std::string& value) {
  std::lock_guard lock(impl_->mu_);
  impl_->metadata_[key][metakey] = value;
}

void FakeChaincodePeer::SetHistory(const std::string& key,
                                   std::vector<::queryresult::KeyModification> history) {
  std::lock_guard lock(impl_->mu_);
  impl_->history_[key] = std::move(history);
}

std::map<std::string, std::string> FakeChaincodePeer::state() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->state_;
}

std::map<std::string, std::string> FakeChaincodePeer::private_state(
    const std::string& collection) const {
  std::lock_guard lock(impl_->mu_);
  auto it = impl_->private_.find(collection);
  return it == impl_->private_.end() ? std::map<std::string, std::string>() : it->second;
}

std::map<std::string, std::string> FakeChaincodePeer::metadata(const std::string& key) const {
  std::lock_guard lock(impl_->mu_);
  auto it = impl_->metadata_.find(key);
  return it == impl_->metadata_.end() ? std::map<std::string, std::string>() : it->second;
}

void FakeChaincodePeer::FailNext(ChaincodeMessage::Type type, std::string text) {
  std::lock_guard lock(impl_->mu_);
  impl_->fail_next_[type] = std::move(text);
}

void FakeChaincodePeer::AnswerInvokeChaincode(::protos::Response response) {
  std::lock_guard lock(impl_->mu_);
  impl_->invoke_answer_ = std::move(response);
}

std::vector<ChaincodeMessage> FakeChaincodePeer::requests() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->requests_;
}

std::vector<ChaincodeMessage> FakeChaincodePeer::requests(const std::string& txid) const {
  std::lock_guard lock(impl_->mu_);
  std::vector<ChaincodeMessage> selected;
  for (const auto& request : impl_->requests_) {
    if (request.txid() == txid) selected.push_back(request);
  }
  return selected;
}

std::vector<std::string> FakeChaincodePeer::violations() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->violations_;
}

int FakeChaincodePeer::max_in_flight() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->max_in_flight_;
}

void FakeChaincodePeer::Close() { impl_->Close(); }

}  // namespace weft::testing
