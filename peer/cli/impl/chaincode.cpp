#include "peer/cli/chaincode.h"

#include <absl/strings/escaping.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "client-sdk/orderer_client.h"
#include "client-sdk/peer_deliver_client.h"
#include "client-sdk/signer.h"
#include "client-sdk/transaction_builder.h"
#include "common/protoutil/proposal.h"
#include "peer/cli/channel.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace weft::peer::cli {
namespace {

constexpr int kErrorThreshold = 400;  // shim.ERRORTHRESHOLD

constexpr char kCtorKeysError[] =
    "JSON chaincode parameters must contain the following keys: 'Args' or 'Function' and 'Args'";

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Go's text format of a string field: quoted, C escapes.
std::string Quoted(std::string_view bytes) {
  return "\"" + absl::CEscape(absl::string_view(bytes.data(), bytes.size())) + "\"";
}

[[nodiscard]] StatusOr<::protos::SignedProposal> SignedCallProposal(const CliContext& context,
                                                                    const ChaincodeCall& call,
                                                                    ::protos::Proposal* proposal) {
  WEFT_ASSIGN_OR_RETURN(*proposal,
                        CreateChaincodeCallProposal(call, context.signer.SerializedIdentity()));
  return common::protoutil::SignProposal(*proposal, context.signer);
}

}  // namespace

CliContext FirstPeerContext(const CliContext& context, const PeerTargets& peers) {
  CliContext target = context;
  if (!peers.addresses.empty()) {
    target.config.peer.address = peers.addresses.front();
    if (!peers.tls_root_cert_files.empty()) {
      target.config.peer.client.tls.root_cas = {peers.tls_root_cert_files.front()};
      target.config.peer.client.tls.root_ca_pems.clear();
    }
  }
  return target;
}

[[nodiscard]] StatusOr<uint64_t> WaitHeight(const CliContext& context, const PeerTargets& peers,
                                            std::string_view channel_id) {
  WEFT_ASSIGN_OR_RETURN(auto info, GetChannelInfo(FirstPeerContext(context, peers), channel_id));
  return info.height();
}

