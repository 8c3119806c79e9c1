// A test-only chaincode for the chaincode fault tests (faults_test.cpp), written with
// chaincode-sdk's contract API and launched by the peers as a `binary` package. It
// misbehaves on request, which the samples never do:
//   Put(key, value), Get(key)   plain state access
//   Fill(prefix, count)         writes <prefix>00000 .. <prefix><count-1>, value "v"
//   Count(start, end)           iterates the range [start, end) and returns its size
//   Big(key, bytes)             writes a value of `bytes` bytes
//   Throw(message)              throws std::runtime_error(message)
//   Exit(key)                   writes `key`, then ends the process mid-transaction
//   Hang(key)                   writes `key`, then never answers
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "chaincode-sdk/contract/contract.h"
#include "chaincode-sdk/shim/shim.h"

namespace {

namespace contract = weft::chaincode_sdk::contract;
using contract::Context;
using contract::Json;

[[nodiscard]] absl::StatusOr<Json> Put(Context& ctx, const std::vector<Json>& args) {
  absl::Status put = ctx.stub().PutState(args[0].get<std::string>(), args[1].get<std::string>());
  if (!put.ok()) return put;
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> Get(Context& ctx, const std::vector<Json>& args) {
  absl::StatusOr<std::string> value = ctx.stub().GetState(args[0].get<std::string>());
  if (!value.ok()) return value.status();
  return *value;
}

[[nodiscard]] absl::StatusOr<Json> Fill(Context& ctx, const std::vector<Json>& args) {
  const std::string prefix = args[0].get<std::string>();
  const int64_t count = args[1].get<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    char suffix[24];
    std::snprintf(suffix, sizeof(suffix), "%05lld", static_cast<long long>(i));
    absl::Status put = ctx.stub().PutState(prefix + suffix, "v");
    if (!put.ok()) return put;
  }
  return count;
}

[[nodiscard]] absl::StatusOr<Json> Count(Context& ctx, const std::vector<Json>& args) {
  auto range = ctx.stub().GetStateByRange(args[0].get<std::string>(), args[1].get<std::string>());
  if (!range.ok()) return range.status();
  int64_t count = 0;
  while ((*range)->HasNext()) {
    auto next = (*range)->Next();
    if (!next.ok()) return next.status();
    ++count;
  }
  absl::Status closed = (*range)->Close();
  if (!closed.ok()) return closed;
  return count;
}

[[nodiscard]] absl::StatusOr<Json> Big(Context& ctx, const std::vector<Json>& args) {
  const std::string value(args[1].get<size_t>(), 'x');
  absl::Status put = ctx.stub().PutState(args[0].get<std::string>(), value);
  if (!put.ok()) return put;
  return nullptr;
}

[[nodiscard]] absl::StatusOr<Json> Throw(Context&, const std::vector<Json>& args) {
  throw std::runtime_error(args[0].get<std::string>());
}

[[nodiscard]] absl::StatusOr<Json> Exit(Context& ctx, const std::vector<Json>& args) {
  // The write reaches the peer's simulator, then the process is gone before it
  // answers: the transaction must fail and the write be dropped.
  if (absl::Status put = ctx.stub().PutState(args[0].get<std::string>(), "exited"); !put.ok()) {
    return put;
  }
  _exit(7);
}

[[nodiscard]] absl::StatusOr<Json> Hang(Context& ctx, const std::vector<Json>& args) {
  if (absl::Status put = ctx.stub().PutState(args[0].get<std::string>(), "hung"); !put.ok()) {
    return put;
  }
  // Never answers; the peer's chaincode.executetimeout fails the transaction. The
  // process ends when the peer stops it.
  while (true) std::this_thread::sleep_for(std::chrono::hours(1));
}

}  // namespace

int main(int argc, char** argv) {
  contract::Contract faults("Faults");
  const auto s = [](const char* name) { return contract::StringParameter(name); };
  faults.Submit("Put", {s("key"), s("value")}, Put)
      .Evaluate("Get", {s("key")}, Get)
      .Submit("Fill", {s("prefix"), contract::IntegerParameter("count")}, Fill)
      .Evaluate("Count", {s("start"), s("end")}, Count)
      .Submit("Big", {s("key"), contract::IntegerParameter("bytes")}, Big)
      .Submit("Throw", {s("message")}, Throw)
      .Submit("Exit", {s("key")}, Exit)
      .Submit("Hang", {s("key")}, Hang);
  std::vector<contract::Contract> contracts;
  contracts.push_back(std::move(faults));
  contract::ContractChaincode chaincode(std::move(contracts), "weft-faults-chaincode", "1.0.0");
  return weft::chaincode_sdk::shim::Main(chaincode, argc, argv);
}
