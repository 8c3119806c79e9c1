#include "tools/configtxgen/block_json.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/strings/escaping.h"
#include "common/configuration.pb.h"
#include "common/policies.pb.h"
#include "fmt/format.h"
#include "msp/identities.pb.h"
#include "msp/msp_config.pb.h"
#include "msp/msp_principal.pb.h"
#include "nlohmann/json.hpp"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace weft::tools::configtxgen {
namespace {

using nlohmann::json;

json Base64(const std::string& bytes) { return absl::Base64Escape(bytes); }

// PEM and other text stays readable; anything else (DER, keys) falls back to base64 so
// the JSON stays valid UTF-8.
json TextOrBase64(const std::string& bytes) {
  const bool text = std::all_of(bytes.begin(), bytes.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte >= 0x20 && byte < 0x7f) || c == '\n' || c == '\r' || c == '\t';
  });
  return text ? json(bytes) : Base64(bytes);
}

[[nodiscard]] StatusOr<json> MessageJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  auto status = google::protobuf::util::MessageToJsonString(message, &text, options);
  if (!status.ok()) {
    return absl::InternalError(
        fmt::format("rendering {} as JSON: {}", message.GetTypeName(), status.ToString()));
  }
  return json::parse(text);
}

template <typename M>
[[nodiscard]] StatusOr<M> Parse(const std::string& bytes, std::string_view what) {
  M message;
  if (!message.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        fmt::format("{} is not a valid {}", what, message.GetTypeName()));
  }
  return message;
}

template <typename M>
[[nodiscard]] StatusOr<json> DecodedJson(const std::string& bytes, std::string_view what) {
  WEFT_ASSIGN_OR_RETURN(M message, Parse<M>(bytes, what));
  return MessageJson(message);
}

json CertificateList(const google::protobuf::RepeatedPtrField<std::string>& certs) {
  json list = json::array();
  for (const std::string& cert : certs) list.push_back(TextOrBase64(cert));
  return list;
}

void ShowOuCertificate(const ::msp::FabricOUIdentifier& ou, json* out) {
  if (out->is_object()) (*out)["certificate"] = TextOrBase64(ou.certificate());
}

[[nodiscard]] StatusOr<json> MspJson(const std::string& bytes, std::string_view what) {
  WEFT_ASSIGN_OR_RETURN(auto config, Parse<::msp::MSPConfig>(bytes, what));
  json out = {{"type", config.type()}, {"config", Base64(config.config())}};
  if (config.type() != 0) return out;  // idemix: left encoded
  WEFT_ASSIGN_OR_RETURN(
      auto fabric, Parse<::msp::FabricMSPConfig>(config.config(), fmt::format("{} config", what)));
  WEFT_ASSIGN_OR_RETURN(json fabric_json, MessageJson(fabric));
  fabric_json["root_certs"] = CertificateList(fabric.root_certs());
  fabric_json["intermediate_certs"] = CertificateList(fabric.intermediate_certs());
  fabric_json["admins"] = CertificateList(fabric.admins());
  fabric_json["revocation_list"] = CertificateList(fabric.revocation_list());
  fabric_json["tls_root_certs"] = CertificateList(fabric.tls_root_certs());
  fabric_json["tls_intermediate_certs"] = CertificateList(fabric.tls_intermediate_certs());
  for (int i = 0; i < fabric.organizational_unit_identifiers_size(); ++i) {
    ShowOuCertificate(fabric.organizational_unit_identifiers(i),
                      &fabric_json["organizational_unit_identifiers"][i]);
  }
  if (fabric.has_fabric_node_ous()) {
    const auto& node_ous = fabric.fabric_node_ous();
    json& ous = fabric_json["fabric_node_ous"];
    if (node_ous.has_client_ou_identifier()) {
      ShowOuCertificate(node_ous.client_ou_identifier(), &ous["client_ou_identifier"]);
    }
    if (node_ous.has_peer_ou_identifier()) {
      ShowOuCertificate(node_ous.peer_ou_identifier(), &ous["peer_ou_identifier"]);
    }
    if (node_ous.has_admin_ou_identifier()) {
      ShowOuCertificate(node_ous.admin_ou_identifier(), &ous["admin_ou_identifier"]);
    }
    if (node_ous.has_orderer_ou_identifier()) {
      ShowOuCertificate(node_ous.orderer_ou_identifier(), &ous["orderer_ou_identifier"]);
    }
  }
  out["config"] = std::move(fabric_json);
  return out;
}

