#include "peer/chaincode_support/impl/handler.h"

#include <fmt/format.h>

#include <utility>

#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/chaincode.pb.h"

namespace weft::peer::chaincode_support::impl {
namespace {

using ::protos::ChaincodeMessage;

std::string TypeName(ChaincodeMessage::Type type) {
  return ChaincodeMessage::Type_IsValid(type) ? ChaincodeMessage::Type_Name(type)
                                              : std::to_string(static_cast<int>(type));
}

std::string ShortTxId(std::string_view tx_id) { return std::string(tx_id.substr(0, 8)); }

std::string ContextKey(std::string_view channel_id, std::string_view tx_id) {
  // Fabric concatenates; a separator keeps ("a", "bc") and ("ab", "c") apart.
  return fmt::format("{}\n{}", channel_id, tx_id);
}

ChaincodeMessage Reply(const ChaincodeMessage& request, ChaincodeMessage::Type type,
                       std::string payload = {}) {
  ChaincodeMessage reply;
  reply.set_type(type);
  reply.set_payload(std::move(payload));
  reply.set_txid(request.txid());
  reply.set_channel_id(request.channel_id());
  return reply;
}

template <typename Message>
[[nodiscard]] StatusOr<Message> Unmarshal(const std::string& bytes) {
  Message message;
  if (!message.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        fmt::format("unmarshal failed: not a valid {}", Message::descriptor()->name()));
  }
  return message;
}

// The private-data hook: another part of [F9] adds collections to the simulator;
// until then every private-data request fails naming its collection.
[[nodiscard]] Status PrivateDataUnsupported(std::string_view ns, std::string_view collection) {
  return absl::UnimplementedError(
      fmt::format("private data is not supported by this peer yet: collection {} of chaincode {}",
                  collection, ns));
}

// Fabric's handler.go refuses every private-data request of an Init transaction first.
[[nodiscard]] Status PrivateDataRefused(const TransactionContext& context,
                                        std::string_view collection) {
  if (context.is_init) {
    return absl::FailedPreconditionError("private data APIs are not allowed in chaincode Init()");
  }
  return PrivateDataUnsupported(context.namespace_id, collection);
}

// A range query over the simulator.
class RangeQuery final : public QueryIterator {
 public:
  explicit RangeQuery(std::unique_ptr<ledger::ResultsIterator> it) : it_(std::move(it)) {}
  [[nodiscard]] StatusOr<std::optional<std::string>> Next() override {
    WEFT_ASSIGN_OR_RETURN(auto kv, it_->Next());
    if (!kv) return std::optional<std::string>();
    return std::optional<std::string>(kv->SerializeAsString());
  }
  [[nodiscard]] StatusOr<std::string> GetBookmarkAndClose() override {
    return it_->GetBookmarkAndClose();
  }

 private:
  std::unique_ptr<ledger::ResultsIterator> it_;
};

// A key's history, already read (the history DB answers it whole).
class HistoryQuery final : public QueryIterator {
 public:
  explicit HistoryQuery(std::vector<::queryresult::KeyModification> entries)
      : entries_(std::move(entries)) {}
  [[nodiscard]] StatusOr<std::optional<std::string>> Next() override {
    if (next_ == entries_.size()) return std::optional<std::string>();
    return std::optional<std::string>(entries_[next_++].SerializeAsString());
  }
  [[nodiscard]] StatusOr<std::string> GetBookmarkAndClose() override { return std::string(); }

 private:
  std::vector<::queryresult::KeyModification> entries_;
  std::size_t next_ = 0;
};

// Fabric's ParseName: "name[:version][/channel]".
struct ChaincodeInstance {
  std::string name;
  std::string channel_id;
};
ChaincodeInstance ParseName(std::string_view full) {
  ChaincodeInstance instance;
  if (auto slash = full.find('/'); slash != std::string_view::npos) {
    instance.channel_id = std::string(full.substr(slash + 1));
    full = full.substr(0, slash);
  }
  instance.name = std::string(full.substr(0, full.find(':')));
  return instance;
}

}  // namespace

