#include "chaincode-sdk/shim/impl/handler.h"

#include <exception>
#include <iostream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "chaincode-sdk/shim/impl/transaction_stub.h"
#include "peer/chaincode.pb.h"

namespace weft::chaincode_sdk::shim {
namespace {

using ::protos::ChaincodeMessage;

// Fabric's Go shim raises a smaller advertised batch size to this floor
// (handler.go defaultMaxSizeGetMultipleKeys).
constexpr uint32_t kMinGetMultipleKeys = 100;

std::string ContextKey(const std::string& channel_id, const std::string& txid) {
  // The same concatenation as Fabric's transactionContextID.
  return channel_id + txid;
}

ChaincodeMessage ErrorMessage(const ChaincodeMessage& about, std::string text) {
  ChaincodeMessage error;
  error.set_type(ChaincodeMessage::ERROR);
  error.set_payload(std::move(text));
  error.set_txid(about.txid());
  error.set_channel_id(about.channel_id());
  return error;
}

}  // namespace

Handler::~Handler() {
  // Run waits for its threads; a Handler destroyed without Run has none.
  std::unique_lock lock(mu_);
  all_finished_.wait(lock, [&] { return running_ == 0; });
}

bool Handler::Send(const ChaincodeMessage& message) {
  std::lock_guard lock(send_mu_);
  return stream_.Write(message);
}

absl::Status Handler::Run(const std::string& chaincode_id) {
  if (chaincode_id.empty()) return absl::InvalidArgumentError("the chaincode id is empty");
  ::protos::ChaincodeID id;
  id.set_name(chaincode_id);
  ChaincodeMessage reg;
  reg.set_type(ChaincodeMessage::REGISTER);
  reg.set_payload(id.SerializeAsString());

  enum class State { kCreated, kEstablished, kReady } state = State::kCreated;
  absl::Status result;
  if (!Send(reg)) {
    result = absl::UnavailableError(
        absl::StrCat("sending REGISTER for chaincode ", chaincode_id, " failed"));
  }
  ChaincodeMessage message;
  while (result.ok()) {
    if (!stream_.Read(&message)) {
      result = absl::UnavailableError("the peer ended the chaincode stream");
      break;
    }
    if (message.type() == ChaincodeMessage::KEEPALIVE) {
      Send(message);  // echoed, as the Go shim's handleMessage does
      continue;
    }
    std::string unexpected;
    switch (state) {
      case State::kCreated:
        if (message.type() == ChaincodeMessage::REGISTERED) {
          state = State::kEstablished;
        } else {
          unexpected = "created";
        }
        break;
      case State::kEstablished:
        if (message.type() == ChaincodeMessage::READY) {
          state = State::kReady;
          ::protos::ChaincodeAdditionalParams params;
          if (!message.payload().empty() && params.ParseFromString(message.payload()) &&
              params.use_get_multiple_keys()) {
            use_get_multiple_keys_ = true;
            max_size_get_multiple_keys_ =
                std::max(params.max_size_get_multiple_keys(), kMinGetMultipleKeys);
          }
        } else {
          unexpected = "established";
        }
        break;
      case State::kReady:
        switch (message.type()) {
          case ChaincodeMessage::RESPONSE:
          case ChaincodeMessage::ERROR:
            Route(message);
            break;
          case ChaincodeMessage::INIT:
          case ChaincodeMessage::TRANSACTION:
            StartTransaction(std::move(message));
            message = ChaincodeMessage();
            break;
          case ChaincodeMessage::REGISTERED:
          case ChaincodeMessage::READY:
            break;  // repeated handshake messages are harmless (fabric-shim ignores them)
          default:
            unexpected = "ready";
        }
        break;
    }
    if (!unexpected.empty()) {
      std::string text = absl::StrCat("chaincode handler cannot handle message ",
                                      ChaincodeMessage::Type_Name(message.type()), " (txid ",
                                      message.txid(), ") while in state ", unexpected);
      Send(ErrorMessage(message, text));
      if (message.type() == ChaincodeMessage::ERROR) {
        // E.g. the peer refusing the registration: say what it said.
        absl::StrAppend(&text, ": the peer said: ", message.payload());
      }
      result = absl::FailedPreconditionError(text);
    }
  }
  FailPending();
  std::unique_lock lock(mu_);
  all_finished_.wait(lock, [&] { return running_ == 0; });
  return result;
}

void Handler::FailPending() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (auto& [key, pending] : pending_) pending->answered.notify_all();
}

