// Faults of the `peer` executable against a real solo `orderer` on 127.0.0.1, TLS on
// ([F8] "Bad input and faults"): the peer SIGKILLed at varied moments while a stream
// of valid and invalid endorser transactions is ordered and committed; the orderer
// stopped (SIGTERM, SIGKILL) and restarted under a running peer; a commit that fails
// after the block store append (the state database's writes fail through an LD_PRELOAD
// library) ends the peer, and its restart recovers. After each, the peer's chain must
// be the orderer's block for block, every transaction once with its code, and its state
// and history databases byte for byte those `peer node rebuild-dbs` replays from its
// block store, with the COMMIT_HASH chain of a fresh ledger fed the same blocks.
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client-sdk/orderer_client.h"
#include "common/grpc/channel.h"
#include "common/ledger.pb.h"
#include "common/ledger/kvstore/leveldb_store.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "msp/local_msp.h"
#include "orderer/ab.grpc.pb.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/peer.grpc.pb.h"
#include "peer/query.pb.h"
#include "peer/transaction.pb.h"
#include "tests/integration/orderer/orderer_test_util.h"
#include "tests/integration/orderer/solo_network.h"
#include "tests/support/block_signing.h"
#include "tests/support/child_process.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"
#include "tests/support/worker_thread.h"

namespace {

namespace fs = std::filesystem;
namespace it = weft::testing::orderer_it;
namespace ledger = weft::peer::ledger;
namespace protoutil = weft::common::protoutil;
using namespace std::chrono_literals;
using weft::testing::ChildProcess;
using weft::testing::ProcessOptions;
using weft::testing::WaitUntil;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;
// Hang guard for what takes seconds on an idle machine (the test machine is shared).
constexpr std::chrono::milliseconds kLongWait = 240s;

fs::path OrdererDir(const fs::path& dir) {
  return dir / "crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com";
}
fs::path PeerDir(const fs::path& dir, const std::string& org = "org1") {
  return dir / ("crypto-config/peerOrganizations/" + org + ".example.com/peers/peer0." + org +
                ".example.com");
}

// The solo orderer with TLS on a fixed port (it comes back on the same address); its
// ledger (dir/ledger) survives restarts. The first start joins the channel.
class Orderer {
 public:
  explicit Orderer(fs::path dir) : dir_(std::move(dir)), port_(weft::testing::FreePort()) {}

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void Start() {
    ProcessOptions options;
    options.argv = it::OrdererArgv();
    options.env = it::OrdererEnv(dir_);
    const fs::path tls = OrdererDir(dir_) / "tls";
    options.env["ORDERER_GENERAL_LISTENPORT"] = std::to_string(port_);
    options.env["ORDERER_GENERAL_TLS_ENABLED"] = "true";
    options.env["ORDERER_GENERAL_TLS_PRIVATEKEY"] = (tls / "server.key").string();
    options.env["ORDERER_GENERAL_TLS_CERTIFICATE"] = (tls / "server.crt").string();
    options.env["ORDERER_GENERAL_TLS_ROOTCAS"] = "[" + (tls / "ca.crt").string() + "]";
    options.stderr_file = dir_ / "orderer.log";
    process_ = std::make_unique<ChildProcess>(options);
    auto ready = process_->WaitForLine(it::IsStartedLine, kLongWait);
    if (!ready) throw std::runtime_error("orderer did not start; log:\n" + Log());
    if (!joined_) {
      auto joined = it::JoinChannel(dir_, it::ParseStartedLine(*ready).admin);
      if (joined.exit_code != 0) throw std::runtime_error("osnadmin join: " + joined.output());
      joined_ = true;
    }
  }

  // Sends `signal` and waits: the exit code or -signal.
  int Stop(int signal) {
    process_->Signal(signal);
    const int code = process_->Wait();
    process_.reset();
    return code;
  }

  weft::common::settings::GrpcClientSettings ClientSettings() const {
    weft::common::settings::GrpcClientSettings settings;
    settings.tls.enabled = true;
    settings.tls.root_cas = {OrdererDir(dir_) / "tls/ca.crt"};
    return settings;
  }

  std::string Log() const { return it::ReadFile(dir_ / "orderer.log"); }

 private:
  fs::path dir_;
  int port_;
  bool joined_ = false;
  std::unique_ptr<ChildProcess> process_;
};

// core.yaml of the sample with the channel config's orderer endpoint (127.0.0.1:7050)
// mapped to the orderer's real address and TLS CA.
fs::path WriteCoreYaml(const fs::path& dir, const std::string& orderer_address) {
  std::string text = it::ReadFile(kSource / "deploy/config/core.yaml");
  const std::string overrides = "addressOverrides: []";
  const size_t at = text.find(overrides);
  if (at == std::string::npos) throw std::runtime_error("core.yaml has no addressOverrides");
  text.replace(at, overrides.size(),
               "addressOverrides:\n      - from: 127.0.0.1:7050\n        to: " + orderer_address +
                   "\n        caCertsFile: " + (OrdererDir(dir) / "tls/ca.crt").string());
  const fs::path config_dir = dir / "peer-config";
  fs::create_directories(config_dir);
  std::ofstream(config_dir / "core.yaml") << text;
  return config_dir;
}

struct PeerEndpoints {
  std::string grpc;
  std::string operations;
};

// The `peer` executable of Org1; its data (peer.fileSystemPath) survives restarts and
// its log (appended across restarts) is dir/peer.log.
class Peer {
 public:
  Peer(const fs::path& dir, const std::string& orderer_address) : dir_(dir) {
    const fs::path peer = PeerDir(dir);
    env_ = {{"FABRIC_CFG_PATH", WriteCoreYaml(dir, orderer_address).string()},
            {"CORE_PEER_ID", "peer0.org1.example.com"},
            {"CORE_PEER_ADDRESS", "127.0.0.1:7051"},
            {"CORE_PEER_LISTENADDRESS", "127.0.0.1:0"},
            {"CORE_PEER_CHAINCODELISTENADDRESS", "127.0.0.1:0"},
            {"CORE_PEER_FILESYSTEMPATH", data_dir().string()},
            {"CORE_PEER_MSPCONFIGPATH", (peer / "msp").string()},
            {"CORE_PEER_LOCALMSPID", "Org1MSP"},
            {"CORE_PEER_VALIDATORPOOLSIZE", "2"},
            {"CORE_PEER_TLS_ENABLED", "true"},
            {"CORE_PEER_TLS_CERT_FILE", (peer / "tls/server.crt").string()},
            {"CORE_PEER_TLS_KEY_FILE", (peer / "tls/server.key").string()},
            {"CORE_PEER_TLS_ROOTCERT_FILE", (peer / "tls/ca.crt").string()},
            {"CORE_PEER_TLS_CLIENTROOTCAS_FILES", "[" + (peer / "tls/ca.crt").string() + "]"},
            // Fabric's defaults wait up to an hour between attempts; a test waits less.
            {"CORE_PEER_DELIVERYCLIENT_RECONNECTBACKOFFTHRESHOLD", "2s"},
            {"CORE_OPERATIONS_LISTENADDRESS", "127.0.0.1:0"},
            {"CORE_METRICS_PROVIDER", "prometheus"}};
  }

