#include "peer/cli/lifecycle_definition.h"

#include <absl/strings/escaping.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"
#include "client-sdk/transaction_builder.h"
#include "common/config/yaml_json.h"
#include "common/policies/policy_dsl.h"
#include "common/protoutil/proposal.h"
#include "peer/cli/chaincode.h"
#include "peer/cli/lifecycle.h"
#include "peer/policy.pb.h"

namespace weft::peer::cli {
namespace {

constexpr int kStatusOk = 200;

template <typename Args>
[[nodiscard]] StatusOr<Args> DefinitionArgs(const DefinitionInput& input) {
  WEFT_ASSIGN_OR_RETURN(std::string parameter, ValidationParameter(input));
  Args args;
  args.set_sequence(input.sequence);
  args.set_name(input.name);
  args.set_version(input.version);
  args.set_endorsement_plugin(input.endorsement_plugin);
  args.set_validation_plugin(input.validation_plugin);
  args.set_validation_parameter(std::move(parameter));
  args.set_init_required(input.init_required);
  WEFT_ASSIGN_OR_RETURN(auto collections, CollectionConfigFromFile(input.collections_config_file));
  if (collections.has_value()) *args.mutable_collections() = *std::move(collections);
  return args;
}

std::vector<std::string> SortedOrgs(const google::protobuf::Map<std::string, bool>& approvals) {
  std::vector<std::string> orgs;
  for (const auto& [org, approved] : approvals) orgs.push_back(org);
  std::sort(orgs.begin(), orgs.end());
  return orgs;
}

// encoding/json of a CollectionConfigPackage: {"config":[{"Payload":{...}}]}.
nlohmann::ordered_json CollectionsJson(const ::protos::CollectionConfigPackage& package) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& config : package.config()) {
    nlohmann::ordered_json item = nlohmann::ordered_json::object();
    if (config.has_static_collection_config()) {
      const auto& sc = config.static_collection_config();
      nlohmann::ordered_json fields = nlohmann::ordered_json::object();
      if (!sc.name().empty()) fields["name"] = sc.name();
      if (sc.required_peer_count() != 0) fields["required_peer_count"] = sc.required_peer_count();
      if (sc.maximum_peer_count() != 0) fields["maximum_peer_count"] = sc.maximum_peer_count();
      if (sc.block_to_live() != 0) fields["block_to_live"] = sc.block_to_live();
      if (sc.member_only_read()) fields["member_only_read"] = true;
      if (sc.member_only_write()) fields["member_only_write"] = true;
      item["Payload"]["StaticCollectionConfig"] = std::move(fields);
    }
    out["config"].push_back(std::move(item));
  }
  return out;
}

// The definition fields the lifecycle results share, in their Go struct order.
template <typename Definition>
void DefinitionJson(const Definition& definition, nlohmann::ordered_json* out) {
  if (definition.sequence() != 0) (*out)["sequence"] = definition.sequence();
  if (!definition.version().empty()) (*out)["version"] = definition.version();
  if (!definition.endorsement_plugin().empty()) {
    (*out)["endorsement_plugin"] = definition.endorsement_plugin();
  }
  if (!definition.validation_plugin().empty()) {
    (*out)["validation_plugin"] = definition.validation_plugin();
  }
  if (!definition.validation_parameter().empty()) {
    (*out)["validation_parameter"] = absl::Base64Escape(definition.validation_parameter());
  }
  if (definition.has_collections())
    (*out)["collections"] = CollectionsJson(definition.collections());
  if (definition.init_required()) (*out)["init_required"] = true;
}

nlohmann::ordered_json ApprovalsJson(const google::protobuf::Map<std::string, bool>& approvals) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& org : SortedOrgs(approvals)) out[org] = approvals.at(org);
  return out;
}

std::string Indented(const nlohmann::ordered_json& json) { return json.dump(1, '\t') + "\n"; }

[[nodiscard]] StatusOr<::protos::SignedProposal> SignedLifecycleProposal(
    const CliContext& context, std::string_view channel_id, std::string_view function,
    const google::protobuf::Message& args, ::protos::Proposal* proposal) {
  WEFT_ASSIGN_OR_RETURN(*proposal, CreateLifecycleProposal(context.signer.SerializedIdentity(),
                                                           channel_id, function, args));
  return common::protoutil::SignProposal(*proposal, context.signer);
}

}  // namespace

