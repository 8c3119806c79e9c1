#include "chaincode-sdk/contract/contract.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "msp/identities.pb.h"

namespace weft::chaincode_sdk::contract {
namespace {

// What fabric-contract-api's metadata names its schema.
constexpr std::string_view kSchemaUrl =
    "https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json";

// JavaScript has one number type: an integral double prints without a fraction
// (JSON.stringify(3.0) is "3"); nlohmann would print "3.0".
void NormalizeNumbers(Json& value) {
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9007199254740992.0 &&
        d < 9007199254740992.0) {
      value = static_cast<int64_t>(d);
    }
  } else if (value.is_structured()) {
    for (Json& element : value) NormalizeNumbers(element);
  }
}

// fabric-contract-api's JSONSerializer.fromBuffer, by the parameter's schema type.
[[nodiscard]] absl::StatusOr<Json> Convert(const Parameter& parameter, const std::string& text) {
  const std::string type = parameter.schema.value("type", "");
  if (type == "string") return Json(text);
  if (type == "number" || type == "integer") {
    Json number = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!number.is_number()) {
      return absl::InvalidArgumentError("fromBuffer could not convert data to number");
    }
    NormalizeNumbers(number);  // "5.0" arrives as 5, as Number("5.0") does
    if (type == "integer" && !number.is_number_integer()) {
      return absl::InvalidArgumentError(
          R"(Unable to validate parameter due to ["must be integer"])");
    }
    return number;
  }
  if (type == "boolean") {
    std::string lowered = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
    if (lowered == "true") return Json(true);
    if (lowered == "false") return Json(false);
    return absl::InvalidArgumentError("fromBuffer could not convert data to boolean");
  }
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat("parameter ", parameter.name, " is not valid JSON: ", text));
  }
  return value;
}

// fabric-contract-api's JSONSerializer.toBuffer.
std::string ToPayload(Json result) {
  if (result.is_null()) return "";
  if (result.is_string()) return result.get<std::string>();
  NormalizeNumbers(result);
  return result.dump();
}

nlohmann::ordered_json ParameterMetadata(const Parameter& parameter) {
  nlohmann::ordered_json entry;
  entry["name"] = parameter.name;
  entry["description"] = parameter.description;
  entry["schema"] = parameter.schema;
  return entry;
}

}  // namespace

namespace {

// The creator as fabric-chaincode-go's cid (ClientID.init) reads it: a
// SerializedIdentity whose id_bytes begin a PEM certificate (cid then parses the
// X.509 certificate; chaincode-sdk, limited to proto and gRPC, checks the PEM block).
[[nodiscard]] absl::StatusOr<::msp::SerializedIdentity> Creator(shim::ChaincodeStub& stub) {
  ::msp::SerializedIdentity identity;
  if (!identity.ParseFromString(stub.GetCreator())) {
    return absl::InvalidArgumentError(
        "failed to unmarshal transaction invoker's identity: the creator is not an "
        "msp.SerializedIdentity");
  }
  const std::string& pem = identity.id_bytes();
  const size_t begin = pem.find("-----BEGIN CERTIFICATE-----");
  if (begin == std::string::npos ||
      pem.find("-----END CERTIFICATE-----", begin) == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("Expecting a PEM-encoded X509 certificate; PEM block not found in the "
                     "identity of MSP '",
                     identity.mspid(), "'"));
  }
  return identity;
}

}  // namespace

absl::StatusOr<std::string> Context::ClientMspId() const {
  absl::StatusOr<::msp::SerializedIdentity> identity = Creator(stub_);
  if (!identity.ok()) return identity.status();
  return identity->mspid();
}

absl::StatusOr<std::string> Context::ClientCertificatePem() const {
  absl::StatusOr<::msp::SerializedIdentity> identity = Creator(stub_);
  if (!identity.ok()) return identity.status();
  return identity->id_bytes();
}

Parameter StringParameter(std::string name) {
  return Parameter{std::move(name), Json{{"type", "string"}}, ""};
}
Parameter NumberParameter(std::string name) {
  return Parameter{std::move(name), Json{{"type", "number"}}, ""};
}
Parameter IntegerParameter(std::string name) {
  return Parameter{std::move(name), Json{{"type", "integer"}}, ""};
}

Contract::Contract(std::string name) : name_(std::string(absl::StripAsciiWhitespace(name))) {}

Contract& Contract::Add(Transaction transaction) {
  transactions_.push_back(std::move(transaction));
  return *this;
}

Contract& Contract::Submit(std::string name, std::vector<Parameter> parameters,
                           TransactionFunction function) {
  return Add({std::move(name), std::move(parameters), std::move(function), true, nullptr});
}

Contract& Contract::Evaluate(std::string name, std::vector<Parameter> parameters,
                             TransactionFunction function, Json returns) {
  return Add(
      {std::move(name), std::move(parameters), std::move(function), false, std::move(returns)});
}

Contract& Contract::Info(std::string title, std::string version) {
  title_ = std::move(title);
  version_ = std::move(version);
  return *this;
}

Contract& Contract::BeforeTransaction(Hook before) {
  before_ = std::move(before);
  return *this;
}

Contract& Contract::AfterTransaction(AfterHook after) {
  after_ = std::move(after);
  return *this;
}

Contract& Contract::UnknownTransaction(Hook unknown) {
  unknown_ = std::move(unknown);
  return *this;
}

