// The deliver client pulling a channel from real `orderer` processes on 127.0.0.1: over
// TLS and mutual TLS with the CAs of the channel config, across an orderer crash and
// restart, and against a fake Deliver server that answers SERVICE_UNAVAILABLE or serves
// a block signed outside the orderer organisations. Expected behaviour from Fabric's
// blocksprovider.go (release-2.5) and orderers/connection.go.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client-sdk/orderer_client.h"
#include "common/channelconfig/channel_config.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "msp/local_msp.h"
#include "orderer/ab.grpc.pb.h"
#include "peer/deliver_client/deliverer.h"
#include "peer/deliver_client/grpc_connector.h"
#include "tests/integration/orderer/solo_network.h"
#include "tests/support/block_signing.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace {

namespace fs = std::filesystem;
namespace dc = weft::peer::deliver_client;
namespace it = weft::testing::orderer_it;
using namespace std::chrono_literals;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";

// A port that was free a moment ago (the orderer must come back on the same one).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string Local(int port) { return "127.0.0.1:" + std::to_string(port); }

// cryptogen + configtxgen files whose channel config lists `endpoints` as the orderer
// org's OrdererEndpoints (and global Addresses), and one orderer process on `port`.
class Network {
 public:
  Network(int port, const std::vector<std::string>& endpoints, bool tls, bool mutual_tls)
      : port_(port), tls_(tls), mutual_tls_(mutual_tls) {
    it::GenerateNetworkFiles(dir());
    std::string configtx = it::ReadFile(dir() / "configtx.yaml");
    std::string listed;
    for (size_t i = 0; i < endpoints.size(); ++i) {
      listed += (i == 0 ? "" : "\n      - ") + endpoints[i];
    }
    for (size_t at = configtx.find("127.0.0.1:7050"); at != std::string::npos;
         at = configtx.find("127.0.0.1:7050", at + listed.size())) {
      configtx.replace(at, std::string("127.0.0.1:7050").size(), listed);
    }
    std::ofstream(dir() / "configtx.yaml") << configtx;
    auto generated = weft::testing::RunCommand(
        {(kBin / "configtxgen").string(), "-profile", "TwoOrgsApplicationGenesis", "-channelID",
         it::kChannel, "-outputBlock", it::GenesisPath(dir()).string(), "-configPath",
         dir().string()});
    if (generated.exit_code != 0) throw std::runtime_error("configtxgen: " + generated.output());
    REQUIRE(genesis_.ParseFromString(it::ReadFile(it::GenesisPath(dir()))));
  }
  ~Network() { Kill(SIGTERM); }

  const fs::path& dir() const { return dir_.path(); }
  const ::common::Block& genesis() const { return genesis_; }
  std::string address() const { return Local(port_); }
  fs::path OrdererTls() const {
    return dir() /
           "crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com/tls";
  }
  fs::path PeerTls() const {
    return dir() /
           "crypto-config/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls";
  }
  fs::path PeerMsp() const {
    return dir() /
           "crypto-config/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/msp";
  }

  // Starts the orderer (its ledger survives restarts); joins the channel the first time.
  void Start() {
    weft::testing::ProcessOptions options;
    options.argv = it::OrdererArgv();
    options.env = it::OrdererEnv(dir());
    options.env["ORDERER_GENERAL_LISTENPORT"] = std::to_string(port_);
    if (tls_) {
      options.env["ORDERER_GENERAL_TLS_ENABLED"] = "true";
      options.env["ORDERER_GENERAL_TLS_CERTIFICATE"] = (OrdererTls() / "server.crt").string();
      options.env["ORDERER_GENERAL_TLS_PRIVATEKEY"] = (OrdererTls() / "server.key").string();
      options.env["ORDERER_GENERAL_TLS_ROOTCAS"] = (OrdererTls() / "ca.crt").string();
    }
    if (mutual_tls_) {
      options.env["ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED"] = "true";
      options.env["ORDERER_GENERAL_TLS_CLIENTROOTCAS"] = (PeerTls() / "ca.crt").string();
    }
    options.stderr_file = dir() / "orderer.log";
    orderer_ = std::make_unique<weft::testing::ChildProcess>(options);
    auto ready = orderer_->WaitForLine(it::IsStartedLine, 30s);
    INFO(it::ReadFile(dir() / "orderer.log"));
    REQUIRE(ready.has_value());
    if (!joined_) {
      const auto endpoints = it::ParseStartedLine(*ready);
      auto joined = it::JoinChannel(dir(), endpoints.admin);
      INFO(joined.output());
      REQUIRE(joined.exit_code == 0);
      joined_ = true;
    }
  }
  void Kill(int signal) {
    if (orderer_ == nullptr) return;
    orderer_->Signal(signal);
    orderer_->Wait();
    orderer_.reset();
  }

