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
// Application chaincodes are not run yet ([F9]): their proposals pass every check and
// are answered as Fabric answers for a chaincode with no definition.
//
// Responses follow Fabric: a system chaincode's success on a channel is endorsed
// (ProposalResponse version 1, an Endorsement by the peer's signer over
// ProposalResponsePayload{proposal hash, ChaincodeAction{response, chaincode id
// {name, "syscc"}}}); a status >= 500 comes back unendorsed with that payload; a
// channel-less invocation (cscc) comes back with the response only.
//
// Thread-safety: ProcessProposal is thread-safe when the seams are.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/log/logger.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "msp/identity.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::endorser {

// Fabric's scc.SysCCVersion: the version system chaincode actions carry.
inline constexpr char kSystemChaincodeVersion[] = "syscc";

// A system chaincode run in process: ChaincodeInput.args and the invoking proposal.
using SystemChaincode = std::function<::protos::Response(
    const std::vector<std::string>& args, const ::protos::SignedProposal& signed_proposal)>;

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

 private:
  EndorserOptions options_;
};

}  // namespace weft::peer::endorser