  fs::path data_dir() const { return dir_ / "peer-data"; }
  void AddEnv(const std::map<std::string, std::string>& env) {
    for (const auto& [name, value] : env) env_[name] = value;
  }
  const std::map<std::string, std::string>& env() const { return env_; }

  // Starts the process without waiting for it to serve.
  void Spawn(const std::map<std::string, std::string>& extra_env = {}) {
    spawned_at_ = fs::exists(dir_ / "peer.log") ? fs::file_size(dir_ / "peer.log") : 0;
    ProcessOptions options;
    options.argv = {(kBin / "peer").string(), "node", "start"};
    options.env = env_;
    for (const auto& [name, value] : extra_env) options.env[name] = value;
    options.stderr_file = dir_ / "peer.log";
    process_ = std::make_unique<ChildProcess>(options);
  }

  // Waits for the "peer started:" line of the last Spawn.
  PeerEndpoints WaitStarted() {
    auto ready = process_->WaitForLine(
        [](const std::string& line) { return line.rfind("peer started:", 0) == 0; }, kLongWait);
    if (!ready) throw std::runtime_error("peer did not start; log:\n" + Log());
    std::smatch match;
    if (!std::regex_search(*ready, match, std::regex("grpc=(\\S+) operations=(\\S+)"))) {
      throw std::runtime_error("not a \"peer started:\" line: " + *ready);
    }
    return {match[1], match[2]};
  }

  PeerEndpoints Start(const std::map<std::string, std::string>& extra_env = {}) {
    Spawn(extra_env);
    return WaitStarted();
  }

  int Stop(int signal) {
    process_->Signal(signal);
    return Wait();
  }
  int Wait() {
    const int code = process_->Wait();
    process_.reset();
    return code;
  }
  bool Running() { return process_ != nullptr && process_->Running(); }

  std::string Log() const { return it::ReadFile(dir_ / "peer.log"); }
  // What the process of the last Spawn logged so far.
  std::string LogSince() const { return Log().substr(spawned_at_); }
  // The last lines of the log, for failure messages.
  std::string LogTail() const {
    const std::string log = Log();
    size_t at = log.size();
    for (int lines = 0; lines < 80 && at != std::string::npos && at > 0; ++lines) {
      at = log.rfind('\n', at - 1);
    }
    return at == std::string::npos ? log : log.substr(at);
  }

 private:
  fs::path dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<ChildProcess> process_;
  size_t spawned_at_ = 0;
};

// The environment that preloads state_write_fault.cpp's library into the peer: armed
// while `trigger` exists, `action` "" fails the state database's writes, "kill" kills
// the peer as it writes a block's state batch.
std::map<std::string, std::string> FaultEnv(const fs::path& trigger, const std::string& action) {
  std::map<std::string, std::string> env = {{"LD_PRELOAD", WEFT_STATE_WRITE_FAULT},
                                            {"WEFT_FAULT_TRIGGER", trigger.string()}};
  if (!action.empty()) env["WEFT_FAULT_ACTION"] = action;
  // Under ASan its runtime must otherwise come first in the preload list.
  const char* asan = std::getenv("ASAN_OPTIONS");
  env["ASAN_OPTIONS"] = std::string(asan != nullptr ? asan : "") + (asan != nullptr ? ":" : "") +
                        "verify_asan_link_order=0";
  return env;
}

struct Identities {
  explicit Identities(const fs::path& dir)
      : admin(it::LoadUser(it::UserMsp(dir, "org1", "Admin"), "Org1MSP")),
        user(it::LoadUser(it::UserMsp(dir, "org1"), "Org1MSP")),
        peer1(it::LoadUser(PeerDir(dir, "org1") / "msp", "Org1MSP")),
        peer2(it::LoadUser(PeerDir(dir, "org2") / "msp", "Org2MSP")) {}
  weft::msp::SigningIdentity admin;
  weft::msp::SigningIdentity user;
  weft::msp::SigningIdentity peer1;
  weft::msp::SigningIdentity peer2;
};

// A proposal to `chaincode` on `channel`; `config_type` makes its header type CONFIG
// (Fabric's `peer channel join` proposal).
::protos::SignedProposal MakeProposal(const weft::msp::SigningIdentity& signer,
                                      const std::string& channel, const std::string& chaincode,
                                      const std::vector<std::string>& args,
                                      bool config_type = false) {
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = channel;
  spec.chaincode_name = chaincode;
  spec.args = args;
  spec.chaincode_type = ::protos::ChaincodeSpec::GOLANG;
  auto created = protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity());
  if (!created.ok()) throw std::runtime_error(created.status().ToString());
  ::protos::Proposal proposal = created->proposal;
  if (config_type) {
    ::common::Header header;
    ::common::ChannelHeader channel_header;
    if (!header.ParseFromString(proposal.header()) ||
        !channel_header.ParseFromString(header.channel_header())) {
      throw std::runtime_error("proposal header does not parse");
    }
    channel_header.set_type(::common::CONFIG);
    header.set_channel_header(channel_header.SerializeAsString());
    proposal.set_header(header.SerializeAsString());
  }
  auto signed_proposal = protoutil::SignProposal(proposal, signer);
  if (!signed_proposal.ok()) throw std::runtime_error(signed_proposal.status().ToString());
  return *signed_proposal;
}

