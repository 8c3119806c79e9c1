// The `peer` executable with a real solo `orderer` on 127.0.0.1, TLS on both: an
// org admin joins the channel through cscc JoinChain (a channel-less CONFIG proposal
// carrying the genesis block, as Fabric's `peer channel join` sends it), GetChannels
// lists it, joining again is refused, blocks broadcast to the orderer are pulled,
// validated and committed (qscc GetChainInfo, the peer's Deliver), and a restart
// reopens the channel. SIGTERM stops the peer with exit code 0.
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "client-sdk/orderer_client.h"
#include "common/channelconfig/channel_config.h"
#include "common/configtx/update.h"
#include "common/grpc/channel.h"
#include "common/ledger.pb.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "msp/local_msp.h"
#include "peer/configuration.pb.h"
#include "peer/events.grpc.pb.h"
#include "peer/peer.grpc.pb.h"
#include "peer/query.pb.h"
#include "peer/transaction.pb.h"
#include "tests/integration/orderer/orderer_test_util.h"
#include "tests/integration/orderer/solo_network.h"
#include "tests/support/child_process.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace {

namespace fs = std::filesystem;
namespace protoutil = weft::common::protoutil;
using weft::testing::ChildProcess;
using weft::testing::ProcessOptions;
using weft::testing::orderer_it::kChannel;
using weft::testing::orderer_it::ReadFile;
using weft::testing::orderer_it::SoloNetwork;

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;

fs::path OrdererDir(const fs::path& dir) {
  return dir / "crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com";
}
fs::path PeerDir(const fs::path& dir) {
  return dir / "crypto-config/peerOrganizations/org1.example.com/peers/peer0.org1.example.com";
}

std::map<std::string, std::string> OrdererTlsEnv(const fs::path& dir) {
  const fs::path tls = OrdererDir(dir) / "tls";
  return {{"ORDERER_GENERAL_TLS_ENABLED", "true"},
          {"ORDERER_GENERAL_TLS_PRIVATEKEY", (tls / "server.key").string()},
          {"ORDERER_GENERAL_TLS_CERTIFICATE", (tls / "server.crt").string()},
          {"ORDERER_GENERAL_TLS_ROOTCAS", "[" + (tls / "ca.crt").string() + "]"}};
}

