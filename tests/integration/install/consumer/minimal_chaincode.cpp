// A complete chaincode: one contract, a transaction that writes and a query that reads.
#include <string>
#include <vector>

#include "chaincode-sdk/contract/contract.h"
#include "chaincode-sdk/shim/shim.h"

namespace contract = weft::chaincode_sdk::contract;
using contract::Context;
using contract::Json;

int main(int argc, char** argv) {
  contract::Contract notes("notes");
  notes.Submit("Write", {contract::StringParameter("id"), contract::StringParameter("text")},
               [](Context& ctx, const std::vector<Json>& args) -> absl::StatusOr<Json> {
                 const auto id = args[0].get<std::string>();
                 if (absl::Status put = ctx.stub().PutState(id, args[1].get<std::string>());
                     !put.ok()) {
                   return put;
                 }
                 return id;
               });
  notes.Evaluate("Read", {contract::StringParameter("id")},
                 [](Context& ctx, const std::vector<Json>& args) -> absl::StatusOr<Json> {
                   const auto id = args[0].get<std::string>();
                   absl::StatusOr<std::string> text = ctx.stub().GetState(id);
                   if (!text.ok()) return text.status();
                   // An absent key reads as empty; the client gets status 500 and this text.
                   if (text->empty()) {
                     return absl::NotFoundError("the note " + id + " does not exist");
                   }
                   return *text;
                 });
  contract::ContractChaincode chaincode({notes});
  // Dials the peer that launched it, or serves as chaincode-as-a-service (see
  // chaincode-sdk/README.md for the settings).
  return weft::chaincode_sdk::shim::Main(chaincode, argc, argv);
}