[[nodiscard]] Status ValidateDefinitionInput(const DefinitionInput& input) {
  if (input.channel_id.empty()) {
    return absl::InvalidArgumentError(
        "The required parameter 'channelID' is empty. Rerun the command with -C flag");
  }
  if (input.name.empty()) {
    return absl::InvalidArgumentError(
        "The required parameter 'name' is empty. Rerun the command with -n flag");
  }
  if (input.version.empty()) {
    return absl::InvalidArgumentError(
        "The required parameter 'version' is empty. Rerun the command with -v flag");
  }
  if (input.sequence == 0) {
    return absl::InvalidArgumentError(
        "The required parameter 'sequence' is empty. Rerun the command with --sequence flag");
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<std::string> ValidationParameter(const DefinitionInput& input) {
  if (input.signature_policy.empty() && input.channel_config_policy.empty()) return std::string();
  if (!input.signature_policy.empty() && !input.channel_config_policy.empty()) {
    return absl::InvalidArgumentError(
        "cannot specify both \"--signature-policy\" and \"--channel-config-policy\"");
  }
  ::protos::ApplicationPolicy policy;
  if (!input.signature_policy.empty()) {
    auto envelope = common::policies::ParsePolicy(input.signature_policy);
    if (!envelope.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("invalid signature policy: {}", input.signature_policy));
    }
    *policy.mutable_signature_policy() = *std::move(envelope);
  } else {
    policy.set_channel_config_policy_reference(input.channel_config_policy);
  }
  return policy.SerializeAsString();
}

namespace {

// The value of `key` in `object`, matched case-insensitively as encoding/json does.
const nlohmann::json* Field(const nlohmann::json& object, std::string_view key) {
  for (const auto& [name, value] : object.items()) {
    if (name.size() == key.size() &&
        std::equal(name.begin(), name.end(), key.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return &value;
    }
  }
  return nullptr;
}

[[nodiscard]] Status CollectionParseError(std::string_view why) {
  return absl::InvalidArgumentError(
      fmt::format("could not parse the collection configuration: {}", why));
}

// A string, integer or bool field of a collection item (absent: `fallback`).
template <typename T>
[[nodiscard]] StatusOr<T> ItemField(const nlohmann::json& item, std::string_view key, T fallback) {
  const nlohmann::json* value = Field(item, key);
  if (value == nullptr || value->is_null()) return fallback;
  const bool fits = std::is_same_v<T, std::string> ? value->is_string()
                    : std::is_same_v<T, bool>      ? value->is_boolean()
                                                   : value->is_number_integer();
  if (!fits) {
    return CollectionParseError(fmt::format("json: the value of \"{}\" has the wrong type", key));
  }
  return value->get<T>();
}

}  // namespace

[[nodiscard]] StatusOr<::protos::CollectionConfigPackage> ParseCollectionConfig(
    std::string_view json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return CollectionParseError("the file is not valid JSON");
  if (!parsed.is_array()) {
    return CollectionParseError("json: cannot unmarshal a non-array into []collectionConfigJson");
  }
  ::protos::CollectionConfigPackage package;
  for (const auto& item : parsed) {
    if (!item.is_object()) return CollectionParseError("json: an item is not an object");
    WEFT_ASSIGN_OR_RETURN(auto name, ItemField<std::string>(item, "name", ""));
    WEFT_ASSIGN_OR_RETURN(auto policy_text, ItemField<std::string>(item, "policy", ""));
    auto* config = package.add_config()->mutable_static_collection_config();
    config->set_name(name);
    auto member_policy = common::policies::ParsePolicy(policy_text);
    if (!member_policy.ok()) {
      return absl::InvalidArgumentError(fmt::format("invalid policy {}", policy_text));
    }
    *config->mutable_member_orgs_policy()->mutable_signature_policy() = *std::move(member_policy);
    WEFT_ASSIGN_OR_RETURN(auto required, ItemField<int32_t>(item, "requiredPeerCount", 0));
    WEFT_ASSIGN_OR_RETURN(auto maximum, ItemField<int32_t>(item, "maxPeerCount", 1));
    WEFT_ASSIGN_OR_RETURN(auto block_to_live, ItemField<uint64_t>(item, "blockToLive", 0));
    WEFT_ASSIGN_OR_RETURN(auto only_read, ItemField<bool>(item, "memberOnlyRead", false));
    WEFT_ASSIGN_OR_RETURN(auto only_write, ItemField<bool>(item, "memberOnlyWrite", false));
    config->set_required_peer_count(required);
    config->set_maximum_peer_count(maximum);
    config->set_block_to_live(block_to_live);
    config->set_member_only_read(only_read);
    config->set_member_only_write(only_write);
    const nlohmann::json* endorsement = Field(item, "endorsementPolicy");
    if (endorsement != nullptr && endorsement->is_object()) {
      DefinitionInput policies;
      WEFT_ASSIGN_OR_RETURN(policies.signature_policy,
                            ItemField<std::string>(*endorsement, "signaturePolicy", ""));
      WEFT_ASSIGN_OR_RETURN(policies.channel_config_policy,
                            ItemField<std::string>(*endorsement, "channelConfigPolicy", ""));
      auto parameter = ValidationParameter(policies);
      if (!parameter.ok()) {
        return absl::InvalidArgumentError(fmt::format("invalid endorsement policy [{}]: {}",
                                                      endorsement->dump(),
                                                      std::string(parameter.status().message())));
      }
      if (!parameter->empty() &&
          !config->mutable_endorsement_policy()->ParseFromString(*parameter)) {
        return absl::InternalError("cannot read back the collection's endorsement policy");
      }
    }
  }
  return package;
}

[[nodiscard]] StatusOr<std::optional<::protos::CollectionConfigPackage>> CollectionConfigFromFile(
    const std::string& file) {
  if (file.empty()) return std::optional<::protos::CollectionConfigPackage>();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        fmt::format("invalid collection configuration in file {}: could not read file '{}': {}",
                    file, file, std::strerror(errno)));
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto package = ParseCollectionConfig(bytes);
  if (!package.ok()) {
    return Status(package.status().code(),
                  fmt::format("invalid collection configuration in file {}: {}", file,
                              std::string(package.status().message())));
  }
  return std::optional<::protos::CollectionConfigPackage>(*std::move(package));
}

[[nodiscard]] StatusOr<PeerTargets> PeersFromConnectionProfile(const std::string& file,
                                                               std::string_view channel_id,
                                                               const PeerTargets& peers) {
  if (file.empty()) return peers;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        fmt::format("error reading connection profile: open {}: {}", file, std::strerror(errno)));
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto json = common::config::YamlToJson(bytes);
  if (!json.ok()) {
    return absl::InvalidArgumentError(fmt::format("error unmarshalling YAML: {}: {}", file,
                                                  std::string(json.status().message())));
  }
  const auto profile = nlohmann::ordered_json::parse(*json, nullptr, false);
  const auto text = [](const nlohmann::ordered_json& node, std::string_view key) {
    return node.is_object() && node.contains(key) && node.at(std::string(key)).is_string()
               ? node.at(std::string(key)).get<std::string>()
               : std::string();
  };
  const auto object = [](const nlohmann::ordered_json& node, std::string_view key) {
    return node.is_object() && node.contains(key) && node.at(std::string(key)).is_object()
               ? node.at(std::string(key))
               : nlohmann::ordered_json::object();
  };
  const auto channel_peers = object(object(object(profile, "channels"), channel_id), "peers");
  if (channel_peers.empty()) return peers;
  const auto known_peers = object(profile, "peers");
  PeerTargets out;
  for (const auto& [name, channel_config] : channel_peers.items()) {
    if (!channel_config.is_object() || !channel_config.value("endorsingPeer", false)) continue;
    if (!known_peers.contains(name)) {
      return absl::InvalidArgumentError(fmt::format(
          "peer '{}' is defined in the channel config but doesn't have associated peer config",
          name));
    }
    const auto& peer = known_peers.at(name);
    std::string url = text(peer, "url");
    for (std::string_view scheme : {"grpcs://", "grpc://"}) {
      if (url.rfind(scheme, 0) == 0) url = url.substr(scheme.size());
    }
    out.addresses.push_back(url);
    out.tls_root_cert_files.push_back(text(object(peer, "tlsCACerts"), "path"));
  }
  return out;
}

