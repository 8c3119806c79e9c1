// The client API of a peer's Gateway service (gateway.Gateway), shaped as the
// fabric-gateway clients (pkg/client: Gateway, Network, Contract, Commit, events):
// a Gateway is one connection and one identity; Network is a channel; Contract a
// chaincode (and optional contract name, "contract:function"). Evaluate asks one
// peer; Submit endorses, signs the prepared envelope itself, submits it and waits
// for the commit status. Block events (full, filtered, or with private data) come
// from the same peer's protos.Deliver, as fabric-gateway's BlockEvents,
// FilteredBlockEvents and BlockAndPrivateDataEvents.
//
// Errors: absl::Status whose message carries the gateway's ErrorDetail entries
// ("<message> (<address> <msp id>: <detail>; ...)"); GetGatewayError(status)
// returns them as a struct with the kind of failure (fabric-gateway's
// EndorseError / SubmitError / CommitStatusError / CommitError) and transaction ID.
// Thread-safety: Gateway, Network and Contract are immutable after construction
// and may be shared across threads; a Commit or an event stream is used by one
// thread at a time, except that Close() may be called from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/settings/settings.h"
#include "common/status/status.h"
#include "gateway/gateway.pb.h"
#include "msp/signing_identity.h"
#include "peer/events.pb.h"
#include "peer/transaction.pb.h"

namespace weft::client {

// Deadlines of each call, as fabric-gateway applications usually set them
// (fabric-samples: evaluate 5s, endorse 15s, submit 5s, commit status 1m).
struct GatewayTimeouts {
  std::chrono::milliseconds evaluate{std::chrono::seconds(5)};
  std::chrono::milliseconds endorse{std::chrono::seconds(15)};
  std::chrono::milliseconds submit{std::chrono::seconds(5)};
  std::chrono::milliseconds commit_status{std::chrono::minutes(1)};
};

struct GatewayOptions {
  std::string endpoint;                       // the peer's "host:port"
  common::settings::GrpcClientSettings grpc;  // TLS / mutual TLS, keepalive
  GatewayTimeouts timeouts;
};

// One entry of the gateway's grpc-status-details-bin trailer (gateway.ErrorDetail).
struct ErrorDetail {
  std::string address;
  std::string msp_id;
  std::string message;
};

struct GatewayError {
  enum class Kind {
    kEvaluate,      // fabric-gateway's plain GatewayError of Evaluate
    kEndorse,       // EndorseError
    kSubmit,        // SubmitError
    kCommitStatus,  // CommitStatusError
    kCommit,        // CommitError: committed with a validation code other than VALID
    kEvents,        // a chaincode event stream failed (block streams give plain Status)
  };
  Kind kind = Kind::kEvaluate;
  std::string transaction_id;
  std::vector<ErrorDetail> details;
  // Only for kCommit.
  ::protos::TxValidationCode validation_code = ::protos::VALID;
  uint64_t block_number = 0;
};

// The GatewayError a failed call of this API carried, or nullopt for any other status.
std::optional<GatewayError> GetGatewayError(const Status& status);

// Decodes a grpc-status-details-bin value (google.rpc.Status) into its
// gateway.ErrorDetail entries; empty input gives none. Fails on malformed bytes.
[[nodiscard]] StatusOr<std::vector<ErrorDetail>> ParseErrorDetails(std::string_view status_details);

// The Status of a failure: `code`, "<message> (<address> <msp id>: <detail>; ...)"
// and `error` attached for GetGatewayError.
[[nodiscard]] Status MakeGatewayStatus(absl::StatusCode code, std::string_view message,
                                       const GatewayError& error);

// What a transaction invocation carries besides its function name.
struct ProposalOptions {
  std::vector<std::string> args;
  std::map<std::string, std::string> transient;
  // MSP IDs whose peers must endorse (Endorse's endorsing_organizations), or
  // the organisations to evaluate on (Evaluate's target_organizations).
  std::vector<std::string> endorsing_organizations;
};

struct CommitStatus {
  std::string transaction_id;
  ::protos::TxValidationCode code = ::protos::VALID;
  uint64_t block_number = 0;
  bool successful() const { return code == ::protos::VALID; }
};

class GatewayConnection;  // the shared gRPC channel, stubs and identity

// A submitted transaction whose commit status can be asked for (fabric-gateway's Commit).
class Commit {
 public:
  Commit(std::shared_ptr<const GatewayConnection> connection, std::string channel_id,
         std::string transaction_id);
  const std::string& transaction_id() const { return transaction_id_; }
  // Waits (up to the commit_status timeout) until the transaction is committed;
  // any validation code is a success here. Errors are kCommitStatus.
  [[nodiscard]] StatusOr<CommitStatus> Status() const;

 private:
  std::shared_ptr<const GatewayConnection> connection_;
  std::string channel_id_;
  std::string transaction_id_;
};

struct SubmittedTransaction {
  std::string result;  // the chaincode's response payload from the endorsement
  Commit commit;
};

// A chaincode event as fabric-gateway flattens it.
struct ChaincodeEvent {
  uint64_t block_number = 0;
  std::string transaction_id;
  std::string chaincode_name;
  std::string event_name;
  std::string payload;
};

// Where a chaincode event stream starts: from the next commit (neither set), a
// block, or a checkpoint (a block and the last transaction already processed in it).
struct ChaincodeEventsOptions {
  std::optional<uint64_t> start_block;
  std::string after_transaction_id;
};

// An endless server stream. Next() blocks for the next item; it returns nullopt
// once the stream was closed. Close() cancels the call (safe from any thread).
class ChaincodeEventStream {
 public:
  ~ChaincodeEventStream();
  [[nodiscard]] StatusOr<std::optional<ChaincodeEvent>> Next();
  void Close();

