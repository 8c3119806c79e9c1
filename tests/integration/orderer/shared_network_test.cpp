// The orderer as a real process on 127.0.0.1, one network shared by every test
// here: the CTest fixture test integration:orderer-network-up starts it (solo,
// channel joined through osnadmin) and integration:orderer-network-down stops it.
// The tests only add blocks in one place and measure from the height they find, so
// they may run in any order, in parallel, and repeated.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "client-sdk/orderer_client.h"
#include "msp/signing_identity.h"
#include "tests/integration/orderer/orderer_test_util.h"
#include "tests/integration/orderer/solo_network.h"
#include "tests/support/test_crypto.h"

namespace {

namespace it = weft::testing::orderer_it;

struct SharedFixture {
  it::SharedNetwork network = it::SharedNetwork::Load(WEFT_ORDERER_NETWORK_STATE);
  weft::msp::SigningIdentity user = it::LoadUser(it::UserMsp(network.dir, "org1"), "Org1MSP");
  std::unique_ptr<weft::client::OrdererClient> client = Connect();

  std::unique_ptr<weft::client::OrdererClient> Connect() const {
    auto connected = weft::client::OrdererClient::Connect(network.endpoints.grpc, {});
    REQUIRE(connected.ok());
    return *std::move(connected);
  }

  // The channel height osnadmin reports.
  uint64_t Height() const {
    auto listed =
        it::Osnadmin({"channel", "list", "--channelID", it::kChannel}, network.endpoints.admin);
    std::smatch match;
    const std::string output = listed.output();
    INFO(output);
    REQUIRE(std::regex_search(output, match, std::regex("\"height\": (\\d+)")));
    return std::stoull(match[1]);
  }

  std::string Metrics() const {
    httplib::Client operations("http://" + network.endpoints.operations);
    auto metrics = operations.Get("/metrics");
    REQUIRE(metrics);
    REQUIRE(metrics->status == 200);
    return metrics->body;
  }
};

// The value of the Prometheus sample `series` (name{labels}), 0 when absent.
double Sample(const std::string& metrics, const std::string& series) {
  const size_t at = metrics.find(series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(metrics.substr(at + series.size() + 1));
}

// The value of an unlabelled sample `name`, which follows a newline (its "# HELP name"
// and "# TYPE name" lines also hold "name ").
double UnlabelledSample(const std::string& metrics, const std::string& name) {
  return Sample(metrics, "\n" + name);
}

weft::msp::SigningIdentity Stranger(const std::string& msp_id) {
  auto stranger_ca = weft::testing::MakeTestCa("ca.evil.example.com", "Evil");
  auto stranger = weft::testing::IssueLeaf(stranger_ca, "eve", {"client"});
  auto signer = weft::msp::SigningIdentity::Create(msp_id, stranger.cert, stranger.key);
  REQUIRE(signer.ok());
  return *std::move(signer);
}

constexpr char kSuccessCount[] =
    "broadcast_processed_count{channel=\"testchannel\",type=\"MESSAGE\",status=\"SUCCESS\"}";

}  // namespace

TEST_CASE("Signed envelopes from a channel writer are ordered into verified blocks") {
  SharedFixture fixture;
  const uint64_t height = fixture.Height();
  const std::string metrics_before = fixture.Metrics();
  const double successes = Sample(metrics_before, kSuccessCount);

  auto responses = fixture.client->Broadcast({it::Envelope(fixture.user, "tx one"),
                                              it::Envelope(fixture.user, "tx two"),
                                              it::Envelope(fixture.user, "tx three")});
  REQUIRE(responses.ok());
  REQUIRE(responses->size() == 3);
  for (const auto& response : *responses) CHECK(response.status() == ::common::SUCCESS);
  auto blocks = it::DeliverVerified(*fixture.client, fixture.user,
                                    it::GenesisPath(fixture.network.dir), height);
  CHECK(blocks[height].data().data_size() == 3);
  CHECK(blocks[height].metadata().metadata_size() == 5);
  CHECK(fixture.Height() == height + 1);

  httplib::Client operations("http://" + fixture.network.endpoints.operations);
  auto health = operations.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  const std::string metrics = fixture.Metrics();
  CHECK(Sample(metrics, "ledger_blockchain_height{channel=\"testchannel\"}") == height + 1);
  CHECK(Sample(metrics, kSuccessCount) == successes + 3);
  CHECK(Sample(metrics, "blockcutter_block_envelopes_count{channel=\"testchannel\"}") == height);
  // The orderer's ECDSA counters (msp::EcdsaCounter): it verified at least the three
  // envelopes' signatures (Fabric's msgprocessor sigfilter.go) and signed the new block
  // (blockwriter.go); other tests on the shared network only add to both.
  CHECK(UnlabelledSample(metrics, "crypto_ecdsa_signs_count") >=
        UnlabelledSample(metrics_before, "crypto_ecdsa_signs_count") + 1);
  CHECK(UnlabelledSample(metrics, "crypto_ecdsa_verifies_count") >=
        UnlabelledSample(metrics_before, "crypto_ecdsa_verifies_count") + 3);
}

TEST_CASE("A tampered signature is FORBIDDEN") {
  SharedFixture fixture;
  auto envelope = it::Envelope(fixture.user, "tampered");
  envelope.mutable_signature()->back() ^= 0x01;
  auto response = it::BroadcastOne(*fixture.client, envelope);
  CHECK(response.status() == ::common::FORBIDDEN);
  CHECK_FALSE(response.info().empty());
}

TEST_CASE("Creators the channel does not know are FORBIDDEN") {
  SharedFixture fixture;
  for (std::string msp_id : {"Org1MSP", "EvilMSP"}) {
    auto response =
        it::BroadcastOne(*fixture.client, it::Envelope(Stranger(msp_id), "from a stranger"));
    INFO(msp_id << ": " << response.info());
    CHECK(response.status() == ::common::FORBIDDEN);
  }
}

TEST_CASE("An envelope above AbsoluteMaxBytes is a BAD_REQUEST") {
  SharedFixture fixture;
  auto response =
      it::BroadcastOne(*fixture.client, it::Envelope(fixture.user, std::string(100 * 1024, 'x')));
  CHECK(response.status() == ::common::BAD_REQUEST);
  CHECK_FALSE(response.info().empty());
}

// Fabric 2.5's Registrar.BroadcastChannelSupport without a system channel answers
// BAD_REQUEST; its Deliver handler answers NOT_FOUND.
TEST_CASE("An unknown channel is BAD_REQUEST for Broadcast and NOT_FOUND for Deliver") {
  SharedFixture fixture;
  auto response =
      it::BroadcastOne(*fixture.client, it::Envelope(fixture.user, "lost", "nosuchchannel"));
  CHECK(response.status() == ::common::BAD_REQUEST);
  CHECK(response.info() ==
        "channel creation request not allowed because the orderer system channel is not "
        "defined");
  auto status = fixture.client->Deliver("nosuchchannel", 0, 0, fixture.user, false,
                                        [](const ::common::Block&) { return true; });
  REQUIRE(status.ok());
  CHECK(*status == ::common::NOT_FOUND);
}

TEST_CASE("A reader outside the channel is FORBIDDEN to deliver") {
  SharedFixture fixture;
  int blocks = 0;
  auto status = fixture.client->Deliver(it::kChannel, 0, 0, Stranger("Org1MSP"), false,
                                        [&](const ::common::Block&) {
                                          ++blocks;
                                          return true;
                                        });
  REQUIRE(status.ok());
  CHECK(*status == ::common::FORBIDDEN);
  CHECK(blocks == 0);
}
