// What the Gateway integration tests (tests/integration/peer_gateway and
// client_gateway) share on top of PeerNetwork: identities from MSP folders, the
// address a started peer logged, and "basic" transactions that write one key and
// carry one chaincode event, endorsed in the test by both orgs' peer keys (no
// application chaincode runs in these networks).
// Helpers throw std::runtime_error on failure; none asserts.
// Thread-safety: stateless functions; GatewayNetwork is used by one test thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "client-sdk/gateway.h"
#include "common/status/status.h"
#include "msp/signing_identity.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/peer_network.h"

namespace weft::testing {

// The signing identity of an MSP folder (client-sdk's LoadSigner).
msp::SigningIdentity LoadIdentity(const std::filesystem::path& msp_dir, const std::string& msp_id);

// The gRPC address a peer logged when it started ("... serving on <address> (MSP ...").
std::string LoggedPeerAddress(const std::filesystem::path& log);

// client-sdk GatewayOptions for peer0.org<org> (its logged address, TLS trusting
// its CA) with call deadlines generous enough for a loaded 2-core machine.
client::GatewayOptions GatewayOptionsFor(const PeerNetwork& network, int org);

// Calls `attempt` until it succeeds or `timeout` passes (200ms apart); the last
// failure when it never does. For calls that fail until a restarted node is back.
template <typename T>
[[nodiscard]] StatusOr<T> RetryUntilOk(const std::function<StatusOr<T>()>& attempt,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    StatusOr<T> result = attempt();
    if (result.ok() || std::chrono::steady_clock::now() >= deadline) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

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
