// weft-bench: load generator for a Weft (or Fabric) network through a peer's Gateway,
// in the spirit of Fabric's `tape` and Hyperledger Caliper. N client threads, each
// with its own Gateway connection, run the asset-transfer-basic chaincode:
//   create    CreateAsset of a new key per transaction (no conflicts)
//   transfer  TransferAsset of a key drawn from a hot set (MVCC conflicts happen)
//   read      ReadAsset evaluated (nothing is ordered)
//   mixed     per transaction: 25 % create, 25 % transfer, 50 % read
// Closed loop (each client waits for its transaction's commit status before the
// next) or, with --rate, a fixed offered rate shared by the clients (a client that
// is late starts the next transaction at once, so the offered rate measured is
// what the clients managed to start). Latency is from the start of a transaction
// (Endorse) to its commit status (Gateway CommitStatus), or to the evaluate answer.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "client-sdk/gateway.h"
#include "client-sdk/signer.h"
#include "common/grpc/process.h"
#include "msp/ecdsa_counter.h"
#include "peer/transaction.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using weft::client::Contract;

struct Options {
  std::string endpoint = "localhost:7051";
  std::string tls_ca;
  std::string host_alias;
  std::string msp_dir;
  std::string msp_id = "Org1MSP";
  std::string channel = "mychannel";
  std::string chaincode = "basic";
  std::string workload = "create";
  std::vector<std::string> endorsing_orgs;
  int clients = 16;
  double rate = 0;  // tx/s offered in total; 0 = closed loop
  double duration_s = 10;
  int64_t tx_count = 0;  // when > 0, the run ends after this many transactions
  int hot_keys = 10;
  std::string json_file;
  std::string name;
  bool quiet = false;
};

enum class Op { kCreate, kTransfer, kRead };

// What one transaction ended with.
struct Outcome {
  Op op = Op::kCreate;
  double latency_ms = 0;
  // A validation code name (VALID, MVCC_READ_CONFLICT, ...) for a submitted transaction
  // whose commit status arrived, EVALUATED for a read, or the stage that failed.
  std::string code;
};

// Counters shared by the clients and the progress reporter.
struct Shared {
  std::atomic<int64_t> started{0};
  std::atomic<int64_t> finished{0};
  std::atomic<int64_t> committed{0};  // commit statuses received, any code
  std::atomic<int64_t> valid{0};
  std::atomic<int64_t> evaluated{0};
  std::atomic<int64_t> failed{0};  // endorse / submit / commit status / evaluate errors
  std::atomic<bool> stop{false};
};

std::string CodeName(::protos::TxValidationCode code) {
  const std::string& name = ::protos::TxValidationCode_Name(code);
  return name.empty() ? fmt::format("CODE_{}", static_cast<int>(code)) : name;
}

// The error stage of a failed call, as fabric-gateway names its errors.
std::string FailureName(const absl::Status& status) {
  auto error = weft::client::GetGatewayError(status);
  if (!error) return "ERROR";
  switch (error->kind) {
    case weft::client::GatewayError::Kind::kEvaluate:
      return "EVALUATE_ERROR";
    case weft::client::GatewayError::Kind::kEndorse:
      return "ENDORSE_ERROR";
    case weft::client::GatewayError::Kind::kSubmit:
      return "SUBMIT_ERROR";
    case weft::client::GatewayError::Kind::kCommitStatus:
      return "COMMIT_STATUS_ERROR";
    case weft::client::GatewayError::Kind::kCommit:
      return CodeName(error->validation_code);
    case weft::client::GatewayError::Kind::kEvents:
      return "EVENTS_ERROR";
  }
  return "ERROR";
}

// One client: its own connection, keys and random numbers.
class Client {
 public:
  Client(int index, std::string run_id, const Options& options,
         std::unique_ptr<weft::client::Gateway> gateway)
      : index_(index),
        run_id_(std::move(run_id)),
        options_(options),
        gateway_(std::move(gateway)),
        contract_(gateway_->GetNetwork(options.channel).GetContract(options.chaincode)),
        random_(static_cast<uint32_t>(index) * 7919u + 17u) {}

  static std::string HotKey(const std::string& run_id, int k) {
    return fmt::format("bench-{}-hot-{}", run_id, k);
  }

  // Submits and waits for the commit; the validation code or the failure's name.
  std::string SubmitAndWait(std::string_view function, std::vector<std::string> args) {
    weft::client::ProposalOptions proposal;
    proposal.args = std::move(args);
    proposal.endorsing_organizations = options_.endorsing_orgs;
    auto submitted = contract_.SubmitAsync(function, proposal);
    if (!submitted.ok()) {
      last_error_ = submitted.status().ToString();
      return FailureName(submitted.status());
    }
    auto status = submitted->commit.Status();
    if (!status.ok()) {
      last_error_ = status.status().ToString();
      return FailureName(status.status());
    }
    return CodeName(status->code);
  }

