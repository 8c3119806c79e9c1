// The contract API's dispatch, argument conversion, results and metadata, as
// fabric-shim's ChaincodeFromContract (lib/contract-spi/chaincodefromcontract.js),
// fabric-contract-api's Contract and JSONSerializer, and its DataMarshall do them.
#include "chaincode-sdk/contract/contract.h"

#include <catch2/catch.hpp>
#include <mutex>

#include "common/common.pb.h"
#include "msp/identities.pb.h"
#include "peer/proposal.pb.h"
#include "tests/support/chaincode_session.h"

namespace contract = weft::chaincode_sdk::contract;
using contract::Json;
using weft::testing::ChaincodeSession;

namespace {

contract::Contract Greeter() {
  contract::Contract c("Greeter");
  c.Info("Greetings", "2.0")
      .Submit("Hello", {contract::StringParameter("name")},
              [](contract::Context&, const std::vector<Json>& args) -> absl::StatusOr<Json> {
                return Json("hello " + args[0].get<std::string>());
              })
      .Evaluate(
          "Add", {contract::NumberParameter("a"), contract::IntegerParameter("b")},
          [](contract::Context&, const std::vector<Json>& args) -> absl::StatusOr<Json> {
            return Json(args[0].get<double>() + args[1].get<int64_t>());
          },
          Json{{"type", "number"}})
      .Evaluate(
          "Object", {},
          [](contract::Context& ctx, const std::vector<Json>&) -> absl::StatusOr<Json> {
            return Json{{"b", 1}, {"a", {true, nullptr}}, {"msp", ctx.ClientMspId().value_or("")}};
          })
      .Evaluate("Flag", {contract::Parameter{"on", Json{{"type", "boolean"}}, ""}},
                [](contract::Context&, const std::vector<Json>& args) -> absl::StatusOr<Json> {
                  return Json(args[0].get<bool>());
                })
      .Submit("Nothing", {},
              [](contract::Context&, const std::vector<Json>&) -> absl::StatusOr<Json> {
                return nullptr;
              })
      .Submit("Fail", {},
              [](contract::Context&, const std::vector<Json>&) -> absl::StatusOr<Json> {
                return absl::FailedPreconditionError("the greeting is not allowed");
              })
      .Submit("Throw", {},
              [](contract::Context&, const std::vector<Json>&) -> absl::StatusOr<Json> {
                throw std::runtime_error("thrown inside");
              });
  return c;
}

contract::Contract Other() {
  contract::Contract c("Other");
  c.Submit("b:c", {}, [](contract::Context&, const std::vector<Json>&) -> absl::StatusOr<Json> {
    return Json("function with a colon");
  });
  c.Submit("Hello", {}, [](contract::Context&, const std::vector<Json>&) -> absl::StatusOr<Json> {
    return Json("other hello");
  });
  return c;
}

contract::ContractChaincode Chaincode() {
  std::vector<contract::Contract> contracts;
  contracts.push_back(Greeter());
  contracts.push_back(Other());
  return contract::ContractChaincode(std::move(contracts), "greetings", "1.2.3");
}

}  // namespace

TEST_CASE(
    "Contract:Function names a contract, and a plain name or an empty contract goes to the "
    "default") {
  auto chaincode = Chaincode();
  ChaincodeSession session(chaincode);
  CHECK(session.Invoke({"Hello", "ann"}).response.payload() == "hello ann");
  CHECK(session.Invoke({"Greeter:Hello", "bob"}).response.payload() == "hello bob");
  CHECK(session.Invoke({":Hello", "cy"}).response.payload() == "hello cy");
  CHECK(session.Invoke({"Other:Hello"}).response.payload() == "other hello");
  // Split at the first ':' only.
  CHECK(session.Invoke({"Other:b:c"}).response.payload() == "function with a colon");
}

