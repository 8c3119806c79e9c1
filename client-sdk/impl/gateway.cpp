#include "client-sdk/gateway.h"

#include <grpcpp/grpcpp.h>

#include <limits>
#include <mutex>

#include "client-sdk/peer_deliver_client.h"
#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "common/grpc/channel.h"
#include "common/grpc/status_mapping.h"
#include "fmt/format.h"
#include "gateway/gateway.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "peer/events.grpc.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::client {

namespace {

// The absl::Status payload under which a GatewayError travels: a google.rpc.Status
// whose code is the Kind, message the transaction ID, details the ErrorDetails, and
// for kCommit one more Any holding the CommitStatusResponse.
constexpr char kPayloadUrl[] = "weft.client/GatewayError";
constexpr std::string_view kDetailUrl = "type.googleapis.com/gateway.ErrorDetail";
constexpr std::string_view kCommitUrl = "type.googleapis.com/gateway.CommitStatusResponse";

std::string DescribeDetails(const std::vector<ErrorDetail>& details) {
  std::vector<std::string> parts;
  parts.reserve(details.size());
  for (const auto& detail : details) {
    parts.push_back(fmt::format("{} {}: {}", detail.address, detail.msp_id, detail.message));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::chrono::system_clock::time_point Deadline(std::chrono::milliseconds timeout) {
  return std::chrono::system_clock::now() + timeout;
}

}  // namespace

std::optional<GatewayError> GetGatewayError(const Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload) return std::nullopt;
  ::google::rpc::Status encoded;
  if (!encoded.ParseFromString(std::string(*payload))) return std::nullopt;
  GatewayError error;
  error.kind = static_cast<GatewayError::Kind>(encoded.code());
  error.transaction_id = encoded.message();
  for (const auto& any : encoded.details()) {
    if (any.type_url() == kCommitUrl) {
      ::gateway::CommitStatusResponse commit;
      if (commit.ParseFromString(any.value())) {
        error.validation_code = commit.result();
        error.block_number = commit.block_number();
      }
      continue;
    }
    ::gateway::ErrorDetail detail;
    if (!detail.ParseFromString(any.value())) continue;
    error.details.push_back({detail.address(), detail.msp_id(), detail.message()});
  }
  return error;
}

[[nodiscard]] StatusOr<std::vector<ErrorDetail>> ParseErrorDetails(
    std::string_view status_details) {
  std::vector<ErrorDetail> details;
  if (status_details.empty()) return details;
  ::google::rpc::Status rich;
  if (!rich.ParseFromString(std::string(status_details))) {
    return absl::InvalidArgumentError("malformed grpc-status-details-bin (google.rpc.Status)");
  }
  // Every entry is read as gateway.ErrorDetail, whatever its type_url, as
  // fabric-gateway's clients do (fabric-interop.md C.4).
  for (const auto& any : rich.details()) {
    ::gateway::ErrorDetail detail;
    if (!detail.ParseFromString(any.value())) {
      return absl::InvalidArgumentError(
          fmt::format("malformed gateway.ErrorDetail of type {}", any.type_url()));
    }
    details.push_back({detail.address(), detail.msp_id(), detail.message()});
  }
  return details;
}

[[nodiscard]] Status MakeGatewayStatus(absl::StatusCode code, std::string_view message,
                                       const GatewayError& error) {
  std::string text(message);
  if (!error.details.empty()) text += fmt::format(" ({})", DescribeDetails(error.details));
  auto status = Status(code, text);
  ::google::rpc::Status encoded;
  encoded.set_code(static_cast<int32_t>(error.kind));
  encoded.set_message(error.transaction_id);
  for (const auto& detail : error.details) {
    ::gateway::ErrorDetail proto;
    proto.set_address(detail.address);
    proto.set_msp_id(detail.msp_id);
    proto.set_message(detail.message);
    auto* any = encoded.add_details();
    any->set_type_url(std::string(kDetailUrl));
    any->set_value(proto.SerializeAsString());
  }
  if (error.kind == GatewayError::Kind::kCommit) {
    ::gateway::CommitStatusResponse commit;
    commit.set_result(error.validation_code);
    commit.set_block_number(error.block_number);
    auto* any = encoded.add_details();
    any->set_type_url(std::string(kCommitUrl));
    any->set_value(commit.SerializeAsString());
  }
  status.SetPayload(kPayloadUrl, absl::Cord(encoded.SerializeAsString()));
  return status;
}

class GatewayConnection {
 public:
  GatewayConnection(GatewayOptions options, msp::SigningIdentity identity,
                    std::shared_ptr<::grpc::Channel> channel, std::string tls_cert_hash)
      : options_(std::move(options)),
        identity_(std::move(identity)),
        channel_(std::move(channel)),
        tls_cert_hash_(std::move(tls_cert_hash)),
        gateway_(::gateway::Gateway::NewStub(channel_)),
        deliver_(::protos::Deliver::NewStub(channel_)) {}