void Handler::Route(const ChaincodeMessage& message) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(ContextKey(message.channel_id(), message.txid()));
  if (it == pending_.end()) {
    // fabric-shim logs and drops a reply nobody waits for; so do we.
    std::cerr << "chaincode shim: dropping " << ChaincodeMessage::Type_Name(message.type())
              << " for " << message.channel_id() << "/" << message.txid()
              << ": no request is waiting\n";
    return;
  }
  it->second->reply = message;
  // Under the lock: once it is released the caller may return and its Pending is gone.
  it->second->answered.notify_all();
}

absl::StatusOr<std::string> Handler::Call(ChaincodeMessage::Type type, const std::string& payload,
                                          const std::string& channel_id, const std::string& txid) {
  const std::string key = ContextKey(channel_id, txid);
  Pending pending;
  {
    std::lock_guard lock(mu_);
    if (closed_) return absl::UnavailableError("the chaincode stream to the peer is closed");
    if (!pending_.emplace(key, &pending).second) {
      return absl::FailedPreconditionError(
          absl::StrCat("transaction ", channel_id, "/", txid, " already has a request in flight"));
    }
  }
  ChaincodeMessage request;
  request.set_type(type);
  request.set_payload(payload);
  request.set_txid(txid);
  request.set_channel_id(channel_id);
  bool sent = Send(request);
  std::unique_lock lock(mu_);
  if (sent) pending.answered.wait(lock, [&] { return pending.reply.has_value() || closed_; });
  pending_.erase(key);
  if (!pending.reply) {
    return absl::UnavailableError(absl::StrCat("sending ", ChaincodeMessage::Type_Name(type),
                                               " for ", txid, " failed: the stream is closed"));
  }
  const ChaincodeMessage& reply = *pending.reply;
  if (reply.type() == ChaincodeMessage::RESPONSE) return reply.payload();
  if (reply.type() == ChaincodeMessage::ERROR) return absl::UnknownError(reply.payload());
  return absl::InternalError(absl::StrCat("incorrect chaincode message ",
                                          ChaincodeMessage::Type_Name(reply.type()),
                                          " received, expecting RESPONSE or ERROR"));
}

void Handler::StartTransaction(ChaincodeMessage message) {
  {
    std::lock_guard lock(mu_);
    ++running_;
  }
  // One thread per transaction: the chaincode may block on the peer for as long
  // as the transaction lasts, and the peer decides how many run at once.
  std::thread([this, message = std::move(message)] {
    ChaincodeMessage reply = Execute(message);
    Send(reply);
    std::lock_guard lock(mu_);
    if (--running_ == 0) all_finished_.notify_all();
  }).detach();
}

ChaincodeMessage Handler::Execute(const ChaincodeMessage& message) {
  auto stub = TransactionStub::New(*this, message);
  if (!stub.ok()) {
    return ErrorMessage(
        message, absl::StrCat("failed to create new ChaincodeStub: ", stub.status().message()));
  }
  ::protos::Response response;
  try {
    response = message.type() == ChaincodeMessage::INIT ? chaincode_.Init(**stub)
                                                        : chaincode_.Invoke(**stub);
  } catch (const std::exception& e) {
    response = Error(e.what());
  } catch (...) {
    response = Error("the chaincode threw an exception that is not a std::exception");
  }
  // An Init that fails answers ERROR with its message (Go shim handleInit).
  if (message.type() == ChaincodeMessage::INIT && response.status() >= kError) {
    ChaincodeMessage error = ErrorMessage(message, response.message());
    if ((*stub)->event()) *error.mutable_chaincode_event() = *(*stub)->event();
    return error;
  }
  ChaincodeMessage completed;
  completed.set_type(ChaincodeMessage::COMPLETED);
  completed.set_payload(response.SerializeAsString());
  completed.set_txid(message.txid());
  completed.set_channel_id(message.channel_id());
  if ((*stub)->event()) *completed.mutable_chaincode_event() = *(*stub)->event();
  return completed;
}

}  // namespace weft::chaincode_sdk::shim
