// The Gateway's Submit with more than one orderer in the channel: the Kafka orderer
// pair (two `orderer` processes on librdkafka's mock cluster), both listed as the
// orderer org's endpoints. Fabric release-2.5 internal/pkg/gateway/submit.go tries
// the channel's orderers in random order and moves on after a transport failure, so
// with one orderer killed every Submit still succeeds; with both down the client gets
// UNAVAILABLE "no orderers could successfully process transaction" with one
// gateway.ErrorDetail per orderer; an orderer restarted is dialled afresh and used.
// Driven through client-sdk's Gateway API with qscc transactions (ordered, then marked
// INVALID_CHAINCODE by the validator: no definition; see client_gateway_test.cpp).
#include <signal.h>

#include <catch2/catch.hpp>
#include <set>

#include "client-sdk/gateway.h"
#include "tests/integration/peer_network/two_org_scenario.h"
#include "tests/support/gateway_network.h"

namespace {

namespace client = weft::client;

template <typename T>
T Value(weft::StatusOr<T> value) {
  INFO(value.status().ToString());
  REQUIRE(value.ok());
  return *std::move(value);
}

TEST_CASE("the peer's Gateway fails over between the channel's orderers") {
  weft::testing::PeerNetworkOptions options;
  options.kafka = true;
  options.kafka_mock = WEFT_KAFKA_MOCK;
  weft::testing::GatewayNetwork gateway_network(std::filesystem::path(WEFT_BINARY_DIR) / "bin",
                                                WEFT_SOURCE_DIR, options);
  weft::testing::PeerNetwork& network = gateway_network.network();
  REQUIRE(network.orderer_count() == 2);
  weft::testing::peer_network::TwoOrgScenario scenario(network);
  scenario.StartAndJoinPeers();
  scenario.DefineChaincode();

  auto gateway = Value(client::Gateway::Connect(weft::testing::GatewayOptionsFor(network, 1),
                                                network.UserMsp(1, "User1"), "Org1MSP"));
  const client::Contract qscc = gateway->GetNetwork(network.channel()).GetContract("qscc");
  client::ProposalOptions chain_info;
  chain_info.args = {network.channel()};

  // Orderer 0 killed: every submit goes through orderer 1 (the gateway's random order
  // picks orderer 0 first about half the time, and moves on).
  network.StopOrderer(0, SIGKILL);
  for (int i = 0; i < 4; ++i) {
    auto sent = Value(qscc.SubmitAsync("GetChainInfo", chain_info));
    const auto status = Value(sent.commit.Status());
    CHECK(status.code == ::protos::INVALID_CHAINCODE);
  }

  // Both down: UNAVAILABLE with a detail naming each orderer.
  network.StopOrderer(1, SIGKILL);
  const auto refused = qscc.SubmitAsync("GetChainInfo", chain_info);
  REQUIRE(!refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
  CHECK(std::string(refused.status().message())
            .find("no orderers could successfully process transaction") != std::string::npos);
  const auto error = client::GetGatewayError(refused.status());
  REQUIRE(error.has_value());
  CHECK(error->kind == client::GatewayError::Kind::kSubmit);
  std::set<std::string> named;
  for (const auto& detail : error->details) {
    CHECK(detail.msp_id == "OrdererMSP");
    named.insert(detail.address);
  }
  CHECK(named == std::set<std::string>{network.orderer_address(0), network.orderer_address(1)});

  // Orderer 0 back: the gateway reconnects to it and submits again.
  network.RestartOrderer(0);
  auto sent = Value(weft::testing::RetryUntilOk<client::SubmittedTransaction>(
      [&] { return qscc.SubmitAsync("GetChainInfo", chain_info); }, std::chrono::seconds(60)));
  CHECK(Value(sent.commit.Status()).code == ::protos::INVALID_CHAINCODE);
}

}  // namespace
