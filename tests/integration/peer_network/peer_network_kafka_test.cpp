// Issue [F8]'s "Done when" against the Kafka orderer pair (two `orderer` processes on
// librdkafka's mock cluster), the peers given both orderer endpoints by the channel
// config: the two-org scenario of peer_network_test.cpp; a transaction with a broken
// creator signature written straight to the Kafka partition, which the orderers order
// as is and the peers mark BAD_CREATOR_SIGNATURE; then each orderer in turn is
// killed and more transactions are submitted (the client layer fails over to the other
// orderer) and committed by both peers, which fail over too: nothing is lost or
// committed twice, and the chains still equal the surviving orderer's.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/integration/peer_network/two_org_scenario.h"
#include "tests/support/peer_network.h"

namespace {

weft::testing::PeerNetworkOptions KafkaOptions() {
  weft::testing::PeerNetworkOptions options;
  options.bin_dir = std::filesystem::path(WEFT_BINARY_DIR) / "bin";
  options.source_dir = WEFT_SOURCE_DIR;
  options.kafka = true;
  options.kafka_mock = WEFT_KAFKA_MOCK;
  return options;
}

}  // namespace

TEST_CASE(
    "Two orgs' peers behind the Kafka orderer pair commit the two-org scenario, and keep "
    "committing through either orderer when the other is killed") {
  weft::testing::PeerNetwork network(KafkaOptions());
  weft::testing::peer_network::TwoOrgScenario scenario(network);
  scenario.StartAndJoinPeers();
  scenario.DefineChaincode();
  scenario.RunTransactions();
  scenario.InjectThroughKafka(*network.kafka());
  scenario.CheckChainsAgree(0);

  // Each orderer in turn is the only one up, so both peers must pull from each (their
  // deliver clients fail over) and the client layer must broadcast to each.
  network.StopOrderer(0, SIGKILL);
  scenario.RunMoreValid("only-orderer2", 6);
  scenario.CheckChainsAgree(1);
  network.RestartOrderer(0);  // catches up through Kafka
  scenario.ConnectOrderers();
  network.StopOrderer(1, SIGKILL);
  scenario.RunMoreValid("only-orderer1", 6);
  scenario.CheckChainsAgree(0);
  scenario.StopPeersAndCompareLedgers();
}