Handler::Handler(HandlerHost& host, HandlerConfig config, ChaincodeStream& stream)
    : host_(host), config_(std::move(config)), stream_(stream) {}

Handler::~Handler() { JoinFinishedInvokes(true); }

void Handler::Cancel() {
  std::shared_lock gone(stream_mu_);
  if (!stream_gone_) stream_.Cancel();
}

bool Handler::Send(const ChaincodeMessage& message) {
  std::shared_lock gone(stream_mu_);
  if (stream_gone_) return false;
  std::lock_guard lock(send_mu_);
  if (stream_.Send(message)) return true;
  if (config_.logger) {
    config_.logger->Error("[{}] error sending {} to chaincode {}", ShortTxId(message.txid()),
                          TypeName(message.type()), chaincode_id_);
  }
  // Fabric surfaces a send error to the stream loop, which ends the stream.
  stream_.Cancel();
  return false;
}

Status Handler::ProcessStream() {
  Status result;
  ChaincodeMessage message;
  while (true) {
    if (!stream_.Recv(&message)) {
      result = absl::UnavailableError(
          fmt::format("chaincode stream of {} ended", chaincode_id_.empty() ? "an unregistered "
                                                                              "chaincode"
                                                                            : chaincode_id_));
      break;
    }
    Status handled = HandleMessage(message);
    if (!handled.ok()) {
      result = Annotate(handled, "error handling message, ending stream");
      if (config_.logger) config_.logger->Error("{}", std::string(result.message()));
      stream_.Cancel();
      break;
    }
  }
  {
    std::lock_guard lock(mu_);
    stream_done_ = true;
    for (auto& [key, context] : contexts_) context->changed.notify_all();
  }
  if (registered_) host_.DeregisterHandler(this);
  JoinFinishedInvokes(true);
  // Cancelled first so that no Send stays blocked on the stream; then nobody may
  // touch it again.
  stream_.Cancel();
  {
    std::unique_lock gone(stream_mu_);
    stream_gone_ = true;
  }
  return result;
}

