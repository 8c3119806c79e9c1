#include "peer/endorser/endorser.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "common/common.pb.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"
#include "peer/chaincode.pb.h"

namespace weft::peer::endorser {

using common::protoutil::kChaincodeErrorThreshold;
using common::protoutil::kChaincodeStatusError;

// Fabric's UnpackedProposal: the parts of a proposal the endorser looks at.
struct Endorser::Unpacked {
  ::protos::Proposal proposal;
  ::common::Header header;
  ::common::ChannelHeader channel_header;
  ::common::SignatureHeader signature_header;
  std::string chaincode_name;
  ::protos::ChaincodeInput input;
  std::string proposal_hash;
};

namespace {

using Unpacked = Endorser::Unpacked;

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
  return options_.system_chaincodes.find(name) != options_.system_chaincodes.end() ||
         options_.channel_system_chaincodes.find(name) != options_.channel_system_chaincodes.end();
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
  if (!system) return ProcessApplicationProposal(up, signed_proposal);
  std::vector<std::string> args(up.input.args().begin(), up.input.args().end());
  auto channel_chaincode = options_.channel_system_chaincodes.find(up.chaincode_name);
  if (channel_chaincode == options_.channel_system_chaincodes.end()) {
    const SystemChaincode& chaincode = options_.system_chaincodes.find(up.chaincode_name)->second;
    ::protos::Response response = chaincode(args, signed_proposal);
    Log(channel_id, up.chaincode_name, args, response);
    return Respond(up, response, std::nullopt, std::nullopt, kSystemChaincodeVersion, "escc");
  }
  // A channel system chaincode works on a simulator (Fabric's acquireTxSimulator), and
  // its rwset is endorsed.
  std::unique_ptr<ledger::TxSimulator> simulator;
  if (!channel_id.empty()) {
    auto opened = options_.channels->NewTxSimulator(channel_id);
    if (!opened.ok()) return Failure(opened.status(), false);
    simulator = *std::move(opened);
  }
  ::protos::Response response = channel_chaincode->second(args, signed_proposal, simulator.get());
  Log(channel_id, up.chaincode_name, args, response);
  std::optional<::rwset::TxReadWriteSet> results;
  if (simulator != nullptr) {
    auto rwset = FinishSimulation(up, *simulator);
    if (!rwset.ok()) return Failure(Annotate(rwset.status(), "error in simulation"), false);
    results = *std::move(rwset);
  }
  return Respond(up, response, results, std::nullopt, kSystemChaincodeVersion, "escc");
}

void Endorser::Log(std::string_view channel_id, std::string_view chaincode,
                   const std::vector<std::string>& args, const ::protos::Response& response) const {
  if (options_.logger) {
    options_.logger->Debug("[{}] {} {} -> {}", channel_id, chaincode,
                           args.empty() ? "" : args.front(), response.status());
  }
}

ProposalResult Endorser::ProcessApplicationProposal(
    const Unpacked& up, const ::protos::SignedProposal& signed_proposal) const {
  const std::string& channel_id = up.channel_header.channel_id();
  auto undefined = [&](const Status& reason) {
    return Failure(Annotate(reason, fmt::format("make sure the chaincode {} has been successfully "
                                                "defined on channel {} and try again",
                                                up.chaincode_name, channel_id)),
                   false);
  };
  // Fabric's ChaincodeEndorsementInfo: a channel-less call has no channel config to
  // look in; a peer without chaincode support knows no definition.
  if (channel_id.empty()) {
    return undefined(absl::NotFoundError(
        fmt::format("could not get channel config for channel '{}'", channel_id)));
  }
  if (options_.lifecycle == nullptr || options_.chaincode_support == nullptr) {
    return undefined(absl::NotFoundError(fmt::format("chaincode {} not found", up.chaincode_name)));
  }
  auto simulator = options_.channels->NewTxSimulator(channel_id);
  if (!simulator.ok()) return Failure(simulator.status(), false);
  ledger::TxSimulator& sim = **simulator;
  auto info = options_.lifecycle->GetEndorsementInfo(channel_id, up.chaincode_name, sim);
  if (!info.ok()) return undefined(info.status());

  // simulateProposal / callChaincode.
  chaincode_support::TransactionParams params;
  params.tx_id = up.channel_header.tx_id();
  params.channel_id = channel_id;
  params.signed_proposal = &signed_proposal;
  params.simulator = &sim;
  auto executed = options_.chaincode_support->Execute(params, up.chaincode_name, up.input);
  if (!executed.ok()) {
    if (options_.logger) {
      options_.logger->Error("[{}] failed to invoke chaincode {}, error: {}", channel_id,
                             up.chaincode_name, std::string(executed.status().message()));
    }
    return Failure(Annotate(executed.status(), "error in simulation"), false);
  }
  std::vector<std::string> args(up.input.args().begin(), up.input.args().end());
  Log(channel_id, up.chaincode_name, args, executed->response);
  // A chaincode error drops its event (callChaincode); the rwset is kept.
  std::optional<::protos::ChaincodeEvent> event;
  if (executed->response.status() < kChaincodeErrorThreshold) event = executed->event;
  auto rwset = FinishSimulation(up, sim);
  if (!rwset.ok()) return Failure(Annotate(rwset.status(), "error in simulation"), false);
  return Respond(up, executed->response, *std::move(rwset), event, info->version,
                 info->endorsement_plugin);
}

StatusOr<::rwset::TxReadWriteSet> Endorser::FinishSimulation(const Unpacked& up,
                                                             ledger::TxSimulator& simulator) const {
  WEFT_ASSIGN_OR_RETURN(auto results, simulator.GetTxSimulationResultsWithPrivateData());
  if (results.private_rwset.has_value() && results.private_rwset->ns_pvt_rwset_size() > 0) {
    if (!options_.distribute_private_data) {
      return absl::FailedPreconditionError("this peer cannot keep private data");
    }
    WEFT_RETURN_IF_ERROR(options_.distribute_private_data(
        up.channel_header.channel_id(), up.channel_header.tx_id(), *results.private_rwset));
  }
  return std::move(results.public_rwset);
}

ProposalResult Endorser::Respond(const Unpacked& up, const ::protos::Response& response,
                                 const std::optional<::rwset::TxReadWriteSet>& results,
                                 const std::optional<::protos::ChaincodeEvent>& event,
                                 std::string_view version, std::string_view plugin) const {
  const std::string& channel_id = up.channel_header.channel_id();
  // protoutil.GetBytesProposalResponsePayload; deterministic bytes, so every endorser
  // of the same proposal on the same state signs the same payload.
  ::protos::ChaincodeAction action;
  if (results.has_value()) {
    action.set_results(common::protoutil::DeterministicSerialize(*results));
  }
  if (event.has_value()) action.set_events(common::protoutil::DeterministicSerialize(*event));
  *action.mutable_response() = response;
  action.mutable_chaincode_id()->set_name(up.chaincode_name);
  action.mutable_chaincode_id()->set_version(std::string(version));
  ::protos::ProposalResponsePayload payload;
  payload.set_proposal_hash(up.proposal_hash);
  payload.set_extension(common::protoutil::DeterministicSerialize(action));
  std::string payload_bytes = common::protoutil::DeterministicSerialize(payload);

  ProposalResult result;
  *result.response.mutable_response() = response;
  if (response.status() >= kChaincodeStatusError) {
    result.response.set_payload(std::move(payload_bytes));
    return result;
  }
  // Channel-less invocations cannot be endorsed; codes 400..499 are not endorsed.
  if (channel_id.empty() || response.status() >= kChaincodeErrorThreshold) return result;
  // Fabric's escc is the one endorsement plugin a Weft peer has.
  if (plugin != "escc") {
    return Failure(absl::NotFoundError(fmt::format(
                       "endorsing with plugin failed: plugin with name {} wasn't found", plugin)),
                   false);
  }
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