[[nodiscard]] StatusOr<::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs> ApproveArgs(
    const DefinitionInput& input) {
  WEFT_ASSIGN_OR_RETURN(auto args,
                        DefinitionArgs<::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs>(input));
  // approveformyorg.go: no --package-id approves with the source unavailable.
  if (input.package_id.empty()) {
    args.mutable_source()->mutable_unavailable();
  } else {
    args.mutable_source()->mutable_local_package()->set_package_id(input.package_id);
  }
  return args;
}

[[nodiscard]] StatusOr<::lifecycle::CommitChaincodeDefinitionArgs> CommitArgs(
    const DefinitionInput& input) {
  return DefinitionArgs<::lifecycle::CommitChaincodeDefinitionArgs>(input);
}

[[nodiscard]] StatusOr<::lifecycle::CheckCommitReadinessArgs> CheckCommitReadinessArgs(
    const DefinitionInput& input) {
  return DefinitionArgs<::lifecycle::CheckCommitReadinessArgs>(input);
}

[[nodiscard]] StatusOr<std::string> SubmitLifecycle(
    const CliContext& context, const OrdererFlags& orderer, const PeerTargets& peers,
    std::string_view channel_id, std::string_view function, const google::protobuf::Message& args,
    bool wait_for_event, std::chrono::milliseconds wait_timeout) {
  if (orderer.address.empty()) {
    // ResolveOrderer fills it from -o or the channel config.
    return absl::InvalidArgumentError(
        "no orderer endpoint given: pass the ordering service with -o");
  }
  WEFT_ASSIGN_OR_RETURN(auto endorsers, ConnectEndorsers(context, peers));
  ::protos::Proposal proposal;
  WEFT_ASSIGN_OR_RETURN(auto signed_proposal,
                        SignedLifecycleProposal(context, channel_id, function, args, &proposal));
  std::vector<const client::EndorserClient*> targets;
  for (const auto& endorser : endorsers) targets.push_back(endorser.get());
  auto responses = client::Endorse(targets, signed_proposal);
  if (!responses.ok()) {
    return absl::UnavailableError(
        fmt::format("failed to endorse proposal: {}", std::string(responses.status().message())));
  }
  if (responses->empty()) return absl::UnavailableError("no proposal responses received");
  for (const auto& response : *responses) {
    if (response.response().status() != kStatusOk) {
      return absl::FailedPreconditionError(fmt::format("proposal failed with status: {} - {}",
                                                       response.response().status(),
                                                       response.response().message()));
    }
  }
  auto envelope = client::CreateSignedTransaction(proposal, *responses, context.signer);
  if (!envelope.ok()) {
    return absl::InvalidArgumentError(fmt::format("failed to create signed transaction: {}",
                                                  std::string(envelope.status().message())));
  }
  uint64_t from_block = 0;
  if (wait_for_event) {
    WEFT_ASSIGN_OR_RETURN(from_block, WaitHeight(context, peers, channel_id));
  }
  WEFT_ASSIGN_OR_RETURN(auto broadcast, client::BroadcastClient::Connect(
                                            {orderer.address}, OrdererClientSettings(orderer)));
  Status sent = broadcast->Submit(*envelope);
  if (!sent.ok()) {
    return absl::UnavailableError(
        fmt::format("failed to send transaction: {}", std::string(sent.message())));
  }
  ::common::Header header;
  ::common::ChannelHeader channel_header;
  if (!header.ParseFromString(proposal.header()) ||
      !channel_header.ParseFromString(header.channel_header())) {
    return absl::InternalError("cannot read back the proposal's channel header");
  }
  if (wait_for_event) {
    WEFT_RETURN_IF_ERROR(WaitForTransaction(context, peers, channel_id, channel_header.tx_id(),
                                            from_block, wait_timeout));
  }
  return channel_header.tx_id();
}