Status Handler::HandleMessage(const ChaincodeMessage& message) {
  if (message.type() == ChaincodeMessage::KEEPALIVE) return absl::OkStatus();
  if (state_ == State::kCreated) {
    if (message.type() == ChaincodeMessage::REGISTER) return HandleRegister(message);
    return absl::FailedPreconditionError(
        fmt::format("[{}] Fabric side handler cannot handle message ({}) while in created state",
                    message.txid(), TypeName(message.type())));
  }
  JoinFinishedInvokes(false);
  switch (message.type()) {
    case ChaincodeMessage::COMPLETED:
    case ChaincodeMessage::ERROR:
      Notify(message);
      return absl::OkStatus();
    case ChaincodeMessage::GET_STATE:
      HandleTransaction(message, &Handler::HandleGetState);
      return absl::OkStatus();
    case ChaincodeMessage::GET_STATE_MULTIPLE:
      HandleTransaction(message, &Handler::HandleGetStateMultiple);
      return absl::OkStatus();
    case ChaincodeMessage::PUT_STATE:
      HandleTransaction(message, &Handler::HandlePutState);
      return absl::OkStatus();
    case ChaincodeMessage::DEL_STATE:
      HandleTransaction(message, &Handler::HandleDelState);
      return absl::OkStatus();
    case ChaincodeMessage::WRITE_BATCH_STATE:
      HandleTransaction(message, &Handler::HandleWriteBatch);
      return absl::OkStatus();
    case ChaincodeMessage::GET_STATE_METADATA:
      HandleTransaction(message, &Handler::HandleGetStateMetadata);
      return absl::OkStatus();
    case ChaincodeMessage::PUT_STATE_METADATA:
      HandleTransaction(message, &Handler::HandlePutStateMetadata);
      return absl::OkStatus();
    case ChaincodeMessage::GET_STATE_BY_RANGE:
      HandleTransaction(message, &Handler::HandleGetStateByRange);
      return absl::OkStatus();
    case ChaincodeMessage::QUERY_STATE_NEXT:
      HandleTransaction(message, &Handler::HandleQueryStateNext);
      return absl::OkStatus();
    case ChaincodeMessage::QUERY_STATE_CLOSE:
      HandleTransaction(message, &Handler::HandleQueryStateClose);
      return absl::OkStatus();
    case ChaincodeMessage::GET_QUERY_RESULT:
      HandleTransaction(message, &Handler::HandleGetQueryResult);
      return absl::OkStatus();
    case ChaincodeMessage::GET_HISTORY_FOR_KEY:
      HandleTransaction(message, &Handler::HandleGetHistoryForKey);
      return absl::OkStatus();
    case ChaincodeMessage::GET_PRIVATE_DATA_HASH:
    case ChaincodeMessage::PURGE_PRIVATE_DATA:
      HandleTransaction(message, &Handler::HandlePrivateData);
      return absl::OkStatus();
    case ChaincodeMessage::INVOKE_CHAINCODE: {
      // A cc2cc call waits for another chaincode, which may need this stream's
      // chaincode in turn: it runs on its own thread (Fabric: a goroutine per request).
      auto done = std::make_shared<std::atomic<bool>>(false);
      auto self = shared_from_this();
      invokes_.push_back(InvokeThread{std::thread([self, message, done] {
                                        self->HandleTransaction(message,
                                                                &Handler::HandleInvokeChaincode);
                                        done->store(true);
                                      }),
                                      done});
      return absl::OkStatus();
    }
    default:
      return absl::FailedPreconditionError(
          fmt::format("[{}] Fabric side handler cannot handle message ({}) while in ready state",
                      message.txid(), TypeName(message.type())));
  }
}

void Handler::JoinFinishedInvokes(bool all) {
  for (auto it = invokes_.begin(); it != invokes_.end();) {
    if (all || it->done->load()) {
      if (it->thread.joinable()) it->thread.join();
      it = invokes_.erase(it);
    } else {
      ++it;
    }
  }
}

Status Handler::HandleRegister(const ChaincodeMessage& message) {
  ::protos::ChaincodeID id;
  if (!id.ParseFromString(message.payload())) {
    return absl::InvalidArgumentError(
        "error in received REGISTER, could not unmarshal registration info");
  }
  if (id.name().empty()) {
    return absl::InvalidArgumentError(
        "error in handling register chaincode, chaincodeID name is empty");
  }
  chaincode_id_ = id.name();
  if (Status registered = host_.RegisterHandler(shared_from_this()); !registered.ok()) {
    host_.HandlerFailed(chaincode_id_, registered);
    return registered;
  }
  registered_ = true;
  ChaincodeMessage reply;
  reply.set_type(ChaincodeMessage::REGISTERED);
  if (!Send(reply)) {
    Status failed = absl::UnavailableError(
        fmt::format("error sending REGISTERED to chaincode {}", chaincode_id_));
    host_.HandlerFailed(chaincode_id_, failed);
    return failed;
  }
  // Fabric 2.5 sends READY with an empty payload (3.x adds ChaincodeAdditionalParams,
  // which fabric-shim 2.5 ignores).
  reply.set_type(ChaincodeMessage::READY);
  if (!Send(reply)) {
    Status failed =
        absl::UnavailableError(fmt::format("error sending READY to chaincode {}", chaincode_id_));
    host_.HandlerFailed(chaincode_id_, failed);
    return failed;
  }
  state_ = State::kReady;
  host_.HandlerReady(chaincode_id_);
  return absl::OkStatus();
}

