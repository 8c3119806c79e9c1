// The ChaincodeStub of one INIT/TRANSACTION message, backed by a Handler.
// Thread-safety: owned by the transaction's thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "chaincode-sdk/shim/impl/handler.h"
#include "chaincode-sdk/shim/stub.h"
#include "peer/chaincode.pb.h"

namespace weft::chaincode_sdk::shim {

class TransactionStub final : public ChaincodeStub {
 public:
  // Decodes the invocation as Fabric's Go shim newChaincodeStub does: the
  // ChaincodeInput of `message.payload` and, when `message.proposal` is set, the
  // proposal's header (ENDORSER_TRANSACTION or CONFIG), creator, transient map,
  // timestamp and binding. An error names the layer that failed to decode.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TransactionStub>> New(
      Handler& handler, const ::protos::ChaincodeMessage& message);

  // The event SetEvent left, if any.
  const std::optional<::protos::ChaincodeEvent>& event() const { return event_; }

  const std::vector<std::string>& GetArgs() const override { return args_; }
  std::pair<std::string, std::vector<std::string>> GetFunctionAndParameters() const override;
  const std::string& GetTxID() const override { return txid_; }
  const std::string& GetChannelID() const override { return channel_id_; }
  const std::string& GetCreator() const override { return creator_; }
  const std::map<std::string, std::string>& GetTransient() const override { return transient_; }
  const std::string& GetBinding() const override { return binding_; }
  const ::protos::SignedProposal& GetSignedProposal() const override { return signed_proposal_; }
  const google::protobuf::Timestamp& GetTxTimestamp() const override { return timestamp_; }
  const std::map<std::string, std::string>& GetDecorations() const override { return decorations_; }

  [[nodiscard]] absl::StatusOr<std::string> GetState(std::string_view key) override;
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> GetMultipleStates(
      const std::vector<std::string>& keys) override;
  [[nodiscard]] absl::Status PutState(std::string_view key, std::string_view value) override;
  [[nodiscard]] absl::Status DelState(std::string_view key) override;
  [[nodiscard]] absl::StatusOr<std::unique_ptr<StateQueryIterator>> GetStateByRange(
      std::string_view start_key, std::string_view end_key) override;
  [[nodiscard]] absl::StatusOr<PagedQuery> GetStateByRangeWithPagination(
      std::string_view start_key, std::string_view end_key, int32_t page_size,
      std::string_view bookmark) override;
  [[nodiscard]] absl::StatusOr<std::unique_ptr<StateQueryIterator>> GetStateByPartialCompositeKey(
      std::string_view object_type, const std::vector<std::string>& attributes) override;
  [[nodiscard]] absl::StatusOr<PagedQuery> GetStateByPartialCompositeKeyWithPagination(
      std::string_view object_type, const std::vector<std::string>& attributes, int32_t page_size,
      std::string_view bookmark) override;
  [[nodiscard]] absl::StatusOr<std::unique_ptr<StateQueryIterator>> GetQueryResult(
      std::string_view query) override;
  [[nodiscard]] absl::StatusOr<std::unique_ptr<HistoryQueryIterator>> GetHistoryForKey(
      std::string_view key) override;
  [[nodiscard]] absl::Status SetStateValidationParameter(std::string_view key,
                                                         std::string_view policy) override;
  [[nodiscard]] absl::StatusOr<std::string> GetStateValidationParameter(
      std::string_view key) override;
  [[nodiscard]] absl::StatusOr<std::string> GetPrivateData(std::string_view collection,
                                                           std::string_view key) override;
  [[nodiscard]] absl::StatusOr<std::string> GetPrivateDataHash(std::string_view collection,
                                                               std::string_view key) override;
  [[nodiscard]] absl::Status PutPrivateData(std::string_view collection, std::string_view key,
                                            std::string_view value) override;
  [[nodiscard]] absl::Status DelPrivateData(std::string_view collection,
                                            std::string_view key) override;
  [[nodiscard]] absl::Status PurgePrivateData(std::string_view collection,
                                              std::string_view key) override;
  [[nodiscard]] absl::StatusOr<std::unique_ptr<StateQueryIterator>> GetPrivateDataByRange(
      std::string_view collection, std::string_view start_key, std::string_view end_key) override;
  [[nodiscard]] absl::StatusOr<std::unique_ptr<StateQueryIterator>>
  GetPrivateDataByPartialCompositeKey(std::string_view collection, std::string_view object_type,
                                      const std::vector<std::string>& attributes) override;
  ::protos::Response InvokeChaincode(std::string_view chaincode,
                                     const std::vector<std::string>& args,
                                     std::string_view channel) override;
  [[nodiscard]] absl::Status SetEvent(std::string_view name, std::string_view payload) override;

 private:
  explicit TransactionStub(Handler& handler) : handler_(handler) {}

  [[nodiscard]] absl::StatusOr<std::string> Call(::protos::ChaincodeMessage::Type type,
                                                 const google::protobuf::Message& request);
  [[nodiscard]] absl::StatusOr<std::string> GetStateIn(std::string_view collection,
                                                       std::string_view key);
  [[nodiscard]] absl::Status PutStateIn(std::string_view collection, std::string_view key,
                                        std::string_view value);
  [[nodiscard]] absl::StatusOr<PagedQuery> Range(std::string_view collection,
                                                 std::string_view start_key,
                                                 std::string_view end_key, std::string metadata);

  Handler& handler_;
  std::string txid_;
  std::string channel_id_;
  std::vector<std::string> args_;
  std::map<std::string, std::string> decorations_;
  ::protos::SignedProposal signed_proposal_;
  std::string creator_;
  std::map<std::string, std::string> transient_;
  std::string binding_;
  google::protobuf::Timestamp timestamp_;
  std::optional<::protos::ChaincodeEvent> event_;
};

// SHA-256 of `data`, raw 32 bytes (for the proposal binding; the SDK links no
// crypto library of its own).
std::string Sha256(std::string_view data);

}  // namespace weft::chaincode_sdk::shim