class PeerClient {
 public:
  PeerClient(const std::string& address, const fs::path& dir) {
    weft::common::settings::GrpcClientSettings settings;
    settings.tls.enabled = true;
    settings.tls.root_cas = {PeerDir(dir) / "tls/ca.crt"};
    // The peer's TLS certificate names localhost, not 127.0.0.1.
    settings.server_name_override = "localhost";
    auto channel = weft::common::grpc::MakeChannel(address, settings);
    if (!channel.ok()) throw std::runtime_error(channel.status().ToString());
    endorser_ = ::protos::Endorser::NewStub(*channel);
  }

  // The proposal's response, or nullopt when the peer did not answer.
  std::optional<::protos::Response> Process(const ::protos::SignedProposal& proposal) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 30s);
    ::protos::ProposalResponse response;
    if (!endorser_->ProcessProposal(&context, proposal, &response).ok()) return std::nullopt;
    return response.response();
  }

  // qscc GetChainInfo's height; nullopt when the peer does not answer it.
  std::optional<uint64_t> Height(const weft::msp::SigningIdentity& reader) {
    auto response =
        Process(MakeProposal(reader, it::kChannel, "qscc", {"GetChainInfo", it::kChannel}));
    ::common::BlockchainInfo info;
    if (!response || response->status() != 200 || !info.ParseFromString(response->payload())) {
      return std::nullopt;
    }
    return info.height();
  }

  // Waits until the channel's height is at least `height`; the height last seen.
  uint64_t WaitForHeight(const weft::msp::SigningIdentity& reader, uint64_t height) {
    uint64_t seen = 0;
    WaitUntil(
        [&] {
          seen = Height(reader).value_or(seen);
          return seen >= height;
        },
        kLongWait);
    return seen;
  }

 private:
  std::unique_ptr<::protos::Endorser::Stub> endorser_;
};

// The org admin joins the peer to the channel through cscc JoinChain.
void JoinPeer(const PeerEndpoints& endpoints, const fs::path& dir, const Identities& ids) {
  PeerClient client(endpoints.grpc, dir);
  const std::string genesis = it::ReadFile(it::GenesisPath(dir));
  auto joined = client.Process(MakeProposal(ids.admin, "", "cscc", {"JoinChain", genesis}, true));
  REQUIRE(joined);
  INFO(joined->message());
  REQUIRE(joined->status() == 200);
}

// GET `path` on the operations endpoint: status and body (status 0 when unreachable).
std::pair<int, std::string> OperationsGet(const std::string& operations, const std::string& path) {
  const size_t colon = operations.rfind(':');
  httplib::Client client(operations.substr(0, colon), std::stoi(operations.substr(colon + 1)));
  auto result = client.Get(path);
  if (!result) return {0, ""};
  return {result->status, result->body};
}

// The value of the channel's sample of `metric` on /metrics; nullopt when absent.
std::optional<double> ChannelMetric(const std::string& operations, const std::string& metric) {
  const std::string body = OperationsGet(operations, "/metrics").second;
  const std::string prefix = metric + "{channel=\"" + it::kChannel + "\"} ";
  const size_t at = body.find(prefix);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(body.substr(at + prefix.size()));
}

// What a transaction of the stream is built to be, and so the code it must commit with.
enum class TxKind {
  kValid,          // blind writes to _lifecycle endorsed by both orgs' peers
  kPolicyFailure,  // the same endorsed by Org1's peer alone
  kNoDefinition,   // writes to a chaincode with no committed definition
  kHotRead,        // reads "faults/hot" as absent and writes it: only the first commits
};

TxKind KindOf(uint64_t i) {
  switch (i % 6) {
    case 3:
      return TxKind::kPolicyFailure;
    case 4:
      return TxKind::kNoDefinition;
    case 5:
      return TxKind::kHotRead;
    default:
      return TxKind::kValid;
  }
}

// Transaction `i` of the stream, signed by User1 and endorsed by test peer identities.
// _lifecycle is validated against /Channel/Application/LifecycleEndorsement (MAJORITY
// Endorsement of two orgs: both peers), as Fabric's v20 plugin dispatcher does.
weft::testing::EndorserTx BuildTx(const Identities& ids, uint64_t i) {
  const TxKind kind = KindOf(i);
  weft::testing::EndorserTxSpec spec;
  spec.channel_id = it::kChannel;
  spec.chaincode = kind == TxKind::kNoDefinition ? "basic" : "_lifecycle";
  spec.creator = &ids.user;
  spec.endorsers = {&ids.peer1};
  if (kind != TxKind::kPolicyFailure) spec.endorsers.push_back(&ids.peer2);
  ::kvrwset::KVRWSet rwset;
  if (kind == TxKind::kHotRead) {
    rwset.add_reads()->set_key("faults/hot");  // no version: read as absent
    auto* write = rwset.add_writes();
    write->set_key("faults/hot");
    write->set_value("hot " + std::to_string(i));
  } else {
    auto* write = rwset.add_writes();
    write->set_key("faults/key" + std::to_string(i % 17));
    write->set_value("value " + std::to_string(i));
    if (i % 11 == 0) {
      auto* removed = rwset.add_writes();
      removed->set_key("faults/key" + std::to_string((i + 5) % 17));
      removed->set_is_delete(true);
    }
  }
  spec.results.set_data_model(::rwset::TxReadWriteSet::KV);
  auto* ns = spec.results.add_ns_rwset();
  ns->set_namespace_(spec.chaincode);
  ns->set_rwset(rwset.SerializeAsString());
  return weft::testing::BuildEndorserTx(spec);
}

