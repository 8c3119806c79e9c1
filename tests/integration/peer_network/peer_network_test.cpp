// Issue [F8]'s "Done when" against one solo orderer: Org1's and Org2's peers (real
// `peer` processes, TLS on) join one channel through cscc, a chaincode definition is
// committed through _lifecycle state, application transactions and every reachable
// bad case commit with the codes of Fabric's v20 validator on both peers, and both
// peers end with the same blocks, commit hashes and state, their block hashes equal
// to the orderer's, also after one peer was killed and restarted while transactions
// were committed.
#include "tests/support/peer_network.h"

#include <catch2/catch.hpp>

#include "tests/integration/peer_network/two_org_scenario.h"

namespace {

weft::testing::PeerNetworkOptions SoloOptions() {
  weft::testing::PeerNetworkOptions options;
  options.bin_dir = std::filesystem::path(WEFT_BINARY_DIR) / "bin";
  options.source_dir = WEFT_SOURCE_DIR;
  return options;
}

}  // namespace

TEST_CASE(
    "Two orgs' peers behind a solo orderer commit a _lifecycle definition and application "
    "transactions with Fabric's validation codes, and end with identical chains and state") {
  weft::testing::PeerNetwork network(SoloOptions());
  weft::testing::peer_network::TwoOrgScenario scenario(network);
  scenario.StartAndJoinPeers();
  scenario.DefineChaincode();
  scenario.RunTransactions();
  // A peer killed mid-way resumes from its height after a restart.
  scenario.RunWhilePeerKilled(2, "while-org2-down", 4);
  scenario.CheckChainsAgree(0);
  scenario.StopPeersAndCompareLedgers();
}