void Handler::Notify(const ChaincodeMessage& message) {
  std::shared_ptr<TransactionContext> context;
  {
    std::lock_guard lock(mu_);
    auto it = contexts_.find(ContextKey(message.channel_id(), message.txid()));
    if (it == contexts_.end() || it->second->response.has_value()) {
      if (config_.logger) {
        config_.logger->Debug(
            "notifier Txid:{}, channelID:{} does not exist for handling message {}", message.txid(),
            message.channel_id(), TypeName(message.type()));
      }
      return;
    }
    context = it->second;
    context->response = message;
  }
  context->changed.notify_all();
}

void Handler::HandleTransaction(const ChaincodeMessage& message, Delegate delegate) {
  const std::string key = ContextKey(message.channel_id(), message.txid());
  std::shared_ptr<TransactionContext> context;
  {
    std::lock_guard lock(mu_);
    // Fabric's registerTxid: one request per transaction at a time; another is dropped.
    if (!active_.insert(key).second) {
      if (config_.logger) {
        config_.logger->Error(
            "[{}] Another request pending for this CC: {}, Txid: {}, ChannelID: {}. Cannot "
            "process.",
            ShortTxId(message.txid()), chaincode_id_, message.txid(), message.channel_id());
      }
      return;
    }
    auto it = contexts_.find(key);
    if (it != contexts_.end() && !it->second->closed && it->second->simulator != nullptr) {
      context = it->second;
      ++context->busy;
    }
  }
  StatusOr<ChaincodeMessage> reply = context == nullptr
                                         ? StatusOr<ChaincodeMessage>(absl::FailedPreconditionError(
                                               message.type() == ChaincodeMessage::INVOKE_CHAINCODE
                                                   ? "could not get valid transaction"
                                                   : "no ledger context"))
                                         : (this->*delegate)(message, *context);
  ChaincodeMessage response;
  if (reply.ok()) {
    response = *std::move(reply);
  } else {
    std::string text = fmt::format("{} failed: transaction ID: {}: {}", TypeName(message.type()),
                                   message.txid(), std::string(reply.status().message()));
    if (config_.logger) {
      config_.logger->Error("[{}] Failed to handle {}. error: {}", ShortTxId(message.txid()),
                            TypeName(message.type()), text);
    }
    response = Reply(message, ChaincodeMessage::ERROR, std::move(text));
  }
  {
    std::lock_guard lock(mu_);
    if (context != nullptr) --context->busy;
    active_.erase(key);
  }
  if (context != nullptr) context->changed.notify_all();
  (void)Send(response);
}

StatusOr<ChaincodeMessage> Handler::Execute(const TransactionParams& params, std::string_view ns,
                                            ChaincodeMessage message, Clock::time_point deadline) {
  auto context = std::make_shared<TransactionContext>();
  context->channel_id = params.channel_id;
  context->tx_id = params.tx_id;
  context->namespace_id = std::string(ns);
  context->signed_proposal = params.signed_proposal;
  context->simulator = params.simulator;
  context->is_init = message.type() == ChaincodeMessage::INIT;
  context->deadline = deadline;
  const std::string key = ContextKey(params.channel_id, params.tx_id);
  {
    std::lock_guard lock(mu_);
    if (stream_done_) return absl::UnavailableError(kErrorStreamTerminated);
    if (!contexts_.emplace(key, context).second) {
      // Fabric's TransactionContexts.Create.
      return absl::AlreadyExistsError(
          fmt::format("txid: {}({}) exists", params.tx_id, params.channel_id));
    }
  }
  if (params.signed_proposal != nullptr) *message.mutable_proposal() = *params.signed_proposal;

  Status error;
  if (!Send(message)) {
    error = absl::UnavailableError(
        fmt::format("[{}] error sending {}", ShortTxId(params.tx_id), TypeName(message.type())));
  }
  std::unique_lock lock(mu_);
  if (error.ok()) {
    const bool answered = context->changed.wait_until(
        lock, deadline, [&] { return context->response.has_value() || stream_done_; });
    if (!context->response.has_value()) {
      error = answered ? absl::UnavailableError(kErrorStreamTerminated)
                       : absl::DeadlineExceededError(kErrorExecutionTimeout);
    }
  }
  // No request may touch the simulator once the caller has it back.
  context->closed = true;
  context->changed.wait(lock, [&] { return context->busy == 0; });
  context->queries.clear();
  contexts_.erase(key);
  if (!error.ok()) {
    if (config_.logger) {
      config_.logger->Warn("[{}] {} on chaincode {}", ShortTxId(params.tx_id),
                           std::string(error.message()), chaincode_id_);
    }
    return error;
  }
  return *std::move(context->response);
}