// core.yaml of the sample with the channel config's orderer endpoint (127.0.0.1:7050)
// mapped to the orderer's real address and TLS CA.
fs::path WriteCoreYaml(const fs::path& dir, const std::string& orderer_address) {
  std::string text = ReadFile(kSource / "deploy/config/core.yaml");
  const std::string overrides = "addressOverrides: []";
  const size_t at = text.find(overrides);
  REQUIRE(at != std::string::npos);
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

class PeerProcess {
 public:
  PeerProcess(const fs::path& dir, const fs::path& config_dir) : dir_(dir) {
    const fs::path peer = PeerDir(dir);
    env_ = {{"FABRIC_CFG_PATH", config_dir.string()},
            {"CORE_PEER_ID", "peer0.org1.example.com"},
            {"CORE_PEER_ADDRESS", "127.0.0.1:7051"},
            {"CORE_PEER_LISTENADDRESS", "127.0.0.1:0"},
            {"CORE_PEER_CHAINCODELISTENADDRESS", "127.0.0.1:0"},
            {"CORE_PEER_FILESYSTEMPATH", (dir / "peer-data").string()},
            {"CORE_PEER_MSPCONFIGPATH", (peer / "msp").string()},
            {"CORE_PEER_LOCALMSPID", "Org1MSP"},
            {"CORE_PEER_VALIDATORPOOLSIZE", "2"},
            {"CORE_PEER_TLS_ENABLED", "true"},
            {"CORE_PEER_TLS_CERT_FILE", (peer / "tls/server.crt").string()},
            {"CORE_PEER_TLS_KEY_FILE", (peer / "tls/server.key").string()},
            {"CORE_PEER_TLS_ROOTCERT_FILE", (peer / "tls/ca.crt").string()},
            {"CORE_PEER_TLS_CLIENTROOTCAS_FILES", "[" + (peer / "tls/ca.crt").string() + "]"},
            {"CORE_OPERATIONS_LISTENADDRESS", "127.0.0.1:0"},
            {"CORE_METRICS_PROVIDER", "prometheus"}};
  }

  PeerEndpoints Start() {
    ProcessOptions options;
    options.argv = {(kBin / "peer").string(), "node", "start"};
    options.env = env_;
    options.stderr_file = dir_ / "peer.log";
    process_ = std::make_unique<ChildProcess>(options);
    auto ready = process_->WaitForLine(
        [](const std::string& line) { return line.rfind("peer started:", 0) == 0; },
        std::chrono::seconds(30));
    if (!ready) throw std::runtime_error("peer did not start; log:\n" + Log());
    std::smatch match;
    if (!std::regex_search(*ready, match, std::regex("grpc=(\\S+) operations=(\\S+)"))) {
      throw std::runtime_error("not a \"peer started:\" line: " + *ready);
    }
    return {match[1], match[2]};
  }

  int Stop() {
    process_->Signal(SIGTERM);
    return process_->Wait();
  }

  std::string Log() const { return ReadFile(dir_ / "peer.log"); }
  const std::map<std::string, std::string>& env() const { return env_; }

 private:
  fs::path dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<ChildProcess> process_;
};

weft::msp::SigningIdentity LoadIdentity(const fs::path& dir, const std::string& user) {
  return weft::testing::orderer_it::LoadUser(weft::testing::orderer_it::UserMsp(dir, "org1", user),
                                             "Org1MSP");
}

// A proposal to `chaincode` on `channel` with `args`; `config_type` makes its header
// type CONFIG (Fabric's `peer channel join` proposal).
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
  REQUIRE(created.ok());
  ::protos::Proposal proposal = created->proposal;
  if (config_type) {
    ::common::Header header;
    REQUIRE(header.ParseFromString(proposal.header()));
    ::common::ChannelHeader channel_header;
    REQUIRE(channel_header.ParseFromString(header.channel_header()));
    channel_header.set_type(::common::CONFIG);
    header.set_channel_header(channel_header.SerializeAsString());
    proposal.set_header(header.SerializeAsString());
  }
  auto signed_proposal = protoutil::SignProposal(proposal, signer);
  REQUIRE(signed_proposal.ok());
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
    REQUIRE(channel.ok());
    channel_ = *channel;
    endorser_ = ::protos::Endorser::NewStub(channel_);
    deliver_ = ::protos::Deliver::NewStub(channel_);
  }

  // The gRPC status and, when OK, the response.
  std::pair<::grpc::Status, ::protos::ProposalResponse> Process(
      const ::protos::SignedProposal& proposal) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    ::protos::ProposalResponse response;
    ::grpc::Status status = endorser_->ProcessProposal(&context, proposal, &response);
    return {status, response};
  }

  ::common::BlockchainInfo ChainInfo(const weft::msp::SigningIdentity& signer) {
    auto [status, response] =
        Process(MakeProposal(signer, kChannel, "qscc", {"GetChainInfo", kChannel}));
    REQUIRE(status.ok());
    INFO(response.response().message());
    REQUIRE(response.response().status() == 200);
    ::common::BlockchainInfo info;
    REQUIRE(info.ParseFromString(response.response().payload()));
    return info;
  }

  // qscc GetChainInfo as `signer`: the response (status 200 or 500).
  ::protos::Response TryChainInfo(const weft::msp::SigningIdentity& signer) {
    auto [status, response] =
        Process(MakeProposal(signer, kChannel, "qscc", {"GetChainInfo", kChannel}));
    REQUIRE(status.ok());
    return response.response();
  }

  std::vector<std::string> Channels(const weft::msp::SigningIdentity& signer) {
    auto [status, response] = Process(MakeProposal(signer, "", "cscc", {"GetChannels"}));
    REQUIRE(status.ok());
    INFO(response.response().message());
    REQUIRE(response.response().status() == 200);
    ::protos::ChannelQueryResponse channels;
    REQUIRE(channels.ParseFromString(response.response().payload()));
    std::vector<std::string> ids;
    for (const auto& channel : channels.channels()) ids.push_back(channel.channel_id());
    return ids;
  }

  // The filtered block `number` through protos.Deliver/DeliverFiltered.
  ::protos::FilteredBlock DeliverFiltered(const weft::msp::SigningIdentity& signer,
                                          uint64_t number) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto stream = deliver_->DeliverFiltered(&context);
    auto seek = protoutil::CreateSeekInfoEnvelope(
        kChannel,
        protoutil::MakeSeekInfo(protoutil::SeekSpecified(number), protoutil::SeekSpecified(number)),
        signer);
    REQUIRE(seek.ok());
    REQUIRE(stream->Write(*seek));
    ::protos::FilteredBlock filtered;
    ReadUntilStatus(context, *stream, [&](const ::protos::DeliverResponse& response) {
      CHECK(response.has_filtered_block());
      filtered = response.filtered_block();
    });
    return filtered;
  }

  // Blocks [0, last] through protos.Deliver/Deliver.
  std::vector<::common::Block> DeliverBlocks(const weft::msp::SigningIdentity& signer,
                                             uint64_t last) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto stream = deliver_->Deliver(&context);
    auto seek = protoutil::CreateSeekInfoEnvelope(
        kChannel, protoutil::MakeSeekInfo(protoutil::SeekOldest(), protoutil::SeekSpecified(last)),
        signer);
    REQUIRE(seek.ok());
    REQUIRE(stream->Write(*seek));
    std::vector<::common::Block> blocks;
    ReadUntilStatus(context, *stream, [&](const ::protos::DeliverResponse& response) {
      CHECK(response.has_block());
      blocks.push_back(response.block());
    });
    return blocks;
  }

 private:
  // Reads deliver responses until the peer's status, which must be SUCCESS, handing
  // each one that carries a block to `on_block`; then closes the stream.
  template <typename Stream, typename OnBlock>
  static void ReadUntilStatus(::grpc::ClientContext& context, Stream& stream, OnBlock on_block) {
    ::protos::DeliverResponse response;
    while (stream.Read(&response)) {
      if (response.has_status()) {
        CHECK(response.status() == ::common::SUCCESS);
        break;
      }
      on_block(response);
    }
    stream.WritesDone();
    context.TryCancel();
    (void)stream.Finish();
  }

  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<::protos::Endorser::Stub> endorser_;
  std::unique_ptr<::protos::Deliver::Stub> deliver_;
};