using ValueDecoder = StatusOr<json> (*)(const std::string&, std::string_view);

// ConfigValue keys and the message each carries, as protolator's config tree knows them.
constexpr std::pair<std::string_view, ValueDecoder> kValueDecoders[] = {
    {"MSP", MspJson},
    {"HashingAlgorithm", DecodedJson<::common::HashingAlgorithm>},
    {"BlockDataHashingStructure", DecodedJson<::common::BlockDataHashingStructure>},
    {"OrdererAddresses", DecodedJson<::common::OrdererAddresses>},
    {"Endpoints", DecodedJson<::common::OrdererAddresses>},
    {"Consortium", DecodedJson<::common::Consortium>},
    {"Capabilities", DecodedJson<::common::Capabilities>},
    {"ConsensusType", DecodedJson<::orderer::ConsensusType>},
    {"BatchSize", DecodedJson<::orderer::BatchSize>},
    {"BatchTimeout", DecodedJson<::orderer::BatchTimeout>},
    {"KafkaBrokers", DecodedJson<::orderer::KafkaBrokers>},
    {"ChannelRestrictions", DecodedJson<::orderer::ChannelRestrictions>},
    {"AnchorPeers", DecodedJson<::protos::AnchorPeers>},
    {"ACLs", DecodedJson<::protos::ACLs>},
};

// Values of unknown keys stay base64, as protolator leaves opaque bytes.
[[nodiscard]] StatusOr<json> ValueJson(std::string_view key, const std::string& bytes,
                                       std::string_view what) {
  for (const auto& [name, decode] : kValueDecoders) {
    if (name == key) return decode(bytes, what);
  }
  return Base64(bytes);
}

[[nodiscard]] StatusOr<json> PrincipalJson(const ::common::MSPPrincipal& principal,
                                           std::string_view what) {
  const std::string& bytes = principal.principal();
  switch (principal.principal_classification()) {
    case ::common::MSPPrincipal::ROLE:
      return DecodedJson<::common::MSPRole>(bytes, what);
    case ::common::MSPPrincipal::ORGANIZATION_UNIT:
      return DecodedJson<::common::OrganizationUnit>(bytes, what);
    case ::common::MSPPrincipal::IDENTITY: {
      WEFT_ASSIGN_OR_RETURN(auto identity, Parse<::msp::SerializedIdentity>(bytes, what));
      return json{{"mspid", identity.mspid()}, {"id_bytes", TextOrBase64(identity.id_bytes())}};
    }
    default:
      return Base64(bytes);
  }
}

[[nodiscard]] StatusOr<json> PolicyJson(const ::common::Policy& policy, std::string_view what) {
  json value;
  switch (policy.type()) {
    case ::common::Policy::SIGNATURE: {
      WEFT_ASSIGN_OR_RETURN(auto envelope,
                            Parse<::common::SignaturePolicyEnvelope>(policy.value(), what));
      WEFT_ASSIGN_OR_RETURN(value, MessageJson(envelope));
      for (int i = 0; i < envelope.identities_size(); ++i) {
        WEFT_ASSIGN_OR_RETURN(
            value["identities"][i]["principal"],
            PrincipalJson(envelope.identities(i), fmt::format("{} principal {}", what, i)));
      }
      break;
    }
    case ::common::Policy::IMPLICIT_META: {
      WEFT_ASSIGN_OR_RETURN(value, DecodedJson<::common::ImplicitMetaPolicy>(policy.value(), what));
      break;
    }
    default:
      value = Base64(policy.value());
  }
  return json{{"type", policy.type()}, {"value", std::move(value)}};
}

[[nodiscard]] StatusOr<json> GroupJson(const ::common::ConfigGroup& group,
                                       const std::string& path) {
  json out = {{"groups", json::object()},
              {"mod_policy", group.mod_policy()},
              {"policies", json::object()},
              {"values", json::object()},
              {"version", std::to_string(group.version())}};
  for (const auto& [name, child] : group.groups()) {
    WEFT_ASSIGN_OR_RETURN(out["groups"][name], GroupJson(child, path + "/" + name));
  }
  for (const auto& [name, value] : group.values()) {
    const std::string what = fmt::format("{}/values/{}", path, name);
    WEFT_ASSIGN_OR_RETURN(json decoded, ValueJson(name, value.value(), what));
    out["values"][name] = {{"mod_policy", value.mod_policy()},
                           {"value", std::move(decoded)},
                           {"version", std::to_string(value.version())}};
  }
  for (const auto& [name, policy] : group.policies()) {
    json decoded = nullptr;
    if (policy.has_policy()) {
      WEFT_ASSIGN_OR_RETURN(decoded,
                            PolicyJson(policy.policy(), fmt::format("{}/policies/{}", path, name)));
    }
    out["policies"][name] = {{"mod_policy", policy.mod_policy()},
                             {"policy", std::move(decoded)},
                             {"version", std::to_string(policy.version())}};
  }
  return out;
}

