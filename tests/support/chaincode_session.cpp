#include "tests/support/chaincode_session.h"

#include <stdexcept>

#include "chaincode-sdk/shim/shim.h"
#include "client-sdk/proposal_builder.h"
#include "tests/support/test_orgs.h"
#include "tests/support/wait_until.h"

namespace weft::testing {

ChaincodeSession::ChaincodeSession(chaincode_sdk::shim::Chaincode& chaincode,
                                   FakeChaincodePeer::Options options)
    : peer_(FakeChaincodePeer::Listen(options)) {
  chaincode_sdk::shim::PeerConnection connection;
  connection.peer_address = peer_->address();
  connection.chaincode_id = kSessionChaincodeId;
  shim_ = std::async(std::launch::async, [&chaincode, connection] {
    return chaincode_sdk::shim::Start(chaincode, connection);
  });
  if (peer_->WaitForRegistration() != std::optional<std::string>(kSessionChaincodeId)) {
    peer_->Close();
    throw std::runtime_error("the chaincode did not register with the fake peer");
  }
}

ChaincodeSession::~ChaincodeSession() {
  if (!shim_.valid()) return;
  try {
    Stop().IgnoreError();
  } catch (const std::exception&) {
    // A shim that does not end is reported by the tests that Stop explicitly.
  }
}

TestProposals::TestProposals()
    : ca_(MakeTestCa("ca.org1.example.com", "org1.example.com")),
      user_(IssueLeaf(ca_, "User1@org1.example.com", {"client"})),
      signer_(std::make_unique<msp::SigningIdentity>(MakeSigner(user_, "Org1MSP"))) {}

std::string TestProposals::creator() const { return signer_->SerializedIdentity(); }

std::string ChaincodeSession::creator() const { return proposals_.creator(); }

ChaincodeSession::Proposal ChaincodeSession::MakeProposal(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& transient) const {
  return proposals_.Make(args, transient);
}

TestProposal TestProposals::Make(const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& transient) const {
  client::ProposalRequest request;
  request.channel_id = kSessionChannel;
  request.chaincode_name = "basic";
  request.function = args.empty() ? "" : args.front();
  if (!args.empty()) request.args.assign(args.begin() + 1, args.end());
  request.transient = transient;
  auto signed_proposal = client::CreateSignedProposal(request, *signer_);
  if (!signed_proposal.ok()) {
    throw std::runtime_error("signing a proposal failed: " +
                             std::string(signed_proposal.status().message()));
  }
  return TestProposal{signed_proposal->tx_id, signed_proposal->proposal,
                      signed_proposal->signed_proposal};
}

FakeChaincodePeer::Outcome ChaincodeSession::Invoke(
    const std::vector<std::string>& args, const std::map<std::string, std::string>& transient) {
  Proposal proposal = MakeProposal(args, transient);
  auto outcome = peer_->Invoke(kSessionChannel, proposal.tx_id, args, proposal.signed_proposal);
  if (!outcome) throw std::runtime_error("no answer from the chaincode for " + proposal.tx_id);
  return *outcome;
}

absl::Status ChaincodeSession::Stop() {
  peer_->Close();
  if (shim_.wait_for(kHangGuard) != std::future_status::ready) {
    throw std::runtime_error("the shim did not end after the peer closed the stream");
  }
  return shim_.get();
}

}  // namespace weft::testing