// GET `path` on the operations endpoint: status and body.
std::pair<int, std::string> OperationsGet(const std::string& operations, const std::string& path) {
  const size_t colon = operations.rfind(':');
  httplib::Client client(operations.substr(0, colon), std::stoi(operations.substr(colon + 1)));
  auto result = client.Get(path);
  REQUIRE(result);
  return {result->status, result->body};
}

std::string Metrics(const std::string& operations) {
  return OperationsGet(operations, "/metrics").second;
}

// Polls qscc until the channel reaches `height` (the blocks come from the orderer).
uint64_t WaitForHeight(PeerClient& client, const weft::msp::SigningIdentity& reader,
                       uint64_t height) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  uint64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    seen = client.ChainInfo(reader).height();
    if (seen >= height) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return seen;
}

// A solo orderer (TLS on; joined to kChannel through osnadmin when `join_orderer`)
// and peer0.org1 with the sample core.yaml, plus the `peer` CLI as Org1's admin with
// the environment Fabric's test-network gives its CLI (the peer's TLS certificate
// names localhost, test-network's CORE_PEER_ADDRESS form).
class CliNetwork {
 public:
  explicit CliNetwork(bool join_orderer) {
    orderer_ = network_.Start(OrdererTlsEnv(dir()));
    if (join_orderer) {
      REQUIRE(network_
                  .Osnadmin({"channel", "join", "--channelID", kChannel, "--config-block",
                             weft::testing::orderer_it::GenesisPath(dir()).string()})
                  .exit_code == 0);
    }
    const fs::path config_dir = WriteCoreYaml(dir(), orderer_.grpc);
    peer_ = std::make_unique<PeerProcess>(dir(), config_dir);
    const auto endpoints = peer_->Start();
    const std::string port = endpoints.grpc.substr(endpoints.grpc.rfind(':') + 1);
    cli_env_ = {{"FABRIC_CFG_PATH", config_dir.string()},
                {"CORE_PEER_ADDRESS", "localhost:" + port},
                {"CORE_PEER_LOCALMSPID", "Org1MSP"},
                {"CORE_PEER_MSPCONFIGPATH",
                 weft::testing::orderer_it::UserMsp(dir(), "org1", "Admin").string()},
                {"CORE_PEER_TLS_ENABLED", "true"},
                {"CORE_PEER_TLS_ROOTCERT_FILE", (PeerDir(dir()) / "tls/ca.crt").string()}};
  }

  const fs::path& dir() const { return network_.dir(); }
  const weft::testing::orderer_it::Endpoints& orderer() const { return orderer_; }
  PeerProcess& peer() { return *peer_; }

  weft::testing::CommandResult Cli(std::vector<std::string> args) const {
    args.insert(args.begin(), (kBin / "peer").string());
    return weft::testing::RunCommand(args, cli_env_, dir());
  }

  // `peer channel join -b <genesis block>`.
  weft::testing::CommandResult JoinPeer() const {
    return Cli({"channel", "join", "-b", weft::testing::orderer_it::GenesisPath(dir()).string()});
  }

  // Stops the peer and the orderer; both exit with code 0.
  void Stop() {
    CHECK(peer_->Stop() == 0);
    CHECK(network_.Stop() == 0);
  }

 private:
  SoloNetwork network_;
  weft::testing::orderer_it::Endpoints orderer_;
  std::unique_ptr<PeerProcess> peer_;
  std::map<std::string, std::string> cli_env_;
};

}  // namespace

