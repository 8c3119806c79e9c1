// Micro-benchmarks of the round trips under a transaction, on 127.0.0.1 in one process:
//
// - BM_GrpcUnary: one protos.Endorser/ProcessProposal call (about 1 KB each way) to a
//   server that answers a fixed ProposalResponse, through common/grpc's BuildServer and
//   MakeChannel (Fabric's default keepalive and message sizes; server-side TLS as the
//   nodes run it, or plaintext).
// - BM_GrpcStreamPingPong: one message each way on an open protos.ChaincodeSupport/
//   Register stream (a GET_STATE out, a RESPONSE back), the transport the shim uses,
//   against a responder that answers every message at once.
// - BM_ChaincodeShimInvoke / BM_ChaincodeShimGetState: the real pair. The peer side is
//   peer/chaincode_support (ChaincodeSupport::Execute, its chaincode listener and stream
//   handler, a TxSimulator over a LevelDB state DB); the chaincode side is chaincode-sdk's
//   shim (shim::Start in start mode, run in this process by a ChaincodeRuntime that
//   starts it on a thread). One iteration is one Execute of a transaction whose Invoke
//   makes `gets` GetState calls of committed 200-byte values, so BM_ChaincodeShimInvoke
//   (no GetState) is the cost of a transaction's TRANSACTION -> COMPLETED round trip, and
//   BM_ChaincodeShimGetState's get_state_time is the cost of one GetState with 1/`gets`
//   of that round trip included. Not included: the endorser (proposal checks, ACL,
//   escc signing), the lifecycle cache (a fixed definition here, with Fabric's one read
//   of the definition's Sequence through the simulator), the peer's commit lock, and
//   launching the chaincode (done before timing). BM_TxSimulatorGetState is the
//   simulator's read alone, for the split between state read and round trip.
//
// Everything is measured in wall-clock time (UseRealTime): the work happens on gRPC and
// shim threads, not on the benchmark's thread; items_per_second is per wall-clock second.
// The CPU column is the whole process's CPU time (MeasureProcessCPUTime), i.e. both
// sides of the round trip, which a loaded machine inflates less than the wall clock.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chaincode-sdk/shim/chaincode.h"
#include "chaincode-sdk/shim/shim.h"
#include "common/grpc/channel.h"
#include "common/grpc/server.h"
#include "common/settings/settings.h"
#include "peer/chaincode_shim.grpc.pb.h"
#include "peer/chaincode_support/chaincode_ca.h"
#include "peer/chaincode_support/chaincode_listener.h"
#include "peer/chaincode_support/chaincode_support.h"
#include "peer/ledger/statedb/state_db.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/peer.grpc.pb.h"
#include "tests/support/chaincode_session.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/test_crypto.h"
#include "tests/support/value_or_throw.h"

namespace {

namespace settings = weft::common::settings;
namespace wgrpc = weft::common::grpc;
namespace ccs = weft::peer::chaincode_support;
namespace ledger = weft::peer::ledger;
namespace shim = weft::chaincode_sdk::shim;
using ::protos::ChaincodeMessage;
using weft::testing::ValueOrThrow;

// ---------------------------------------------------------------------------------------
// gRPC through common/grpc

// A TLS CA and the server's certificate for 127.0.0.1, minted per run.
struct TlsMaterial {
  weft::testing::TestIdentity ca =
      weft::testing::MakeTestCa("tlsca.org1.example.com", "org1.example.com");
  weft::testing::TestIdentity server = weft::testing::IssueLeaf(
      ca, "peer0.org1.example.com", {}, {"localhost", "127.0.0.1", "peer0.org1.example.com"});
};

// A server on a free loopback port and a channel to it; TLS as a peer runs its main
// server by default (server certificate; a client certificate asked for, not required).
class Loopback {
 public:
  Loopback(::grpc::Service& service, bool tls) {
    settings::GrpcServerSettings server_settings;
    server_settings.listen_address = "127.0.0.1:0";
    settings::GrpcClientSettings client_settings;
    if (tls) {
      server_settings.tls.enabled = true;
      server_settings.tls.certificate_pem = material_.server.CertPem();
      server_settings.tls.private_key_pem = material_.server.KeyPem();
      client_settings.tls.enabled = true;
      client_settings.tls.root_ca_pems = {material_.ca.CertPem()};
    }
    server_ = ValueOrThrow(wgrpc::BuildServer(server_settings, {&service}), "BuildServer");
    channel_ =
        ValueOrThrow(wgrpc::MakeChannel(fmt::format("127.0.0.1:{}", server_.port), client_settings),
                     "MakeChannel");
  }
  ~Loopback() { server_.server->Shutdown(std::chrono::system_clock::now()); }

