// The peer's proposal path, Fabric's core/endorser (release-2.5): endorser.go
// ProcessProposal / preProcess / ProcessProposalSuccessfullyOrError and
// msgvalidation.go UnpackProposal / Validate. A signed proposal is unpacked, its
// headers checked (ENDORSER_TRANSACTION or CONFIG, epoch 0, nonce, creator, tx id
// recomputed from nonce and creator, signature), its creator deserialized and
// validated by the channel's MSPs (or, for a channel-less proposal, the local MSP),
// a tx id already committed on the channel refused, application chaincodes checked
// against peer/Propose (default /Channel/Application/Writers), and the proposal
// dispatched to an in-process system chaincode.
//
// Application chaincodes (ProcessProposalSuccessfullyOrError): a TxSimulator is opened on
// the channel, the committed definition is found through it (Lifecycle; its Sequence
// read lands in the rwset, so a definition committed meanwhile makes the transaction an
// MVCC conflict), the chaincode runs through ChaincodeSupport, and the answer is
// ProposalResponsePayload{proposal hash, ChaincodeAction{results = rwset, events,
// response, chaincode id {name, definition version}}}, serialized deterministically so
// that every peer endorsing the same proposal on the same state signs the same bytes.
// Without a definition the answer is a 500 "make sure the chaincode <cc> has been
// successfully defined on channel <ch> and try again: ..." with gRPC OK; a failed
// execution a 500 "error in simulation: ...".
//
// Responses follow Fabric: a success (status < 400) on a channel is endorsed
// (ProposalResponse version 1, an Endorsement by the peer's signer, Fabric's escc, over
// the payload); a status >= 500 comes back unendorsed with the payload; 400..499 with the
// response only; a channel-less invocation (cscc) comes back with the response only.
// System chaincodes answer chaincode id {name, "syscc"}; cscc and qscc run without a
// simulator (Fabric's acquireTxSimulator), channel system chaincodes (_lifecycle) with
// one, and their rwset is in the payload.
//
// Thread-safety: ProcessProposal is thread-safe when the seams are.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/log/logger.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "msp/identity.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/chaincode_support/chaincode_support.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::endorser {

// Fabric's scc.SysCCVersion: the version system chaincode actions carry.
inline constexpr char kSystemChaincodeVersion[] = "syscc";

// A system chaincode run in process: ChaincodeInput.args and the invoking proposal.
using SystemChaincode = std::function<::protos::Response(
    const std::vector<std::string>& args, const ::protos::SignedProposal& signed_proposal)>;

// A system chaincode that works on the channel's state (Fabric's _lifecycle): it also
// gets the proposal's TxSimulator, and what it reads and writes is endorsed. The
// simulator is null for a channel-less proposal.
using ChannelSystemChaincode = std::function<::protos::Response(
    const std::vector<std::string>& args, const ::protos::SignedProposal& signed_proposal,
    ledger::TxSimulator* simulator)>;

// Deserializes a creator (msp.SerializedIdentity bytes) for one MSP set.
using CreatorDeserializer = std::function<StatusOr<std::shared_ptr<const msp::Identity>>(
    std::string_view serialized_identity)>;

// What the endorser needs of the channels the peer has joined.
class Channels {
 public:
  virtual ~Channels() = default;
  // The channel's current config bundle; nullptr when the peer has not joined it.
  virtual std::shared_ptr<const common::channelconfig::ChannelConfig> Config(
      std::string_view channel_id) const = 0;
  // Whether `tx_id` is already in the channel's ledger (any validation code).
  [[nodiscard]] virtual StatusOr<bool> TxIdExists(std::string_view channel_id,
                                                  const std::string& tx_id) const = 0;
  // A simulator over the channel's committed state, for one proposal. The default
  // (for implementations that only serve system chaincodes) is Unimplemented.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<ledger::TxSimulator>> NewTxSimulator(
      std::string_view channel_id) const {
    return absl::UnimplementedError("channel " + std::string(channel_id) +
                                    " has no transaction simulator");
  }
};

struct EndorserOptions {
  const Channels* channels = nullptr;
  // The local MSP's deserializer, for channel-less proposals.
  CreatorDeserializer local_msp;
  const aclmgmt::AclProvider* acl = nullptr;
  // Signs the endorsements (the peer's local signing identity).
  const common::protoutil::Signer* signer = nullptr;
  // Name -> system chaincode (cscc, qscc).
  std::map<std::string, SystemChaincode, std::less<>> system_chaincodes;
  // Name -> system chaincode run with a simulator (_lifecycle).
  std::map<std::string, ChannelSystemChaincode, std::less<>> channel_system_chaincodes;
  // Application chaincodes: where definitions are found and how chaincode runs. When
  // either is null every application chaincode answers as undefined.
  chaincode_support::Lifecycle* lifecycle = nullptr;
  chaincode_support::ChaincodeSupport* chaincode_support = nullptr;
  // Keeps a simulation's private writes until its block commits (Fabric's
  // PrivateDataDistributor, here the peer's transient store without gossip). Null:
  // a simulation that writes private data fails.
  std::function<Status(std::string_view channel_id, std::string_view tx_id,
                       const ::rwset::TxPvtReadWriteSet& private_rwset)>
      distribute_private_data;
  std::shared_ptr<common::log::Logger> logger;  // nullable
};

// What ProcessProposal answers. When `error` is not OK Fabric returns a Go error
// next to the response, so the gRPC call fails with that message (code UNKNOWN)
// and the client never sees `response`; otherwise the call succeeds with it.
struct ProposalResult {
  ::protos::ProposalResponse response;
  Status error;
};

class Endorser {
 public:
  explicit Endorser(EndorserOptions options);

  ProposalResult ProcessProposal(const ::protos::SignedProposal& signed_proposal) const;

  bool IsSystemChaincode(std::string_view name) const;

  struct Unpacked;

 private:
  ProposalResult ProcessApplicationProposal(const Unpacked& up,
                                            const ::protos::SignedProposal& signed_proposal) const;
  // The simulation's public rwset, after handing its private writes on (Fabric's
  // simulateProposal: GetTxSimulationResults, then DistributePrivateData).
  [[nodiscard]] StatusOr<::rwset::TxReadWriteSet> FinishSimulation(
      const Unpacked& up, ledger::TxSimulator& simulator) const;
  // Builds the ProposalResponsePayload and endorses it as Fabric's endorser does.
  ProposalResult Respond(const Unpacked& up, const ::protos::Response& response,
                         const std::optional<::rwset::TxReadWriteSet>& results,
                         const std::optional<::protos::ChaincodeEvent>& event,
                         std::string_view version, std::string_view plugin) const;
  void Log(std::string_view channel_id, std::string_view chaincode,
           const std::vector<std::string>& args, const ::protos::Response& response) const;

  EndorserOptions options_;
};

}  // namespace weft::peer::endorser