TEST_CASE("a peer joins a channel through cscc, commits the orderer's blocks and reopens it") {
  SoloNetwork network;
  const fs::path dir = network.dir();
  const auto orderer = network.Start(OrdererTlsEnv(dir));
  REQUIRE(network
              .Osnadmin({"channel", "join", "--channelID", kChannel, "--config-block",
                         weft::testing::orderer_it::GenesisPath(dir).string()})
              .exit_code == 0);

  PeerProcess peer(dir, WriteCoreYaml(dir, orderer.grpc));
  auto endpoints = peer.Start();
  const auto admin = LoadIdentity(dir, "Admin");
  const auto user = LoadIdentity(dir, "User1");
  const std::string genesis = ReadFile(weft::testing::orderer_it::GenesisPath(dir));

  {
    PeerClient client(endpoints.grpc, dir);
    CHECK(client.Channels(user).empty());

    // Fabric's cscc: JoinChain needs the local MSP's Admins; a client is refused.
    auto [refused_status, refused] =
        client.Process(MakeProposal(user, "", "cscc", {"JoinChain", genesis}, true));
    REQUIRE(refused_status.ok());
    CHECK(refused.response().status() == 500);
    CHECK_THAT(refused.response().message(),
               Catch::StartsWith("access denied for [JoinChain][testchannel]: [Failed verifying "
                                 "that proposal's creator satisfies local MSP principal during "
                                 "channelless check policy with policy [Admins]"));

    auto [joined_status, joined] =
        client.Process(MakeProposal(admin, "", "cscc", {"JoinChain", genesis}, true));
    REQUIRE(joined_status.ok());
    INFO(joined.response().message());
    CHECK(joined.response().status() == 200);
    // A channel-less proposal's response is not endorsed (Fabric's endorser).
    CHECK_FALSE(joined.has_endorsement());
    CHECK(client.Channels(user) == std::vector<std::string>{kChannel});

    // Joining again is an error, never a reset (Fabric's idStore.createLedgerID).
    auto [again_status, again] =
        client.Process(MakeProposal(admin, "", "cscc", {"JoinChain", genesis}, true));
    REQUIRE(again_status.ok());
    CHECK(again.response().status() == 500);
    CHECK(again.response().message() ==
          "cannot create ledger from genesis block: ledger [testchannel] already exists with "
          "state [ACTIVE]");

    // Blocks broadcast to the orderer reach the peer's ledger.
    weft::common::settings::GrpcClientSettings orderer_settings;
    orderer_settings.tls.enabled = true;
    orderer_settings.tls.root_cas = {OrdererDir(dir) / "tls/ca.crt"};
    auto orderer_client = weft::client::OrdererClient::Connect(orderer.grpc, orderer_settings);
    REQUIRE(orderer_client.ok());
    for (int i = 0; i < 3; ++i) {
      auto response = weft::testing::orderer_it::BroadcastOne(
          **orderer_client,
          weft::testing::orderer_it::Envelope(user, "payload " + std::to_string(i)));
      REQUIRE(response.status() == ::common::SUCCESS);
    }
    // An endorser transaction writing to a chaincode with no definition: Fabric's v20
    // dispatcher (plugindispatcher Dispatch, GetInfoForValidate) marks it INVALID_CHAINCODE.
    const auto peer_signer = weft::testing::orderer_it::LoadUser(PeerDir(dir) / "msp", "Org1MSP");
    weft::testing::EndorserTxSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode = "basic";
    spec.creator = &user;
    spec.endorsers = {&peer_signer};
    ::kvrwset::KVRWSet writes;
    auto* write = writes.add_writes();
    write->set_key("asset1");
    write->set_value("blue");
    spec.results.set_data_model(::rwset::TxReadWriteSet::KV);
    auto* ns = spec.results.add_ns_rwset();
    ns->set_namespace_("basic");
    ns->set_rwset(writes.SerializeAsString());
    const auto endorser_tx = weft::testing::BuildEndorserTx(spec);
    REQUIRE(
        weft::testing::orderer_it::BroadcastOne(**orderer_client, endorser_tx.envelope).status() ==
        ::common::SUCCESS);

    const uint64_t height = WaitForHeight(client, user, 2);
    INFO(peer.Log());
    REQUIRE(height >= 2);
    auto info = client.ChainInfo(user);
    auto blocks = client.DeliverBlocks(user, info.height() - 1);
    REQUIRE(blocks.size() == info.height());
    CHECK(blocks[1].header().number() == 1);
    // A qscc answer on a channel is endorsed by the peer.
    auto [chain_status, chain] =
        client.Process(MakeProposal(user, kChannel, "qscc", {"GetChainInfo", kChannel}));
    REQUIRE(chain_status.ok());
    CHECK(chain.has_endorsement());
    CHECK(chain.version() == 1);

    // The endorser transaction is in the ledger with its validation code (qscc).
    ::protos::ProcessedTransaction processed;
    const auto tx_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < tx_deadline) {
      auto [tx_status, tx] = client.Process(MakeProposal(
          user, kChannel, "qscc", {"GetTransactionByID", kChannel, endorser_tx.tx_id}));
      REQUIRE(tx_status.ok());
      if (tx.response().status() == 200) {
        REQUIRE(processed.ParseFromString(tx.response().payload()));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(processed.validationcode() == ::protos::INVALID_CHAINCODE);
    // The same code in the filtered block of DeliverFiltered.
    bool found_in_filtered_block = false;
    for (uint64_t number = 1; number < client.ChainInfo(user).height(); ++number) {
      const ::protos::FilteredBlock filtered = client.DeliverFiltered(user, number);
      for (const auto& tx : filtered.filtered_transactions()) {
        if (tx.txid() != endorser_tx.tx_id) continue;
        found_in_filtered_block = true;
        CHECK(tx.tx_validation_code() == ::protos::INVALID_CHAINCODE);
      }
    }
    CHECK(found_in_filtered_block);

    // An application chaincode on the joined channel: its definition is looked up in a
    // simulation over the peer's ledger, and without one Fabric's endorser answers 500
    // with its message and a successful gRPC call.
    auto [app_status, app] =
        client.Process(MakeProposal(user, kChannel, "basic", {"CreateAsset", "asset9"}));
    REQUIRE(app_status.ok());
    CHECK(app.response().status() == 500);
    CHECK(app.response().message() ==
          "make sure the chaincode basic has been successfully defined on channel testchannel "
          "and try again: chaincode basic not found");
    CHECK_FALSE(app.has_endorsement());
    // The chaincode listener serves peer.chaincodeListenAddress, with mutual TLS.
    CHECK_THAT(peer.Log(), Catch::Contains("chaincode listener on 127.0.0.1:0") &&
                               Catch::Contains("mutual TLS"));

    // Operations: /healthz, /version (common/ops, Fabric's operations.System).
    CHECK(OperationsGet(endpoints.operations, "/healthz").first == 200);
    auto [version_status, version] = OperationsGet(endpoints.operations, "/version");
    CHECK(version_status == 200);
    CHECK_THAT(version, Catch::Contains("\"Version\""));
    // The counters move just after the commit the checks above observed.
    const std::string invalid_count =
        "ledger_transaction_count{channel=\"testchannel\",transaction_type=\"unknown\","
        "chaincode=\"unknown\",validation_code=\"INVALID_CHAINCODE\"} 1";
    std::string metrics;
    CHECK(weft::testing::WaitUntil([&] {
      metrics = Metrics(endpoints.operations);
      return metrics.find(invalid_count) != std::string::npos;
    }));
    CHECK_THAT(metrics, Catch::Contains("ledger_blockchain_height{channel=\"testchannel\"}"));
    // The peer's ECDSA counters (msp::EcdsaCounter): it signed its Deliver requests to
    // the orderer and verified the proposal, the blocks' and the transactions'
    // signatures, so both are above zero.
    for (const char* counter : {"crypto_ecdsa_signs_count", "crypto_ecdsa_verifies_count"}) {
      INFO(counter);
      const size_t at = metrics.find(std::string("\n") + counter + " ");
      REQUIRE(at != std::string::npos);
      CHECK(std::stod(metrics.substr(at + std::strlen(counter) + 2)) > 0);
    }
    CHECK_THAT(metrics, Catch::Contains("deliver_client_running{channel=\"testchannel\"} 1"));
    CHECK_THAT(metrics, Catch::Contains("validation_duration_count{channel=\"testchannel\"}"));
    CHECK_THAT(metrics,
               Catch::Contains("ledger_block_processing_time_count{channel=\"testchannel\"}"));
    // A transaction the validator refuses has no type or chaincode in Fabric's
    // TxStatInfo (kvledger updateTransactionsStats labels it "unknown").
    CHECK_THAT(metrics, Catch::Contains(invalid_count));
  }

  // A config update through the orderer: the channel's ACLs give qscc/GetChainInfo to
  // Org1's admins only. Once the peer commits the config block its bundle changes, and
  // qscc follows the channel's ACL (Fabric's aclmgmt resourceProvider).
  const std::string restricted = "/Channel/Application/Org1MSP/Admins";
  {
    const auto org2_admin = weft::testing::orderer_it::LoadUser(
        weft::testing::orderer_it::UserMsp(dir, "org2", "Admin"), "Org2MSP");
    auto genesis_block =
        weft::testing::orderer_it::ReadBlock(weft::testing::orderer_it::GenesisPath(dir));
    auto bundle = weft::common::channelconfig::ChannelConfig::FromConfigBlock(genesis_block);
    REQUIRE(bundle.ok());
    const ::common::Config original = (*bundle)->config();
    ::common::Config updated = original;
    ::protos::ACLs acls;
    (*acls.mutable_acls())["qscc/GetChainInfo"].set_policy_ref(restricted);
    auto& value = (*(*updated.mutable_channel_group()->mutable_groups())["Application"]
                        .mutable_values())["ACLs"];
    value.set_value(acls.SerializeAsString());
    value.set_mod_policy("Admins");
    auto update = weft::common::configtx::ComputeUpdate(kChannel, original, updated);
    REQUIRE(update.ok());
    const weft::common::protoutil::Signer* signers[] = {&admin, &org2_admin};
    auto envelope =
        weft::common::configtx::CreateSignedConfigUpdateEnvelope(*update, signers, admin);
    REQUIRE(envelope.ok());
    weft::common::settings::GrpcClientSettings orderer_settings;
    orderer_settings.tls.enabled = true;
    orderer_settings.tls.root_cas = {OrdererDir(dir) / "tls/ca.crt"};
    auto orderer_client = weft::client::OrdererClient::Connect(orderer.grpc, orderer_settings);
    REQUIRE(orderer_client.ok());
    auto response = weft::testing::orderer_it::BroadcastOne(**orderer_client, *envelope);
    INFO(response.info());
    REQUIRE(response.status() == ::common::SUCCESS);

    PeerClient client(endpoints.grpc, dir);
    ::protos::Response refused;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      refused = client.TryChainInfo(user);
      if (refused.status() != 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(peer.Log());
    CHECK(refused.status() == 500);
    CHECK_THAT(refused.message(), Catch::Contains(restricted));
    CHECK(client.TryChainInfo(admin).status() == 200);
    // cscc GetConfigBlock now answers the new config block.
    auto [config_status, config_block] =
        client.Process(MakeProposal(user, "", "cscc", {"GetConfigBlock", kChannel}));
    REQUIRE(config_status.ok());
    INFO(config_block.response().message());
    REQUIRE(config_block.response().status() == 200);
    ::common::Block newest;
    REQUIRE(newest.ParseFromString(config_block.response().payload()));
    CHECK(newest.header().number() > 0);
    // A committed config transaction: type CONFIG, no chaincode action. The bundle
    // swaps inside the commit, the counter moves just after it: poll.
    const std::string config_count =
        "ledger_transaction_count{channel=\"testchannel\",transaction_type=\"CONFIG\","
        "chaincode=\"unknown\",validation_code=\"VALID\"} 1";
    CHECK(weft::testing::WaitUntil(
        [&] { return Metrics(endpoints.operations).find(config_count) != std::string::npos; }));
  }

  REQUIRE(peer.Stop() == 0);
  // `peer node rebuild-dbs` on the stopped peer, then a restart reopens the channel.
  auto rebuilt =
      weft::testing::RunCommand({(kBin / "peer").string(), "node", "rebuild-dbs"}, peer.env());
  INFO(rebuilt.output());
  CHECK(rebuilt.exit_code == 0);
  endpoints = peer.Start();
  {
    PeerClient client(endpoints.grpc, dir);
    CHECK(client.Channels(user) == std::vector<std::string>{kChannel});
    // Reopened with the newest config: the restricted ACL still holds.
    CHECK(client.TryChainInfo(user).status() == 500);
    CHECK(client.ChainInfo(admin).height() >= 3);
  }
  CHECK(peer.Stop() == 0);
  CHECK(network.Stop() == 0);
}

// Fabric's `peer channel` commands (release-2.5 internal/peer/channel) against the real
// peer and orderer, with the environment Fabric's test-network gives its CLI: join,
// list, getinfo, and fetch from the peer and from the orderer (-o --tls --cafile).
TEST_CASE("peer channel join, list, getinfo and fetch work as Fabric's CLI") {
  CliNetwork net(/*join_orderer=*/true);
  const fs::path dir = net.dir();
  const auto& orderer = net.orderer();
  auto peer_cli = [&](std::vector<std::string> args) { return net.Cli(std::move(args)); };

  auto joined = net.JoinPeer();
  INFO(joined.output());
  REQUIRE(joined.exit_code == 0);
  CHECK_THAT(joined.err, Catch::Contains("Successfully submitted proposal to join channel"));

  // Joining again: cscc refuses (Fabric: "cannot create ledger from genesis block:
  // ledger [<id>] already exists with state [ACTIVE]"), and join.go wraps the status.
  auto again =
      peer_cli({"channel", "join", "-b", weft::testing::orderer_it::GenesisPath(dir).string()});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("Error: proposal failed (err: bad proposal response 500"));
  auto missing = peer_cli({"channel", "join", "-b", (dir / "no-such.block").string()});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("genesis block file not found"));

  auto listed = peer_cli({"channel", "list"});
  INFO(listed.output());
  CHECK(listed.exit_code == 0);
  CHECK(listed.out == "Channels peers has joined: \n" + std::string(kChannel) + "\n");

  // Block 0 is committed at join; getinfo prints Go's JSON of BlockchainInfo.
  auto info = peer_cli({"channel", "getinfo", "-c", kChannel});
  INFO(info.output());
  CHECK(info.exit_code == 0);
  CHECK(info.out.rfind("Blockchain info: {\"height\":1,\"currentBlockHash\":\"", 0) == 0);

  const std::string genesis = ReadFile(weft::testing::orderer_it::GenesisPath(dir));
  // From the peer's Deliver service (no -o), into Fabric's default file name.
  auto fetched = peer_cli({"channel", "fetch", "oldest", "-c", kChannel});
  INFO(fetched.output());
  REQUIRE(fetched.exit_code == 0);
  CHECK_THAT(fetched.err, Catch::Contains("Received block: 0"));
  ::common::Block from_peer;
  REQUIRE(from_peer.ParseFromString(ReadFile(dir / (std::string(kChannel) + "_oldest.block"))));
  ::common::Block expected;
  REQUIRE(expected.ParseFromString(genesis));
  CHECK(from_peer.header().SerializeAsString() == expected.header().SerializeAsString());
  CHECK(from_peer.data().SerializeAsString() == expected.data().SerializeAsString());

  // From the orderer with Fabric's orderer flags; "config" follows the newest
  // block's last-config index.
  const fs::path orderer_ca = OrdererDir(dir) / "tls/ca.crt";
  auto config = peer_cli({"channel", "fetch", "config", (dir / "config.block").string(), "-c",
                          kChannel, "-o", orderer.grpc, "--tls", "--cafile", orderer_ca.string(),
                          "--ordererTLSHostnameOverride", "localhost"});
  INFO(config.output());
  REQUIRE(config.exit_code == 0);
  ::common::Block config_block;
  REQUIRE(config_block.ParseFromString(ReadFile(dir / "config.block")));
  CHECK(config_block.header().number() == 0);
  CHECK(config_block.data().SerializeAsString() == expected.data().SerializeAsString());

  auto illegal = peer_cli({"channel", "fetch", "latest", "-c", kChannel});
  CHECK(illegal.exit_code == 1);
  CHECK_THAT(illegal.err, Catch::Contains("fetch target illegal: latest"));

  net.Stop();
}

