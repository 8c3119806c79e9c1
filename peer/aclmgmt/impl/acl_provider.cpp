#include "peer/aclmgmt/acl_provider.h"

#include <fmt/format.h>

#include <map>
#include <utility>
#include <variant>

#include "common/common.pb.h"
#include "common/protoutil/serialize.h"

namespace weft::peer::aclmgmt {
namespace {

using common::policies::SignedData;

// Which layer of a SignedProposal failed to parse, for Fabric's messages.
enum class ProposalLayer { kProposal, kHeader, kSignatureHeader };

struct ProposalError {
  ProposalLayer layer;
  std::string message;
};

// Fabric's policyChecker.CheckPolicy / aclmgmtPolicyProviderImpl.CheckACL: the
// signed data of a proposal is {proposal_bytes, creator, signature}.
std::variant<SignedData, ProposalError> ProposalSignedData(
    const ::protos::SignedProposal& signed_proposal) {
  auto proposal = common::protoutil::ParseMessage<::protos::Proposal>(
      signed_proposal.proposal_bytes(), "proposal");
  if (!proposal.ok()) {
    return ProposalError{ProposalLayer::kProposal, std::string(proposal.status().message())};
  }
  auto header =
      common::protoutil::ParseMessage<::common::Header>(proposal->header(), "proposal header");
  if (!header.ok()) {
    return ProposalError{ProposalLayer::kHeader, std::string(header.status().message())};
  }
  auto signature_header = common::protoutil::ParseMessage<::common::SignatureHeader>(
      header->signature_header(), "signature header");
  if (!signature_header.ok()) {
    return ProposalError{ProposalLayer::kSignatureHeader,
                         std::string(signature_header.status().message())};
  }
  return SignedData{signed_proposal.proposal_bytes(), signature_header->creator(),
                    signed_proposal.signature()};
}

// Policy evaluation failures keep Fabric's wording; the inner reason is ours.
[[nodiscard]] Status Evaluate(const common::channelconfig::ChannelConfig& config,
                              const std::string& policy_path,
                              std::span<const SignedData> signed_data) {
  auto policy = config.policy_manager().GetPolicy(policy_path);
  if (!policy.ok()) {
    // aclmgmt's PolicyNotFound error.
    return absl::PermissionDeniedError(fmt::format("policy {} not found", policy_path));
  }
  return (*policy)->EvaluateSignedData(signed_data);
}

}  // namespace

std::string DefaultPolicy(std::string_view resource) {
  // Fabric's newDefaultACLProvider, channel resources only (cResourcePolicyMap).
  static const std::map<std::string, std::string, std::less<>> kDefaults = {
      {"_lifecycle/CommitChaincodeDefinition", kChannelApplicationWriters},
      {"_lifecycle/QueryChaincodeDefinition", kChannelApplicationWriters},
      {"_lifecycle/QueryChaincodeDefinitions", kChannelApplicationWriters},
      {"_lifecycle/CheckCommitReadiness", kChannelApplicationWriters},
      {"lscc/ChaincodeExists", kChannelApplicationReaders},
      {"lscc/GetDeploymentSpec", kChannelApplicationReaders},
      {"lscc/GetChaincodeData", kChannelApplicationReaders},
      {"lscc/GetInstantiatedChaincodes", kChannelApplicationReaders},
      {"lscc/GetCollectionsConfig", kChannelApplicationReaders},
      {kQsccGetChainInfo, kChannelApplicationReaders},
      {kQsccGetBlockByNumber, kChannelApplicationReaders},
      {kQsccGetBlockByHash, kChannelApplicationReaders},
      {kQsccGetTransactionById, kChannelApplicationReaders},
      {kQsccGetBlockByTxId, kChannelApplicationReaders},
      {"cscc/GetConfigBlock", kChannelApplicationReaders},
      {"cscc/GetChannelConfig", kChannelApplicationReaders},
      {kPeerPropose, kChannelApplicationWriters},
      {kPeerChaincodeToChaincode, kChannelApplicationWriters},
      {kEventBlock, kChannelApplicationReaders},
      {kEventFilteredBlock, kChannelApplicationReaders},
      {"gateway/CommitStatus", kChannelApplicationReaders},
      {"gateway/ChaincodeEvents", kChannelApplicationReaders},
  };
  auto it = kDefaults.find(resource);
  return it == kDefaults.end() ? std::string() : it->second;
}

std::string ConfiguredPolicy(const common::channelconfig::ChannelConfig& config,
                             std::string_view resource) {
  if (!config.application().has_value()) return {};
  const auto& acls = config.application()->acls;
  auto it = acls.find(std::string(resource));
  if (it == acls.end() || it->second.empty()) return {};
  if (it->second.front() == '/') return it->second;
  return "/Channel/Application/" + it->second;
}

std::string PolicyForResource(const common::channelconfig::ChannelConfig& config,
                              std::string_view resource) {
  std::string configured = ConfiguredPolicy(config, resource);
  return configured.empty() ? DefaultPolicy(resource) : configured;
}

ChannelAclProvider::ChannelAclProvider(ConfigLookup lookup) : lookup_(std::move(lookup)) {}

Status ChannelAclProvider::CheckAcl(std::string_view resource, std::string_view channel_id,
                                    const ::protos::SignedProposal& proposal) const {
  auto config = lookup_(channel_id);
  const std::string configured = config ? ConfiguredPolicy(*config, resource) : std::string();
  const bool use_default = configured.empty();
  const std::string policy = use_default ? DefaultPolicy(resource) : configured;
  if (use_default) {
    // defaultACLProviderImpl.CheckACL, then policyChecker.CheckPolicy.
    if (policy.empty()) {
      return absl::PermissionDeniedError(fmt::format("Unmapped policy for {}", resource));
    }
    if (config == nullptr) {
      return absl::PermissionDeniedError(
          fmt::format("Failed to get policy manager for channel [{}]", channel_id));
    }
  }
  auto signed_data = ProposalSignedData(proposal);
  if (const auto* error = std::get_if<ProposalError>(&signed_data)) {
    // The configured path (aclmgmtPolicyProviderImpl) and the default path
    // (policyChecker.CheckPolicy) word these differently.
    const std::string where =
        use_default ? fmt::format("on channel [{}] with policy [{}]", channel_id, policy)
                    : fmt::format("[{}]", policy);
    switch (error->layer) {
      case ProposalLayer::kProposal:
        return absl::InvalidArgumentError(
            fmt::format("Failing extracting proposal during check policy {}{}: [{}]",
                        use_default ? "" : "with policy ", where, error->message));
      case ProposalLayer::kHeader:
        return absl::InvalidArgumentError(fmt::format(
            "Failing extracting header during check policy {}: [{}]", where, error->message));
      case ProposalLayer::kSignatureHeader:
        return absl::InvalidArgumentError(
            fmt::format("Invalid Proposal's SignatureHeader during check policy {}: [{}]", where,
                        error->message));
    }
  }
  const SignedData& data = std::get<SignedData>(signed_data);
  return CheckAcl(resource, channel_id, std::span<const SignedData>(&data, 1));
}

Status ChannelAclProvider::CheckAcl(std::string_view resource, std::string_view channel_id,
                                    std::span<const SignedData> signed_data) const {
  auto config = lookup_(channel_id);
  if (config != nullptr) {
    // resourceProvider.CheckACL: a policy from the channel's ACLs wins.
    const std::string configured = ConfiguredPolicy(*config, resource);
    if (!configured.empty()) {
      Status evaluated = Evaluate(*config, configured, signed_data);
      if (evaluated.ok()) return evaluated;
      return absl::PermissionDeniedError(
          fmt::format("failed evaluating policy on signed data during check policy [{}]: [{}]",
                      configured, std::string(evaluated.message())));
    }
  }
  // defaultACLProviderImpl.CheckACL, then policyChecker.CheckPolicyBySignedData.
  const std::string policy = DefaultPolicy(resource);
  if (policy.empty()) {
    return absl::PermissionDeniedError(fmt::format("Unmapped policy for {}", resource));
  }
  if (config == nullptr) {
    return absl::PermissionDeniedError(
        fmt::format("Failed to get policy manager for channel [{}]", channel_id));
  }
  Status evaluated = Evaluate(*config, policy, signed_data);
  if (evaluated.ok()) return evaluated;
  return absl::PermissionDeniedError(fmt::format(
      "Failed evaluating policy on signed data during check policy on channel [{}] with policy "
      "[{}]: [{}]",
      channel_id, policy, std::string(evaluated.message())));
}

}  // namespace weft::peer::aclmgmt