struct SentTx {
  std::string tx_id;
  TxKind kind;
};

// Broadcasts the transaction stream to the orderer from a worker thread, about one
// every 15 ms, until stopped; a refused or failed broadcast (the orderer away) is
// counted and the stream goes on with a fresh connection.
class Feeder {
 public:
  Feeder(const Orderer& orderer, const Identities& ids, uint64_t first = 0)
      : worker_([this, address = orderer.address(), settings = orderer.ClientSettings(), &ids,
                 first](weft::testing::FailureLog& failures, std::stop_token stop) {
          std::unique_ptr<weft::client::OrdererClient> client;
          for (uint64_t i = first; !stop.stop_requested(); ++i) {
            std::this_thread::sleep_for(15ms);
            if (client == nullptr) {
              auto connected = weft::client::OrdererClient::Connect(address, settings);
              if (!connected.ok()) {
                failures.Record("connecting to the orderer: " + connected.status().ToString());
                return;
              }
              client = *std::move(connected);
            }
            const auto tx = BuildTx(ids, i);
            auto response = client->Submit(tx.envelope);
            if (response.ok() && response->status() == ::common::SUCCESS) {
              std::lock_guard lock(mu_);
              sent_.push_back({tx.tx_id, KindOf(i)});
            } else {
              ++unsent_;
              client.reset();
            }
          }
        }) {}

  // Stops the stream; REQUIREs that the worker recorded no failure.
  std::vector<SentTx> Finish() {
    worker_.RequestStop();
    REQUIRE(worker_.Join() == weft::testing::kNoFailures);
    std::lock_guard lock(mu_);
    return sent_;
  }
  size_t sent() const {
    std::lock_guard lock(mu_);
    return sent_.size();
  }
  int unsent() const { return unsent_; }

 private:
  mutable std::mutex mu_;
  std::vector<SentTx> sent_;  // guarded by mu_
  std::atomic<int> unsent_{0};
  weft::testing::WorkerThread worker_;  // last: it stops before the members it uses go
};

std::string TxId(const std::string& envelope) {
  auto opened = protoutil::OpenEnvelope(envelope);
  return opened.ok() ? opened->channel_header.tx_id() : "";
}

// The orderer's chain up to and including the block holding `tx_id`, waiting for it.
std::vector<::common::Block> OrdererChainThrough(const Orderer& orderer, const Identities& ids,
                                                 const std::string& tx_id) {
  auto client = weft::client::OrdererClient::Connect(orderer.address(), orderer.ClientSettings());
  REQUIRE(client.ok());
  std::vector<::common::Block> chain;
  bool found = false;
  auto status = (*client)->Deliver(it::kChannel, 0, std::numeric_limits<uint64_t>::max(), ids.user,
                                   /*wait=*/true, [&](const ::common::Block& block) {
                                     chain.push_back(block);
                                     for (const auto& envelope : block.data().data())
                                       found = found || TxId(envelope) == tx_id;
                                     return !found;
                                   });
  INFO(status.status().ToString());
  REQUIRE(status.ok());
  REQUIRE(found);
  return chain;
}

// Broadcasts one last valid transaction and returns the orderer's chain through its
// block: once the feeder has stopped, nothing is ordered after it.
std::vector<::common::Block> FinalChain(const Orderer& orderer, const Identities& ids) {
  const auto marker = BuildTx(ids, 6'000'000);  // kValid
  auto client = weft::client::OrdererClient::Connect(orderer.address(), orderer.ClientSettings());
  REQUIRE(client.ok());
  REQUIRE(it::BroadcastOne(**client, marker.envelope).status() == ::common::SUCCESS);
  return OrdererChainThrough(orderer, ids, marker.tx_id);
}

std::map<std::string, std::string> ReadAll(const fs::path& leveldb_dir) {
  auto store = weft::common::ledger::kvstore::LevelDbStore::Open(leveldb_dir.string());
  INFO(leveldb_dir << ": " << store.status().ToString());
  REQUIRE(store.ok());
  std::map<std::string, std::string> all;
  auto iterator = (*store)->NewIterator();
  for (; iterator.Valid(); iterator.Next()) all[std::string(iterator.key())] = iterator.value();
  REQUIRE(iterator.status().ok());
  return all;
}

std::string Metadata(const ::common::Block& block, ::common::BlockMetadataIndex index) {
  return block.metadata().metadata_size() > index ? block.metadata().metadata(index) : "";
}