[[nodiscard]] Status QueryLifecycle(const CliContext& context, std::string_view channel_id,
                                    std::string_view function,
                                    const google::protobuf::Message& args,
                                    google::protobuf::Message* result) {
  ::protos::Proposal proposal;
  WEFT_ASSIGN_OR_RETURN(auto signed_proposal,
                        SignedLifecycleProposal(context, channel_id, function, args, &proposal));
  WEFT_ASSIGN_OR_RETURN(
      auto endorser,
      client::EndorserClient::Connect(context.config.peer.address, context.PeerClientSettings()));
  return UnwrapLifecycleResponse(endorser->ProcessProposal(signed_proposal),
                                 "failed to endorse proposal", "query failed", result);
}

std::string FormatCommitReadiness(const DefinitionInput& input,
                                  const ::lifecycle::CheckCommitReadinessResult& result,
                                  std::string_view output_format) {
  const auto orgs = SortedOrgs(result.approvals());
  if (IsJsonOutput(output_format)) {
    // printResponseAsJSON of CheckCommitReadinessResult (map keys sorted).
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    if (!result.approvals().empty()) out["approvals"] = ApprovalsJson(result.approvals());
    return Indented(out);
  }
  std::string text = fmt::format(
      "Chaincode definition for chaincode '{}', version '{}', sequence '{}' on channel '{}' "
      "approval status by org:\n",
      input.name, input.version, input.sequence, input.channel_id);
  for (const auto& org : orgs) {
    text += fmt::format("{}: {}\n", org, result.approvals().at(org));
  }
  return text;
}

