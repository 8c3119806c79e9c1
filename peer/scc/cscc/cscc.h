// cscc, the configuration system chaincode, as Fabric's core/scc/cscc/configure.go
// (release-2.5), for the functions a committing peer needs:
//   JoinChain   <genesis block bytes>  -> creates the channel's ledger and starts it;
//                                          channel-less, ACL cscc/JoinChain = local MSP
//                                          Admins
//   GetChannels                        -> protos.ChannelQueryResponse; ACL
//                                          cscc/GetChannels = local MSP Members
//   GetConfigBlock   <channel id>      -> the channel's newest config block; ACL
//                                          cscc/GetConfigBlock (default channel Readers)
//   GetChannelConfig <channel id>      -> that block's common.Config; ACL
//                                          cscc/GetChannelConfig (default channel Readers)
// The snapshot functions answer "Requested function <f> not found." for now. Every failure is
// status 500 with Fabric's message (shim.Error); a success is status 200.
//
// Thread-safety: PeerConfiger is thread-safe when its ChannelManager is.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/status/status.h"
#include "msp/msp.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::scc::cscc {

inline constexpr char kName[] = "cscc";
inline constexpr char kJoinChain[] = "JoinChain";
inline constexpr char kGetChannels[] = "GetChannels";
inline constexpr char kGetConfigBlock[] = "GetConfigBlock";
inline constexpr char kGetChannelConfig[] = "GetChannelConfig";

// The peer's channels as cscc changes and lists them.
class ChannelManager {
 public:
  virtual ~ChannelManager() = default;
  // Creates the ledger of the genesis block's channel and starts the channel. The
  // error message is returned to the client as is (Fabric's peer.CreateChannel).
  [[nodiscard]] virtual Status CreateChannel(const std::string& channel_id,
                                             const ::common::Block& genesis_block) = 0;
  // The joined channels' ids.
  virtual std::vector<std::string> ChannelIds() const = 0;
  // The newest config block in the channel's ledger; NotFound when the peer has not
  // joined `channel_id`.
  [[nodiscard]] virtual StatusOr<::common::Block> ConfigBlock(
      const std::string& channel_id) const = 0;
};

// Fabric's policyChecker.CheckPolicyNoChannel for a local MSP principal: the proposal's
// creator deserializes in `local_msp`, satisfies the role and signed the proposal.
// `policy_name` is "Admins" or "Members"; errors carry Fabric's messages.
[[nodiscard]] Status CheckLocalPolicy(const msp::Msp& local_msp, std::string_view policy_name,
                                      const ::protos::SignedProposal& signed_proposal);

class PeerConfiger {
 public:
  // All must outlive this object.
  PeerConfiger(const msp::Msp& local_msp, const aclmgmt::AclProvider& acl,
               ChannelManager& channels);

  ::protos::Response Invoke(const std::vector<std::string>& args,
                            const ::protos::SignedProposal& signed_proposal) const;

 private:
  ::protos::Response JoinChain(const std::string& block_bytes,
                               const ::protos::SignedProposal& signed_proposal) const;

  ::protos::Response ConfigQuery(const std::string& function, const std::string& channel_id,
                                 const ::protos::SignedProposal& signed_proposal) const;

  const msp::Msp& local_msp_;
  const aclmgmt::AclProvider& acl_;
  ChannelManager& channels_;
};

}  // namespace weft::peer::scc::cscc