// The checks every test ends with, on a peer stopped after it committed `orderer_chain`:
// - its chain is the orderer's, block for block (header hash and data);
// - every endorser transaction is in it once, with the code its kind gives, and, when
//   `all_sent_committed`, every transaction the orderer acknowledged is there;
// - its state and history LevelDB equals, key for key, what `peer node rebuild-dbs`
//   replays from a copy of its block store;
// - each block's TRANSACTIONS_FILTER and COMMIT_HASH equal those of a fresh ledger fed
//   the same blocks (MVCC and duplicate tx ids recomputed, the commit hash chained).
void CheckLedger(const Peer& peer, const std::vector<::common::Block>& orderer_chain,
                 const std::vector<SentTx>& sent, bool all_sent_committed) {
  const fs::path ledgers = peer.data_dir() / "ledgersData";
  const fs::path replay = peer.data_dir().parent_path() / "replay-data";
  fs::remove_all(replay);
  fs::create_directories(replay);
  fs::copy(ledgers, replay / "ledgersData", fs::copy_options::recursive);
  auto env = peer.env();
  env["CORE_PEER_FILESYSTEMPATH"] = replay.string();
  auto rebuilt = weft::testing::RunCommand({(kBin / "peer").string(), "node", "rebuild-dbs"}, env);
  INFO(rebuilt.output());
  REQUIRE(rebuilt.exit_code == 0);
  {
    const std::string state = std::string("statedb/") + it::kChannel;
    const auto live = ReadAll(ledgers / state);
    const auto replayed = ReadAll(replay / "ledgersData" / state);
    INFO("live state DB " << live.size() << " keys, replayed " << replayed.size());
    CHECK(live == replayed);
  }

  auto opened = ledger::LedgerManager(ledgers).OpenLedger(it::kChannel);
  REQUIRE(opened.ok());
  ledger::PeerLedger& stored = **opened;
  REQUIRE(stored.GetBlockchainInfo().height == orderer_chain.size());
  weft::testing::TempDir reference_dir("weft-peer-faults-reference");
  ledger::LedgerOptions fast;
  fast.fsync = weft::common::ledger::blockstore::FsyncPolicy::kNone;
  auto reference =
      ledger::LedgerManager(reference_dir.path(), fast).CreateLedger(orderer_chain.front());
  REQUIRE(reference.ok());

  std::map<std::string, int> seen;
  std::map<std::string, ::protos::TxValidationCode> codes;
  for (uint64_t number = 0; number < orderer_chain.size(); ++number) {
    INFO("block " << number);
    auto block = stored.GetBlockByNumber(number);
    REQUIRE(block.ok());
    CHECK(protoutil::BlockHeaderHash(block->header()) ==
          protoutil::BlockHeaderHash(orderer_chain[number].header()));
    CHECK(block->data().SerializeAsString() == orderer_chain[number].data().SerializeAsString());
    const std::string filter = Metadata(*block, ::common::TRANSACTIONS_FILTER);
    REQUIRE(filter.size() == static_cast<size_t>(block->data().data_size()));
    std::vector<::protos::TxValidationCode> first_stage;
    for (int i = 0; i < block->data().data_size(); ++i) {
      const auto code = static_cast<::protos::TxValidationCode>(static_cast<uint8_t>(filter[i]));
      const std::string tx_id = TxId(block->data().data(i));
      ++seen[tx_id];
      codes[tx_id] = code;
      // The ledger's own checks (MVCC, duplicate tx ids) are what the reference redoes.
      const bool ledger_code = code == ::protos::MVCC_READ_CONFLICT ||
                               code == ::protos::PHANTOM_READ_CONFLICT ||
                               code == ::protos::DUPLICATE_TXID;
      first_stage.push_back(ledger_code ? ::protos::VALID : code);
    }
    if (number == 0) continue;
    REQUIRE((*reference)->CommitBlock(orderer_chain[number], first_stage).ok());
    auto replayed = (*reference)->GetBlockByNumber(number);
    REQUIRE(replayed.ok());
    CHECK(Metadata(*replayed, ::common::TRANSACTIONS_FILTER) == filter);
    CHECK(Metadata(*replayed, ::common::COMMIT_HASH) == Metadata(*block, ::common::COMMIT_HASH));
  }
  CHECK_FALSE(stored.commit_hash().empty());
  CHECK(stored.commit_hash() == (*reference)->commit_hash());

  // Expected codes (Fabric v20): a policy not met by the endorsements is
  // ENDORSEMENT_POLICY_FAILURE (builtin v20 validation plugin); a chaincode without a
  // definition INVALID_CHAINCODE (plugindispatcher GetInfoForValidate); a read of a key
  // written since is MVCC_READ_CONFLICT (kvledger validation validateKVRead).
  int hot_valid = 0;
  int hot_committed = 0;
  int committed = 0;
  for (const auto& tx : sent) {
    INFO("tx " << tx.tx_id);
    if (seen.count(tx.tx_id) == 0) {
      CHECK_FALSE(all_sent_committed);
      continue;
    }
    ++committed;
    CHECK(seen[tx.tx_id] == 1);
    const auto code = codes[tx.tx_id];
    switch (tx.kind) {
      case TxKind::kValid:
        CHECK(code == ::protos::VALID);
        break;
      case TxKind::kPolicyFailure:
        CHECK(code == ::protos::ENDORSEMENT_POLICY_FAILURE);
        break;
      case TxKind::kNoDefinition:
        CHECK(code == ::protos::INVALID_CHAINCODE);
        break;
      case TxKind::kHotRead:
        ++hot_committed;
        if (code == ::protos::VALID)
          ++hot_valid;
        else
          CHECK(code == ::protos::MVCC_READ_CONFLICT);
        break;
    }
  }
  for (const auto& [tx_id, count] : seen) {
    INFO("tx " << tx_id);
    if (!tx_id.empty()) CHECK(count == 1);
  }
  // The first committed read of the absent key is valid, every later one conflicts.
  CHECK(hot_valid == (hot_committed > 0 ? 1 : 0));
  CHECK(committed > 0);
}

// Rewrites the channel's orderer endpoints (the orderer org's OrdererEndpoints and the
// global Addresses) in dir/configtx.yaml to `endpoints` and regenerates the genesis block.
void SetOrdererEndpoints(const fs::path& dir, const std::vector<std::string>& endpoints) {
  std::istringstream in(it::ReadFile(dir / "configtx.yaml"));
  std::string rewritten;
  for (std::string line; std::getline(in, line);) {
    const size_t item = line.find("- 127.0.0.1:7050");
    if (item == std::string::npos) {
      rewritten += line + "\n";
      continue;
    }
    for (const auto& endpoint : endpoints)
      rewritten += line.substr(0, item) + "- " + endpoint + "\n";
  }
  std::ofstream(dir / "configtx.yaml") << rewritten;
  auto generated = weft::testing::RunCommand(
      {(kBin / "configtxgen").string(), "-profile", "TwoOrgsApplicationGenesis", "-channelID",
       it::kChannel, "-outputBlock", it::GenesisPath(dir).string(), "-configPath", dir.string()});
  if (generated.exit_code != 0) throw std::runtime_error("configtxgen: " + generated.output());
}