std::string FormatQueryApproved(std::string_view channel_id, std::string_view name,
                                const ::lifecycle::QueryApprovedChaincodeDefinitionResult& result,
                                std::string_view output_format) {
  if (IsJsonOutput(output_format)) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    DefinitionJson(result, &out);
    if (result.has_source()) {
      nlohmann::ordered_json source = nlohmann::ordered_json::object();
      if (result.source().has_local_package()) {
        nlohmann::ordered_json local = nlohmann::ordered_json::object();
        if (!result.source().local_package().package_id().empty()) {
          local["package_id"] = result.source().local_package().package_id();
        }
        source["Type"]["LocalPackage"] = std::move(local);
      } else if (result.source().has_unavailable()) {
        source["Type"]["Unavailable"] = nlohmann::ordered_json::object();
      }
      out["source"] = std::move(source);
    }
    return Indented(out);
  }
  const std::string package_id =
      result.source().has_local_package() ? result.source().local_package().package_id() : "";
  return fmt::format(
      "Approved chaincode definition for chaincode '{}' on channel '{}':\n"
      "sequence: {}, version: {}, init-required: {}, package-id: {}, endorsement plugin: {}, "
      "validation plugin: {}\n",
      name, channel_id, result.sequence(), result.version(), result.init_required(), package_id,
      result.endorsement_plugin(), result.validation_plugin());
}

std::string FormatQueryCommitted(std::string_view channel_id, std::string_view name,
                                 const ::lifecycle::QueryChaincodeDefinitionResult& result,
                                 std::string_view output_format) {
  if (IsJsonOutput(output_format)) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    DefinitionJson(result, &out);
    if (!result.approvals().empty()) out["approvals"] = ApprovalsJson(result.approvals());
    return Indented(out);
  }
  std::string approvals;
  for (const auto& org : SortedOrgs(result.approvals())) {
    if (!approvals.empty()) approvals += ", ";
    approvals += fmt::format("{}: {}", org, result.approvals().at(org));
  }
  return fmt::format(
      "Committed chaincode definition for chaincode '{}' on channel '{}':\n"
      "Version: {}, Sequence: {}, Endorsement Plugin: {}, Validation Plugin: {}, Approvals: "
      "[{}]\n",
      name, channel_id, result.version(), result.sequence(), result.endorsement_plugin(),
      result.validation_plugin(), approvals);
}

std::string FormatQueryCommittedAll(std::string_view channel_id,
                                    const ::lifecycle::QueryChaincodeDefinitionsResult& result,
                                    std::string_view output_format) {
  if (IsJsonOutput(output_format)) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& definition : result.chaincode_definitions()) {
      nlohmann::ordered_json item = nlohmann::ordered_json::object();
      if (!definition.name().empty()) item["name"] = definition.name();
      DefinitionJson(definition, &item);
      out["chaincode_definitions"].push_back(std::move(item));
    }
    return Indented(out);
  }
  std::string text = fmt::format("Committed chaincode definitions on channel '{}':\n", channel_id);
  for (const auto& definition : result.chaincode_definitions()) {
    text += fmt::format(
        "Name: {}, Version: {}, Sequence: {}, Endorsement Plugin: {}, Validation Plugin: {}\n",
        definition.name(), definition.version(), definition.sequence(),
        definition.endorsement_plugin(), definition.validation_plugin());
  }
  return text;
}

}  // namespace weft::peer::cli
