// A contract API in the manner of fabric-contract-api: contracts with names,
// holding named transaction functions with named parameters; JSON in and out
// (nlohmann-json). ContractChaincode dispatches args[0] = "Contract:Function" (or
// a plain "Function" to the default contract) as fabric-shim's
// ChaincodeFromContract does, and answers `org.hyperledger.fabric:GetMetadata`
// with the contract metadata in fabric-contract-api's schema.
// Thread-safety: Contract is built on one thread, then read-only; ContractChaincode
// is thread-safe once constructed (functions must be thread-safe themselves).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "chaincode-sdk/shim/chaincode.h"
#include "chaincode-sdk/shim/stub.h"

namespace weft::chaincode_sdk::contract {

using Json = nlohmann::json;

// What a transaction function sees of its invocation.
class Context {
 public:
  explicit Context(shim::ChaincodeStub& stub) : stub_(stub) {}
  shim::ChaincodeStub& stub() const { return stub_; }
  // The MSP ID of the proposal's creator (msp.SerializedIdentity.mspid). Both this and
  // ClientCertificatePem fail, as fabric-chaincode-go's cid and fabric-shim's
  // ClientIdentity do, when the creator is not a SerializedIdentity or its id_bytes
  // hold no PEM certificate.
  [[nodiscard]] absl::StatusOr<std::string> ClientMspId() const;
  // The creator's certificate, PEM (SerializedIdentity.id_bytes).
  [[nodiscard]] absl::StatusOr<std::string> ClientCertificatePem() const;

 private:
  shim::ChaincodeStub& stub_;
};

// A parameter and its JSON schema; the argument string is converted by the
// schema's "type" as fabric-contract-api's JSON serializer does: "string" as is,
// "number"/"integer" and "boolean" from their text, anything else parsed as JSON.
struct Parameter {
  std::string name;
  Json schema = Json{{"type", "string"}};
  std::string description;
};
Parameter StringParameter(std::string name);
Parameter NumberParameter(std::string name);
Parameter IntegerParameter(std::string name);

// A transaction function. Arguments arrive converted, one per declared parameter.
// The result becomes Response.payload: null -> empty, a string -> its text (not
// quoted), a number or boolean -> its text, objects and arrays -> compact JSON. An
// error status becomes Response{500, message}.
using TransactionFunction =
    std::function<absl::StatusOr<Json>(Context& ctx, const std::vector<Json>& args)>;

class Contract {
 public:
  explicit Contract(std::string name);

  // A transaction that changes state (metadata tag SUBMIT, submitTx).
  Contract& Submit(std::string name, std::vector<Parameter> parameters,
                   TransactionFunction function);
  // A query (metadata tag EVALUATE); `returns` is the result's schema, if declared.
  Contract& Evaluate(std::string name, std::vector<Parameter> parameters,
                     TransactionFunction function, Json returns = nullptr);
  // The contract's metadata info (title, version).
  Contract& Info(std::string title, std::string version);

  // Hooks, as fabric-contract-api's Contract methods: `before` runs after the
  // arguments are converted and before the function, `after` with its result; an
  // error from either fails the transaction with its message. `unknown` runs for a
  // function the contract does not have (default: the error "You've asked to
  // invoke a function that does not exist: <args[0]>"); when it succeeds the
  // response is 200 with an empty payload.
  using Hook = std::function<absl::Status(Context& ctx)>;
  using AfterHook = std::function<absl::Status(Context& ctx, const Json& result)>;
  Contract& BeforeTransaction(Hook before);
  Contract& AfterTransaction(AfterHook after);
  Contract& UnknownTransaction(Hook unknown);

  const std::string& name() const { return name_; }

 private:
  friend class ContractChaincode;
  struct Transaction {
    std::string name;
    std::vector<Parameter> parameters;
    TransactionFunction function;
    bool submit = true;
    Json returns;
  };
  Contract& Add(Transaction transaction);

  std::string name_;
  std::string title_;
  std::string version_;
  std::vector<Transaction> transactions_;
  Hook before_;
  AfterHook after_;
  Hook unknown_;
};

// fabric-contract-api's system contract, always present.
inline constexpr std::string_view kSystemContract = "org.hyperledger.fabric";

class ContractChaincode final : public shim::Chaincode {
 public:
  // `contracts` in order; the default contract is `default_contract`, or the first
  // one when empty. `title`/`version` fill the metadata's top-level info.
  explicit ContractChaincode(std::vector<Contract> contracts, std::string title = "",
                             std::string version = "", std::string default_contract = "");

  // INIT and TRANSACTION are dispatched alike, as fabric-contract-api does.
  ::protos::Response Init(shim::ChaincodeStub& stub) override { return Dispatch(stub); }
  ::protos::Response Invoke(shim::ChaincodeStub& stub) override { return Dispatch(stub); }

  // The metadata org.hyperledger.fabric:GetMetadata returns.
  const nlohmann::ordered_json& metadata() const { return metadata_; }

 private:
  ::protos::Response Dispatch(shim::ChaincodeStub& stub) const;

  std::map<std::string, Contract, std::less<>> contracts_;
  std::string default_contract_;
  nlohmann::ordered_json metadata_;
};

}  // namespace weft::chaincode_sdk::contract