// An orderer endpoint of the channel that answers every Deliver with one given block and
// then keeps the stream open (a BLOCK_UNTIL_READY seek with nothing more to send). It
// serves TLS with the real orderer's certificate, so only the block's signatures give it
// away. Runs on gRPC's threads: it records, the test thread asserts.
class OneBlockOrderer final : public ::orderer::AtomicBroadcast::Service {
 public:
  OneBlockOrderer(const std::string& address, const fs::path& tls_dir, ::common::Block block)
      : block_(std::move(block)) {
    ::grpc::SslServerCredentialsOptions tls;
    tls.pem_key_cert_pairs.push_back(
        {it::ReadFile(tls_dir / "server.key"), it::ReadFile(tls_dir / "server.crt")});
    ::grpc::ServerBuilder builder;
    builder.AddListeningPort(address, ::grpc::SslServerCredentials(tls));
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr) throw std::runtime_error("fake orderer cannot listen on " + address);
  }
  ~OneBlockOrderer() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    changed_.notify_all();
    server_->Shutdown(std::chrono::system_clock::now() + 5s);
  }

  ::grpc::Status Broadcast(
      ::grpc::ServerContext*,
      ::grpc::ServerReaderWriter<::orderer::BroadcastResponse, ::common::Envelope>*) override {
    return {::grpc::StatusCode::UNIMPLEMENTED, "fake orderer"};
  }

  ::grpc::Status Deliver(
      ::grpc::ServerContext* context,
      ::grpc::ServerReaderWriter<::orderer::DeliverResponse, ::common::Envelope>* stream) override {
    ::common::Envelope request;
    if (!stream->Read(&request)) return ::grpc::Status::OK;
    {
      std::lock_guard lock(mu_);
      ++requests_;
    }
    ::orderer::DeliverResponse response;
    *response.mutable_block() = block_;
    if (!stream->Write(response)) return ::grpc::Status::OK;
    std::unique_lock lock(mu_);
    while (!stopping_ && !context->IsCancelled()) changed_.wait_for(lock, 20ms);
    return ::grpc::Status::OK;
  }

  int requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  const ::common::Block block_;
  std::unique_ptr<::grpc::Server> server_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  int requests_ = 0;       // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
};

// What a SIGKILL left on disk, read from a copy: the state savepoint (blocks the state
// reflects) and the height of the block store once reopened (recovery runs on the copy).
struct CrashImage {
  uint64_t savepoint = 0;
  uint64_t height = 0;
};

CrashImage InspectCrash(const Peer& peer) {
  const fs::path image = peer.data_dir().parent_path() / "crash-image";
  fs::remove_all(image);
  fs::copy(peer.data_dir() / "ledgersData", image, fs::copy_options::recursive);
  CrashImage crash;
  {
    auto store = weft::common::ledger::kvstore::LevelDbStore::Open(
        (image / "statedb" / it::kChannel).string());
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    // peer/ledger/statedb/FORMAT.md: view "meta", key "savepoint", u64 big-endian.
    auto savepoint = (*store)->OpenNamespace("meta").Get("savepoint");
    if (savepoint.ok()) {
      REQUIRE(savepoint->size() == 8);
      for (unsigned char byte : *savepoint) crash.savepoint = crash.savepoint << 8 | byte;
    } else {
      REQUIRE(absl::IsNotFound(savepoint.status()));
    }
  }
  auto reopened = ledger::LedgerManager(image).OpenLedger(it::kChannel);
  INFO(reopened.status().ToString());
  REQUIRE(reopened.ok());
  crash.height = (*reopened)->GetBlockchainInfo().height;
  CHECK(crash.savepoint <= crash.height);
  return crash;
}

}  // namespace