TEST_CASE(
    "Unknown contracts, unknown functions and wrong argument counts answer 500 with "
    "fabric-contract-api's messages") {
  auto chaincode = Chaincode();
  ChaincodeSession session(chaincode);
  auto unknown_contract = session.Invoke({"Nobody:Hello"});
  CHECK(unknown_contract.response.status() == 500);
  CHECK(unknown_contract.response.message() == "Contract name is not known: Nobody");
  // Contract.unknownTransaction names the whole first argument.
  auto unknown_function = session.Invoke({"Greeter:Goodbye"});
  CHECK(unknown_function.response.status() == 500);
  CHECK(unknown_function.response.message() ==
        "You've asked to invoke a function that does not exist: Greeter:Goodbye");
  auto too_many = session.Invoke({"Hello", "a", "b"});
  CHECK(too_many.response.status() == 500);
  CHECK(too_many.response.message() == "Expected 1 parameters, but 2 have been supplied");
  auto too_few = session.Invoke({"Add", "1"});
  CHECK(too_few.response.message() == "Expected 2 parameters, but 1 have been supplied");
  // No arguments at all: the default initiator.
  auto proposal = session.MakeProposal({"unused"});
  auto empty = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {},
                                     proposal.signed_proposal);
  REQUIRE(empty.has_value());
  CHECK(empty->response.status() == 200);
  CHECK(empty->response.payload() == "Default initiator successful.");
}

TEST_CASE(
    "Arguments are converted by their schema type and results serialized as fabric-contract-api "
    "does") {
  auto chaincode = Chaincode();
  ChaincodeSession session(chaincode);
  auto sum = session.Invoke({"Add", "1.5", "2"});
  REQUIRE(sum.response.status() == 200);
  CHECK(sum.response.payload() == "3.5");  // a number as its text
  auto integral = session.Invoke({"Add", "1.0", "2"});
  CHECK(integral.response.payload() == "3");  // JavaScript prints 3.0 as 3
  auto not_number = session.Invoke({"Add", "x", "2"});
  CHECK(not_number.response.status() == 500);
  CHECK(not_number.response.message() == "fromBuffer could not convert data to number");
  auto not_integer = session.Invoke({"Add", "1", "2.5"});
  CHECK(not_integer.response.message() ==
        R"(Unable to validate parameter due to ["must be integer"])");
  CHECK(session.Invoke({"Flag", " TRUE "}).response.payload() == "true");
  CHECK(session.Invoke({"Flag", "false"}).response.payload() == "false");
  CHECK(session.Invoke({"Flag", "yes"}).response.message() ==
        "fromBuffer could not convert data to boolean");
  // Objects as compact JSON; strings as their text, not quoted; nothing as empty.
  CHECK(session.Invoke({"Object"}).response.payload() ==
        R"({"a":[true,null],"b":1,"msp":"Org1MSP"})");
  CHECK(session.Invoke({"Hello", "\"q\""}).response.payload() == "hello \"q\"");
  auto nothing = session.Invoke({"Nothing"});
  CHECK(nothing.response.status() == 200);
  CHECK(nothing.response.payload().empty());
}

TEST_CASE("A transaction function's error or exception becomes a 500 response with its message") {
  auto chaincode = Chaincode();
  ChaincodeSession session(chaincode);
  auto failed = session.Invoke({"Fail"});
  REQUIRE(failed.completed());
  CHECK(failed.response.status() == 500);
  CHECK(failed.response.message() == "the greeting is not allowed");
  auto thrown = session.Invoke({"Throw"});
  CHECK(thrown.response.status() == 500);
  CHECK(thrown.response.message() == "thrown inside");
}