// Fabric's `peer lifecycle chaincode` package-side commands (release-2.5
// internal/peer/lifecycle/chaincode) against the real peer, with test-network's CLI
// environment: package (Weft's binary type), calculatepackageid, install,
// queryinstalled and getinstalledpackage.
TEST_CASE("peer lifecycle chaincode package, install, queryinstalled work as Fabric's CLI") {
  CliNetwork net(/*join_orderer=*/false);
  const fs::path dir = net.dir();
  auto peer_cli = [&](std::vector<std::string> args) { return net.Cli(std::move(args)); };

  fs::create_directories(dir / "cc");
  {
    std::ofstream program(dir / "cc" / "mycc", std::ios::binary);
    program << "#!/bin/sh\nexit 0\n";
  }
  const std::string package_path = (dir / "mycc.tar.gz").string();
  auto packaged =
      peer_cli({"lifecycle", "chaincode", "package", package_path, "--path",
                (dir / "cc" / "mycc").string(), "--lang", "binary", "--label", "mycc_1.0"});
  INFO(packaged.output());
  REQUIRE(packaged.exit_code == 0);
  // package.go Validate: a missing label is named.
  auto unlabelled = peer_cli({"lifecycle", "chaincode", "package", package_path, "--path",
                              (dir / "cc" / "mycc").string(), "--lang", "binary"});
  CHECK(unlabelled.exit_code == 1);
  CHECK_THAT(unlabelled.err, Catch::Contains("package label must be specified"));

  auto calculated = peer_cli({"lifecycle", "chaincode", "calculatepackageid", package_path});
  INFO(calculated.output());
  REQUIRE(calculated.exit_code == 0);
  REQUIRE(calculated.out.rfind("mycc_1.0:", 0) == 0);
  const std::string package_id = calculated.out.substr(0, calculated.out.size() - 1);

  auto installed = peer_cli({"lifecycle", "chaincode", "install", package_path});
  INFO(installed.output() << net.peer().Log());
  REQUIRE(installed.exit_code == 0);
  // install.go logs the identifier the peer answered.
  CHECK_THAT(installed.err, Catch::Contains("Chaincode code package identifier: " + package_id));
  auto again = peer_cli({"lifecycle", "chaincode", "install", package_path});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("chaincode install failed with status: 500"));

  auto listed = peer_cli({"lifecycle", "chaincode", "queryinstalled"});
  INFO(listed.output());
  CHECK(listed.exit_code == 0);
  CHECK(listed.out ==
        "Installed chaincodes on peer:\nPackage ID: " + package_id + ", Label: mycc_1.0\n");
  auto listed_json = peer_cli({"lifecycle", "chaincode", "queryinstalled", "--output", "json"});
  CHECK(listed_json.exit_code == 0);
  CHECK_THAT(listed_json.out, Catch::Contains("\"package_id\": \"" + package_id + "\""));

  fs::create_directories(dir / "fetched");
  auto fetched = peer_cli({"lifecycle", "chaincode", "getinstalledpackage", "--package-id",
                           package_id, "--output-directory", (dir / "fetched").string()});
  INFO(fetched.output());
  CHECK(fetched.exit_code == 0);
  CHECK(ReadFile(dir / "fetched" / (package_id + ".tar.gz")) == ReadFile(package_path));

  net.Stop();
}