  const GatewayOptions& options() const { return options_; }
  const msp::SigningIdentity& identity() const { return identity_; }
  const std::string& tls_cert_hash() const { return tls_cert_hash_; }
  ::gateway::Gateway::Stub& gateway() const { return *gateway_; }
  ::protos::Deliver::Stub& deliver() const { return *deliver_; }

  // A failed gRPC call as a Status of `kind`, the gateway's details attached.
  [[nodiscard]] Status CallError(const ::grpc::Status& grpc_status, GatewayError::Kind kind,
                                 std::string_view call, std::string transaction_id) const {
    GatewayError error;
    error.kind = kind;
    error.transaction_id = std::move(transaction_id);
    auto details = ParseErrorDetails(grpc_status.error_details());
    if (details.ok()) error.details = *std::move(details);
    const Status mapped = common::grpc::FromGrpcStatus(grpc_status);
    std::string message = fmt::format("gateway {}: {}", options_.endpoint, call);
    if (!error.transaction_id.empty()) message += fmt::format(" of {}", error.transaction_id);
    message += fmt::format(": {}", std::string(mapped.message()));
    return MakeGatewayStatus(mapped.code(), message, error);
  }

  // A signed request message ({request, signature} of CommitStatus / ChaincodeEvents).
  template <typename Signed, typename Request>
  [[nodiscard]] StatusOr<Signed> SignRequest(const Request& request) const {
    Signed signed_request;
    signed_request.set_request(request.SerializeAsString());
    auto signature = identity_.Sign(signed_request.request());
    if (!signature.ok()) return Annotate(signature.status(), "signing a gateway request");
    signed_request.set_signature(*std::move(signature));
    return signed_request;
  }