std::string Handler::NewQueryId() {
  std::lock_guard lock(mu_);
  return fmt::format("{}-{}", chaincode_id_, next_query_id_++);
}

StatusOr<::protos::QueryResponse> Handler::BuildQueryResponse(TransactionContext& context,
                                                              const std::string& id, bool paginated,
                                                              int32_t total_return_limit) {
  auto it = context.queries.find(id);
  if (it == context.queries.end()) return absl::NotFoundError("query iterator not found");
  TransactionContext::Query& query = it->second;
  auto cut = [&query](::protos::QueryResponse& response) {
    for (auto& bytes : query.pending) response.add_results()->set_resultbytes(std::move(bytes));
    query.pending.clear();
  };
  // Fabric's createQueryResponse: the last batch of a query, which ends it.
  auto finish = [&]() -> StatusOr<::protos::QueryResponse> {
    ::protos::QueryResponse response;
    cut(response);
    response.set_has_more(false);
    response.set_id(id);
    if (paginated) {
      StatusOr<std::string> bookmark = query.iterator->GetBookmarkAndClose();
      const int32_t fetched = query.total_returned;
      context.queries.erase(it);
      WEFT_RETURN_IF_ERROR(bookmark.status());
      ::protos::QueryResponseMetadata metadata;
      metadata.set_fetched_records_count(fetched);
      metadata.set_bookmark(*bookmark);
      response.set_metadata(metadata.SerializeAsString());
    } else {
      context.queries.erase(it);
    }
    return response;
  };
  while (true) {
    if (query.total_returned >= total_return_limit) return finish();
    StatusOr<std::optional<std::string>> next = query.iterator->Next();
    if (!next.ok()) {
      context.queries.erase(it);
      return next.status();
    }
    if (!next->has_value()) return finish();
    if (!paginated && query.pending.size() == kMaxResultLimit) {
      // A full batch goes out only once one more result is known to exist, which
      // waits as the first of the next batch.
      ::protos::QueryResponse response;
      cut(response);
      query.pending.push_back(**std::move(next));
      ++query.total_returned;
      response.set_has_more(true);
      response.set_id(id);
      return response;
    }
    query.pending.push_back(**std::move(next));
    ++query.total_returned;
  }
}

StatusOr<ChaincodeMessage> Handler::HandleGetState(const ChaincodeMessage& message,
                                                   TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::GetState>(message.payload()));
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  // An absent key is an empty payload, not an error.
  WEFT_ASSIGN_OR_RETURN(std::string value,
                        context.simulator->GetState(context.namespace_id, request.key()));
  return Reply(message, ChaincodeMessage::RESPONSE, std::move(value));
}

StatusOr<ChaincodeMessage> Handler::HandleGetStateMultiple(const ChaincodeMessage& message,
                                                           TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::GetStateMultiple>(message.payload()));
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  std::vector<std::string> keys(request.keys().begin(), request.keys().end());
  WEFT_ASSIGN_OR_RETURN(auto values,
                        context.simulator->GetStateMultipleKeys(context.namespace_id, keys));
  ::protos::GetStateMultipleResult result;
  for (auto& value : values) result.add_values(std::move(value));
  return Reply(message, ChaincodeMessage::RESPONSE, result.SerializeAsString());
}