// Fabric's `peer lifecycle chaincode` definition commands against the real peer and
// orderer: approveformyorg and commit are endorsed, ordered (-o --tls --cafile) and
// waited for (--waitForEvent); queryapproved, checkcommitreadiness and querycommitted read them
// back with Fabric's texts (approveformyorg.go, queryapproved.go, checkcommitreadiness.go,
// commit.go, querycommitted.go).
TEST_CASE(
    "peer lifecycle chaincode approveformyorg and the definition queries work as Fabric's CLI") {
  CliNetwork net(/*join_orderer=*/true);
  const fs::path dir = net.dir();
  const auto& orderer = net.orderer();
  auto peer_cli = [&](std::vector<std::string> args) { return net.Cli(std::move(args)); };
  auto joined = net.JoinPeer();
  INFO(joined.output());
  REQUIRE(joined.exit_code == 0);

  const std::string package_id =
      "mycc_1.0:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::vector<std::string> orderer_flags = {"-o",
                                                  orderer.grpc,
                                                  "--tls",
                                                  "--cafile",
                                                  (OrdererDir(dir) / "tls/ca.crt").string(),
                                                  "--ordererTLSHostnameOverride",
                                                  "localhost"};
  auto with_orderer = [&](std::vector<std::string> args) {
    args.insert(args.end(), orderer_flags.begin(), orderer_flags.end());
    return peer_cli(args);
  };
  // Missing flags are named before anything is sent.
  auto no_sequence = with_orderer(
      {"lifecycle", "chaincode", "approveformyorg", "-C", kChannel, "-n", "mycc", "-v", "1.0"});
  CHECK(no_sequence.exit_code == 1);
  CHECK_THAT(no_sequence.err, Catch::Contains("Rerun the command with --sequence flag"));

  auto approved =
      with_orderer({"lifecycle", "chaincode", "approveformyorg", "-C", kChannel, "-n", "mycc", "-v",
                    "1.0", "--sequence", "1", "--package-id", package_id});
  INFO(approved.output() << net.peer().Log());
  REQUIRE(approved.exit_code == 0);
  // --waitForEvent (default true): the peer committed the approval VALID.
  CHECK_THAT(approved.err, Catch::Contains("committed with status (VALID)"));
  weft::testing::CommandResult query;
  CHECK(weft::testing::WaitUntil([&] {
    query = peer_cli({"lifecycle", "chaincode", "queryapproved", "-C", kChannel, "-n", "mycc"});
    return query.exit_code == 0;
  }));
  INFO(query.output());
  CHECK_THAT(query.out,
             Catch::StartsWith("Approved chaincode definition for chaincode 'mycc' on channel '" +
                               std::string(kChannel) +
                               "':\nsequence: 1, version: 1.0, init-required: false, "
                               "package-id: " +
                               package_id));

  // The channel has Org1MSP and Org2MSP; only Org1 approved.
  auto ready = peer_cli({"lifecycle", "chaincode", "checkcommitreadiness", "-C", kChannel, "-n",
                         "mycc", "-v", "1.0", "--sequence", "1"});
  INFO(ready.output());
  CHECK(ready.exit_code == 0);
  CHECK(ready.out ==
        "Chaincode definition for chaincode 'mycc', version '1.0', sequence '1' on channel '" +
            std::string(kChannel) + "' approval status by org:\nOrg1MSP: true\nOrg2MSP: false\n");
  auto ready_json = peer_cli({"lifecycle", "chaincode", "checkcommitreadiness", "-C", kChannel,
                              "-n", "mycc", "-v", "1.0", "--sequence", "1", "-O", "json"});
  CHECK(ready_json.out ==
        "{\n\t\"approvals\": {\n\t\t\"Org1MSP\": true,\n\t\t\"Org2MSP\": false\n\t}\n}\n");

  // Nothing committed yet: _lifecycle's 404 (Fabric's "namespace <name> is not defined").
  auto not_committed =
      peer_cli({"lifecycle", "chaincode", "querycommitted", "-C", kChannel, "-n", "mycc"});
  CHECK(not_committed.exit_code == 1);
  CHECK_THAT(not_committed.err,
             Catch::Contains("query failed with status: 404 - namespace mycc is not defined"));
  auto none = peer_cli({"lifecycle", "chaincode", "querycommitted", "-C", kChannel});
  CHECK(none.exit_code == 0);
  CHECK(none.out ==
        "Committed chaincode definitions on channel '" + std::string(kChannel) + "':\n");

  // Org1's peer endorses the commit (its org approved) and the orderer takes it, but
  // the channel's MAJORITY LifecycleEndorsement policy needs Org2 too: the committing
  // peer invalidates it, and --waitForEvent (Fabric's default) reports DeliverGroup's
  // "transaction invalidated with status (ENDORSEMENT_POLICY_FAILURE)".
  auto committed = with_orderer({"lifecycle", "chaincode", "commit", "-C", kChannel, "-n", "mycc",
                                 "-v", "1.0", "--sequence", "1"});
  INFO(committed.output() << net.peer().Log());
  CHECK(committed.exit_code == 1);
  CHECK_THAT(committed.err,
             Catch::Contains("transaction invalidated with status (ENDORSEMENT_POLICY_FAILURE)"));

  net.Stop();
}

// core.yaml's ledger.state.stateDatabase: goleveldb or leveldb; anything else stops the
// start with an error naming the key.
TEST_CASE("a peer configured with another state database does not start") {
  weft::testing::TempDir dir{"weft-peer-it"};
  weft::testing::orderer_it::GenerateNetworkFiles(dir.path());
  PeerProcess peer(dir.path(), kSource / "deploy/config");
  auto env = peer.env();
  env["CORE_LEDGER_STATE_STATEDATABASE"] = "CouchDB";
  auto result = weft::testing::RunCommand({(kBin / "peer").string(), "node", "start"}, env);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output(), Catch::Contains("ledger.state.stateDatabase"));
}