  // The peer's client settings: TLS on when the orderer has it, the peer's TLS pair
  // for mutual TLS. Root CAs are left empty: they come from the channel config.
  weft::common::settings::GrpcClientSettings PeerClient() const {
    weft::common::settings::GrpcClientSettings client;
    client.tls.enabled = tls_;
    if (mutual_tls_) {
      client.tls.certificate = PeerTls() / "server.crt";
      client.tls.private_key = PeerTls() / "server.key";
    }
    return client;
  }

  // One envelope signed by User1 of Org1, broadcast and answered SUCCESS.
  void Broadcast(const std::string& data) {
    auto settings = PeerClient();
    settings.tls.root_cas = {OrdererTls() / "ca.crt"};
    auto client = weft::client::OrdererClient::Connect(address(), settings);
    REQUIRE(client.ok());
    auto user = weft::msp::LoadLocalMsp(it::UserMsp(dir(), "org1"), "Org1MSP");
    REQUIRE(user.ok());
    auto envelope = weft::common::protoutil::CreateSignedEnvelope(::common::MESSAGE, it::kChannel,
                                                                  user->signer, data);
    REQUIRE(envelope.ok());
    auto responses = (*client)->Broadcast({*envelope});
    INFO(responses.status().ToString());
    REQUIRE(responses.ok());
    REQUIRE(responses->size() == 1);
    REQUIRE(responses->front().status() == ::common::SUCCESS);
  }

 private:
  weft::testing::TempDir dir_{"weft-deliver-client-it"};
  int port_;
  bool tls_;
  bool mutual_tls_;
  bool joined_ = false;
  ::common::Block genesis_;
  std::unique_ptr<weft::testing::ChildProcess> orderer_;
};

// Records the blocks handed on (called on the deliverer's thread: no assertions).
class RecordingHandler final : public dc::BlockHandler {
 public:
  [[nodiscard]] weft::Status Deliver(const ::common::Block& block) override {
    std::lock_guard lock(mu_);
    blocks_.push_back(block);
    return absl::OkStatus();
  }
  std::vector<::common::Block> blocks() const {
    std::lock_guard lock(mu_);
    return blocks_;
  }
  std::vector<uint64_t> numbers() const {
    std::vector<uint64_t> numbers;
    for (const auto& block : blocks()) numbers.push_back(block.header().number());
    return numbers;
  }
  bool WaitFor(size_t count) const {
    return weft::testing::WaitUntil([&] { return blocks().size() >= count; }, 60s);
  }

 private:
  mutable std::mutex mu_;
  std::vector<::common::Block> blocks_;
};

struct Peer {
  std::optional<weft::msp::LocalMsp> local;
  std::unique_ptr<dc::Connector> connector;
  RecordingHandler handler;
  std::unique_ptr<dc::Deliverer> deliverer;

  // A deliverer of the network's channel from block 1 (the peer joined with the genesis
  // block). `first` names the endpoint to try first, when given.
  Peer(const Network& network, const std::string& first = {}) {
    auto loaded = weft::msp::LoadLocalMsp(network.PeerMsp(), "Org1MSP");
    REQUIRE(loaded.ok());
    local.emplace(*std::move(loaded));
    const auto client = network.PeerClient();
    connector = dc::NewGrpcConnector(client, 3s);
    auto hash = dc::ClientTlsCertHash(client);
    REQUIRE(hash.ok());
    auto config = weft::common::channelconfig::ChannelConfig::FromConfigBlock(network.genesis());
    REQUIRE(config.ok());
    for (uint64_t seed = 0; seed < 64; ++seed) {
      dc::DelivererOptions options;
      options.channel_id = it::kChannel;
      options.next_block = 1;
      options.previous_hash = weft::common::protoutil::BlockHeaderHash(network.genesis().header());
      options.config = *config;
      options.signer = &local->signer;
      options.tls_cert_hash = *hash;
      options.connector = connector.get();
      options.handler = &handler;
      options.shuffle_seed = seed;
      auto created = dc::Deliverer::Create(std::move(options));
      REQUIRE(created.ok());
      deliverer = *std::move(created);
      if (first.empty() || deliverer->endpoints().front().address == first) break;
    }
    REQUIRE((first.empty() || deliverer->endpoints().front().address == first));
  }
};