TEST_CASE(
    "org.hyperledger.fabric:GetMetadata returns the metadata in fabric-contract-api's shape") {
  auto chaincode = Chaincode();
  ChaincodeSession session(chaincode);
  auto outcome = session.Invoke({"org.hyperledger.fabric:GetMetadata"});
  REQUIRE(outcome.response.status() == 200);
  Json metadata = Json::parse(outcome.response.payload());
  CHECK(metadata["$schema"] ==
        "https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json");
  CHECK(metadata["info"] == Json{{"version", "1.2.3"}, {"title", "greetings"}});
  CHECK(metadata["components"] == Json{{"schemas", Json::object()}});
  REQUIRE(metadata["contracts"].size() == 3);

  const Json& greeter = metadata["contracts"]["Greeter"];
  CHECK(greeter["name"] == "Greeter");
  CHECK(greeter["contractInstance"] == Json{{"name", "Greeter"}, {"default", true}});
  CHECK(greeter["info"] == Json{{"title", "Greetings"}, {"version", "2.0"}});
  REQUIRE(greeter["transactions"].size() == 7);
  CHECK(greeter["transactions"][0] ==
        Json{{"name", "Hello"},
             {"tag", {"SUBMIT", "submitTx"}},
             {"parameters",
              {{{"name", "name"}, {"description", ""}, {"schema", {{"type", "string"}}}}}}});
  CHECK(greeter["transactions"][1]["tag"] == Json{"EVALUATE"});
  CHECK(greeter["transactions"][1]["returns"] == Json{{"type", "number"}});
  CHECK(greeter["transactions"][1]["parameters"][1]["schema"] == Json{{"type", "integer"}});

  CHECK(metadata["contracts"]["Other"]["contractInstance"] == Json{{"name", "Other"}});
  const Json& system = metadata["contracts"]["org.hyperledger.fabric"];
  CHECK(system["name"] == "org.hyperledger.fabric");
  CHECK(system["transactions"] == Json::array({Json{{"name", "GetMetadata"}}}));
  // The same document the chaincode object holds.
  CHECK(outcome.response.payload() == chaincode.metadata().dump());
}

TEST_CASE("A named default contract takes plain function names") {
  std::vector<contract::Contract> contracts;
  contracts.push_back(Greeter());
  contracts.push_back(Other());
  contract::ContractChaincode chaincode(std::move(contracts), "", "", "Other");
  ChaincodeSession session(chaincode);
  CHECK(session.Invoke({"Hello"}).response.payload() == "other hello");
  Json metadata =
      Json::parse(session.Invoke({"org.hyperledger.fabric:GetMetadata"}).response.payload());
  CHECK(metadata["contracts"]["Other"]["contractInstance"]["default"] == true);
  CHECK_FALSE(metadata["contracts"]["Greeter"]["contractInstance"].contains("default"));
}

TEST_CASE(
    "Before and after hooks wrap the function, and an unknown-transaction hook replaces the "
    "error") {
  std::mutex mu;
  std::vector<std::string> calls;
  contract::Contract hooked("Hooked");
  hooked
      .Submit("Run", {contract::StringParameter("what")},
              [&](contract::Context&, const std::vector<Json>& args) -> absl::StatusOr<Json> {
                std::lock_guard lock(mu);
                calls.push_back("run " + args[0].get<std::string>());
                return Json("ran");
              })
      .BeforeTransaction([&](contract::Context& ctx) -> absl::Status {
        std::lock_guard lock(mu);
        calls.push_back("before " + ctx.stub().GetArgs().at(0));
        if (ctx.stub().GetArgs().size() > 1 && ctx.stub().GetArgs()[1] == "forbidden") {
          return absl::PermissionDeniedError("not before this");
        }
        return absl::OkStatus();
      })
      .AfterTransaction([&](contract::Context&, const Json& result) -> absl::Status {
        std::lock_guard lock(mu);
        calls.push_back("after " + result.get<std::string>());
        return absl::OkStatus();
      })
      .UnknownTransaction([&](contract::Context& ctx) -> absl::Status {
        std::lock_guard lock(mu);
        calls.push_back("unknown " + ctx.stub().GetArgs().at(0));
        return absl::OkStatus();
      });
  std::vector<contract::Contract> contracts;
  contracts.push_back(std::move(hooked));
  contract::ContractChaincode chaincode(std::move(contracts));
  ChaincodeSession session(chaincode);
  CHECK(session.Invoke({"Run", "x"}).response.payload() == "ran");
  auto refused = session.Invoke({"Run", "forbidden"});
  CHECK(refused.response.status() == 500);
  CHECK(refused.response.message() == "not before this");
  // An unknown function handled by the hook succeeds with an empty payload.
  auto unknown = session.Invoke({"Hooked:Nope", "1"});
  CHECK(unknown.response.status() == 200);
  CHECK(unknown.response.payload().empty());
  // Arguments are checked before the hooks run.
  CHECK(session.Invoke({"Run"}).response.message() ==
        "Expected 1 parameters, but 0 have been supplied");
  std::lock_guard lock(mu);
  CHECK(calls == std::vector<std::string>{"before Run", "run x", "after ran", "before Run",
                                          "unknown Hooked:Nope"});
}