  // One evaluation before the clock starts, so that the connection (gRPC dials lazily,
  // then the TLS handshake) is not in the first transactions' latency: AssetExists of a
  // key nobody creates.
  void Connect() { (void)contract_.EvaluateTransaction("AssetExists", {HotKey(run_id_, -1)}); }

  std::string CreateAsset(const std::string& key) {
    return SubmitAndWait("CreateAsset", {key, "blue", "5", fmt::format("client{}", index_), "300"});
  }

  // `start`: when the transaction was due (see Run), from which its latency counts.
  Outcome RunOne(Op op, Clock::time_point start) {
    Outcome outcome;
    outcome.op = op;
    switch (op) {
      case Op::kCreate:
        outcome.code = CreateAsset(fmt::format("bench-{}-c{}-{}", run_id_, index_, next_key_++));
        break;
      case Op::kTransfer: {
        std::uniform_int_distribution<int> pick(0, options_.hot_keys - 1);
        outcome.code = SubmitAndWait(
            "TransferAsset",
            {HotKey(run_id_, pick(random_)), fmt::format("owner{}-{}", index_, next_key_++)});
        break;
      }
      case Op::kRead: {
        std::uniform_int_distribution<int> pick(0, options_.hot_keys - 1);
        auto result = contract_.EvaluateTransaction("ReadAsset", {HotKey(run_id_, pick(random_))});
        if (result.ok()) {
          outcome.code = "EVALUATED";
        } else {
          last_error_ = result.status().ToString();
          outcome.code = FailureName(result.status());
        }
        break;
      }
    }
    outcome.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return outcome;
  }

  Op PickOp() {
    if (options_.workload == "create") return Op::kCreate;
    if (options_.workload == "transfer") return Op::kTransfer;
    if (options_.workload == "read") return Op::kRead;
    std::uniform_int_distribution<int> percent(0, 99);
    const int p = percent(random_);
    return p < 25 ? Op::kCreate : p < 50 ? Op::kTransfer : Op::kRead;
  }

  std::vector<Outcome>& outcomes() { return outcomes_; }
  const std::string& last_error() const { return last_error_; }