ContractChaincode::ContractChaincode(std::vector<Contract> contracts, std::string title,
                                     std::string version, std::string default_contract) {
  if (default_contract.empty() && !contracts.empty()) default_contract = contracts.front().name();
  default_contract_ = std::move(default_contract);

  // The shape fabric-shim's ChaincodeFromContract builds (_augmentMetadataFromCode).
  metadata_["$schema"] = kSchemaUrl;
  nlohmann::ordered_json& described = metadata_["contracts"];
  described = nlohmann::ordered_json::object();
  auto describe = [&](const std::string& name, const Contract* contract) {
    nlohmann::ordered_json entry;
    entry["name"] = name;
    entry["contractInstance"]["name"] = name;
    if (name == default_contract_) entry["contractInstance"]["default"] = true;
    nlohmann::ordered_json& transactions = entry["transactions"];
    transactions = nlohmann::ordered_json::array();
    if (contract == nullptr) {
      transactions.push_back({{"name", "GetMetadata"}});
    } else {
      for (const Contract::Transaction& transaction : contract->transactions_) {
        nlohmann::ordered_json tx;
        tx["tag"] = transaction.submit ? nlohmann::ordered_json{"SUBMIT", "submitTx"}
                                       : nlohmann::ordered_json{"EVALUATE"};
        tx["parameters"] = nlohmann::ordered_json::array();
        for (const Parameter& parameter : transaction.parameters) {
          tx["parameters"].push_back(ParameterMetadata(parameter));
        }
        if (!transaction.returns.is_null()) tx["returns"] = transaction.returns;
        tx["name"] = transaction.name;
        transactions.push_back(std::move(tx));
      }
    }
    entry["info"]["title"] = contract ? contract->title_ : "";
    entry["info"]["version"] = contract ? contract->version_ : "";
    described[name] = std::move(entry);
  };
  for (const Contract& contract : contracts) describe(contract.name(), &contract);
  describe(std::string(kSystemContract), nullptr);
  metadata_["info"]["version"] = version;
  metadata_["info"]["title"] = title;
  metadata_["components"]["schemas"] = nlohmann::ordered_json::object();

  for (Contract& contract : contracts) {
    std::string name = contract.name();
    contracts_.emplace(std::move(name), std::move(contract));
  }
}

::protos::Response ContractChaincode::Dispatch(shim::ChaincodeStub& stub) const {
  const std::vector<std::string>& args = stub.GetArgs();
  if (args.empty()) return shim::Success("Default initiator successful.");

  // "<contract>:<function>", split at the first ':'; no ':' or an empty contract
  // name selects the default contract (chaincodefromcontract.js _splitFunctionName).
  const std::string& qualified = args.front();
  std::string contract_name, function;
  if (size_t colon = qualified.find(':'); colon != std::string::npos) {
    contract_name = qualified.substr(0, colon);
    function = qualified.substr(colon + 1);
  } else {
    function = qualified;
  }
  if (absl::StripAsciiWhitespace(contract_name).empty()) contract_name = default_contract_;

  if (contract_name == kSystemContract) {
    if (function == "GetMetadata") return shim::Success(metadata_.dump());
    return shim::Error(
        absl::StrCat("You've asked to invoke a function that does not exist: ", qualified));
  }
  auto found = contracts_.find(contract_name);
  if (found == contracts_.end()) {
    return shim::Error(absl::StrCat("Contract name is not known: ", contract_name));
  }
  const Contract& contract = found->second;
  const auto& transactions = contract.transactions_;
  auto transaction = std::find_if(transactions.begin(), transactions.end(),
                                  [&](const auto& tx) { return tx.name == function; });
  if (transaction == transactions.end()) {
    if (contract.unknown_) {
      Context context(stub);
      absl::Status status = contract.unknown_(context);
      return status.ok() ? shim::Success() : shim::Error(std::string(status.message()));
    }
    // Contract.unknownTransaction names the whole first argument.
    return shim::Error(
        absl::StrCat("You've asked to invoke a function that does not exist: ", qualified));
  }
  const size_t supplied = args.size() - 1;
  if (supplied != transaction->parameters.size()) {
    return shim::Error(absl::StrCat("Expected ", transaction->parameters.size(),
                                    " parameters, but ", supplied, " have been supplied"));
  }
  std::vector<Json> converted;
  converted.reserve(supplied);
  for (size_t i = 0; i < supplied; ++i) {
    auto value = Convert(transaction->parameters[i], args[i + 1]);
    if (!value.ok()) return shim::Error(std::string(value.status().message()));
    converted.push_back(std::move(*value));
  }
  Context context(stub);
  try {
    if (contract.before_) {
      if (absl::Status status = contract.before_(context); !status.ok()) {
        return shim::Error(std::string(status.message()));
      }
    }
    absl::StatusOr<Json> result = transaction->function(context, converted);
    if (!result.ok()) return shim::Error(std::string(result.status().message()));
    if (contract.after_) {
      if (absl::Status status = contract.after_(context, *result); !status.ok()) {
        return shim::Error(std::string(status.message()));
      }
    }
    return shim::Success(ToPayload(std::move(*result)));
  } catch (const std::exception& e) {
    return shim::Error(e.what());
  }
}

}  // namespace weft::chaincode_sdk::contract