[[nodiscard]] Status WaitForTransaction(const CliContext& context, const PeerTargets& peers,
                                        std::string_view channel_id, std::string_view tx_id,
                                        uint64_t from_block, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::system_clock::now() + timeout;
  const CliContext target = FirstPeerContext(context, peers);
  const auto settings = target.PeerClientSettings();
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_specified()->set_number(from_block);
  seek.mutable_stop()->mutable_specified()->set_number(std::numeric_limits<uint64_t>::max());
  seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
  WEFT_ASSIGN_OR_RETURN(std::string tls_cert_hash, client::ClientTlsCertHash(settings.tls));
  WEFT_ASSIGN_OR_RETURN(auto request, client::CreateSeekEnvelope(channel_id, seek, context.signer,
                                                                 std::move(tls_cert_hash)));
  WEFT_ASSIGN_OR_RETURN(auto deliver,
                        client::PeerDeliverClient::Connect(target.config.peer.address, settings));
  std::optional<::protos::TxValidationCode> code;
  auto status = deliver->DeliverFiltered(
      request,
      [&](const ::protos::FilteredBlock& block) {
        for (const auto& tx : block.filtered_transactions()) {
          if (tx.txid() == tx_id) {
            code = tx.tx_validation_code();
            return false;
          }
        }
        return true;
      },
      deadline);
  if (status.status().code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::DeadlineExceededError("timed out waiting for txid on all peers");
  }
  if (!status.ok()) {
    return absl::UnavailableError(fmt::format("error connecting to deliver filtered at {}: {}",
                                              target.config.peer.address,
                                              std::string(status.status().message())));
  }
  if (!code.has_value()) {
    return absl::UnavailableError(fmt::format(
        "deliver completed with status ({}) before txid received", ::common::Status_Name(*status)));
  }
  if (*code != ::protos::VALID) {
    return absl::AbortedError(fmt::format("transaction invalidated with status ({})",
                                          ::protos::TxValidationCode_Name(*code)));
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<std::vector<std::string>> ParseChaincodeCtor(std::string_view ctor_json) {
  if (ctor_json == "{}") return absl::InvalidArgumentError(std::string("empty ") + kCtorKeysError);
  auto parsed = nlohmann::json::parse(ctor_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::InvalidArgumentError(
        fmt::format("chaincode argument error: -c is not a JSON object: {}", ctor_json));
  }
  const nlohmann::json* args = nullptr;
  const nlohmann::json* function = nullptr;
  for (const auto& [key, value] : parsed.items()) {
    const std::string lower = Lower(key);
    if (lower == "args") args = &value;
    if (lower == "function") function = &value;
  }
  const size_t keys = parsed.size();
  if (args == nullptr || (keys == 2 && function == nullptr) || keys > 2) {
    return absl::InvalidArgumentError(std::string("non-empty ") + kCtorKeysError);
  }
  std::vector<std::string> out;
  if (function != nullptr && !function->is_null()) {
    if (!function->is_string()) {
      return absl::InvalidArgumentError(
          "chaincode argument error: json: cannot unmarshal into Go struct field .Function of "
          "type string");
    }
    if (!function->get<std::string>().empty()) out.push_back(function->get<std::string>());
  }
  if (!args->is_null()) {
    if (!args->is_array()) {
      return absl::InvalidArgumentError(
          "chaincode argument error: json: cannot unmarshal into Go struct field .Args of type "
          "[]string");
    }
    for (const auto& arg : *args) {
      if (!arg.is_string()) {
        return absl::InvalidArgumentError(
            "chaincode argument error: json: cannot unmarshal into Go struct field .Args of type "
            "string");
      }
      out.push_back(arg.get<std::string>());
    }
  }
  return out;
}

[[nodiscard]] StatusOr<std::map<std::string, std::string>> ParseTransient(
    std::string_view transient_json) {
  std::map<std::string, std::string> out;
  if (transient_json.empty()) return out;
  auto parsed = nlohmann::json::parse(transient_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::InvalidArgumentError(
        "error parsing transient string: not a JSON object of base64 strings");
  }
  for (const auto& [key, value] : parsed.items()) {
    std::string decoded;
    if (!value.is_string() || !absl::Base64Unescape(value.get<std::string>(), &decoded)) {
      return absl::InvalidArgumentError(fmt::format(
          "error parsing transient string: the value of '{}' is not a base64 string", key));
    }
    out[key] = std::move(decoded);
  }
  return out;
}

[[nodiscard]] Status ValidateChaincodeCall(const ChaincodeCall& call) {
  if (call.channel_id.empty()) {
    return absl::InvalidArgumentError(
        "The required parameter 'channelID' is empty. Rerun the command with -C flag");
  }
  if (call.name.empty()) {
    return absl::InvalidArgumentError("must supply value for chaincode name parameter");
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<::protos::Proposal> CreateChaincodeCallProposal(const ChaincodeCall& call,
                                                                       std::string_view creator) {
  WEFT_RETURN_IF_ERROR(ValidateChaincodeCall(call));
  common::protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = call.channel_id;
  spec.chaincode_name = call.name;
  WEFT_ASSIGN_OR_RETURN(spec.args, ParseChaincodeCtor(call.ctor_json));
  WEFT_ASSIGN_OR_RETURN(spec.transient, ParseTransient(call.transient_json));
  spec.chaincode_type = ::protos::ChaincodeSpec::GOLANG;
  WEFT_ASSIGN_OR_RETURN(auto created, common::protoutil::CreateChaincodeProposal(spec, creator));
  if (call.is_init) {
    // The builder has no is_init; set it in the invocation spec (the transaction ID
    // depends only on nonce and creator, so it stays valid).
    ::protos::ChaincodeProposalPayload payload;
    ::protos::ChaincodeInvocationSpec invocation;
    if (!payload.ParseFromString(created.proposal.payload()) ||
        !invocation.ParseFromString(payload.input())) {
      return absl::InternalError("cannot read back the proposal's invocation spec");
    }
    invocation.mutable_chaincode_spec()->mutable_input()->set_is_init(true);
    payload.set_input(invocation.SerializeAsString());
    created.proposal.set_payload(payload.SerializeAsString());
  }
  return std::move(created.proposal);
}

[[nodiscard]] StatusOr<std::vector<std::unique_ptr<client::EndorserClient>>> ConnectEndorsers(
    const CliContext& context, const PeerTargets& peers) {
  const auto peer_settings = context.PeerClientSettings();
  std::vector<std::unique_ptr<client::EndorserClient>> endorsers;
  if (peers.addresses.empty()) {
    WEFT_ASSIGN_OR_RETURN(
        auto endorser, client::EndorserClient::Connect(context.config.peer.address, peer_settings));
    endorsers.push_back(std::move(endorser));
    return endorsers;
  }
  if (peer_settings.tls.enabled && peers.tls_root_cert_files.size() != peers.addresses.size()) {
    return absl::InvalidArgumentError(fmt::format(
        "number of peer addresses ({}) does not match the number of TLS root cert files ({})",
        peers.addresses.size(), peers.tls_root_cert_files.size()));
  }
  for (size_t i = 0; i < peers.addresses.size(); ++i) {
    auto settings = peer_settings;
    if (settings.tls.enabled) {
      settings.tls.root_cas = {peers.tls_root_cert_files[i]};
      settings.tls.root_ca_pems.clear();
    }
    WEFT_ASSIGN_OR_RETURN(auto endorser,
                          client::EndorserClient::Connect(peers.addresses[i], settings));
    endorsers.push_back(std::move(endorser));
  }
  return endorsers;
}

std::string ResponseText(const ::protos::Response& response) {
  std::string text = fmt::format("status:{}", response.status());
  if (!response.message().empty()) text += " message:" + Quoted(response.message());
  if (!response.payload().empty()) text += " payload:" + Quoted(response.payload());
  return text;
}

[[nodiscard]] StatusOr<std::string> InvokeChaincode(const CliContext& context,
                                                    const OrdererFlags& orderer,
                                                    const PeerTargets& peers,
                                                    const ChaincodeCall& call, bool wait_for_event,
                                                    std::chrono::milliseconds wait_timeout) {
  ::protos::Proposal proposal;
  WEFT_ASSIGN_OR_RETURN(auto signed_proposal, SignedCallProposal(context, call, &proposal));
  if (orderer.address.empty()) {
    // ResolveOrderer fills it from -o or the channel config.
    return absl::InvalidArgumentError(
        "orderer is required: pass the ordering service endpoint with -o");
  }
  WEFT_ASSIGN_OR_RETURN(auto endorsers, ConnectEndorsers(context, peers));
  std::vector<const client::EndorserClient*> targets;
  for (const auto& endorser : endorsers) targets.push_back(endorser.get());
  auto responses = client::Endorse(targets, signed_proposal);
  if (!responses.ok()) {
    return absl::UnavailableError(
        fmt::format("error endorsing invoke: {}", std::string(responses.status().message())));
  }
  if (responses->empty()) {
    return absl::UnavailableError("no proposal responses received - this might indicate a bug");
  }
  const ::protos::ProposalResponse& first = responses->front();
  if (first.response().status() >= kErrorThreshold || !first.has_endorsement()) {
    return absl::FailedPreconditionError(fmt::format(
        "endorsement failure during invoke. response: {}", ResponseText(first.response())));
  }
  auto envelope = client::CreateSignedTransaction(proposal, *responses, context.signer);
  if (!envelope.ok()) {
    return absl::InvalidArgumentError(fmt::format("could not assemble transaction: {}",
                                                  std::string(envelope.status().message())));
  }
  uint64_t from_block = 0;
  if (wait_for_event) {
    WEFT_ASSIGN_OR_RETURN(from_block, WaitHeight(context, peers, call.channel_id));
  }
  WEFT_ASSIGN_OR_RETURN(auto broadcast, client::BroadcastClient::Connect(
                                            {orderer.address}, OrdererClientSettings(orderer)));
  Status sent = broadcast->Submit(*envelope);
  if (!sent.ok()) {
    return absl::UnavailableError(
        fmt::format("error sending transaction for invoke: {}", std::string(sent.message())));
  }
  if (wait_for_event) {
    ::common::Header header;
    ::common::ChannelHeader channel_header;
    if (!header.ParseFromString(proposal.header()) ||
        !channel_header.ParseFromString(header.channel_header())) {
      return absl::InternalError("cannot read back the proposal's channel header");
    }
    WEFT_RETURN_IF_ERROR(WaitForTransaction(context, peers, call.channel_id, channel_header.tx_id(),
                                            from_block, wait_timeout));
  }
  // invoke.go logs the chaincode action's response.
  ::protos::ProposalResponsePayload payload;
  ::protos::ChaincodeAction action;
  if (!payload.ParseFromString(first.payload()) || !action.ParseFromString(payload.extension())) {
    return absl::DataLossError("error while unmarshalling proposal response payload");
  }
  return "Chaincode invoke successful. result: " + ResponseText(action.response());
}

[[nodiscard]] StatusOr<std::string> QueryChaincode(const CliContext& context,
                                                   const PeerTargets& peers,
                                                   const ChaincodeCall& call) {
  ::protos::Proposal proposal;
  WEFT_ASSIGN_OR_RETURN(auto signed_proposal, SignedCallProposal(context, call, &proposal));
  WEFT_ASSIGN_OR_RETURN(auto endorsers, ConnectEndorsers(context, peers));
  auto response = endorsers.front()->ProcessProposal(signed_proposal);
  if (!response.ok()) {
    return absl::UnavailableError(
        fmt::format("error endorsing query: {}", std::string(response.status().message())));
  }
  if (!response->has_endorsement()) {
    return absl::FailedPreconditionError(fmt::format(
        "endorsement failure during query. response: {}", ResponseText(response->response())));
  }
  return response->response().payload();
}

[[nodiscard]] StatusOr<std::string> FormatQueryPayload(std::string_view payload, bool raw,
                                                       bool hex) {
  if (raw && hex) {
    return absl::InvalidArgumentError("options --raw (-r) and --hex (-x) are not compatible");
  }
  if (hex) return absl::BytesToHexString(absl::string_view(payload.data(), payload.size())) + "\n";
  if (raw) {
    std::string text = "[";
    for (size_t i = 0; i < payload.size(); ++i) {
      if (i > 0) text += " ";
      text += std::to_string(static_cast<unsigned char>(payload[i]));
    }
    return text + "]\n";
  }
  return std::string(payload) + "\n";
}

}  // namespace weft::peer::cli
