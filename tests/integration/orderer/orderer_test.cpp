// The orderer as a real process on 127.0.0.1: identities from cryptogen, a genesis
// block from configtxgen, channel join through osnadmin, then Broadcast and Deliver
// through the client library, restart and removal.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "client-sdk/orderer_client.h"
#include "common/protoutil/envelope.h"
#include "msp/local_msp.h"
#include "msp/signing_identity.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"

namespace fs = std::filesystem;
using weft::testing::ChildProcess;
using weft::testing::RunCommand;

namespace {

const fs::path kBin = fs::path(WEFT_BINARY_DIR) / "bin";
const fs::path kSource = WEFT_SOURCE_DIR;
constexpr char kChannel[] = "testchannel";

struct Endpoints {
  std::string grpc;
  std::string admin;
  std::string operations;
};

// Identities, genesis block and a running orderer in a temp dir.
class SoloNetwork {
 public:
  SoloNetwork() {
    auto generated = RunCommand({(kBin / "cryptogen").string(), "generate", "--config",
                                 (kSource / "deploy/network/crypto-config.yaml").string(),
                                 "--output", (dir_ / "crypto-config").string()});
    REQUIRE(generated.exit_code == 0);
    fs::copy_file(kSource / "tests/integration/orderer/configtx.yaml", dir_ / "configtx.yaml");
    auto genesis = RunCommand({(kBin / "configtxgen").string(), "-profile",
                               "TwoOrgsApplicationGenesis", "-channelID", kChannel, "-outputBlock",
                               GenesisPath().string(), "-configPath", dir_.path().string()});
    INFO(genesis.output());
    REQUIRE(genesis.exit_code == 0);
  }

  fs::path GenesisPath() const { return dir_ / "genesis.block"; }
  fs::path PeerOrg(const std::string& org) const {
    return dir_ / "crypto-config/peerOrganizations" / (org + ".example.com");
  }

  // `extra_env` adds ORDERER_* overrides to the ones every test uses.
  Endpoints Start(const std::vector<std::pair<std::string, std::string>>& extra_env = {}) {
    weft::testing::ProcessOptions options;
    options.argv = {(kBin / "orderer").string(), "start"};
    const fs::path orderer_dir =
        dir_ / "crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com";
    options.env = {{"FABRIC_CFG_PATH", (kSource / "deploy/config").string()},
                   {"ORDERER_GENERAL_LISTENADDRESS", "127.0.0.1"},
                   {"ORDERER_GENERAL_LISTENPORT", "0"},
                   {"ORDERER_GENERAL_LOCALMSPDIR", (orderer_dir / "msp").string()},
                   {"ORDERER_GENERAL_LOCALMSPID", "OrdererMSP"},
                   {"ORDERER_FILELEDGER_LOCATION", (dir_ / "ledger").string()},
                   {"ORDERER_ADMIN_LISTENADDRESS", "127.0.0.1:0"},
                   {"ORDERER_OPERATIONS_LISTENADDRESS", "127.0.0.1:0"},
                   {"ORDERER_METRICS_PROVIDER", "prometheus"}};
    for (const auto& [name, value] : extra_env) options.env[name] = value;
    options.stderr_file = dir_ / "orderer.log";
    orderer_ = std::make_unique<ChildProcess>(options);
    auto ready = orderer_->WaitForLine(
        [](const std::string& line) { return line.rfind("orderer started:", 0) == 0; },
        std::chrono::seconds(30));
    if (!ready) FAIL("orderer did not start; log:\n" << Log());
    std::smatch match;
    REQUIRE(
        std::regex_search(*ready, match, std::regex("grpc=(\\S+) admin=(\\S+) operations=(\\S+)")));
    endpoints_ = {match[1], match[2], match[3]};
    return endpoints_;
  }

  int Stop() {
    orderer_->Signal(SIGTERM);
    return orderer_->Wait();
  }

  weft::testing::CommandResult Osnadmin(std::vector<std::string> args) {
    args.insert(args.begin(), (kBin / "osnadmin").string());
    args.insert(args.end(), {"-o", endpoints_.admin});
    return RunCommand(args);
  }

