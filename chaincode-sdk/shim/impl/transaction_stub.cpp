#include "chaincode-sdk/shim/impl/transaction_stub.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/common.pb.h"
#include "peer/transaction.pb.h"

namespace weft::chaincode_sdk::shim {
namespace {

using ::protos::ChaincodeMessage;

// fabric-chaincode-go shim.go: the start key that replaces an empty one, so that
// an open range covers simple keys only (composite keys start with U+0000).
constexpr std::string_view kEmptyKeySubstitute = "\x01";

[[nodiscard]] absl::Status ValidateSimpleKeys(std::string_view start, std::string_view end) {
  for (std::string_view key : {start, end}) {
    if (!key.empty() && key.front() == '\0') {
      return absl::InvalidArgumentError(
          absl::StrCat("first character of the key [", std::string(key),
                       "] contains a null character which is not allowed"));
    }
  }
  return absl::OkStatus();
}

[[nodiscard]] absl::Status RequireCollection(std::string_view collection) {
  if (collection.empty())
    return absl::InvalidArgumentError("collection must not be an empty string");
  return absl::OkStatus();
}

std::string QueryMetadataBytes(int32_t page_size, std::string_view bookmark) {
  ::protos::QueryMetadata metadata;
  metadata.set_pagesize(page_size);
  metadata.set_bookmark(std::string(bookmark));
  return metadata.SerializeAsString();
}

// Iterates over QueryResponse batches, fetching the next one with QUERY_STATE_NEXT
// when the last cached result is taken (as the Go shim's CommonIterator).
class CommonIterator {
 public:
  CommonIterator(Handler& handler, std::string channel_id, std::string txid,
                 ::protos::QueryResponse response)
      : handler_(handler),
        channel_id_(std::move(channel_id)),
        txid_(std::move(txid)),
        response_(std::move(response)) {}

  bool HasNext() const {
    return next_ < static_cast<size_t>(response_.results_size()) || response_.has_more();
  }

  template <typename Result>
  [[nodiscard]] absl::StatusOr<Result> Next() {
    if (next_ >= static_cast<size_t>(response_.results_size())) {
      return absl::OutOfRangeError(
          absl::StrCat("iterator ", response_.id(), " has no more results"));
    }
    Result result;
    if (!result.ParseFromString(response_.results(static_cast<int>(next_)).resultbytes())) {
      return absl::DataLossError(absl::StrCat("result ", next_, " of iterator ", response_.id(),
                                              " is not a ", result.GetTypeName()));
    }
    ++next_;
    if (next_ == static_cast<size_t>(response_.results_size()) && response_.has_more()) {
      ::protos::QueryStateNext request;
      request.set_id(response_.id());
      auto reply = handler_.Call(ChaincodeMessage::QUERY_STATE_NEXT, request.SerializeAsString(),
                                 channel_id_, txid_);
      if (!reply.ok()) return reply.status();
      ::protos::QueryResponse next;
      if (!next.ParseFromString(*reply)) {
        return absl::DataLossError("the peer's QUERY_STATE_NEXT answer is not a QueryResponse");
      }
      response_ = std::move(next);
      next_ = 0;
    }
    return result;
  }

  [[nodiscard]] absl::Status Close() {
    ::protos::QueryStateClose request;
    request.set_id(response_.id());
    return handler_
        .Call(ChaincodeMessage::QUERY_STATE_CLOSE, request.SerializeAsString(), channel_id_, txid_)
        .status();
  }

 private:
  Handler& handler_;
  std::string channel_id_;
  std::string txid_;
  ::protos::QueryResponse response_;
  size_t next_ = 0;
};

class StateIterator final : public StateQueryIterator {
 public:
  explicit StateIterator(CommonIterator common) : common_(std::move(common)) {}
  bool HasNext() const override { return common_.HasNext(); }
  [[nodiscard]] absl::StatusOr<::queryresult::KV> Next() override {
    return common_.Next<::queryresult::KV>();
  }
  [[nodiscard]] absl::Status Close() override { return common_.Close(); }

