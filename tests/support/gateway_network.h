// What the Gateway integration tests (tests/integration/peer_gateway and
// client_gateway) share on top of PeerNetwork: identities from MSP folders, the
// address a started peer logged, and "basic" transactions that write one key and
// carry one chaincode event, endorsed in the test by both orgs' peer keys (no
// application chaincode runs in these networks).
// Helpers throw std::runtime_error on failure; none asserts.
// Thread-safety: stateless functions; GatewayNetwork is used by one test thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "msp/signing_identity.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/peer_network.h"

namespace weft::testing {

// The signing identity of an MSP folder (client-sdk's LoadSigner).
msp::SigningIdentity LoadIdentity(const std::filesystem::path& msp_dir, const std::string& msp_id);

// The gRPC address a peer logged when it started ("... serving on <address> (MSP ...").
std::string LoggedPeerAddress(const std::filesystem::path& log);

// A two-org network whose identities the gateway tests use: User1 of Org1 as the
// client, both peer0s' own identities as endorsers of raw transactions.
class GatewayNetwork {
 public:
  // `options.bin_dir` and `source_dir` are filled in from the build.
  GatewayNetwork(const std::filesystem::path& bin_dir, const std::filesystem::path& source_dir,
                 PeerNetworkOptions options = {});
  PeerNetwork& network() { return *network_; }
  const msp::SigningIdentity& user() const { return *user_; }
  const msp::SigningIdentity& peer(int org) const { return *peers_[org - 1]; }

  // A transaction of `chaincode` writing `key` with an event "created <key>" whose
  // payload is the key, created by User1 and endorsed by both peers; the nonce (and
  // so the tx id) is fixed by `nonce_prefix` and `key`.
  EndorserTx EventTx(const std::string& chaincode, const std::string& key,
                     const std::string& nonce_prefix) const;

 private:
  std::unique_ptr<PeerNetwork> network_;
  std::unique_ptr<msp::SigningIdentity> user_;
  std::unique_ptr<msp::SigningIdentity> peers_[PeerNetwork::kOrgs];
};

}  // namespace weft::testing