TEST_CASE(
    "A peer SIGKILLed at varied moments while blocks commit resumes from its height, catches "
    "up with the orderer and its state equals a replay of its block store",
    "[slow]") {
  weft::testing::TempDir dir{"weft-peer-faults"};
  it::GenerateNetworkFiles(dir.path());
  const Identities ids(dir.path());
  Orderer orderer(dir.path());
  orderer.Start();
  Peer peer(dir.path(), orderer.address());
  const fs::path kill_trigger = dir.path() / "kill-at-state-write";
  peer.AddEnv(FaultEnv(kill_trigger, "kill"));
  auto endpoints = peer.Start();
  JoinPeer(endpoints, dir.path(), ids);

  Feeder feeder(orderer, ids);
  uint64_t height = PeerClient(endpoints.grpc, dir.path()).WaitForHeight(ids.user, 3);
  REQUIRE(height >= 3);

  const unsigned seed = 20261130;
  INFO("seed " << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(0, 1500);
  for (int run = 0; run < 8; ++run) {
    INFO("run " << run << ", peer log ends:\n" << peer.LogTail());
    uint64_t observed = height;
    const int mode = run % 4;
    switch (mode) {
      case 0:
        // Some moment while it commits the stream.
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
        observed = PeerClient(endpoints.grpc, dir.path()).Height(ids.user).value_or(height);
        REQUIRE(peer.Stop(SIGKILL) == -SIGKILL);
        break;
      case 1:
        // Killed, then again soon after it starts pulling the blocks the orderer cut
        // meanwhile: it is committing them back to back.
        REQUIRE(peer.Stop(SIGKILL) == -SIGKILL);
        std::this_thread::sleep_for(1s);
        peer.Spawn();
        REQUIRE(WaitUntil(
            [&] { return peer.LogSince().find("pulling blocks from") != std::string::npos; },
            kLongWait));
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random) / 15));
        REQUIRE(peer.Stop(SIGKILL) == -SIGKILL);
        break;
      case 2:
        // Killed again while it opens its ledger, recovers or starts pulling.
        REQUIRE(peer.Stop(SIGKILL) == -SIGKILL);
        peer.Spawn();
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random) / 3));
        REQUIRE(peer.Stop(SIGKILL) == -SIGKILL);
        break;
      default:
        // The preloaded library kills it as it writes the state batch of a block it has
        // just appended to its block store.
        std::ofstream(kill_trigger) << "kill\n";
        REQUIRE(WaitUntil([&] { return !peer.Running(); }, kLongWait));
        REQUIRE(peer.Wait() == -SIGKILL);
        fs::remove(kill_trigger);
        break;
    }
    const CrashImage image = InspectCrash(peer);
    // Nothing the peer had committed (reported by qscc) is lost.
    CHECK(image.height >= observed);
    // Killed mid-commit: the block is stored, its state is not.
    if (mode == 3) CHECK(image.savepoint + 1 == image.height);

    endpoints = peer.Start();
    PeerClient client(endpoints.grpc, dir.path());
    // It resumes from its height and goes on with the orderer's next blocks.
    const auto resumed = client.Height(ids.user);
    REQUIRE(resumed);
    CHECK(*resumed >= image.height);
    height = client.WaitForHeight(ids.user, *resumed + 1);
    REQUIRE(height > *resumed);
  }

  const auto sent = feeder.Finish();
  const auto chain = FinalChain(orderer, ids);
  {
    PeerClient client(endpoints.grpc, dir.path());
    INFO(peer.LogTail());
    REQUIRE(client.WaitForHeight(ids.user, chain.size()) == chain.size());
  }
  REQUIRE(peer.Stop(SIGTERM) == 0);
  CHECK(feeder.unsent() == 0);
  CheckLedger(peer, chain, sent, /*all_sent_committed=*/true);
  CHECK(orderer.Stop(SIGTERM) == 0);
}

TEST_CASE(
    "An orderer stopped (SIGTERM, SIGKILL) under a running peer: the peer retries with backoff "
    "and, once it is back, commits every block once",
    "[slow]") {
  weft::testing::TempDir dir{"weft-peer-faults"};
  it::GenerateNetworkFiles(dir.path());
  const Identities ids(dir.path());
  Orderer orderer(dir.path());
  orderer.Start();
  Peer peer(dir.path(), orderer.address());
  const auto endpoints = peer.Start();
  JoinPeer(endpoints, dir.path(), ids);
  PeerClient client(endpoints.grpc, dir.path());

  Feeder feeder(orderer, ids);
  uint64_t height = client.WaitForHeight(ids.user, 3);
  REQUIRE(height >= 3);
  for (const int signal : {SIGTERM, SIGKILL}) {
    INFO("signal " << signal << ", peer log ends:\n" << peer.LogTail());
    height = client.WaitForHeight(ids.user, height + 2);
    // The operations endpoint's deliver client state (peer/node's metrics; Fabric's peer
    // registers no health checker for block delivery, so /healthz stays OK).
    std::optional<double> attempts;
    REQUIRE(WaitUntil(
        [&] {
          attempts = ChannelMetric(endpoints.operations, "deliver_client_connection_attempts");
          return attempts.has_value();
        },
        kLongWait));
    const int code = orderer.Stop(signal);
    CHECK(code == (signal == SIGTERM ? 0 : -SIGKILL));
    // Broken streams count failures and the peer dials again, backing off between tries.
    CHECK(WaitUntil(
        [&] {
          auto now = ChannelMetric(endpoints.operations, "deliver_client_connection_attempts");
          return now && *now >= *attempts + 3;
        },
        kLongWait));
    CHECK(peer.Running());
    CHECK(OperationsGet(endpoints.operations, "/healthz").first == 200);
    CHECK(ChannelMetric(endpoints.operations, "deliver_client_running") == 1.0);
    const uint64_t while_away = client.Height(ids.user).value_or(0);
    CHECK(while_away >= height);

    orderer.Start();
    height = client.WaitForHeight(ids.user, while_away + 2);
    REQUIRE(height >= while_away + 2);
  }

  const auto sent = feeder.Finish();
  const auto chain = FinalChain(orderer, ids);
  {
    INFO(peer.LogTail());
    REQUIRE(client.WaitForHeight(ids.user, chain.size()) == chain.size());
  }
  CHECK(peer.Running());
  REQUIRE(peer.Stop(SIGTERM) == 0);
  // Acknowledged transactions an orderer had not cut when it was stopped are its to
  // lose (solo keeps no queue); the blocks it did cut must all be on the peer, once.
  CheckLedger(peer, chain, sent, /*all_sent_committed=*/false);
  CHECK(orderer.Stop(SIGTERM) == 0);
}