 private:
  CommonIterator common_;
};

class HistoryIterator final : public HistoryQueryIterator {
 public:
  explicit HistoryIterator(CommonIterator common) : common_(std::move(common)) {}
  bool HasNext() const override { return common_.HasNext(); }
  [[nodiscard]] absl::StatusOr<::queryresult::KeyModification> Next() override {
    return common_.Next<::queryresult::KeyModification>();
  }
  [[nodiscard]] absl::Status Close() override { return common_.Close(); }

 private:
  CommonIterator common_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TransactionStub>> TransactionStub::New(
    Handler& handler, const ChaincodeMessage& message) {
  std::unique_ptr<TransactionStub> stub(new TransactionStub(handler));
  stub->txid_ = message.txid();
  stub->channel_id_ = message.channel_id();
  ::protos::ChaincodeInput input;
  if (!input.ParseFromString(message.payload())) {
    return absl::InvalidArgumentError("failed to unmarshal input: not a ChaincodeInput");
  }
  stub->args_.assign(input.args().begin(), input.args().end());
  stub->decorations_.insert(input.decorations().begin(), input.decorations().end());
  if (!message.has_proposal()) return stub;  // Fabric sends one on every invocation

  stub->signed_proposal_ = message.proposal();
  ::protos::Proposal proposal;
  if (!proposal.ParseFromString(message.proposal().proposal_bytes())) {
    return absl::InvalidArgumentError("failed to extract Proposal from SignedProposal");
  }
  if (proposal.header().empty()) {
    return absl::InvalidArgumentError("failed to extract Proposal fields: proposal header is nil");
  }
  ::common::Header header;
  if (!header.ParseFromString(proposal.header())) {
    return absl::InvalidArgumentError("failed to extract proposal header");
  }
  ::common::ChannelHeader channel_header;
  if (!channel_header.ParseFromString(header.channel_header())) {
    return absl::InvalidArgumentError("failed to extract channel header");
  }
  if (channel_header.type() != ::common::ENDORSER_TRANSACTION &&
      channel_header.type() != ::common::CONFIG) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid channel header type. Expected ENDORSER_TRANSACTION or CONFIG, received ",
        channel_header.type()));
  }
  ::common::SignatureHeader signature_header;
  if (!signature_header.ParseFromString(header.signature_header())) {
    return absl::InvalidArgumentError("failed to extract signature header");
  }
  stub->creator_ = signature_header.creator();
  ::protos::ChaincodeProposalPayload payload;
  if (!payload.ParseFromString(proposal.payload())) {
    return absl::InvalidArgumentError("failed to extract proposal payload");
  }
  stub->transient_.insert(payload.transientmap().begin(), payload.transientmap().end());
  stub->timestamp_ = channel_header.timestamp();
  // Binding = SHA-256(nonce || creator || epoch as uint64 little endian).
  std::string input_bytes = signature_header.nonce() + stub->creator_;
  uint64_t epoch = channel_header.epoch();
  for (int i = 0; i < 8; ++i) input_bytes.push_back(static_cast<char>((epoch >> (8 * i)) & 0xFF));
  stub->binding_ = Sha256(input_bytes);
  return stub;
}

std::pair<std::string, std::vector<std::string>> TransactionStub::GetFunctionAndParameters() const {
  if (args_.empty()) return {};
  return {args_.front(), std::vector<std::string>(args_.begin() + 1, args_.end())};
}

absl::StatusOr<std::string> TransactionStub::Call(ChaincodeMessage::Type type,
                                                  const google::protobuf::Message& request) {
  return handler_.Call(type, request.SerializeAsString(), channel_id_, txid_);
}

absl::StatusOr<std::string> TransactionStub::GetStateIn(std::string_view collection,
                                                        std::string_view key) {
  ::protos::GetState request;
  request.set_key(std::string(key));
  request.set_collection(std::string(collection));
  return Call(ChaincodeMessage::GET_STATE, request);
}

absl::StatusOr<std::string> TransactionStub::GetState(std::string_view key) {
  return GetStateIn("", key);
}