  const std::shared_ptr<::grpc::Channel>& channel() const { return channel_; }

 private:
  TlsMaterial material_;
  wgrpc::BuiltServer server_;
  std::shared_ptr<::grpc::Channel> channel_;
};

// Answers every proposal with the same endorsed-looking response.
class FixedEndorser final : public ::protos::Endorser::Service {
 public:
  FixedEndorser() {
    answer_.set_version(1);
    answer_.mutable_response()->set_status(200);
    answer_.set_payload(std::string(1024, 'p'));
    answer_.mutable_endorsement()->set_endorser(std::string(800, 'e'));  // a PEM's size
    answer_.mutable_endorsement()->set_signature(std::string(71, 's'));
  }
  ::grpc::Status ProcessProposal(::grpc::ServerContext* /*context*/,
                                 const ::protos::SignedProposal* /*request*/,
                                 ::protos::ProposalResponse* response) override {
    *response = answer_;
    return ::grpc::Status::OK;
  }

 private:
  ::protos::ProposalResponse answer_;
};

// Answers every ChaincodeMessage on the stream with a RESPONSE carrying a 200-byte value.
class StreamResponder final : public ::protos::ChaincodeSupport::Service {
 public:
  ::grpc::Status Register(
      ::grpc::ServerContext* /*context*/,
      ::grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>* stream) override {
    ChaincodeMessage request;
    ChaincodeMessage reply;
    reply.set_type(ChaincodeMessage::RESPONSE);
    reply.set_payload(std::string(200, 'v'));
    while (stream->Read(&request)) {
      reply.set_txid(request.txid());
      reply.set_channel_id(request.channel_id());
      if (!stream->Write(reply)) break;
    }
    return ::grpc::Status::OK;
  }
};

// Starts `service` on a loopback server (TLS when the benchmark's argument is 1); on
// failure the benchmark is skipped with the reason and false is returned.
bool StartLoopback(::grpc::Service& service, benchmark::State& state,
                   std::optional<Loopback>& loopback) {
  try {
    loopback.emplace(service, state.range(0) != 0);
    return true;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return false;
  }
}

void BM_GrpcUnary(benchmark::State& state) {
  FixedEndorser service;
  std::optional<Loopback> loopback;
  if (!StartLoopback(service, state, loopback)) return;
  auto stub = ::protos::Endorser::NewStub(loopback->channel());
  ::protos::SignedProposal request;
  request.set_proposal_bytes(std::string(1024, 'q'));
  request.set_signature(std::string(71, 's'));
  auto call = [&]() {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ::protos::ProposalResponse response;
    ::grpc::Status status = stub->ProcessProposal(&context, request, &response);
    if (!status.ok()) {
      throw std::runtime_error("ProcessProposal failed: " + status.error_message());
    }
  };
  try {
    call();  // connects (and shakes hands) before timing
    for (auto _ : state) call();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GrpcUnary)->ArgName("tls")->Arg(0)->Arg(1)->MeasureProcessCPUTime()->UseRealTime();

void BM_GrpcStreamPingPong(benchmark::State& state) {
  StreamResponder service;
  std::optional<Loopback> loopback;
  if (!StartLoopback(service, state, loopback)) return;
  auto stub = ::protos::ChaincodeSupport::NewStub(loopback->channel());
  ::grpc::ClientContext context;
  auto stream = stub->Register(&context);
  ChaincodeMessage request;
  request.set_type(ChaincodeMessage::GET_STATE);
  request.set_txid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  request.set_channel_id("mychannel");
  ::protos::GetState get_state;
  get_state.set_key("asset0001");
  request.set_payload(get_state.SerializeAsString());
  ChaincodeMessage reply;
  auto ping = [&]() { return stream->Write(request) && stream->Read(&reply); };
  if (!ping()) {  // the stream is open before timing
    state.SkipWithError("the stream ended on the first message");
    return;
  }
  bool ok = true;
  for (auto _ : state) {
    if (!ping()) {
      ok = false;
      break;
    }
  }
  stream->WritesDone();
  ::grpc::Status finished = stream->Finish();
  if (!ok) {
    state.SkipWithError(("the stream ended: " + finished.error_message()).c_str());
    return;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GrpcStreamPingPong)
    ->ArgName("tls")
    ->Arg(0)
    ->Arg(1)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// ---------------------------------------------------------------------------------------
// The chaincode shim against the peer's chaincode support

constexpr char kChannel[] = "mychannel";
constexpr char kChaincodeName[] = "bench";
constexpr char kPackageId[] = "bench_1.0:0123456789abcdef";
constexpr int kCommittedKeys = 100;

std::string Key(int i) { return fmt::format("asset{:04d}", i); }

// Invoke("get", n) reads keys 0 .. n-1 (mod kCommittedKeys), each of which must exist.
class GetStateChaincode final : public shim::Chaincode {
 public:
  ::protos::Response Init(shim::ChaincodeStub& /*stub*/) override { return shim::Success(); }
  ::protos::Response Invoke(shim::ChaincodeStub& stub) override {
    const std::vector<std::string>& args = stub.GetArgs();
    const int gets = args.size() == 2 ? std::stoi(args[1]) : 0;
    for (int i = 0; i < gets; ++i) {
      absl::StatusOr<std::string> value = stub.GetState(Key(i % kCommittedKeys));
      if (!value.ok()) return shim::Error(std::string(value.status().message()));
      if (value->empty()) return shim::Error("no value for " + Key(i % kCommittedKeys));
    }
    return shim::Success();
  }
};

// Starts the chaincode as a thread of this process running shim::Start, which dials the
// chaincode listener as a launched chaincode process would (with the client pair the
// peer issued when TLS is on). The shim ends when the peer ends its stream.
class InProcessShimRuntime final : public ccs::ChaincodeRuntime {
 public:
  explicit InProcessShimRuntime(shim::Chaincode& chaincode) : chaincode_(chaincode) {}
  ~InProcessShimRuntime() override {
    std::lock_guard lock(mu_);
    if (running_.valid()) running_.wait();
  }

  [[nodiscard]] weft::StatusOr<std::optional<ccs::ChaincodeServerInfo>> Build(
      std::string_view /*package_id*/) override {
    return std::optional<ccs::ChaincodeServerInfo>();
  }
  [[nodiscard]] weft::Status Start(std::string_view package_id,
                                   const ccs::PeerConnection& peer) override {
    shim::PeerConnection connection;
    connection.peer_address = peer.address;
    connection.chaincode_id = std::string(package_id);
    connection.tls_enabled = !peer.root_cert_pem.empty();
    connection.client_cert_pem = peer.client_cert_pem;
    connection.client_key_pem = peer.client_key_pem;
    connection.root_cert_pem = peer.root_cert_pem;
    std::lock_guard lock(mu_);
    if (running_.valid()) running_.wait();  // a relaunch: the last run has ended
    running_ = std::async(std::launch::async,
                          [this, connection] { return shim::Start(chaincode_, connection); });
    return absl::OkStatus();
  }
  [[nodiscard]] weft::Status Stop(std::string_view /*package_id*/) override {
    return absl::OkStatus();  // the shim ends with its stream, which the peer ends
  }
  [[nodiscard]] weft::StatusOr<int> Wait(std::string_view /*package_id*/) override {
    std::shared_future<absl::Status> running;
    {
      std::lock_guard lock(mu_);
      running = running_;
    }
    if (!running.valid()) return absl::FailedPreconditionError("the chaincode was not started");
    return running.get().ok() ? 0 : 1;
  }

 private:
  shim::Chaincode& chaincode_;
  std::mutex mu_;
  std::shared_future<absl::Status> running_;
};

// The one definition there is, read as Fabric's ChaincodeEndorsementInfoSource reads it
// (the Sequence through the simulator; the rest from its cache).
class FixedLifecycle final : public ccs::Lifecycle {
 public:
  [[nodiscard]] weft::StatusOr<ccs::ChaincodeEndorsementInfo> GetEndorsementInfo(
      std::string_view /*channel_id*/, std::string_view chaincode_name,
      ledger::TxSimulator& simulator) override {
    auto sequence = simulator.GetState(
        "_lifecycle", fmt::format("namespaces/fields/{}/Sequence", chaincode_name));
    if (!sequence.ok()) return sequence.status();
    if (chaincode_name != kChaincodeName) {
      return absl::NotFoundError(fmt::format("chaincode {} not found", chaincode_name));
    }
    ccs::ChaincodeEndorsementInfo info;
    info.version = "1.0";
    info.endorsement_plugin = "escc";
    info.chaincode_id = kPackageId;
    return info;
  }
};

// ChaincodeSupport with its listener on a free loopback port (TLS through a ChaincodeCa
// as a peer with TLS enabled runs it), kCommittedKeys committed values, and the
// chaincode launched.
class ShimPeer {
 public:
  explicit ShimPeer(bool tls) {
    ledger::statedb::UpdateBatch batch;
    for (int i = 0; i < kCommittedKeys; ++i) {
      batch.Put(kChaincodeName, Key(i), {std::string(200, 'v'), {}, {1, 0}});
    }
    if (weft::Status applied = state_->ApplyUpdates(batch, 1); !applied.ok()) {
      throw std::runtime_error("committing the keys failed: " + std::string(applied.message()));
    }
    if (tls) ca_ = ValueOrThrow(ccs::ChaincodeCa::Create(), "ChaincodeCa::Create");
    ccs::ChaincodeSupportOptions options;
    options.runtime = &runtime_;
    options.lifecycle = &lifecycle_;
    options.ca = ca_.get();
    options.startup_timeout = std::chrono::seconds(30);
    support_ = std::make_unique<ccs::ChaincodeSupport>(std::move(options));
    ccs::ChaincodeListenerOptions listener_options;
    listener_options.server.listen_address = "127.0.0.1:0";
    listener_options.ca = ca_.get();
    listener_options.host = "127.0.0.1";
    listener_ = ValueOrThrow(ccs::ChaincodeListener::Start(std::move(listener_options), *support_),
                             "ChaincodeListener::Start");
    support_->SetPeerAddress(fmt::format("127.0.0.1:{}", listener_->port()));
    if (weft::Status launched = support_->Launch(kPackageId); !launched.ok()) {
      throw std::runtime_error("launching the chaincode failed: " +
                               std::string(launched.message()));
    }
  }
  ~ShimPeer() {
    if (listener_) listener_->Stop();
    if (support_) support_->Stop();
  }

  // One transaction whose Invoke makes `gets` GetState calls; throws unless it answers 200.
  void Execute(int gets) {
    std::unique_ptr<ledger::TxSimulator> simulator = ledger::NewTxSimulator(*state_);
    ccs::TransactionParams params;
    params.tx_id = fmt::format("bench-tx-{}", next_tx_++);
    params.channel_id = kChannel;
    params.signed_proposal = &proposal_.signed_proposal;
    params.simulator = simulator.get();
    ::protos::ChaincodeInput input;
    input.add_args("get");
    input.add_args(std::to_string(gets));
    weft::StatusOr<ccs::ExecuteResult> result = support_->Execute(params, kChaincodeName, input);
    simulator->Done();
    if (!result.ok()) {
      throw std::runtime_error("Execute failed: " + std::string(result.status().message()));
    }
    if (result->response.status() != shim::kOk) {
      throw std::runtime_error("the chaincode answered " +
                               std::to_string(result->response.status()) + ": " +
                               result->response.message());
    }
  }

 private:
  std::shared_ptr<ledger::statedb::StateDb> state_ = weft::testing::OpenTempStateDb();
  // The TRANSACTION carries a real signed proposal: the shim parses it for the stub.
  weft::testing::TestProposal proposal_ = weft::testing::TestProposals().Make({"get"});
  GetStateChaincode chaincode_;
  InProcessShimRuntime runtime_{chaincode_};
  FixedLifecycle lifecycle_;
  std::unique_ptr<ccs::ChaincodeCa> ca_;
  std::unique_ptr<ccs::ChaincodeSupport> support_;
  std::unique_ptr<ccs::ChaincodeListener> listener_;
  uint64_t next_tx_ = 0;
};

// range(0): TLS on the chaincode listener; range(1): GetState calls per transaction.
void RunShim(benchmark::State& state) {
  const int gets = static_cast<int>(state.range(1));
  try {
    ShimPeer peer(state.range(0) != 0);
    peer.Execute(gets);  // warms the stream up before timing
    for (auto _ : state) peer.Execute(gets);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  if (gets == 0) {
    state.SetItemsProcessed(state.iterations());  // transactions
    return;
  }
  state.SetItemsProcessed(state.iterations() * gets);  // GetState calls
  state.counters["get_state_time"] =
      benchmark::Counter(static_cast<double>(state.iterations() * gets),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The peer's side of one GetState alone, in process: the TxSimulator's read of a
// committed value from the LevelDB state DB (recorded in the read set), without the
// stream, the handler or the shim; the rest of get_state_time is theirs.
void BM_TxSimulatorGetState(benchmark::State& state) {
  std::shared_ptr<ledger::statedb::StateDb> db = weft::testing::OpenTempStateDb();
  ledger::statedb::UpdateBatch batch;
  for (int i = 0; i < kCommittedKeys; ++i) {
    batch.Put(kChaincodeName, Key(i), {std::string(200, 'v'), {}, {1, 0}});
  }
  if (weft::Status applied = db->ApplyUpdates(batch, 1); !applied.ok()) {
    state.SkipWithError("committing the keys failed");
    return;
  }
  // A fresh simulator per 100 reads, as a transaction of BM_ChaincodeShimGetState has.
  std::unique_ptr<ledger::TxSimulator> simulator = ledger::NewTxSimulator(*db);
  int i = 0;
  for (auto _ : state) {
    auto value = simulator->GetState(kChaincodeName, Key(i));
    benchmark::DoNotOptimize(value);
    if (++i == kCommittedKeys) {
      i = 0;
      simulator->Done();
      simulator = ledger::NewTxSimulator(*db);
    }
  }
  simulator->Done();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TxSimulatorGetState)->MeasureProcessCPUTime()->UseRealTime();

void BM_ChaincodeShimInvoke(benchmark::State& state) { RunShim(state); }
BENCHMARK(BM_ChaincodeShimInvoke)
    ->ArgNames({"tls", "gets"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_ChaincodeShimGetState(benchmark::State& state) { RunShim(state); }
BENCHMARK(BM_ChaincodeShimGetState)
    ->ArgNames({"tls", "gets"})
    ->Args({0, 100})
    ->Args({1, 100})
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