StatusOr<ChaincodeMessage> Handler::HandlePutState(const ChaincodeMessage& message,
                                                   TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::PutState>(message.payload()));
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  // An empty value is recorded as a delete (the simulator's rule, as Fabric's).
  WEFT_RETURN_IF_ERROR(context.simulator->PutState(context.namespace_id, request.key(),
                                                   std::move(*request.mutable_value())));
  return Reply(message, ChaincodeMessage::RESPONSE);
}

StatusOr<ChaincodeMessage> Handler::HandleDelState(const ChaincodeMessage& message,
                                                   TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::DelState>(message.payload()));
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  WEFT_RETURN_IF_ERROR(context.simulator->DelState(context.namespace_id, request.key()));
  return Reply(message, ChaincodeMessage::RESPONSE);
}

StatusOr<ChaincodeMessage> Handler::HandleWriteBatch(const ChaincodeMessage& message,
                                                     TransactionContext& context) {
  // Fabric 3.x: the writes of one batch, applied in order.
  WEFT_ASSIGN_OR_RETURN(auto batch, Unmarshal<::protos::WriteBatchState>(message.payload()));
  for (const auto& record : batch.rec()) {
    if (!record.collection().empty()) {
      return PrivateDataRefused(context, record.collection());
    }
    switch (record.type()) {
      case ::protos::WriteRecord::PUT_STATE:
        WEFT_RETURN_IF_ERROR(
            context.simulator->PutState(context.namespace_id, record.key(), record.value()));
        break;
      case ::protos::WriteRecord::DEL_STATE:
        WEFT_RETURN_IF_ERROR(context.simulator->DelState(context.namespace_id, record.key()));
        break;
      case ::protos::WriteRecord::PUT_STATE_METADATA:
        WEFT_RETURN_IF_ERROR(context.simulator->SetStateMetadata(
            context.namespace_id, record.key(),
            {{record.metadata().metakey(), record.metadata().value()}}));
        break;
      default:
        return absl::InvalidArgumentError(fmt::format("unknown write record type {} for key {}",
                                                      static_cast<int>(record.type()),
                                                      record.key()));
    }
  }
  return Reply(message, ChaincodeMessage::RESPONSE);
}

Status Handler::CheckMetadataCapability(const ChaincodeMessage& message) const {
  if (!config_.application_capabilities) return absl::OkStatus();
  StatusOr<std::set<std::string>> capabilities =
      config_.application_capabilities(message.channel_id());
  if (absl::IsNotFound(capabilities.status())) {
    return absl::FailedPreconditionError(
        fmt::format("application config does not exist for {}", message.channel_id()));
  }
  WEFT_RETURN_IF_ERROR(capabilities.status());
  // Fabric release-2.5 common/capabilities/application.go KeyLevelEndorsement.
  for (const char* enabling : {"V1_3", "V1_4_2", "V2_0", "V2_5"}) {
    if (capabilities->contains(enabling)) return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      "key level endorsement is not enabled, channel application capability of V1_3 or later "
      "is required");
}

StatusOr<ChaincodeMessage> Handler::HandleGetStateMetadata(const ChaincodeMessage& message,
                                                           TransactionContext& context) {
  WEFT_RETURN_IF_ERROR(CheckMetadataCapability(message));
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::GetStateMetadata>(message.payload()));
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  WEFT_ASSIGN_OR_RETURN(auto metadata,
                        context.simulator->GetStateMetadata(context.namespace_id, request.key()));
  // Fabric walks a Go map (random order); Weft answers in key order.
  ::protos::StateMetadataResult result;
  for (auto& [metakey, value] : metadata) {
    auto* entry = result.add_entries();
    entry->set_metakey(metakey);
    entry->set_value(std::move(value));
  }
  return Reply(message, ChaincodeMessage::RESPONSE, result.SerializeAsString());
}