absl::StatusOr<std::vector<std::string>> TransactionStub::GetMultipleStates(
    const std::vector<std::string>& keys) {
  std::vector<std::string> values;
  values.reserve(keys.size());
  if (!handler_.use_get_multiple_keys()) {
    for (const std::string& key : keys) {
      auto value = GetState(key);
      if (!value.ok()) return value.status();
      values.push_back(std::move(*value));
    }
    return values;
  }
  const size_t batch = handler_.max_size_get_multiple_keys();
  for (size_t begin = 0; begin < keys.size(); begin += batch) {
    ::protos::GetStateMultiple request;
    for (size_t i = begin; i < keys.size() && i < begin + batch; ++i) request.add_keys(keys[i]);
    auto reply = Call(ChaincodeMessage::GET_STATE_MULTIPLE, request);
    if (!reply.ok()) return reply.status();
    ::protos::GetStateMultipleResult result;
    if (!result.ParseFromString(*reply) || result.values_size() != request.keys_size()) {
      return absl::DataLossError(absl::StrCat("the peer's GET_STATE_MULTIPLE answer for ",
                                              request.keys_size(),
                                              " keys is not a GetStateMultipleResult of as many"));
    }
    values.insert(values.end(), result.values().begin(), result.values().end());
  }
  return values;
}

absl::Status TransactionStub::PutStateIn(std::string_view collection, std::string_view key,
                                         std::string_view value) {
  if (key.empty()) return absl::InvalidArgumentError("key must not be an empty string");
  ::protos::PutState request;
  request.set_key(std::string(key));
  request.set_value(std::string(value));
  request.set_collection(std::string(collection));
  return Call(ChaincodeMessage::PUT_STATE, request).status();
}

absl::Status TransactionStub::PutState(std::string_view key, std::string_view value) {
  return PutStateIn("", key, value);
}

absl::Status TransactionStub::DelState(std::string_view key) {
  ::protos::DelState request;
  request.set_key(std::string(key));
  return Call(ChaincodeMessage::DEL_STATE, request).status();
}

absl::StatusOr<PagedQuery> TransactionStub::Range(std::string_view collection,
                                                  std::string_view start_key,
                                                  std::string_view end_key, std::string metadata) {
  ::protos::GetStateByRange request;
  request.set_startkey(std::string(start_key));
  request.set_endkey(std::string(end_key));
  request.set_collection(std::string(collection));
  request.set_metadata(std::move(metadata));
  auto reply = Call(ChaincodeMessage::GET_STATE_BY_RANGE, request);
  if (!reply.ok()) return reply.status();
  ::protos::QueryResponse response;
  if (!response.ParseFromString(*reply)) {
    return absl::DataLossError("the peer's GET_STATE_BY_RANGE answer is not a QueryResponse");
  }
  PagedQuery page;
  if (!page.metadata.ParseFromString(response.metadata())) {
    return absl::DataLossError("the peer's range metadata is not a QueryResponseMetadata");
  }
  page.iterator = std::make_unique<StateIterator>(
      CommonIterator(handler_, channel_id_, txid_, std::move(response)));
  return page;
}

absl::StatusOr<std::unique_ptr<StateQueryIterator>> TransactionStub::GetStateByRange(
    std::string_view start_key, std::string_view end_key) {
  if (start_key.empty()) start_key = kEmptyKeySubstitute;
  if (absl::Status status = ValidateSimpleKeys(start_key, end_key); !status.ok()) return status;
  auto page = Range("", start_key, end_key, "");
  if (!page.ok()) return page.status();
  return std::move(page->iterator);
}

absl::StatusOr<PagedQuery> TransactionStub::GetStateByRangeWithPagination(
    std::string_view start_key, std::string_view end_key, int32_t page_size,
    std::string_view bookmark) {
  if (start_key.empty()) start_key = kEmptyKeySubstitute;
  if (absl::Status status = ValidateSimpleKeys(start_key, end_key); !status.ok()) return status;
  return Range("", start_key, end_key, QueryMetadataBytes(page_size, bookmark));
}

