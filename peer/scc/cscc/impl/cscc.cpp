#include "peer/scc/cscc/cscc.h"

#include <fmt/format.h>

#include <utility>

#include "common/channelconfig/capabilities.h"
#include "common/channelconfig/channel_config.h"
#include "common/protoutil/response.h"
#include "msp/identities.pb.h"
#include "msp/identity.h"
#include "msp/msp_principal.pb.h"
#include "peer/chaincode.pb.h"
#include "peer/query.pb.h"

namespace weft::peer::scc::cscc {
namespace {

using common::protoutil::ChaincodeError;
using common::protoutil::ChaincodeSuccess;

// Fabric's protoutil.InvokedChaincodeName.
[[nodiscard]] StatusOr<std::string> InvokedChaincodeName(const std::string& proposal_bytes) {
  ::protos::Proposal proposal;
  if (!proposal.ParseFromString(proposal_bytes)) {
    return absl::InvalidArgumentError("could not unmarshal proposal");
  }
  ::protos::ChaincodeProposalPayload payload;
  if (!payload.ParseFromString(proposal.payload())) {
    return absl::InvalidArgumentError("could not unmarshal chaincode proposal payload");
  }
  ::protos::ChaincodeInvocationSpec invocation;
  if (!invocation.ParseFromString(payload.input())) {
    return absl::InvalidArgumentError("could not unmarshal chaincode invocation spec");
  }
  if (!invocation.has_chaincode_spec()) return absl::InvalidArgumentError("chaincode spec is nil");
  if (!invocation.chaincode_spec().has_chaincode_id()) {
    return absl::InvalidArgumentError("chaincode id is nil");
  }
  return invocation.chaincode_spec().chaincode_id().name();
}

// Fabric's protoutil.GetChannelIDFromBlock (block.data[0] -> payload -> channel header).
[[nodiscard]] StatusOr<std::string> ChannelIdFromBlock(const ::common::Block& block) {
  if (block.data().data_size() == 0) {
    return absl::InvalidArgumentError("failed to retrieve the envelope from the block");
  }
  ::common::Envelope envelope;
  ::common::Payload payload;
  ::common::ChannelHeader channel_header;
  if (!envelope.ParseFromString(block.data().data(0))) {
    return absl::InvalidArgumentError("error unmarshalling Envelope");
  }
  if (!payload.ParseFromString(envelope.payload())) {
    return absl::InvalidArgumentError("error unmarshalling Payload");
  }
  if (!payload.has_header()) return absl::InvalidArgumentError("failed to retrieve payload header");
  if (!channel_header.ParseFromString(payload.header().channel_header())) {
    return absl::InvalidArgumentError("error unmarshalling ChannelHeader");
  }
  return channel_header.channel_id();
}

// Fabric's validateConfigBlock: a CONFIG envelope whose config has an Application
// group and only capabilities this peer supports.
[[nodiscard]] Status ValidateConfigBlock(const ::common::Block& block) {
  auto config = common::channelconfig::ChannelConfig::FromConfigBlock(block);
  if (!config.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("Bad configuration envelope: {}", std::string(config.status().message())));
  }
  if ((*config)->config().channel_group().groups().count("Application") == 0) {
    return absl::InvalidArgumentError(
        "Invalid configuration block, missing Application configuration group");
  }
  using common::channelconfig::CapabilitySection;
  Status supported = common::channelconfig::CheckCapabilitiesSupported(CapabilitySection::kChannel,
                                                                       (*config)->capabilities());
  if (supported.ok() && (*config)->application()) {
    supported = common::channelconfig::CheckCapabilitiesSupported(
        CapabilitySection::kApplication, (*config)->application()->capabilities);
  }
  if (!supported.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("Failed capabilities check: [{}]", std::string(supported.message())));
  }
  return absl::OkStatus();
}

}  // namespace

[[nodiscard]] Status CheckLocalPolicy(const msp::Msp& local_msp, std::string_view policy_name,
                                      const ::protos::SignedProposal& signed_proposal) {
  ::protos::Proposal proposal;
  if (!proposal.ParseFromString(signed_proposal.proposal_bytes())) {
    return absl::InvalidArgumentError(
        fmt::format("Failing extracting proposal during channelless check policy with policy [{}]",
                    policy_name));
  }
  ::common::Header header;
  if (!header.ParseFromString(proposal.header())) {
    return absl::InvalidArgumentError(fmt::format(
        "Failing extracting header during channelless check policy with policy [{}]", policy_name));
  }
  ::common::SignatureHeader signature_header;
  if (!signature_header.ParseFromString(header.signature_header())) {
    return absl::InvalidArgumentError(fmt::format(
        "Invalid Proposal's SignatureHeader during channelless check policy with policy [{}]",
        policy_name));
  }
  // Fabric's local MSP deserializer refuses identities of another MSP.
  auto deserialize = [&]() -> StatusOr<std::shared_ptr<const msp::Identity>> {
    ::msp::SerializedIdentity serialized;
    if (!serialized.ParseFromString(signature_header.creator())) {
      return absl::InvalidArgumentError("could not deserialize a SerializedIdentity");
    }
    if (serialized.mspid() != local_msp.id()) {
      return absl::InvalidArgumentError(
          fmt::format("expected MSP ID {}, received {}", local_msp.id(), serialized.mspid()));
    }
    return local_msp.DeserializeIdentity(serialized, signature_header.creator());
  };
  auto identity = deserialize();
  if (!identity.ok()) {
    return absl::PermissionDeniedError(
        fmt::format("Failed deserializing proposal creator during channelless check policy "
                    "with policy [{}]: [{}]",
                    policy_name, std::string(identity.status().message())));
  }
  // Fabric's MSPPrincipalGetter: Admins -> ADMIN, Members -> MEMBER of the local MSP.
  ::common::MSPRole role;
  role.set_msp_identifier(local_msp.id());
  role.set_role(policy_name == "Admins" ? ::common::MSPRole::ADMIN : ::common::MSPRole::MEMBER);
  ::common::MSPPrincipal principal;
  principal.set_principal_classification(::common::MSPPrincipal::ROLE);
  (void)role.SerializeToString(principal.mutable_principal());
  if (Status satisfied = (*identity)->SatisfiesPrincipal(principal); !satisfied.ok()) {
    return absl::PermissionDeniedError(
        fmt::format("Failed verifying that proposal's creator satisfies local MSP principal "
                    "during channelless check policy with policy [{}]: [{}]",
                    policy_name, std::string(satisfied.message())));
  }
  return (*identity)->Verify(signed_proposal.proposal_bytes(), signed_proposal.signature());
}

