#include "peer/endorser/endorser.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "common/common.pb.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/txid.h"
#include "peer/chaincode.pb.h"

namespace weft::peer::endorser {
namespace {

using common::protoutil::kChaincodeErrorThreshold;
using common::protoutil::kChaincodeStatusError;

// Fabric's UnpackedProposal: the parts of a proposal the endorser looks at.
struct Unpacked {
  ::protos::Proposal proposal;
  ::common::Header header;
  ::common::ChannelHeader channel_header;
  ::common::SignatureHeader signature_header;
  std::string chaincode_name;
  ::protos::ChaincodeInput input;
  std::string proposal_hash;
};

template <typename Message>
[[nodiscard]] Status Parse(const std::string& bytes, Message* message, std::string_view what) {
  if (!message->ParseFromString(bytes)) {
    return absl::InvalidArgumentError(fmt::format("error unmarshalling {}", what));
  }
  return absl::OkStatus();
}

// msgvalidation.go UnpackProposal, in its order.
[[nodiscard]] StatusOr<Unpacked> Unpack(const ::protos::SignedProposal& signed_proposal) {
  Unpacked up;
  WEFT_RETURN_IF_ERROR(Parse(signed_proposal.proposal_bytes(), &up.proposal, "Proposal"));
  WEFT_RETURN_IF_ERROR(Parse(up.proposal.header(), &up.header, "Header"));
  WEFT_RETURN_IF_ERROR(Parse(up.header.channel_header(), &up.channel_header, "ChannelHeader"));
  WEFT_RETURN_IF_ERROR(
      Parse(up.header.signature_header(), &up.signature_header, "SignatureHeader"));
  ::protos::ChaincodeHeaderExtension extension;
  WEFT_RETURN_IF_ERROR(
      Parse(up.channel_header.extension(), &extension, "ChaincodeHeaderExtension"));
  if (!extension.has_chaincode_id()) {
    return absl::InvalidArgumentError("ChaincodeHeaderExtension.ChaincodeId is nil");
  }
  if (extension.chaincode_id().name().empty()) {
    return absl::InvalidArgumentError("ChaincodeHeaderExtension.ChaincodeId.Name is empty");
  }
  ::protos::ChaincodeProposalPayload payload;
  WEFT_RETURN_IF_ERROR(Parse(up.proposal.payload(), &payload, "ChaincodeProposalPayload"));
  ::protos::ChaincodeInvocationSpec invocation;
  WEFT_RETURN_IF_ERROR(Parse(payload.input(), &invocation, "ChaincodeInvocationSpec"));
  if (!invocation.has_chaincode_spec()) {
    return absl::InvalidArgumentError("chaincode invocation spec did not contain chaincode spec");
  }
  if (!invocation.chaincode_spec().has_input()) {
    return absl::InvalidArgumentError("chaincode input did not contain any input");
  }
  up.chaincode_name = extension.chaincode_id().name();
  up.input = invocation.chaincode_spec().input();
  up.proposal_hash =
      common::protoutil::ProposalHash(up.header.channel_header(), up.header.signature_header(),
                                      common::protoutil::PayloadWithoutTransient(payload));
  return up;
}

// msgvalidation.go Validate, in its order.
[[nodiscard]] Status Validate(const Unpacked& up, const ::protos::SignedProposal& signed_proposal,
                              const CreatorDeserializer& deserializer) {
  const auto type = static_cast<::common::HeaderType>(up.channel_header.type());
  if (type != ::common::ENDORSER_TRANSACTION && type != ::common::CONFIG) {
    std::string name = ::common::HeaderType_IsValid(up.channel_header.type())
                           ? ::common::HeaderType_Name(type)
                           : std::to_string(up.channel_header.type());
    return absl::InvalidArgumentError(fmt::format("invalid header type {}", name));
  }
  if (up.channel_header.epoch() != 0) return absl::InvalidArgumentError("epoch is non-zero");
  const auto& signature_header = up.signature_header;
  if (signature_header.nonce().empty()) return absl::InvalidArgumentError("nonce is empty");
  if (signature_header.creator().empty()) return absl::InvalidArgumentError("creator is empty");
  const std::string expected =
      common::protoutil::ComputeTxId(signature_header.nonce(), signature_header.creator());
  if (up.channel_header.tx_id() != expected) {
    return absl::InvalidArgumentError(fmt::format("incorrectly computed txid '{}' -- expected '{}'",
                                                  up.channel_header.tx_id(), expected));
  }
  if (signed_proposal.proposal_bytes().empty()) {
    return absl::InvalidArgumentError("empty proposal bytes");
  }
  if (signed_proposal.signature().empty()) {
    return absl::InvalidArgumentError("empty signature bytes");
  }
  const std::string& channel = up.channel_header.channel_id();
  auto creator = deserializer(signature_header.creator());
  if (!creator.ok() || *creator == nullptr) {
    return absl::PermissionDeniedError(fmt::format(
        "access denied: channel [{}] creator org unknown, creator is malformed", channel));
  }
  const std::string denied =
      fmt::format("access denied: channel [{}] creator org [{}]", channel, (*creator)->MspId());
  if (!(*creator)->Validate().ok()) return absl::PermissionDeniedError(denied);
  if (!(*creator)->Verify(signed_proposal.proposal_bytes(), signed_proposal.signature()).ok()) {
    return absl::PermissionDeniedError(denied);
  }
  return absl::OkStatus();
}

std::string Hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

ProposalResult Failure(const Status& error, bool grpc_error) {
  ProposalResult result;
  result.response.mutable_response()->set_status(kChaincodeStatusError);
  result.response.mutable_response()->set_message(std::string(error.message()));
  if (grpc_error) result.error = error;
  return result;
}

}  // namespace

Endorser::Endorser(EndorserOptions options) : options_(std::move(options)) {}

bool Endorser::IsSystemChaincode(std::string_view name) const {
  return options_.system_chaincodes.find(name) != options_.system_chaincodes.end();
}

ProposalResult Endorser::ProcessProposal(const ::protos::SignedProposal& signed_proposal) const {
  auto unpacked = Unpack(signed_proposal);
  if (!unpacked.ok()) return Failure(unpacked.status(), true);
  const Unpacked& up = *unpacked;
  const std::string& channel_id = up.channel_header.channel_id();

  // Channel-less proposals are judged by the local MSP (Fabric's ProcessProposal).
  std::shared_ptr<const common::channelconfig::ChannelConfig> config;
  CreatorDeserializer deserializer = options_.local_msp;
  if (!channel_id.empty()) {
    config = options_.channels->Config(channel_id);
    if (config == nullptr) {
      return Failure(absl::NotFoundError(fmt::format("channel '{}' not found", channel_id)), false);
    }
    deserializer = [config](std::string_view creator) {
      return config->msp_manager().Deserialize(creator);
    };
  }

  // preProcess.
  if (Status valid = Validate(up, signed_proposal, deserializer); !valid.ok()) {
    return Failure(Annotate(valid, "error validating proposal"), true);
  }
  const bool system = IsSystemChaincode(up.chaincode_name);
  if (!channel_id.empty()) {
    auto exists = options_.channels->TxIdExists(channel_id, up.channel_header.tx_id());
    if (!exists.ok()) return Failure(exists.status(), true);
    if (*exists) {
      return Failure(absl::AlreadyExistsError(fmt::format(
                         "duplicate transaction found [{}]. Creator [{}]",
                         up.channel_header.tx_id(), Hex(up.signature_header.creator()))),
                     true);
    }
    // System chaincodes check their own ACLs.
    if (!system) {
      Status allowed = options_.acl->CheckAcl(aclmgmt::kPeerPropose, channel_id, signed_proposal);
      if (!allowed.ok()) return Failure(allowed, true);
    }
  }

  // ProcessProposalSuccessfullyOrError: failures from here on are a 500 response and
  // a successful gRPC call.
  if (!system) {
    // Fabric's ChaincodeEndorsementInfo: no definition is found (application chaincode
    // support is [F9]); a channel-less call has no channel config to look in.
    std::string reason =
        channel_id.empty()
            ? fmt::format("could not get channel config for channel '{}'", channel_id)
            : fmt::format("chaincode {} not found", up.chaincode_name);
    return Failure(absl::NotFoundError(fmt::format(
                       "make sure the chaincode {} has been successfully defined on channel {} "
                       "and try again: {}",
                       up.chaincode_name, channel_id, reason)),
                   false);
  }
  const SystemChaincode& chaincode = options_.system_chaincodes.find(up.chaincode_name)->second;
  std::vector<std::string> args(up.input.args().begin(), up.input.args().end());
  ::protos::Response response = chaincode(args, signed_proposal);
  if (options_.logger) {
    options_.logger->Debug("[{}] {} {} -> {}", channel_id, up.chaincode_name,
                           args.empty() ? "" : args.front(), response.status());
  }

  ::protos::ChaincodeAction action;
  *action.mutable_response() = response;
  action.mutable_chaincode_id()->set_name(up.chaincode_name);
  action.mutable_chaincode_id()->set_version(kSystemChaincodeVersion);
  ::protos::ProposalResponsePayload payload;
  payload.set_proposal_hash(up.proposal_hash);
  std::string action_bytes;
  (void)action.SerializeToString(&action_bytes);
  payload.set_extension(std::move(action_bytes));
  std::string payload_bytes;
  (void)payload.SerializeToString(&payload_bytes);

  ProposalResult result;
  *result.response.mutable_response() = response;
  if (response.status() >= kChaincodeStatusError) {
    result.response.set_payload(std::move(payload_bytes));
    return result;
  }
  // Channel-less invocations cannot be endorsed; codes 400..499 are not endorsed.
  if (channel_id.empty() || response.status() >= kChaincodeErrorThreshold) return result;
  auto endorsement = common::protoutil::CreateEndorsement(payload_bytes, *options_.signer);
  if (!endorsement.ok()) {
    return Failure(Annotate(endorsement.status(), "endorsing with plugin failed"), false);
  }
  result.response.set_version(1);
  *result.response.mutable_endorsement() = *std::move(endorsement);
  result.response.set_payload(std::move(payload_bytes));
  return result;
}

}  // namespace weft::peer::endorser
