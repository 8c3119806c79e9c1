// The chaincode's view of one transaction (Fabric's ChaincodeStubInterface): its
// arguments and proposal, and the state calls the shim turns into messages to the
// peer on the transaction's (channel, txid). Errors the peer answers with an ERROR
// message come back as a Status carrying the peer's text.
// Thread-safety: a stub and its iterators belong to the one thread running the
// transaction; they must not outlive the Init/Invoke call that received them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "chaincode-sdk/shim/composite_key.h"
#include "google/protobuf/timestamp.pb.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/chaincode_event.pb.h"
#include "peer/chaincode_shim.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::chaincode_sdk::shim {

// Results of a range, partial composite key or rich query. The peer sends them in
// batches; HasNext/Next fetch the next batch with QUERY_STATE_NEXT when needed.
class StateQueryIterator {
 public:
  virtual ~StateQueryIterator() = default;
  virtual bool HasNext() const = 0;
  // The next result; an error when there is none or the peer failed.
  [[nodiscard]] virtual absl::StatusOr<::queryresult::KV> Next() = 0;
  // Tells the peer to drop the iterator (QUERY_STATE_CLOSE).
  [[nodiscard]] virtual absl::Status Close() = 0;
};

// The modifications of one key, oldest first (GetHistoryForKey).
class HistoryQueryIterator {
 public:
  virtual ~HistoryQueryIterator() = default;
  virtual bool HasNext() const = 0;
  [[nodiscard]] virtual absl::StatusOr<::queryresult::KeyModification> Next() = 0;
  [[nodiscard]] virtual absl::Status Close() = 0;
};

// One page of a paginated query: the results and QueryResponseMetadata
// (fetched_records_count, bookmark of the next page; empty bookmark = last page).
struct PagedQuery {
  std::unique_ptr<StateQueryIterator> iterator;
  ::protos::QueryResponseMetadata metadata;
};

class ChaincodeStub {
 public:
  virtual ~ChaincodeStub() = default;

  // --- the invocation ---
  // ChaincodeInput.args; args[0] is the function name by convention.
  virtual const std::vector<std::string>& GetArgs() const = 0;
  std::vector<std::string> GetStringArgs() const { return GetArgs(); }
  // args[0] and the rest; an empty function when there are no arguments.
  virtual std::pair<std::string, std::vector<std::string>> GetFunctionAndParameters() const = 0;
  virtual const std::string& GetTxID() const = 0;
  virtual const std::string& GetChannelID() const = 0;
  // SignatureHeader.creator: bytes(msp.SerializedIdentity) of the proposal's creator.
  virtual const std::string& GetCreator() const = 0;
  // ChaincodeProposalPayload.TransientMap.
  virtual const std::map<std::string, std::string>& GetTransient() const = 0;
  // SHA-256(nonce || creator || epoch as 8 bytes little endian), raw bytes.
  virtual const std::string& GetBinding() const = 0;
  virtual const ::protos::SignedProposal& GetSignedProposal() const = 0;
  // ChannelHeader.timestamp of the proposal.
  virtual const google::protobuf::Timestamp& GetTxTimestamp() const = 0;
  // ChaincodeInput.decorations.
  virtual const std::map<std::string, std::string>& GetDecorations() const = 0;

  // --- public state ---
  // The value of `key`; empty when the key does not exist (not an error).
  [[nodiscard]] virtual absl::StatusOr<std::string> GetState(std::string_view key) = 0;
  // Values of `keys` in order (GET_STATE_MULTIPLE when the peer offers it in READY,
  // else one GET_STATE per key).
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::string>> GetMultipleStates(
      const std::vector<std::string>& keys) = 0;
  // Writes `value` (an empty value deletes, as Fabric's rwset records it).
  [[nodiscard]] virtual absl::Status PutState(std::string_view key, std::string_view value) = 0;
  [[nodiscard]] virtual absl::Status DelState(std::string_view key) = 0;

  // Keys in [start, end); an empty start means the first simple key ("\x01"), an
  // empty end means unbounded. Keys starting with U+0000 are refused (composite).
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<StateQueryIterator>> GetStateByRange(
      std::string_view start_key, std::string_view end_key) = 0;
  [[nodiscard]] virtual absl::StatusOr<PagedQuery> GetStateByRangeWithPagination(
      std::string_view start_key, std::string_view end_key, int32_t page_size,
      std::string_view bookmark) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<StateQueryIterator>>
  GetStateByPartialCompositeKey(std::string_view object_type,
                                const std::vector<std::string>& attributes) = 0;
  [[nodiscard]] virtual absl::StatusOr<PagedQuery> GetStateByPartialCompositeKeyWithPagination(
      std::string_view object_type, const std::vector<std::string>& attributes, int32_t page_size,
      std::string_view bookmark) = 0;
  // Rich query (CouchDB); a LevelDB peer answers that it is not supported.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<StateQueryIterator>> GetQueryResult(
      std::string_view query) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<HistoryQueryIterator>> GetHistoryForKey(
      std::string_view key) = 0;

  // Fabric's composite keys (composite_key.h) for this stub's convenience.
  [[nodiscard]] absl::StatusOr<std::string> CreateCompositeKey(
      std::string_view object_type, const std::vector<std::string>& attributes) const {
    return shim::CreateCompositeKey(object_type, attributes);
  }
  [[nodiscard]] absl::StatusOr<CompositeKeyParts> SplitCompositeKey(
      std::string_view composite_key) const {
    return shim::SplitCompositeKey(composite_key);
  }

  // Key-level endorsement: the key's VALIDATION_PARAMETER metadata, i.e. the
  // serialized SignaturePolicyEnvelope; empty when none is set.
  [[nodiscard]] virtual absl::Status SetStateValidationParameter(std::string_view key,
                                                                 std::string_view policy) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::string> GetStateValidationParameter(
      std::string_view key) = 0;

  // --- private data (collection must not be empty) ---
  [[nodiscard]] virtual absl::StatusOr<std::string> GetPrivateData(std::string_view collection,
                                                                   std::string_view key) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::string> GetPrivateDataHash(std::string_view collection,
                                                                       std::string_view key) = 0;
  [[nodiscard]] virtual absl::Status PutPrivateData(std::string_view collection,
                                                    std::string_view key,
                                                    std::string_view value) = 0;
  [[nodiscard]] virtual absl::Status DelPrivateData(std::string_view collection,
                                                    std::string_view key) = 0;
  [[nodiscard]] virtual absl::Status PurgePrivateData(std::string_view collection,
                                                      std::string_view key) = 0;
  // Ranges over a collection, as GetStateByRange / GetStateByPartialCompositeKey.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<StateQueryIterator>> GetPrivateDataByRange(
      std::string_view collection, std::string_view start_key, std::string_view end_key) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<StateQueryIterator>>
  GetPrivateDataByPartialCompositeKey(std::string_view collection, std::string_view object_type,
                                      const std::vector<std::string>& attributes) = 0;

  // --- other chaincodes and events ---
  // Calls `chaincode` (on `channel`, or this channel when empty) with `args`; the
  // callee's Response, or status 500 with the reason when the call failed.
  virtual ::protos::Response InvokeChaincode(std::string_view chaincode,
                                             const std::vector<std::string>& args,
                                             std::string_view channel = {}) = 0;
  // The event sent with the transaction's COMPLETED message (the last one set wins).
  [[nodiscard]] virtual absl::Status SetEvent(std::string_view name, std::string_view payload) = 0;
};

}  // namespace weft::chaincode_sdk::shim