 private:
  GatewayOptions options_;
  msp::SigningIdentity identity_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::string tls_cert_hash_;
  std::unique_ptr<::gateway::Gateway::Stub> gateway_;
  std::unique_ptr<::protos::Deliver::Stub> deliver_;
};

// ---- Gateway / Network ----

StatusOr<std::unique_ptr<Gateway>> Gateway::Connect(const GatewayOptions& options,
                                                    msp::SigningIdentity identity) {
  if (options.endpoint.empty()) return absl::InvalidArgumentError("gateway endpoint is empty");
  auto channel = common::grpc::MakeChannel(options.endpoint, options.grpc);
  if (!channel.ok()) return Annotate(channel.status(), fmt::format("gateway {}", options.endpoint));
  auto tls_hash = ClientTlsCertHash(options.grpc.tls);
  if (!tls_hash.ok())
    return Annotate(tls_hash.status(), fmt::format("gateway {}", options.endpoint));
  auto connection = std::make_shared<const GatewayConnection>(
      options, std::move(identity), *std::move(channel), *std::move(tls_hash));
  return std::unique_ptr<Gateway>(new Gateway(std::move(connection)));
}

StatusOr<std::unique_ptr<Gateway>> Gateway::Connect(const GatewayOptions& options,
                                                    const std::filesystem::path& msp_dir,
                                                    std::string msp_id) {
  auto identity = LoadSigner(msp_dir, std::move(msp_id));
  if (!identity.ok()) return identity.status();
  return Connect(options, *std::move(identity));
}

Gateway::Gateway(std::shared_ptr<const GatewayConnection> connection)
    : connection_(std::move(connection)) {}
Gateway::~Gateway() = default;

Network Gateway::GetNetwork(std::string channel_id) const {
  return Network(connection_, std::move(channel_id));
}

const msp::SigningIdentity& Gateway::identity() const { return connection_->identity(); }

Network::Network(std::shared_ptr<const GatewayConnection> connection, std::string channel_id)
    : connection_(std::move(connection)), channel_id_(std::move(channel_id)) {}

Contract Network::GetContract(std::string chaincode_name, std::string contract_name) const {
  return Contract(connection_, channel_id_, std::move(chaincode_name), std::move(contract_name));
}

// ---- Contract ----

Contract::Contract(std::shared_ptr<const GatewayConnection> connection, std::string channel_id,
                   std::string chaincode_name, std::string contract_name)
    : connection_(std::move(connection)),
      channel_id_(std::move(channel_id)),
      chaincode_name_(std::move(chaincode_name)),
      contract_name_(std::move(contract_name)) {}

// fabric-gateway's contract.go: a named contract's functions are "<contract>:<function>".
std::string Contract::QualifiedName(std::string_view function) const {
  if (contract_name_.empty()) return std::string(function);
  return fmt::format("{}:{}", contract_name_, function);
}

namespace {

[[nodiscard]] StatusOr<SignedProposal> BuildProposal(const GatewayConnection& connection,
                                                     const std::string& channel_id,
                                                     const std::string& chaincode,
                                                     std::string function,
                                                     const ProposalOptions& options) {
  ProposalRequest request;
  request.channel_id = channel_id;
  request.chaincode_name = chaincode;
  request.function = std::move(function);
  request.args = options.args;
  request.transient = options.transient;
  request.tls_cert_hash = connection.tls_cert_hash();
  return CreateSignedProposal(request, connection.identity());
}

// The chaincode result in a prepared transaction, where fabric-gateway reads it
// (transaction.go / fabric-interop.md C.3 step 2): the response of the first
// action that has one.
[[nodiscard]] StatusOr<std::string> TransactionResult(const ::common::Envelope& envelope) {
  ::common::Payload payload;
  ::protos::Transaction transaction;
  if (!payload.ParseFromString(envelope.payload()) ||
      !transaction.ParseFromString(payload.data())) {
    return absl::InternalError("prepared transaction is not a transaction envelope");
  }
  for (const auto& action : transaction.actions()) {
    ::protos::ChaincodeActionPayload action_payload;
    ::protos::ProposalResponsePayload response_payload;
    ::protos::ChaincodeAction chaincode_action;
    if (!action_payload.ParseFromString(action.payload()) || !action_payload.has_action() ||
        !response_payload.ParseFromString(action_payload.action().proposal_response_payload()) ||
        !chaincode_action.ParseFromString(response_payload.extension()) ||
        !chaincode_action.has_response()) {
      continue;
    }
    return chaincode_action.response().payload();
  }
  return absl::InternalError("no proposal response found in the prepared transaction");
}

}  // namespace

StatusOr<std::string> Contract::EvaluateTransaction(std::string_view function,
                                                    std::vector<std::string> args) const {
  ProposalOptions options;
  options.args = std::move(args);
  return Evaluate(function, options);
}

StatusOr<std::string> Contract::Evaluate(std::string_view function,
                                         const ProposalOptions& options) const {
  auto proposal =
      BuildProposal(*connection_, channel_id_, chaincode_name_, QualifiedName(function), options);
  if (!proposal.ok()) return proposal.status();
  ::gateway::EvaluateRequest request;
  request.set_transaction_id(proposal->tx_id);
  request.set_channel_id(channel_id_);
  *request.mutable_proposed_transaction() = proposal->signed_proposal;
  for (const auto& org : options.endorsing_organizations) request.add_target_organizations(org);
  ::grpc::ClientContext context;
  context.set_deadline(Deadline(connection_->options().timeouts.evaluate));
  ::gateway::EvaluateResponse response;
  const ::grpc::Status status = connection_->gateway().Evaluate(&context, request, &response);
  if (!status.ok()) {
    return connection_->CallError(status, GatewayError::Kind::kEvaluate, "Evaluate", "");
  }
  // Only the payload, whatever result.status (fabric-interop.md C.3).
  return response.result().payload();
}

StatusOr<std::string> Contract::SubmitTransaction(std::string_view function,
                                                  std::vector<std::string> args) const {
  ProposalOptions options;
  options.args = std::move(args);
  return Submit(function, options);
}

StatusOr<std::string> Contract::Submit(std::string_view function,
                                       const ProposalOptions& options) const {
  auto submitted = SubmitAsync(function, options);
  if (!submitted.ok()) return submitted.status();
  auto status = submitted->commit.Status();
  if (!status.ok()) return status.status();
  if (!status->successful()) {
    // fabric-gateway errors.go newCommitError.
    GatewayError error;
    error.kind = GatewayError::Kind::kCommit;
    error.transaction_id = status->transaction_id;
    error.validation_code = status->code;
    error.block_number = status->block_number;
    return MakeGatewayStatus(absl::StatusCode::kFailedPrecondition,
                             fmt::format("transaction {} failed to commit with status code {} ({})",
                                         status->transaction_id, static_cast<int>(status->code),
                                         ::protos::TxValidationCode_Name(status->code)),
                             error);
  }
  return std::move(submitted->result);
}

StatusOr<SubmittedTransaction> Contract::SubmitAsync(std::string_view function,
                                                     const ProposalOptions& options) const {
  auto proposal =
      BuildProposal(*connection_, channel_id_, chaincode_name_, QualifiedName(function), options);
  if (!proposal.ok()) return proposal.status();
  const std::string& tx_id = proposal->tx_id;

  ::gateway::EndorseRequest endorse;
  endorse.set_transaction_id(tx_id);
  endorse.set_channel_id(channel_id_);
  *endorse.mutable_proposed_transaction() = proposal->signed_proposal;
  for (const auto& org : options.endorsing_organizations) endorse.add_endorsing_organizations(org);
  ::gateway::EndorseResponse endorsed;
  {
    ::grpc::ClientContext context;
    context.set_deadline(Deadline(connection_->options().timeouts.endorse));
    const ::grpc::Status status = connection_->gateway().Endorse(&context, endorse, &endorsed);
    if (!status.ok()) {
      return connection_->CallError(status, GatewayError::Kind::kEndorse, "Endorse", tx_id);
    }
  }
  if (!endorsed.has_prepared_transaction()) {
    return absl::InternalError(
        fmt::format("gateway {}: Endorse of {}: missing transaction envelope",
                    connection_->options().endpoint, tx_id));
  }
  auto result = TransactionResult(endorsed.prepared_transaction());
  if (!result.ok()) return Annotate(result.status(), fmt::format("Endorse of {}", tx_id));

  // The client signs the payload the gateway prepared, unchanged.
  ::gateway::SubmitRequest submit;
  submit.set_transaction_id(tx_id);
  submit.set_channel_id(channel_id_);
  *submit.mutable_prepared_transaction() = endorsed.prepared_transaction();
  auto signature = connection_->identity().Sign(submit.prepared_transaction().payload());
  if (!signature.ok()) return Annotate(signature.status(), fmt::format("signing {}", tx_id));
  submit.mutable_prepared_transaction()->set_signature(*std::move(signature));
  {
    ::grpc::ClientContext context;
    context.set_deadline(Deadline(connection_->options().timeouts.submit));
    ::gateway::SubmitResponse submitted;
    const ::grpc::Status status = connection_->gateway().Submit(&context, submit, &submitted);
    if (!status.ok()) {
      return connection_->CallError(status, GatewayError::Kind::kSubmit, "Submit", tx_id);
    }
  }
  return SubmittedTransaction{*std::move(result), Commit(connection_, channel_id_, tx_id)};
}

// ---- Commit ----

Commit::Commit(std::shared_ptr<const GatewayConnection> connection, std::string channel_id,
               std::string transaction_id)
    : connection_(std::move(connection)),
      channel_id_(std::move(channel_id)),
      transaction_id_(std::move(transaction_id)) {}

StatusOr<CommitStatus> Commit::Status() const {
  ::gateway::CommitStatusRequest request;
  request.set_transaction_id(transaction_id_);
  request.set_channel_id(channel_id_);
  request.set_identity(connection_->identity().SerializedIdentity());
  auto signed_request = connection_->SignRequest<::gateway::SignedCommitStatusRequest>(request);
  if (!signed_request.ok()) return signed_request.status();
  ::grpc::ClientContext context;
  context.set_deadline(Deadline(connection_->options().timeouts.commit_status));
  ::gateway::CommitStatusResponse response;
  const ::grpc::Status status =
      connection_->gateway().CommitStatus(&context, *signed_request, &response);
  if (!status.ok()) {
    return connection_->CallError(status, GatewayError::Kind::kCommitStatus, "CommitStatus",
                                  transaction_id_);
  }
  return CommitStatus{transaction_id_, response.result(), response.block_number()};
}

// ---- Chaincode events ----

struct ChaincodeEventStream::Call {
  std::shared_ptr<const GatewayConnection> connection;
  ::grpc::ClientContext context;
  std::unique_ptr<::grpc::ClientReader<::gateway::ChaincodeEventsResponse>> reader;
  std::mutex mutex;
  bool closed = false;  // guarded by mutex
  bool finished = false;
};

ChaincodeEventStream::ChaincodeEventStream(std::unique_ptr<Call> call) : call_(std::move(call)) {}

ChaincodeEventStream::~ChaincodeEventStream() {
  Close();
  if (!call_->finished) (void)call_->reader->Finish();
}

void ChaincodeEventStream::Close() {
  std::lock_guard lock(call_->mutex);
  call_->closed = true;
  call_->context.TryCancel();
}

StatusOr<std::optional<ChaincodeEvent>> ChaincodeEventStream::Next() {
  {
    // Closed: the events still buffered from the last response are dropped too.
    std::lock_guard lock(call_->mutex);
    if (call_->closed) next_pending_ = pending_.size();
  }
  while (next_pending_ >= pending_.size()) {
    if (call_->finished) return std::optional<ChaincodeEvent>();
    ::gateway::ChaincodeEventsResponse response;
    if (!call_->reader->Read(&response)) {
      call_->finished = true;
      const ::grpc::Status status = call_->reader->Finish();
      std::lock_guard lock(call_->mutex);
      if (call_->closed) return std::optional<ChaincodeEvent>();
      if (status.ok()) return std::optional<ChaincodeEvent>();
      return call_->connection->CallError(status, GatewayError::Kind::kEvents, "ChaincodeEvents",
                                          "");
    }
    pending_.clear();
    next_pending_ = 0;
    for (const auto& event : response.events()) {
      pending_.push_back({response.block_number(), event.tx_id(), event.chaincode_id(),
                          event.event_name(), event.payload()});
    }
  }
  return std::optional<ChaincodeEvent>(std::move(pending_[next_pending_++]));
}

StatusOr<std::unique_ptr<ChaincodeEventStream>> Network::ChaincodeEvents(
    std::string chaincode_name, const ChaincodeEventsOptions& options) const {
  if (chaincode_name.empty()) return absl::InvalidArgumentError("chaincode name is empty");
  if (!options.after_transaction_id.empty() && !options.start_block) {
    return absl::InvalidArgumentError(fmt::format(
        "checkpoint transaction {} given without its block", options.after_transaction_id));
  }
  ::gateway::ChaincodeEventsRequest request;
  request.set_channel_id(channel_id_);
  request.set_chaincode_id(std::move(chaincode_name));
  request.set_identity(connection_->identity().SerializedIdentity());
  // fabric-gateway: specified{start} when a start block or checkpoint is given,
  // else next_commit; after_transaction_id only from a checkpoint.
  if (options.start_block) {
    request.mutable_start_position()->mutable_specified()->set_number(*options.start_block);
  } else {
    request.mutable_start_position()->mutable_next_commit();
  }
  request.set_after_transaction_id(options.after_transaction_id);
  auto signed_request = connection_->SignRequest<::gateway::SignedChaincodeEventsRequest>(request);
  if (!signed_request.ok()) return signed_request.status();
  auto call = std::make_unique<ChaincodeEventStream::Call>();
  call->connection = connection_;
  call->reader = connection_->gateway().ChaincodeEvents(&call->context, *signed_request);
  return std::unique_ptr<ChaincodeEventStream>(new ChaincodeEventStream(std::move(call)));
}

// ---- Block events ----

template <typename BlockT>
struct BlockEventStream<BlockT>::Call {
  ::grpc::ClientContext context;
  std::unique_ptr<::grpc::ClientReaderWriter<::common::Envelope, ::protos::DeliverResponse>> stream;
  std::string endpoint;
  std::mutex mutex;
  bool closed = false;  // guarded by mutex
  bool finished = false;
};

template <typename BlockT>
BlockEventStream<BlockT>::BlockEventStream(std::unique_ptr<Call> call) : call_(std::move(call)) {}

template <typename BlockT>
BlockEventStream<BlockT>::~BlockEventStream() {
  Close();
  if (!call_->finished) (void)call_->stream->Finish();
}

template <typename BlockT>
void BlockEventStream<BlockT>::Close() {
  std::lock_guard lock(call_->mutex);
  call_->closed = true;
  call_->context.TryCancel();
}

template <typename BlockT>
StatusOr<std::optional<BlockT>> BlockEventStream<BlockT>::Next() {
  constexpr bool kFiltered = std::is_same_v<BlockT, ::protos::FilteredBlock>;
  constexpr bool kPrivateData = std::is_same_v<BlockT, ::protos::BlockAndPrivateData>;
  if (call_->finished) return std::optional<BlockT>();
  ::protos::DeliverResponse response;
  auto closed = [this] {
    std::lock_guard lock(call_->mutex);
    return call_->closed;
  };
  if (!call_->stream->Read(&response)) {
    call_->finished = true;
    const ::grpc::Status status = call_->stream->Finish();
    if (closed() || status.ok()) return std::optional<BlockT>();
    return Annotate(common::grpc::FromGrpcStatus(status),
                    fmt::format("deliver from {}", call_->endpoint));
  }
  if constexpr (kFiltered) {
    if (response.has_filtered_block()) return std::optional<BlockT>(response.filtered_block());
  } else if constexpr (kPrivateData) {
    if (response.has_block_and_private_data()) {
      return std::optional<BlockT>(response.block_and_private_data());
    }
  } else {
    if (response.has_block()) return std::optional<BlockT>(response.block());
  }
  // A final status (the stop block is never reached, so this is a refusal) or a
  // response of the other kind ends the stream.
  call_->context.TryCancel();
  call_->finished = true;
  (void)call_->stream->Finish();
  if (response.has_status()) {
    if (closed()) return std::optional<BlockT>();
    return absl::FailedPreconditionError(fmt::format("deliver from {}: status {}", call_->endpoint,
                                                     ::common::Status_Name(response.status())));
  }
  return absl::InternalError(
      fmt::format("deliver from {}: unexpected response of another kind", call_->endpoint));
}

template class BlockEventStream<::common::Block>;
template class BlockEventStream<::protos::FilteredBlock>;
template class BlockEventStream<::protos::BlockAndPrivateData>;

namespace {

// SeekInfo of fabric-gateway's block event builders: from a block or the next
// commit, to the largest block number (2^53 - 1 in the JS client; any never-reached
// number works), blocking until ready.
[[nodiscard]] StatusOr<::common::Envelope> BlockSeek(const GatewayConnection& connection,
                                                     const std::string& channel_id,
                                                     std::optional<uint64_t> start_block) {
  ::orderer::SeekInfo seek;
  if (start_block) {
    seek.mutable_start()->mutable_specified()->set_number(*start_block);
  } else {
    seek.mutable_start()->mutable_next_commit();
  }
  seek.mutable_stop()->mutable_specified()->set_number(std::numeric_limits<uint64_t>::max());
  seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
  return CreateSeekEnvelope(channel_id, seek, connection.identity(), connection.tls_cert_hash());
}

template <typename BlockT>
[[nodiscard]] StatusOr<std::unique_ptr<typename BlockEventStream<BlockT>::Call>> OpenDeliver(
    const GatewayConnection& connection, const std::string& channel_id,
    std::optional<uint64_t> start_block) {
  auto seek = BlockSeek(connection, channel_id, start_block);
  if (!seek.ok()) return seek.status();
  auto call = std::make_unique<typename BlockEventStream<BlockT>::Call>();
  call->endpoint = connection.options().endpoint;
  if constexpr (std::is_same_v<BlockT, ::protos::FilteredBlock>) {
    call->stream = connection.deliver().DeliverFiltered(&call->context);
  } else if constexpr (std::is_same_v<BlockT, ::protos::BlockAndPrivateData>) {
    call->stream = connection.deliver().DeliverWithPrivateData(&call->context);
  } else {
    call->stream = connection.deliver().Deliver(&call->context);
  }
  // A failed write shows up as the stream's status on the first Next().
  if (call->stream->Write(*seek)) (void)call->stream->WritesDone();
  return call;
}

}  // namespace

StatusOr<std::unique_ptr<BlockStream>> Network::BlockEvents(
    std::optional<uint64_t> start_block) const {
  auto call = OpenDeliver<::common::Block>(*connection_, channel_id_, start_block);
  if (!call.ok()) return call.status();
  return std::unique_ptr<BlockStream>(new BlockStream(*std::move(call)));
}

StatusOr<std::unique_ptr<FilteredBlockStream>> Network::FilteredBlockEvents(
    std::optional<uint64_t> start_block) const {
  auto call = OpenDeliver<::protos::FilteredBlock>(*connection_, channel_id_, start_block);
  if (!call.ok()) return call.status();
  return std::unique_ptr<FilteredBlockStream>(new FilteredBlockStream(*std::move(call)));
}

StatusOr<std::unique_ptr<BlockAndPrivateDataStream>> Network::BlockAndPrivateDataEvents(
    std::optional<uint64_t> start_block) const {
  auto call = OpenDeliver<::protos::BlockAndPrivateData>(*connection_, channel_id_, start_block);
  if (!call.ok()) return call.status();
  return std::unique_ptr<BlockAndPrivateDataStream>(
      new BlockAndPrivateDataStream(*std::move(call)));
}

}  // namespace weft::client