absl::StatusOr<std::unique_ptr<StateQueryIterator>> TransactionStub::GetStateByPartialCompositeKey(
    std::string_view object_type, const std::vector<std::string>& attributes) {
  auto start = CreateCompositeKey(object_type, attributes);
  if (!start.ok()) return start.status();
  auto page = Range("", *start, absl::StrCat(*start, std::string(kMaxUnicodeRune)), "");
  if (!page.ok()) return page.status();
  return std::move(page->iterator);
}

absl::StatusOr<PagedQuery> TransactionStub::GetStateByPartialCompositeKeyWithPagination(
    std::string_view object_type, const std::vector<std::string>& attributes, int32_t page_size,
    std::string_view bookmark) {
  auto start = CreateCompositeKey(object_type, attributes);
  if (!start.ok()) return start.status();
  return Range("", *start, absl::StrCat(*start, std::string(kMaxUnicodeRune)),
               QueryMetadataBytes(page_size, bookmark));
}

absl::StatusOr<std::unique_ptr<StateQueryIterator>> TransactionStub::GetQueryResult(
    std::string_view query) {
  ::protos::GetQueryResult request;
  request.set_query(std::string(query));
  auto reply = Call(ChaincodeMessage::GET_QUERY_RESULT, request);
  if (!reply.ok()) return reply.status();
  ::protos::QueryResponse response;
  if (!response.ParseFromString(*reply)) {
    return absl::DataLossError("the peer's GET_QUERY_RESULT answer is not a QueryResponse");
  }
  return std::make_unique<StateIterator>(
      CommonIterator(handler_, channel_id_, txid_, std::move(response)));
}

absl::StatusOr<std::unique_ptr<HistoryQueryIterator>> TransactionStub::GetHistoryForKey(
    std::string_view key) {
  ::protos::GetHistoryForKey request;
  request.set_key(std::string(key));
  auto reply = Call(ChaincodeMessage::GET_HISTORY_FOR_KEY, request);
  if (!reply.ok()) return reply.status();
  ::protos::QueryResponse response;
  if (!response.ParseFromString(*reply)) {
    return absl::DataLossError("the peer's GET_HISTORY_FOR_KEY answer is not a QueryResponse");
  }
  return std::make_unique<HistoryIterator>(
      CommonIterator(handler_, channel_id_, txid_, std::move(response)));
}

absl::Status TransactionStub::SetStateValidationParameter(std::string_view key,
                                                          std::string_view policy) {
  ::protos::PutStateMetadata request;
  request.set_key(std::string(key));
  request.mutable_metadata()->set_metakey(
      ::protos::MetaDataKeys_Name(::protos::VALIDATION_PARAMETER));
  request.mutable_metadata()->set_value(std::string(policy));
  return Call(ChaincodeMessage::PUT_STATE_METADATA, request).status();
}

absl::StatusOr<std::string> TransactionStub::GetStateValidationParameter(std::string_view key) {
  ::protos::GetStateMetadata request;
  request.set_key(std::string(key));
  auto reply = Call(ChaincodeMessage::GET_STATE_METADATA, request);
  if (!reply.ok()) return reply.status();
  ::protos::StateMetadataResult result;
  if (!result.ParseFromString(*reply)) {
    return absl::DataLossError("could not unmarshal metadata response");
  }
  const std::string metakey = ::protos::MetaDataKeys_Name(::protos::VALIDATION_PARAMETER);
  std::string policy;
  for (const auto& entry : result.entries()) {
    if (entry.metakey() == metakey) policy = entry.value();  // the last one wins, as a Go map
  }
  return policy;
}

absl::StatusOr<std::string> TransactionStub::GetPrivateData(std::string_view collection,
                                                            std::string_view key) {
  if (absl::Status status = RequireCollection(collection); !status.ok()) return status;
  return GetStateIn(collection, key);
}

absl::StatusOr<std::string> TransactionStub::GetPrivateDataHash(std::string_view collection,
                                                                std::string_view key) {
  if (absl::Status status = RequireCollection(collection); !status.ok()) return status;
  ::protos::GetState request;
  request.set_key(std::string(key));
  request.set_collection(std::string(collection));
  return Call(ChaincodeMessage::GET_PRIVATE_DATA_HASH, request);
}