 private:
  const int index_;
  const std::string run_id_;
  const Options& options_;
  std::unique_ptr<weft::client::Gateway> gateway_;
  Contract contract_;
  std::mt19937 random_;
  uint64_t next_key_ = 0;
  std::vector<Outcome> outcomes_;
  std::string last_error_;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank.
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// Creates the hot keys the transfer and read workloads use, spread over the clients.
bool CreateHotKeys(std::vector<std::unique_ptr<Client>>& clients, const Options& options,
                   const std::string& run_id) {
  std::atomic<bool> ok{true};
  std::vector<std::thread> threads;
  for (size_t c = 0; c < clients.size(); ++c) {
    threads.emplace_back([&, c] {
      for (int k = static_cast<int>(c); k < options.hot_keys;
           k += static_cast<int>(clients.size())) {
        const std::string code = clients[c]->CreateAsset(Client::HotKey(run_id, k));
        if (code != "VALID") {
          std::cerr << fmt::format("weft-bench: creating hot key {} failed: {} {}\n", k, code,
                                   clients[c]->last_error());
          ok = false;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return ok;
}

int Run(const Options& options) {
  if (options.workload != "create" && options.workload != "transfer" &&
      options.workload != "read" && options.workload != "mixed") {
    std::cerr << "weft-bench: --workload must be create, transfer, read or mixed\n";
    return 2;
  }
  // Keys of this run differ from every earlier run's on the same channel.
  const std::string run_id =
      fmt::format("{:x}", std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());

  weft::client::GatewayOptions gateway_options;
  gateway_options.endpoint = options.endpoint;
  if (!options.tls_ca.empty()) {
    gateway_options.grpc.tls.enabled = true;
    gateway_options.grpc.tls.root_cas = {options.tls_ca};
    gateway_options.grpc.server_name_override = options.host_alias;
  }
  auto identity = weft::client::LoadSigner(options.msp_dir, options.msp_id);
  if (!identity.ok()) {
    std::cerr << "weft-bench: " << identity.status().ToString() << "\n";
    return 1;
  }
  // Every client's signatures (proposal, envelope, commit-status request) count here;
  // run.sh adds them to the nodes' /metrics counts (issue #15).
  auto ecdsa = std::make_shared<weft::msp::EcdsaCounter>();
  identity->CountSignsIn(ecdsa);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < options.clients; ++i) {
    auto gateway = weft::client::Gateway::Connect(gateway_options, *identity);
    if (!gateway.ok()) {
      std::cerr << "weft-bench: connecting to " << options.endpoint << ": "
                << gateway.status().ToString() << "\n";
      return 1;
    }
    clients.push_back(std::make_unique<Client>(i, run_id, options, std::move(*gateway)));
  }
  if (options.workload != "create") {
    if (!options.quiet) {
      std::cout << fmt::format("weft-bench: creating {} hot keys\n", options.hot_keys)
                << std::flush;
    }
    if (!CreateHotKeys(clients, options, run_id)) return 1;
  }

  for (auto& client : clients) client->Connect();

  Shared shared;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.duration_s));
  std::atomic<int64_t> slots{0};  // transactions handed out (the tx count and the rate schedule)
  std::mutex last_start_mu;
  Clock::time_point last_start = start;  // when the last transaction started

  std::vector<std::thread> threads;
  for (auto& client_ptr : clients) {
    Client* client = client_ptr.get();
    threads.emplace_back([&, client] {
      for (;;) {
        if (shared.stop) return;
        const int64_t slot = slots.fetch_add(1);
        if (options.tx_count > 0 && slot >= options.tx_count) return;
        // With a rate, latency counts from the slot's due time, so that a transaction
        // that waited for a free client includes the wait (no coordinated omission).
        auto due = Clock::now();
        if (options.rate > 0) {
          due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                            static_cast<double>(slot) / options.rate));
          if (options.tx_count == 0 && due >= deadline) return;
          std::this_thread::sleep_until(due);
        }
        if (options.tx_count == 0 && Clock::now() >= deadline) return;
        if (shared.stop) return;
        shared.started++;
        {
          std::lock_guard lock(last_start_mu);
          last_start = std::max(last_start, Clock::now());
        }
        Outcome outcome = client->RunOne(client->PickOp(), due);
        if (outcome.code == "EVALUATED") {
          shared.evaluated++;
        } else if (outcome.code.find("_ERROR") != std::string::npos || outcome.code == "ERROR") {
          shared.failed++;
        } else {
          shared.committed++;
          if (outcome.code == "VALID") shared.valid++;
        }
        shared.finished++;
        client->outcomes().push_back(std::move(outcome));
      }
    });
  }

  // The progress line, once a second, until the clients are done.
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::thread reporter([&] {
    int64_t last_started = 0, last_committed = 0, last_evaluated = 0;
    int second = 0;
    std::unique_lock lock(done_mu);
    while (
        !done_cv.wait_until(lock, start + std::chrono::seconds(second + 1), [&] { return done; })) {
      ++second;
      const int64_t started = shared.started, committed = shared.committed,
                    evaluated = shared.evaluated;
      if (!options.quiet) {
        std::cout << fmt::format(
                         "[{:>4}s] offered {:>6} tx/s  committed {:>6} tx/s  evaluated {:>6}/s  "
                         "total: committed {} (valid {}) evaluated {} failed {} in flight {}\n",
                         second, started - last_started, committed - last_committed,
                         evaluated - last_evaluated, committed, shared.valid.load(), evaluated,
                         shared.failed.load(), started - shared.finished.load())
                  << std::flush;
      }
      last_started = started;
      last_committed = committed;
      last_evaluated = evaluated;
    }
  });
  for (auto& thread : threads) thread.join();
  const auto end = Clock::now();
  {
    std::lock_guard lock(done_mu);
    done = true;
  }
  done_cv.notify_all();
  reporter.join();

  // Summary.
  const double elapsed_s = std::chrono::duration<double>(end - start).count();
  // Offered: over the time transactions were being started (the drain is not offered load).
  const double offering_s =
      std::max(std::chrono::duration<double>(last_start - start).count(), 1e-3);
  std::map<std::string, int64_t> codes;
  std::vector<double> commit_latencies, read_latencies;
  int64_t started_total = 0;
  std::string a_failure;
  for (auto& client : clients) {
    for (const auto& outcome : client->outcomes()) {
      ++started_total;
      codes[outcome.code]++;
      if (outcome.code == "EVALUATED") {
        read_latencies.push_back(outcome.latency_ms);
      } else if (outcome.code.find("_ERROR") == std::string::npos && outcome.code != "ERROR") {
        commit_latencies.push_back(outcome.latency_ms);
      }
    }
    if (a_failure.empty()) a_failure = client->last_error();
  }
  std::sort(commit_latencies.begin(), commit_latencies.end());
  std::sort(read_latencies.begin(), read_latencies.end());
  const double committed = static_cast<double>(shared.committed);
  nlohmann::json result = {
      {"name", options.name.empty() ? options.workload : options.name},
      {"workload", options.workload},
      {"clients", options.clients},
      {"target_rate", options.rate},
      {"elapsed_s", elapsed_s},
      {"transactions", started_total},
      {"offered_tps", static_cast<double>(started_total) / offering_s},
      {"committed_tps", committed / elapsed_s},
      {"valid_tps", static_cast<double>(shared.valid) / elapsed_s},
      {"evaluated_per_s", static_cast<double>(shared.evaluated) / elapsed_s},
      {"p50_ms", Percentile(commit_latencies, 50)},
      {"p95_ms", Percentile(commit_latencies, 95)},
      {"p99_ms", Percentile(commit_latencies, 99)},
      {"max_ms", commit_latencies.empty() ? 0.0 : commit_latencies.back()},
      {"offering_s", offering_s},
      {"read_p50_ms", Percentile(read_latencies, 50)},
      {"read_p99_ms", Percentile(read_latencies, 99)},
      {"codes", codes},
      // Over the whole run, hot keys included; weft-bench verifies nothing itself.
      {"ecdsa", {{"signs", ecdsa->signs()}, {"verifies", ecdsa->verifies()}}},
  };
  std::cout << fmt::format(
      "weft-bench {}: {} clients, {:.1f} s: offered {:.1f} tx/s, committed {:.1f} tx/s (valid "
      "{:.1f}), evaluated {:.1f}/s\n  submit->commit status latency ms: p50 {:.1f} p95 {:.1f} "
      "p99 {:.1f} max {:.1f}\n  evaluate latency ms: p50 {:.1f} p99 {:.1f}\n  ECDSA signs {} "
      "verifies {}\n  codes:",
      result["name"].get<std::string>(), options.clients, elapsed_s,
      result["offered_tps"].get<double>(), result["committed_tps"].get<double>(),
      result["valid_tps"].get<double>(), result["evaluated_per_s"].get<double>(),
      result["p50_ms"].get<double>(), result["p95_ms"].get<double>(),
      result["p99_ms"].get<double>(), result["max_ms"].get<double>(),
      result["read_p50_ms"].get<double>(), result["read_p99_ms"].get<double>(), ecdsa->signs(),
      ecdsa->verifies());
  for (const auto& [code, count] : codes) std::cout << " " << code << "=" << count;
  std::cout << "\n";
  if (shared.failed > 0) std::cout << "  a failure: " << a_failure << "\n";
  if (!options.json_file.empty()) {
    std::ofstream out(options.json_file);
    out << result.dump(2) << "\n";
    if (!out) {
      std::cerr << "weft-bench: cannot write " << options.json_file << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"weft-bench: load through a peer's Gateway with the asset-transfer-basic chaincode"};
  app.add_option("--peer", options.endpoint, "the peer's Gateway host:port")->capture_default_str();
  app.add_option("--tls-ca", options.tls_ca,
                 "the peer's TLS CA certificate (PEM); TLS off when empty");
  app.add_option("--host-alias", options.host_alias,
                 "TLS server name override (peer0.org1.example.com)");
  app.add_option("--msp-dir", options.msp_dir, "the client's MSP folder (signcerts/, keystore/)")
      ->required();
  app.add_option("--msp-id", options.msp_id, "the client's MSP ID")->capture_default_str();
  app.add_option("--channel", options.channel)->capture_default_str();
  app.add_option("--chaincode", options.chaincode)->capture_default_str();
  app.add_option("--workload", options.workload, "create | transfer | read | mixed")
      ->capture_default_str();
  app.add_option("--endorsing-org", options.endorsing_orgs,
                 "MSP IDs whose peers must endorse (repeatable)");
  app.add_option("--clients", options.clients, "concurrent clients")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rate", options.rate, "offered tx/s in total; 0 = closed loop")
      ->capture_default_str();
  app.add_option("--duration", options.duration_s, "seconds (ignored with --tx-count)")
      ->capture_default_str();
  app.add_option("--tx-count", options.tx_count, "transactions in total (0 = use --duration)")
      ->capture_default_str();
  app.add_option("--hot-keys", options.hot_keys, "keys of the transfer and read workloads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--json", options.json_file, "write the result as JSON to this file");
  app.add_option("--name", options.name, "the result's name (default: the workload)");
  app.add_flag("--quiet", options.quiet, "no progress lines");
  CLI11_PARSE(app, argc, argv);
  weft::common::grpc::DisableAbslDeadlockDetection();
  return Run(options);
}