StatusOr<ChaincodeMessage> Handler::HandlePutStateMetadata(const ChaincodeMessage& message,
                                                           TransactionContext& context) {
  WEFT_RETURN_IF_ERROR(CheckMetadataCapability(message));
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::PutStateMetadata>(message.payload()));
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  // Fabric sets a one-entry map, replacing the key's metadata.
  WEFT_RETURN_IF_ERROR(context.simulator->SetStateMetadata(
      context.namespace_id, request.key(),
      {{request.metadata().metakey(), request.metadata().value()}}));
  return Reply(message, ChaincodeMessage::RESPONSE);
}

StatusOr<ChaincodeMessage> Handler::HandleGetStateByRange(const ChaincodeMessage& message,
                                                          TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::GetStateByRange>(message.payload()));
  std::optional<::protos::QueryMetadata> metadata;
  if (!request.metadata().empty()) {
    WEFT_ASSIGN_OR_RETURN(metadata, Unmarshal<::protos::QueryMetadata>(request.metadata()));
  }
  // Fabric's calculateTotalReturnLimit and isMetadataSetForPagination.
  int32_t limit = config_.total_query_limit;
  if (metadata && metadata->pagesize() > 0 && metadata->pagesize() < limit) {
    limit = metadata->pagesize();
  }
  const bool paginated =
      metadata.has_value() && (metadata->pagesize() != 0 || !metadata->bookmark().empty());
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  StatusOr<std::unique_ptr<ledger::ResultsIterator>> it =
      paginated
          ? context.simulator->GetStateRangeScanIteratorWithPagination(
                context.namespace_id, request.startkey(), request.endkey(),
                static_cast<uint32_t>(std::max(metadata->pagesize(), 0)), metadata->bookmark())
          : context.simulator->GetStateRangeScanIterator(context.namespace_id, request.startkey(),
                                                         request.endkey());
  WEFT_RETURN_IF_ERROR(it.status());
  const std::string id = NewQueryId();
  context.queries[id].iterator = std::make_unique<RangeQuery>(*std::move(it));
  WEFT_ASSIGN_OR_RETURN(auto response, BuildQueryResponse(context, id, paginated, limit));
  return Reply(message, ChaincodeMessage::RESPONSE, response.SerializeAsString());
}

StatusOr<ChaincodeMessage> Handler::HandleQueryStateNext(const ChaincodeMessage& message,
                                                         TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::QueryStateNext>(message.payload()));
  if (context.queries.find(request.id()) == context.queries.end()) {
    return absl::NotFoundError("query iterator not found");
  }
  WEFT_ASSIGN_OR_RETURN(
      auto response, BuildQueryResponse(context, request.id(), false, config_.total_query_limit));
  return Reply(message, ChaincodeMessage::RESPONSE, response.SerializeAsString());
}

StatusOr<ChaincodeMessage> Handler::HandleQueryStateClose(const ChaincodeMessage& message,
                                                          TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::QueryStateClose>(message.payload()));
  // Succeeds also for an iterator already gone (fabric-shim closes after the end).
  context.queries.erase(request.id());
  ::protos::QueryResponse response;
  response.set_has_more(false);
  response.set_id(request.id());
  return Reply(message, ChaincodeMessage::RESPONSE, response.SerializeAsString());
}

StatusOr<ChaincodeMessage> Handler::HandleGetQueryResult(const ChaincodeMessage& message,
                                                         TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::GetQueryResult>(message.payload()));
  if (!request.collection().empty()) {
    return PrivateDataRefused(context, request.collection());
  }
  // The state database is LevelDB: rich queries are refused with stateleveldb.go's words.
  bool paginated = false;
  if (!request.metadata().empty()) {
    WEFT_ASSIGN_OR_RETURN(auto metadata, Unmarshal<::protos::QueryMetadata>(request.metadata()));
    paginated = metadata.pagesize() != 0 || !metadata.bookmark().empty();
  }
  return absl::UnimplementedError(paginated ? "ExecuteQueryWithMetadata not supported for leveldb"
                                            : "ExecuteQuery not supported for leveldb");
}

