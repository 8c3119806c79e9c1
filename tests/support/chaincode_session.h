// A chaincode of the C++ SDK running in start mode against a FakeChaincodePeer,
// with proposals signed by a real test identity (Org1MSP, a certificate from a
// test CA), as the peer sends them. The shim runs on its own thread (std::async);
// the destructor closes the peer's stream and waits for it.
// Helpers throw std::runtime_error on failure so Catch2 reports the cause.
// Thread-safety: Invoke and MakeProposal may be called from several threads.
#pragma once

#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "chaincode-sdk/shim/chaincode.h"
#include "msp/signing_identity.h"
#include "peer/proposal.pb.h"
#include "tests/support/fake_chaincode_peer.h"
#include "tests/support/test_crypto.h"

namespace weft::testing {

inline constexpr char kSessionChannel[] = "mychannel";
inline constexpr char kSessionChaincodeId[] = "basic_1.0:0123456789abcdef";

// A signed proposal, as the peer forwards it in TRANSACTION messages.
struct TestProposal {
  std::string tx_id;
  ::protos::Proposal proposal;
  ::protos::SignedProposal signed_proposal;
};

// Signs proposals for chaincode "basic" on kSessionChannel as User1 of Org1MSP.
class TestProposals {
 public:
  TestProposals();
  // bytes(msp.SerializedIdentity) of the proposals' creator.
  std::string creator() const;
  TestProposal Make(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& transient = {}) const;

 private:
  TestIdentity ca_;
  TestIdentity user_;
  std::unique_ptr<msp::SigningIdentity> signer_;
};

class ChaincodeSession {
 public:
  explicit ChaincodeSession(chaincode_sdk::shim::Chaincode& chaincode,
                            FakeChaincodePeer::Options options = FakeChaincodePeer::Options());
  ~ChaincodeSession();

  FakeChaincodePeer& peer() { return *peer_; }
  // bytes(msp.SerializedIdentity) of the proposals' creator.
  std::string creator() const;

  using Proposal = TestProposal;
  // A signed proposal for chaincode "basic" on kSessionChannel with `args`.
  Proposal MakeProposal(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& transient = {}) const;
  // Invokes with a fresh proposal; throws when no COMPLETED or ERROR arrives.
  FakeChaincodePeer::Outcome Invoke(const std::vector<std::string>& args,
                                    const std::map<std::string, std::string>& transient = {});

  // Closes the peer's stream and returns what shim::Start returned.
  [[nodiscard]] absl::Status Stop();

 private:
  TestProposals proposals_;
  std::unique_ptr<FakeChaincodePeer> peer_;
  std::future<absl::Status> shim_;
};

}  // namespace weft::testing