[[nodiscard]] StatusOr<json> EnvelopeJson(const ::common::Envelope& envelope,
                                          std::string_view what);

[[nodiscard]] StatusOr<json> ConfigEnvelopeJson(const std::string& bytes, std::string_view what) {
  WEFT_ASSIGN_OR_RETURN(auto config_envelope, Parse<::common::ConfigEnvelope>(bytes, what));
  const ::common::Config& config = config_envelope.config();
  WEFT_ASSIGN_OR_RETURN(json channel_group, GroupJson(config.channel_group(), "/Channel"));
  json last_update = nullptr;
  if (config_envelope.has_last_update()) {
    WEFT_ASSIGN_OR_RETURN(last_update, EnvelopeJson(config_envelope.last_update(),
                                                    fmt::format("{} last_update", what)));
  }
  return json{{"config",
               {{"channel_group", std::move(channel_group)},
                {"sequence", std::to_string(config.sequence())}}},
              {"last_update", std::move(last_update)}};
}

[[nodiscard]] StatusOr<json> EnvelopeJson(const ::common::Envelope& envelope,
                                          std::string_view what) {
  WEFT_ASSIGN_OR_RETURN(
      auto payload, Parse<::common::Payload>(envelope.payload(), fmt::format("{} payload", what)));
  const ::common::Header& header = payload.header();
  WEFT_ASSIGN_OR_RETURN(auto channel_header,
                        Parse<::common::ChannelHeader>(header.channel_header(),
                                                       fmt::format("{} channel header", what)));
  WEFT_ASSIGN_OR_RETURN(auto signature_header,
                        Parse<::common::SignatureHeader>(header.signature_header(),
                                                         fmt::format("{} signature header", what)));
  WEFT_ASSIGN_OR_RETURN(json channel_header_json, MessageJson(channel_header));
  WEFT_ASSIGN_OR_RETURN(json signature_header_json, MessageJson(signature_header));
  json data;
  if (channel_header.type() == ::common::CONFIG) {
    WEFT_ASSIGN_OR_RETURN(
        data, ConfigEnvelopeJson(payload.data(), fmt::format("{} config envelope", what)));
  } else {
    data = Base64(payload.data());
  }
  return json{{"payload",
               {{"data", std::move(data)},
                {"header",
                 {{"channel_header", std::move(channel_header_json)},
                  {"signature_header", std::move(signature_header_json)}}}}},
              {"signature", Base64(envelope.signature())}};
}

std::string Pretty(const json& value) { return value.dump(2) + "\n"; }

}  // namespace

[[nodiscard]] StatusOr<std::string> BlockToJson(const ::common::Block& block) {
  json envelopes = json::array();
  for (int i = 0; i < block.data().data_size(); ++i) {
    const std::string what = fmt::format("block {} envelope {}", block.header().number(), i);
    WEFT_ASSIGN_OR_RETURN(auto envelope, Parse<::common::Envelope>(block.data().data(i), what));
    WEFT_ASSIGN_OR_RETURN(json envelope_json, EnvelopeJson(envelope, what));
    envelopes.push_back(std::move(envelope_json));
  }
  WEFT_ASSIGN_OR_RETURN(json header, MessageJson(block.header()));
  WEFT_ASSIGN_OR_RETURN(json metadata, MessageJson(block.metadata()));
  return Pretty(json{{"data", {{"data", std::move(envelopes)}}},
                     {"header", std::move(header)},
                     {"metadata", std::move(metadata)}});
}

[[nodiscard]] StatusOr<std::string> ConfigGroupToJson(const ::common::ConfigGroup& group) {
  WEFT_ASSIGN_OR_RETURN(json out, GroupJson(group, ""));
  return Pretty(out);
}

}  // namespace weft::tools::configtxgen