namespace {

// The signed proposal of `proposal` with SignatureHeader.creator replaced (the shim
// does not check the signature; the peer would have).
::protos::SignedProposal WithCreator(const weft::testing::TestProposal& proposal,
                                     const std::string& creator) {
  ::protos::Proposal changed = proposal.proposal;
  ::common::Header header;
  REQUIRE(header.ParseFromString(changed.header()));
  ::common::SignatureHeader signature_header;
  REQUIRE(signature_header.ParseFromString(header.signature_header()));
  signature_header.set_creator(creator);
  header.set_signature_header(signature_header.SerializeAsString());
  changed.set_header(header.SerializeAsString());
  ::protos::SignedProposal signed_proposal = proposal.signed_proposal;
  signed_proposal.set_proposal_bytes(changed.SerializeAsString());
  return signed_proposal;
}

}  // namespace

TEST_CASE(
    "The client identity is read from the creator, and a creator that is no identity with a PEM "
    "certificate fails the transaction as fabric-chaincode-go's cid does") {
  contract::Contract who("Who");
  who.Evaluate("Me", {},
               [](contract::Context& ctx, const std::vector<Json>&) -> absl::StatusOr<Json> {
                 absl::StatusOr<std::string> msp = ctx.ClientMspId();
                 if (!msp.ok()) return msp.status();
                 absl::StatusOr<std::string> pem = ctx.ClientCertificatePem();
                 if (!pem.ok()) return pem.status();
                 return Json{{"msp", *msp}, {"pem", pem->substr(0, 27)}};
               });
  std::vector<contract::Contract> contracts;
  contracts.push_back(std::move(who));
  contract::ContractChaincode chaincode(std::move(contracts));
  ChaincodeSession session(chaincode);

  auto me = session.Invoke({"Me"});
  REQUIRE(me.response.status() == 200);
  CHECK(me.response.payload() == R"({"msp":"Org1MSP","pem":"-----BEGIN CERTIFICATE-----"})");

  // cid.getIdentity: "failed to unmarshal transaction invoker's identity: ...".
  auto proposal = session.MakeProposal({"Me"});
  auto garbage = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"Me"},
                                       WithCreator(proposal, "\xff\xff\xff not an identity"));
  REQUIRE(garbage.has_value());
  CHECK(garbage->response.status() == 500);
  CHECK_THAT(garbage->response.message(),
             Catch::StartsWith("failed to unmarshal transaction invoker's identity"));

  // cid.getCertificate: "Expecting a PEM-encoded X509 certificate; PEM block not found".
  ::msp::SerializedIdentity no_pem;
  no_pem.set_mspid("Org1MSP");
  no_pem.set_id_bytes("not a certificate");
  auto next = session.MakeProposal({"Me"});
  auto without_pem = session.peer().Invoke(weft::testing::kSessionChannel, next.tx_id, {"Me"},
                                           WithCreator(next, no_pem.SerializeAsString()));
  REQUIRE(without_pem.has_value());
  CHECK(without_pem->response.status() == 500);
  CHECK_THAT(without_pem->response.message(),
             Catch::StartsWith("Expecting a PEM-encoded X509 certificate; PEM block not found"));
}