// A fake orderer: answers every Deliver with the next script of `scripts` (the last
// one repeats), then holds the stream open until the client goes away. Runs on gRPC's
// threads: it records, the test thread asserts.
class FakeOrderer final : public ::orderer::AtomicBroadcast::Service {
 public:
  FakeOrderer(int port, std::vector<std::vector<::orderer::DeliverResponse>> scripts)
      : scripts_(std::move(scripts)) {
    ::grpc::ServerBuilder builder;
    builder.AddListeningPort(Local(port), ::grpc::InsecureServerCredentials());
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr) throw std::runtime_error("fake orderer could not listen");
  }
  ~FakeOrderer() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      changed_.notify_all();
    }
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
    std::vector<::orderer::DeliverResponse> script;
    {
      std::lock_guard lock(mu_);
      script = scripts_[std::min(requests_.size(), scripts_.size() - 1)];
      requests_.push_back(request);
    }
    for (const auto& response : script) {
      if (!stream->Write(response)) return ::grpc::Status::OK;
    }
    // An orderer with nothing more to send keeps the stream open (BLOCK_UNTIL_READY).
    std::unique_lock lock(mu_);
    while (!stopping_ && !context->IsCancelled()) changed_.wait_for(lock, 20ms);
    return ::grpc::Status::OK;
  }

  size_t requests() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }

 private:
  std::vector<std::vector<::orderer::DeliverResponse>> scripts_;
  std::unique_ptr<::grpc::Server> server_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<::common::Envelope> requests_;
  bool stopping_ = false;
};

::orderer::DeliverResponse StatusResponse(::common::Status status) {
  ::orderer::DeliverResponse response;
  response.set_status(status);
  return response;
}

::orderer::DeliverResponse BlockResponse(const ::common::Block& block) {
  ::orderer::DeliverResponse response;
  *response.mutable_block() = block;
  return response;
}

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> numbers;
  for (uint64_t n = first; n <= last; ++n) numbers.push_back(n);
  return numbers;
}

}  // namespace

TEST_CASE("The deliver client pulls and verifies blocks over TLS with the channel config's CAs",
          "[slow]") {
  // The orderer org's OrdererEndpoints and TLS CA come from the genesis block
  // (connection.go); with mutual TLS the seek carries the client certificate's hash
  // (blocksprovider.go createSeekInfo, TLSCertHash) that the orderer binds.
  const bool mutual_tls = GENERATE(false, true);
  CAPTURE(mutual_tls);
  const int port = FreePort();
  Network network(port, {Local(port)}, /*tls=*/true, mutual_tls);
  network.Start();
  Peer peer(network);
  REQUIRE(peer.deliverer->endpoints().size() == 1);
  CHECK(peer.deliverer->endpoints()[0].address == Local(port));
  CHECK(peer.deliverer->endpoints()[0].root_cas.size() == 1);
  peer.deliverer->Start();
  for (int i = 1; i <= 3; ++i) {
    network.Broadcast("tx" + std::to_string(i));
    REQUIRE(peer.handler.WaitFor(i));
  }
  peer.deliverer->Stop();
  CHECK(peer.handler.numbers() == Range(1, 3));
  CHECK(peer.deliverer->attempts() == 1);
  // The same chain as a client verifying from genesis sees.
  auto verifier = weft::client::ChainVerifier::FromGenesis(network.genesis());
  REQUIRE(verifier.ok());
  for (const auto& block : peer.handler.blocks()) CHECK(verifier->Verify(block).ok());
}