absl::Status TransactionStub::PutPrivateData(std::string_view collection, std::string_view key,
                                             std::string_view value) {
  if (absl::Status status = RequireCollection(collection); !status.ok()) return status;
  return PutStateIn(collection, key, value);
}

absl::Status TransactionStub::DelPrivateData(std::string_view collection, std::string_view key) {
  if (absl::Status status = RequireCollection(collection); !status.ok()) return status;
  ::protos::DelState request;
  request.set_key(std::string(key));
  request.set_collection(std::string(collection));
  return Call(ChaincodeMessage::DEL_STATE, request).status();
}

absl::Status TransactionStub::PurgePrivateData(std::string_view collection, std::string_view key) {
  if (absl::Status status = RequireCollection(collection); !status.ok()) return status;
  // Fabric's peer reads PURGE_PRIVATE_DATA as a DelState.
  ::protos::DelState request;
  request.set_key(std::string(key));
  request.set_collection(std::string(collection));
  return Call(ChaincodeMessage::PURGE_PRIVATE_DATA, request).status();
}

absl::StatusOr<std::unique_ptr<StateQueryIterator>> TransactionStub::GetPrivateDataByRange(
    std::string_view collection, std::string_view start_key, std::string_view end_key) {
  if (absl::Status status = RequireCollection(collection); !status.ok()) return status;
  if (start_key.empty()) start_key = kEmptyKeySubstitute;
  if (absl::Status status = ValidateSimpleKeys(start_key, end_key); !status.ok()) return status;
  auto page = Range(collection, start_key, end_key, "");
  if (!page.ok()) return page.status();
  return std::move(page->iterator);
}

absl::StatusOr<std::unique_ptr<StateQueryIterator>>
TransactionStub::GetPrivateDataByPartialCompositeKey(std::string_view collection,
                                                     std::string_view object_type,
                                                     const std::vector<std::string>& attributes) {
  if (absl::Status status = RequireCollection(collection); !status.ok()) return status;
  auto start = CreateCompositeKey(object_type, attributes);
  if (!start.ok()) return start.status();
  auto page = Range(collection, *start, absl::StrCat(*start, std::string(kMaxUnicodeRune)), "");
  if (!page.ok()) return page.status();
  return std::move(page->iterator);
}

::protos::Response TransactionStub::InvokeChaincode(std::string_view chaincode,
                                                    const std::vector<std::string>& args,
                                                    std::string_view channel) {
  ::protos::ChaincodeSpec spec;
  // The peer reads "<name>/<channel>" as a call on another channel.
  spec.mutable_chaincode_id()->set_name(
      channel.empty() ? std::string(chaincode)
                      : absl::StrCat(std::string(chaincode), "/", std::string(channel)));
  for (const std::string& arg : args) spec.mutable_input()->add_args(arg);
  auto reply = Call(ChaincodeMessage::INVOKE_CHAINCODE, spec);
  if (!reply.ok()) return Error(std::string(reply.status().message()));
  // The answer's payload is the callee's final message.
  ChaincodeMessage callee;
  if (!callee.ParseFromString(*reply)) {
    return Error("the peer's INVOKE_CHAINCODE answer is not a ChaincodeMessage");
  }
  if (callee.type() != ChaincodeMessage::COMPLETED) return Error(callee.payload());
  ::protos::Response response;
  if (!response.ParseFromString(callee.payload())) {
    return Error("the called chaincode's COMPLETED payload is not a Response");
  }
  return response;
}

absl::Status TransactionStub::SetEvent(std::string_view name, std::string_view payload) {
  if (name.empty()) return absl::InvalidArgumentError("event name can not be empty string");
  ::protos::ChaincodeEvent event;
  event.set_event_name(std::string(name));
  event.set_payload(std::string(payload));
  event_ = std::move(event);
  return absl::OkStatus();
}

}  // namespace weft::chaincode_sdk::shim