PeerConfiger::PeerConfiger(const msp::Msp& local_msp, const aclmgmt::AclProvider& acl,
                           ChannelManager& channels)
    : local_msp_(local_msp), acl_(acl), channels_(channels) {}

::protos::Response PeerConfiger::Invoke(const std::vector<std::string>& args,
                                        const ::protos::SignedProposal& signed_proposal) const {
  if (args.empty())
    return ChaincodeError(fmt::format("Incorrect number of arguments, {}", args.size()));
  const std::string& function = args[0];
  if (function != kGetChannels && args.size() < 2) {
    return ChaincodeError(fmt::format("Incorrect number of arguments, {}", args.size()));
  }
  auto name = InvokedChaincodeName(signed_proposal.proposal_bytes());
  if (!name.ok()) {
    return ChaincodeError(fmt::format("Failed to identify the called chaincode: {}",
                                      std::string(name.status().message())));
  }
  if (*name != kName) {
    return ChaincodeError(fmt::format(
        "Rejecting invoke of CSCC from another chaincode, original invocation for '{}'", *name));
  }
  if (function == kJoinChain) return JoinChain(args[1], signed_proposal);
  if (function == kGetChannels) {
    if (Status allowed = CheckLocalPolicy(local_msp_, "Members", signed_proposal); !allowed.ok()) {
      return ChaincodeError(
          fmt::format("access denied for [{}]: {}", function, std::string(allowed.message())));
    }
    ::protos::ChannelQueryResponse channels;
    for (const auto& id : channels_.ChannelIds()) channels.add_channels()->set_channel_id(id);
    std::string bytes;
    (void)channels.SerializeToString(&bytes);
    return ChaincodeSuccess(std::move(bytes));
  }
  if (function == kGetConfigBlock || function == kGetChannelConfig) {
    return ConfigQuery(function, args[1], signed_proposal);
  }
  return ChaincodeError(fmt::format("Requested function {} not found.", function));
}

// configure.go getConfigBlock / getChannelConfig, each after its channel ACL.
::protos::Response PeerConfiger::ConfigQuery(
    const std::string& function, const std::string& channel_id,
    const ::protos::SignedProposal& signed_proposal) const {
  const bool whole_block = function == kGetConfigBlock;
  if (!whole_block && channel_id.empty()) return ChaincodeError("empty channel name provided");
  const std::string resource = "cscc/" + function;
  if (Status allowed = acl_.CheckAcl(resource, channel_id, signed_proposal); !allowed.ok()) {
    return ChaincodeError(fmt::format("access denied for [{}][{}]: {}", function, channel_id,
                                      std::string(allowed.message())));
  }
  auto block = channels_.ConfigBlock(channel_id);
  if (absl::IsNotFound(block.status())) {
    return ChaincodeError(
        fmt::format("{} channel ID, {}", whole_block ? "Unknown" : "unknown", channel_id));
  }
  if (!block.ok()) return ChaincodeError(std::string(block.status().message()));
  if (whole_block) return ChaincodeSuccess(block->SerializeAsString());
  auto config = common::channelconfig::ChannelConfig::FromConfigBlock(*block);
  if (!config.ok()) return ChaincodeError(std::string(config.status().message()));
  return ChaincodeSuccess((*config)->config().SerializeAsString());
}

::protos::Response PeerConfiger::JoinChain(const std::string& block_bytes,
                                           const ::protos::SignedProposal& signed_proposal) const {
  if (block_bytes.empty())
    return ChaincodeError("Cannot join the channel <nil> configuration block provided");
  ::common::Block block;
  if (!block.ParseFromString(block_bytes)) {
    return ChaincodeError("Failed to reconstruct the genesis block, error unmarshalling Block");
  }
  auto channel_id = ChannelIdFromBlock(block);
  if (!channel_id.ok()) {
    return ChaincodeError(
        fmt::format("\"JoinChain\" request failed to extract channel id from the block due to [{}]",
                    std::string(channel_id.status().message())));
  }
  if (Status valid = ValidateConfigBlock(block); !valid.ok()) {
    return ChaincodeError(fmt::format(
        "\"JoinChain\" for channelID = {} failed because of validation of configuration "
        "block, because of {}",
        *channel_id, std::string(valid.message())));
  }
  if (Status allowed = CheckLocalPolicy(local_msp_, "Admins", signed_proposal); !allowed.ok()) {
    return ChaincodeError(fmt::format("access denied for [{}][{}]: [{}]", kJoinChain, *channel_id,
                                      std::string(allowed.message())));
  }
  if (Status created = channels_.CreateChannel(*channel_id, block); !created.ok()) {
    return ChaincodeError(std::string(created.message()));
  }
  return ChaincodeSuccess("");
}

}  // namespace weft::peer::scc::cscc