  std::string Log() const {
    std::ifstream in(dir_ / "orderer.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  weft::testing::TempDir dir_{"weft-orderer-it"};
  std::unique_ptr<ChildProcess> orderer_;
  Endpoints endpoints_;
};

weft::msp::SigningIdentity LoadUser(const fs::path& msp_dir, const std::string& msp_id) {
  auto local = weft::msp::LoadLocalMsp(msp_dir, msp_id);
  REQUIRE(local.ok());
  return local->signer;
}

::common::Envelope Envelope(const weft::common::protoutil::Signer& signer, const std::string& data,
                            const std::string& channel = kChannel) {
  auto envelope =
      weft::common::protoutil::CreateSignedEnvelope(::common::MESSAGE, channel, signer, data);
  REQUIRE(envelope.ok());
  return *envelope;
}

::orderer::BroadcastResponse BroadcastOne(weft::client::OrdererClient& client,
                                          const ::common::Envelope& envelope) {
  auto responses = client.Broadcast({envelope});
  REQUIRE(responses.ok());
  REQUIRE(responses->size() == 1);
  return responses->front();
}

::common::Block ReadGenesis(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  ::common::Block block;
  REQUIRE(block.ParseFromString(bytes.str()));
  return block;
}

// Delivers blocks [0, last] (waiting for them) and verifies the chain.
std::vector<::common::Block> DeliverVerified(weft::client::OrdererClient& client,
                                             const weft::common::protoutil::Signer& reader,
                                             const fs::path& genesis_path, uint64_t last) {
  auto verifier = weft::client::ChainVerifier::FromGenesis(ReadGenesis(genesis_path));
  REQUIRE(verifier.ok());
  std::vector<::common::Block> blocks;
  auto status = client.Deliver(kChannel, 0, last, reader, true, [&](const ::common::Block& block) {
    blocks.push_back(block);
    return true;
  });
  REQUIRE(status.ok());
  CHECK(*status == ::common::SUCCESS);
  REQUIRE(blocks.size() == last + 1);
  for (size_t i = 1; i < blocks.size(); ++i) {
    INFO("block " << i);
    CHECK(verifier->Verify(blocks[i]).ok());
  }
  return blocks;
}

}  // namespace

TEST_CASE(
    "A solo orderer joined by osnadmin orders, delivers verified blocks and answers bad "
    "envelopes with Fabric's statuses") {
  SoloNetwork network;
  Endpoints endpoints = network.Start();
  auto joined = network.Osnadmin({"channel", "join", "--channelID", kChannel, "--config-block",
                                  network.GenesisPath().string()});
  INFO(joined.output());
  REQUIRE(joined.exit_code == 0);
  CHECK_THAT(joined.output(), Catch::Contains("Status: 201") && Catch::Contains("\"height\": 1"));

  auto client = weft::client::OrdererClient::Connect(endpoints.grpc, {});
  REQUIRE(client.ok());
  auto user = LoadUser(network.PeerOrg("org1") / "users/User1@org1.example.com/msp", "Org1MSP");

  SECTION("signed envelopes from a channel writer are ordered into verified blocks") {
    auto responses = (*client)->Broadcast(
        {Envelope(user, "tx one"), Envelope(user, "tx two"), Envelope(user, "tx three")});
    REQUIRE(responses.ok());
    REQUIRE(responses->size() == 3);
    for (const auto& response : *responses) CHECK(response.status() == ::common::SUCCESS);
    auto blocks = DeliverVerified(**client, user, network.GenesisPath(), 1);
    CHECK(blocks[1].data().data_size() == 3);
    CHECK(blocks[1].metadata().metadata_size() == 5);

    auto listed = network.Osnadmin({"channel", "list", "--channelID", kChannel});
    CHECK_THAT(listed.output(), Catch::Contains("\"height\": 2"));

    httplib::Client operations("http://" + endpoints.operations);
    auto health = operations.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    auto metrics = operations.Get("/metrics");
    REQUIRE(metrics);
    CHECK_THAT(metrics->body,
               Catch::Contains("ledger_blockchain_height{channel=\"testchannel\"} 2") &&
                   Catch::Contains("broadcast_processed_count{channel=\"testchannel\","
                                   "type=\"MESSAGE\",status=\"SUCCESS\"} 3") &&
                   Catch::Contains("blockcutter_block_envelopes_count{channel=\"testchannel\"} 1"));
  }

  SECTION("a tampered signature is FORBIDDEN") {
    auto envelope = Envelope(user, "tampered");
    envelope.mutable_signature()->back() ^= 0x01;
    auto response = BroadcastOne(**client, envelope);
    CHECK(response.status() == ::common::FORBIDDEN);
    CHECK_FALSE(response.info().empty());
  }

  SECTION("creators the channel does not know are FORBIDDEN") {
    auto stranger_ca = weft::testing::MakeTestCa("ca.evil.example.com", "Evil");
    auto stranger = weft::testing::IssueLeaf(stranger_ca, "eve", {"client"});
    for (std::string msp_id : {"Org1MSP", "EvilMSP"}) {
      auto signer = weft::msp::SigningIdentity::Create(msp_id, stranger.cert, stranger.key);
      REQUIRE(signer.ok());
      auto response = BroadcastOne(**client, Envelope(*signer, "from a stranger"));
      INFO(msp_id << ": " << response.info());
      CHECK(response.status() == ::common::FORBIDDEN);
    }
  }

  SECTION("an envelope above AbsoluteMaxBytes is a BAD_REQUEST") {
    auto response = BroadcastOne(**client, Envelope(user, std::string(100 * 1024, 'x')));
    CHECK(response.status() == ::common::BAD_REQUEST);
    CHECK_FALSE(response.info().empty());
  }

  SECTION("an unknown channel is NOT_FOUND for Broadcast and Deliver") {
    auto response = BroadcastOne(**client, Envelope(user, "lost", "nosuchchannel"));
    CHECK(response.status() == ::common::NOT_FOUND);
    auto status = (*client)->Deliver("nosuchchannel", 0, 0, user, false,
                                     [](const ::common::Block&) { return true; });
    REQUIRE(status.ok());
    CHECK(*status == ::common::NOT_FOUND);
  }

  SECTION("a reader outside the channel is FORBIDDEN to deliver") {
    auto stranger_ca = weft::testing::MakeTestCa("ca.evil.example.com", "Evil");
    auto stranger = weft::testing::IssueLeaf(stranger_ca, "eve", {"client"});
    auto signer = weft::msp::SigningIdentity::Create("Org1MSP", stranger.cert, stranger.key);
    REQUIRE(signer.ok());
    int blocks = 0;
    auto status = (*client)->Deliver(kChannel, 0, 0, *signer, false, [&](const ::common::Block&) {
      ++blocks;
      return true;
    });
    REQUIRE(status.ok());
    CHECK(*status == ::common::FORBIDDEN);
    CHECK(blocks == 0);
  }

  CHECK(network.Stop() == 0);
}

TEST_CASE("The orderer keeps its channels across a restart and forgets a removed one") {
  SoloNetwork network;
  Endpoints first = network.Start();
  REQUIRE(network
              .Osnadmin({"channel", "join", "--channelID", kChannel, "--config-block",
                         network.GenesisPath().string()})
              .exit_code == 0);
  auto user = LoadUser(network.PeerOrg("org2") / "users/User1@org2.example.com/msp", "Org2MSP");
  {
    auto client = weft::client::OrdererClient::Connect(first.grpc, {});
    REQUIRE(client.ok());
    auto responses = (*client)->Broadcast({Envelope(user, "before"), Envelope(user, "restart")});
    REQUIRE(responses.ok());
    REQUIRE(responses->size() == 2);
    DeliverVerified(**client, user, network.GenesisPath(), 1);
  }
  REQUIRE(network.Stop() == 0);  // SIGTERM ends the process cleanly

  Endpoints second = network.Start();
  CHECK_THAT(network.Osnadmin({"channel", "list", "--channelID", kChannel}).output(),
             Catch::Contains("\"height\": 2"));
  auto client = weft::client::OrdererClient::Connect(second.grpc, {});
  REQUIRE(client.ok());
  CHECK(BroadcastOne(**client, Envelope(user, "after restart")).status() == ::common::SUCCESS);
  auto blocks = DeliverVerified(**client, user, network.GenesisPath(), 2);
  CHECK(blocks[2].data().data_size() == 1);

  auto removed = network.Osnadmin({"channel", "remove", "--channelID", kChannel});
  CHECK_THAT(removed.output(), Catch::Contains("Status: 204"));
  CHECK(BroadcastOne(**client, Envelope(user, "too late")).status() == ::common::NOT_FOUND);
  auto listed = network.Osnadmin({"channel", "list"});
  CHECK_THAT(listed.output(),
             Catch::Contains("Status: 200") && Catch::Contains("\"channels\": []"));
  auto unknown = network.Osnadmin({"channel", "list", "--channelID", kChannel});
  CHECK_THAT(unknown.output(), Catch::Contains("Status: 404"));
  CHECK(network.Stop() == 0);
}

TEST_CASE("The admin endpoint refuses a body above ChannelParticipation.MaxRequestBodySize") {
  SoloNetwork network;
  constexpr size_t kLimit = 64 * 1024;
  Endpoints endpoints =
      network.Start({{"ORDERER_CHANNELPARTICIPATION_MAXREQUESTBODYSIZE", "64 KB"}});
  std::ifstream in(network.GenesisPath(), std::ios::binary);
  const std::string genesis((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(genesis.size() + 1024 < kLimit);  // the form around the block fits as well

  httplib::Client admin("http://" + endpoints.admin);
  auto too_large =
      admin.Post("/participation/v1/channels",
                 httplib::MultipartFormDataItems{{"config-block", std::string(kLimit + 1, 'x'),
                                                  "big.block", "application/octet-stream"}});
  REQUIRE(too_large);
  CHECK(too_large->status == 413);
  CHECK(too_large->get_header_value("Content-Type") == "application/json");
  CHECK_THAT(too_large->body,
             Catch::StartsWith("{\"error\":") && Catch::Contains("larger than 65536 bytes"));

  auto joined =
      admin.Post("/participation/v1/channels",
                 httplib::MultipartFormDataItems{
                     {"config-block", genesis, "genesis.block", "application/octet-stream"}});
  REQUIRE(joined);
  INFO(joined->body);
  CHECK(joined->status == 201);
  CHECK(network.Stop() == 0);
}