TEST_CASE(
    "A peer whose commit fails after the block store append exits, and at restart its state "
    "catches up with its block store",
    "[slow]") {
  weft::testing::TempDir dir{"weft-peer-faults"};
  it::GenerateNetworkFiles(dir.path());
  const Identities ids(dir.path());
  Orderer orderer(dir.path());
  orderer.Start();
  Peer peer(dir.path(), orderer.address());
  // The LD_PRELOAD library fails the state database's writes while `trigger` exists.
  const fs::path trigger = dir.path() / "fail-state-writes";
  peer.AddEnv(FaultEnv(trigger, ""));
  auto endpoints = peer.Start();
  JoinPeer(endpoints, dir.path(), ids);

  auto orderer_client =
      weft::client::OrdererClient::Connect(orderer.address(), orderer.ClientSettings());
  REQUIRE(orderer_client.ok());
  std::vector<SentTx> sent;
  auto broadcast = [&](uint64_t i) {
    const auto tx = BuildTx(ids, i);
    REQUIRE(it::BroadcastOne(**orderer_client, tx.envelope).status() == ::common::SUCCESS);
    sent.push_back({tx.tx_id, KindOf(i)});
    return tx.tx_id;
  };
  broadcast(0);
  const uint64_t before = PeerClient(endpoints.grpc, dir.path()).WaitForHeight(ids.user, 2);
  REQUIRE(before >= 2);

  std::ofstream(trigger) << "fail\n";
  const std::string failed_tx = broadcast(1);
  // Fabric panics when the state commit fails after the block store append (kv_ledger.go
  // commit, "error during commit to txmgr"); the peer must not serve on with its state
  // behind its blocks.
  {
    INFO(peer.LogTail());
    REQUIRE(WaitUntil([&] { return !peer.Running(); }, kLongWait));
  }
  CHECK(peer.Wait() == 2);
  const std::string log = peer.Log();
  CHECK_THAT(log, Catch::Contains("Cannot commit block to the ledger due to: block " +
                                  std::to_string(before) + " is in the block store"));
  CHECK_THAT(log, Catch::Contains("No space left on device"));
  fs::remove(trigger);

  // Restarted, the peer replays the appended block into its state and goes on.
  endpoints = peer.Start();
  PeerClient client(endpoints.grpc, dir.path());
  CHECK(client.Height(ids.user).value_or(0) >= before + 1);
  auto committed = client.Process(MakeProposal(ids.user, it::kChannel, "qscc",
                                               {"GetTransactionByID", it::kChannel, failed_tx}));
  REQUIRE(committed);
  INFO(committed->message());
  REQUIRE(committed->status() == 200);
  ::protos::ProcessedTransaction processed;
  REQUIRE(processed.ParseFromString(committed->payload()));
  CHECK(processed.validationcode() == ::protos::VALID);
  for (uint64_t i = 2; i < 8; ++i) broadcast(i);
  const auto chain = FinalChain(orderer, ids);
  REQUIRE(client.WaitForHeight(ids.user, chain.size()) == chain.size());
  REQUIRE(peer.Stop(SIGTERM) == 0);
  CheckLedger(peer, chain, sent, /*all_sent_committed=*/true);
  CHECK(orderer.Stop(SIGTERM) == 0);
}

TEST_CASE(
    "A block whose orderer signatures do not satisfy BlockValidation is never committed: the "
    "peer logs why and takes the block from another orderer",
    "[slow]") {
  weft::testing::TempDir dir{"weft-peer-faults"};
  it::GenerateNetworkFiles(dir.path());
  Orderer orderer(dir.path());
  const std::string fake_address = "127.0.0.1:" + std::to_string(weft::testing::FreePort());
  SetOrdererEndpoints(dir.path(), {orderer.address(), fake_address});
  const Identities ids(dir.path());
  orderer.Start();
  std::string last_tx;
  {
    auto client = weft::client::OrdererClient::Connect(orderer.address(), orderer.ClientSettings());
    REQUIRE(client.ok());
    for (uint64_t i = 0; i < 3; ++i) {
      const auto tx = BuildTx(ids, i);
      REQUIRE(it::BroadcastOne(**client, tx.envelope).status() == ::common::SUCCESS);
      last_tx = tx.tx_id;
    }
  }
  const auto chain = OrdererChainThrough(orderer, ids, last_tx);
  REQUIRE(orderer.Stop(SIGTERM) == 0);

  // Block 1 as ordered, signed by Org1's User1: a member of the channel, not a Writer of
  // the orderer org that /Channel/Orderer/BlockValidation names (Fabric's
  // BlockValidationPolicyVerifier behind blocksprovider's VerifyBlock).
  ::common::Block forged = chain[1];
  weft::testing::SignBlockAs(forged, ids.user);
  OneBlockOrderer fake(fake_address, OrdererDir(dir.path()) / "tls", forged);

  Peer peer(dir.path(), orderer.address());
  const auto endpoints = peer.Start();
  JoinPeer(endpoints, dir.path(), ids);
  PeerClient client(endpoints.grpc, dir.path());
  // With the real orderer away the peer reaches the fake (first or after failing over).
  const std::string rejected = "block 1 from orderer " + fake_address + " rejected";
  {
    INFO(peer.LogTail());
    REQUIRE(WaitUntil([&] { return peer.Log().find(rejected) != std::string::npos; }, kLongWait));
  }
  CHECK(fake.requests() >= 1);
  // The log says why.
  const std::string log = peer.Log();
  const std::string line =
      log.substr(log.find(rejected), log.find('\n', log.find(rejected)) - log.find(rejected));
  CHECK_THAT(line, Catch::Contains("BlockValidation"));
  CHECK(client.Height(ids.user) == 1u);

  // The real orderer back, the peer takes the blocks from it.
  orderer.Start();
  {
    INFO(peer.LogTail());
    REQUIRE(client.WaitForHeight(ids.user, chain.size()) == chain.size());
  }
  REQUIRE(peer.Stop(SIGTERM) == 0);
  auto opened = ledger::LedgerManager(peer.data_dir() / "ledgersData").OpenLedger(it::kChannel);
  REQUIRE(opened.ok());
  REQUIRE((*opened)->GetBlockchainInfo().height == chain.size());
  for (uint64_t number = 1; number < chain.size(); ++number) {
    INFO("block " << number);
    auto block = (*opened)->GetBlockByNumber(number);
    REQUIRE(block.ok());
    CHECK(protoutil::BlockHeaderHash(block->header()) ==
          protoutil::BlockHeaderHash(chain[number].header()));
    CHECK(block->data().SerializeAsString() == chain[number].data().SerializeAsString());
    // The orderer's signatures, not the forger's.
    CHECK(Metadata(*block, ::common::SIGNATURES) == Metadata(chain[number], ::common::SIGNATURES));
  }
  CHECK(orderer.Stop(SIGTERM) == 0);
}