TEST_CASE(
    "An orderer killed mid-stream: the deliver client falls over to the restarted orderer "
    "and resumes with no gap and no duplicate",
    "[slow]") {
  // blocksprovider.go: a broken stream counts a failure, the client backs off and
  // seeks again from the ledger height; here a dead second endpoint is tried too.
  const int port = FreePort();
  const int dead_port = FreePort();
  Network network(port, {Local(port), Local(dead_port)}, /*tls=*/true, /*mutual_tls=*/false);
  network.Start();
  Peer peer(network, Local(port));
  peer.deliverer->Start();
  for (int i = 1; i <= 2; ++i) {
    network.Broadcast("before-" + std::to_string(i));
    REQUIRE(peer.handler.WaitFor(i));
  }
  network.Kill(SIGKILL);
  // The client keeps failing over between the killed and the dead endpoint.
  REQUIRE(weft::testing::WaitUntil([&] { return peer.deliverer->attempts() >= 3; }, 60s));
  network.Start();
  for (int i = 3; i <= 4; ++i) {
    network.Broadcast("after-" + std::to_string(i));
    REQUIRE(peer.handler.WaitFor(i));
  }
  peer.deliverer->Stop();
  CHECK(peer.handler.numbers() == Range(1, 4));
}

TEST_CASE("SERVICE_UNAVAILABLE from one orderer moves the deliver client to the next endpoint",
          "[slow]") {
  const int port = FreePort();
  const int fake_port = FreePort();
  Network network(port, {Local(port), Local(fake_port)}, /*tls=*/false, /*mutual_tls=*/false);
  network.Start();
  FakeOrderer fake(fake_port, {{StatusResponse(::common::SERVICE_UNAVAILABLE)}});
  Peer peer(network, Local(fake_port));
  peer.deliverer->Start();
  for (int i = 1; i <= 2; ++i) {
    network.Broadcast("tx" + std::to_string(i));
    REQUIRE(peer.handler.WaitFor(i));
  }
  peer.deliverer->Stop();
  CHECK(fake.requests() == 1);
  CHECK(peer.deliverer->attempts() == 2);
  CHECK(peer.handler.numbers() == Range(1, 2));
}

TEST_CASE(
    "A block signed by an identity outside the orderer orgs never reaches the handler and "
    "the deliver client takes it from another orderer",
    "[slow]") {
  const int port = FreePort();
  const int fake_port = FreePort();
  Network network(port, {Local(port), Local(fake_port)}, /*tls=*/false, /*mutual_tls=*/false);
  network.Start();
  // The real blocks 1 and 2 (one transaction each), read with a plain client.
  std::vector<::common::Block> real;
  auto client = weft::client::OrdererClient::Connect(network.address(), network.PeerClient());
  REQUIRE(client.ok());
  auto reader = weft::msp::LoadLocalMsp(it::UserMsp(network.dir(), "org1"), "Org1MSP");
  REQUIRE(reader.ok());
  for (uint64_t n = 1; n <= 2; ++n) {
    network.Broadcast("tx" + std::to_string(n));
    auto status = (*client)->Deliver(it::kChannel, n, n, reader->signer, true,
                                     [&](const ::common::Block& block) {
                                       real.push_back(block);
                                       return true;
                                     });
    REQUIRE(status.ok());
    REQUIRE(real.size() == n);
  }
  // The fake serves block 1 as ordered and block 2 signed by Org1's User1: a valid
  // identity of the channel, but not a Writer of an orderer org (BlockValidation).
  auto user = weft::msp::LoadLocalMsp(it::UserMsp(network.dir(), "org1"), "Org1MSP");
  REQUIRE(user.ok());
  ::common::Block forged = real[1];
  weft::testing::SignBlockAs(forged, user->signer);
  FakeOrderer fake(fake_port, {{BlockResponse(real[0]), BlockResponse(forged)}});
  Peer peer(network, Local(fake_port));
  peer.deliverer->Start();
  REQUIRE(peer.handler.WaitFor(2));
  peer.deliverer->Stop();
  const auto blocks = peer.handler.blocks();
  REQUIRE(peer.handler.numbers() == Range(1, 2));
  CHECK(blocks[1].SerializeAsString() == real[1].SerializeAsString());
  CHECK(fake.requests() == 1);
  CHECK(peer.deliverer->attempts() == 2);
}