  struct Call;  // the gRPC call; defined in the implementation

 private:
  friend class Network;
  explicit ChaincodeEventStream(std::unique_ptr<Call> call);
  std::unique_ptr<Call> call_;
  std::vector<ChaincodeEvent> pending_;  // the rest of the last response's events
  size_t next_pending_ = 0;
};

// Blocks (or filtered blocks) from the peer's Deliver service, from a start
// block (or the next commit) on, until closed.
template <typename BlockT>
class BlockEventStream {
 public:
  ~BlockEventStream();
  [[nodiscard]] StatusOr<std::optional<BlockT>> Next();
  void Close();

  struct Call;  // the gRPC call; defined in the implementation

 private:
  friend class Network;
  explicit BlockEventStream(std::unique_ptr<Call> call);
  std::unique_ptr<Call> call_;
};
using BlockStream = BlockEventStream<::common::Block>;
using FilteredBlockStream = BlockEventStream<::protos::FilteredBlock>;
// Blocks with the private data the caller may read (Deliver.DeliverWithPrivateData).
using BlockAndPrivateDataStream = BlockEventStream<::protos::BlockAndPrivateData>;

class Contract {
 public:
  const std::string& chaincode_name() const { return chaincode_name_; }
  const std::string& contract_name() const { return contract_name_; }

  // The payload of one peer's response; nothing is ordered. Errors are kEvaluate.
  [[nodiscard]] StatusOr<std::string> EvaluateTransaction(std::string_view function,
                                                          std::vector<std::string> args = {}) const;
  [[nodiscard]] StatusOr<std::string> Evaluate(std::string_view function,
                                               const ProposalOptions& options) const;

  // Endorse, sign, submit and wait for the commit; fails with kCommit (code
  // FailedPrecondition) when the transaction commits with a code other than VALID.
  [[nodiscard]] StatusOr<std::string> SubmitTransaction(std::string_view function,
                                                        std::vector<std::string> args = {}) const;
  [[nodiscard]] StatusOr<std::string> Submit(std::string_view function,
                                             const ProposalOptions& options) const;
  // Endorse, sign and submit; the commit is left to the caller.
  [[nodiscard]] StatusOr<SubmittedTransaction> SubmitAsync(std::string_view function,
                                                           const ProposalOptions& options) const;

 private:
  friend class Network;
  Contract(std::shared_ptr<const GatewayConnection> connection, std::string channel_id,
           std::string chaincode_name, std::string contract_name);
  std::string QualifiedName(std::string_view function) const;
  std::shared_ptr<const GatewayConnection> connection_;
  std::string channel_id_;
  std::string chaincode_name_;
  std::string contract_name_;
};

class Network {
 public:
  const std::string& name() const { return channel_id_; }
  Contract GetContract(std::string chaincode_name, std::string contract_name = "") const;

  [[nodiscard]] StatusOr<std::unique_ptr<ChaincodeEventStream>> ChaincodeEvents(
      std::string chaincode_name, const ChaincodeEventsOptions& options = {}) const;
  // `start_block` nullopt: from the next block committed.
  [[nodiscard]] StatusOr<std::unique_ptr<BlockStream>> BlockEvents(
      std::optional<uint64_t> start_block = std::nullopt) const;
  [[nodiscard]] StatusOr<std::unique_ptr<FilteredBlockStream>> FilteredBlockEvents(
      std::optional<uint64_t> start_block = std::nullopt) const;
  [[nodiscard]] StatusOr<std::unique_ptr<BlockAndPrivateDataStream>> BlockAndPrivateDataEvents(
      std::optional<uint64_t> start_block = std::nullopt) const;

 private:
  friend class Gateway;
  Network(std::shared_ptr<const GatewayConnection> connection, std::string channel_id);
  std::shared_ptr<const GatewayConnection> connection_;
  std::string channel_id_;
};

class Gateway {
 public:
  // Connects lazily (gRPC dials on first use); fails on bad TLS settings or an
  // empty endpoint. `identity` signs every request (LoadSigner of an MSP folder).
  [[nodiscard]] static StatusOr<std::unique_ptr<Gateway>> Connect(const GatewayOptions& options,
                                                                  msp::SigningIdentity identity);
  // The same with the signing identity of a user's MSP folder (LoadSigner).
  [[nodiscard]] static StatusOr<std::unique_ptr<Gateway>> Connect(
      const GatewayOptions& options, const std::filesystem::path& msp_dir, std::string msp_id);
  ~Gateway();
  Network GetNetwork(std::string channel_id) const;
  const msp::SigningIdentity& identity() const;

 private:
  explicit Gateway(std::shared_ptr<const GatewayConnection> connection);
  std::shared_ptr<const GatewayConnection> connection_;
};

}  // namespace weft::client
