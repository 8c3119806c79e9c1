// Channel access control lists as Fabric's aclmgmt applies them (core/aclmgmt,
// release-2.5): a resource ("qscc/GetChainInfo", "event/Block", ...) maps to a policy
// path, taken from the channel config's Application "ACLs" value when it names the
// resource and from Fabric's defaults otherwise; the policy is then evaluated against
// the request's signed data. Only channel resources are covered here; the peer-wide
// ones (Admins of the local MSP: install, join, ...) are not.
//
// Thread-safety: the free functions are stateless; ChannelAclProvider is thread-safe
// when its config lookup is.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/channelconfig/channel_config.h"
#include "common/policies/identity.h"
#include "common/status/status.h"
#include "peer/proposal.pb.h"

namespace weft::peer::aclmgmt {

// Resource names (Fabric's core/aclmgmt/resources/resources.go).
inline constexpr char kEventBlock[] = "event/Block";
inline constexpr char kEventFilteredBlock[] = "event/FilteredBlock";
inline constexpr char kQsccGetChainInfo[] = "qscc/GetChainInfo";
inline constexpr char kQsccGetBlockByNumber[] = "qscc/GetBlockByNumber";
inline constexpr char kQsccGetBlockByHash[] = "qscc/GetBlockByHash";
inline constexpr char kQsccGetTransactionById[] = "qscc/GetTransactionByID";
inline constexpr char kQsccGetBlockByTxId[] = "qscc/GetBlockByTxID";
inline constexpr char kPeerPropose[] = "peer/Propose";
inline constexpr char kPeerChaincodeToChaincode[] = "peer/ChaincodeToChaincode";

// Fabric's policies.ChannelApplicationReaders / ChannelApplicationWriters.
inline constexpr char kChannelApplicationReaders[] = "/Channel/Application/Readers";
inline constexpr char kChannelApplicationWriters[] = "/Channel/Application/Writers";

// The default policy of a channel resource (Fabric's defaultACLProvider
// cResourcePolicyMap); empty when Fabric has none for it.
std::string DefaultPolicy(std::string_view resource);

// The policy the channel config's ACLs give `resource`, made absolute as Fabric's
// newAPIsProvider does (a reference without a leading '/' lives under
// /Channel/Application/); empty when the config has no Application section, no ACL
// for the resource, or an empty reference.
std::string ConfiguredPolicy(const common::channelconfig::ChannelConfig& config,
                             std::string_view resource);

// ConfiguredPolicy, else DefaultPolicy.
std::string PolicyForResource(const common::channelconfig::ChannelConfig& config,
                              std::string_view resource);

// Fabric's ACLProvider.CheckACL for channel resources.
class AclProvider {
 public:
  virtual ~AclProvider() = default;
  // OK when the proposal's creator (signature over proposal_bytes) satisfies the
  // resource's policy on `channel_id`; PermissionDenied (InvalidArgument for a
  // proposal that does not parse) with Fabric's message otherwise.
  [[nodiscard]] virtual Status CheckAcl(std::string_view resource, std::string_view channel_id,
                                        const ::protos::SignedProposal& proposal) const = 0;
  [[nodiscard]] virtual Status CheckAcl(
      std::string_view resource, std::string_view channel_id,
      std::span<const common::policies::SignedData> signed_data) const = 0;
};

// Resolves and evaluates against the channels' current config bundles.
class ChannelAclProvider final : public AclProvider {
 public:
  // Channel id -> its current config bundle; nullptr when the peer has not joined it.
  using ConfigLookup = std::function<std::shared_ptr<const common::channelconfig::ChannelConfig>(
      std::string_view channel_id)>;

  explicit ChannelAclProvider(ConfigLookup lookup);

  [[nodiscard]] Status CheckAcl(std::string_view resource, std::string_view channel_id,
                                const ::protos::SignedProposal& proposal) const override;
  [[nodiscard]] Status CheckAcl(
      std::string_view resource, std::string_view channel_id,
      std::span<const common::policies::SignedData> signed_data) const override;

 private:
  ConfigLookup lookup_;
};

}  // namespace weft::peer::aclmgmt