StatusOr<ChaincodeMessage> Handler::HandleGetHistoryForKey(const ChaincodeMessage& message,
                                                           TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::GetHistoryForKey>(message.payload()));
  StatusOr<std::vector<::queryresult::KeyModification>> history =
      context.simulator->GetHistoryForKey(context.namespace_id, request.key());
  if (absl::IsFailedPrecondition(history.status())) {
    return absl::FailedPreconditionError("history database is not enabled");
  }
  WEFT_RETURN_IF_ERROR(history.status());
  const std::string id = NewQueryId();
  context.queries[id].iterator = std::make_unique<HistoryQuery>(*std::move(history));
  WEFT_ASSIGN_OR_RETURN(auto response,
                        BuildQueryResponse(context, id, false, config_.total_query_limit));
  return Reply(message, ChaincodeMessage::RESPONSE, response.SerializeAsString());
}

StatusOr<ChaincodeMessage> Handler::HandlePrivateData(const ChaincodeMessage& message,
                                                      TransactionContext& context) {
  // GET_PRIVATE_DATA_HASH carries GetState, PURGE_PRIVATE_DATA a DelState layout.
  WEFT_ASSIGN_OR_RETURN(auto request, Unmarshal<::protos::GetState>(message.payload()));
  if (message.type() == ChaincodeMessage::PURGE_PRIVATE_DATA && request.collection().empty()) {
    return absl::InvalidArgumentError("only applicable for private data");
  }
  return PrivateDataRefused(context, request.collection());
}

StatusOr<ChaincodeMessage> Handler::HandleInvokeChaincode(const ChaincodeMessage& message,
                                                          TransactionContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto spec, Unmarshal<::protos::ChaincodeSpec>(message.payload()));
  ChaincodeInstance target = ParseName(spec.chaincode_id().name());
  if (target.channel_id.empty()) target.channel_id = context.channel_id;
  if (config_.check_cc2cc_acl) {
    if (context.signed_proposal == nullptr) {
      return absl::PermissionDeniedError(fmt::format(
          "signed proposal must not be nil from caller [{}/{}]", target.name, target.channel_id));
    }
    WEFT_RETURN_IF_ERROR(config_.check_cc2cc_acl(target.channel_id, *context.signed_proposal));
  }
  TransactionParams params;
  params.tx_id = message.txid();
  params.channel_id = target.channel_id;
  params.signed_proposal = context.signed_proposal;
  params.simulator = context.simulator;
  // On another channel the callee runs on that channel's simulator, whose results are
  // dropped: such a call can only read (Fabric's rule).
  std::unique_ptr<ledger::TxSimulator> other;
  if (target.channel_id != context.channel_id) {
    if (!config_.new_tx_simulator) {
      return absl::NotFoundError(
          fmt::format("failed to find ledger for channel: {}", target.channel_id));
    }
    StatusOr<std::unique_ptr<ledger::TxSimulator>> simulator =
        config_.new_tx_simulator(target.channel_id);
    if (!simulator.ok() || *simulator == nullptr) {
      return absl::NotFoundError(
          fmt::format("failed to find ledger for channel: {}", target.channel_id));
    }
    other = *std::move(simulator);
    params.simulator = other.get();
  }
  StatusOr<ChaincodeMessage> response =
      host_.Invoke(params, target.name, spec.input(), context.deadline);
  if (other) other->Done();
  if (!response.ok()) return Annotate(response.status(), "execute failed");
  // The callee's whole COMPLETED (or ERROR) message goes back to the caller's shim.
  return Reply(message, ChaincodeMessage::RESPONSE, response->SerializeAsString());
}

}  // namespace weft::peer::chaincode_support::impl
