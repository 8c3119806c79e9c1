#include "peer/chaincode_builders/connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/config/values.h"

namespace weft::peer::chaincode_builders {
namespace {

using Json = nlohmann::ordered_json;

// DialTimeout when connection.json gives none (externalbuilder.DialTimeout).
constexpr std::chrono::milliseconds kDefaultDialTimeout{3000};

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Go's encoding/json field matching: the exact key, else the first that matches
// ignoring case. Null counts as absent.
const Json* Field(const Json& object, std::string_view key) {
  const Json* folded = nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() == key) return it.value().is_null() ? nullptr : &it.value();
    if (folded == nullptr && EqualFold(it.key(), key)) folded = &it.value();
  }
  return folded != nullptr && !folded->is_null() ? folded : nullptr;
}

[[nodiscard]] Status WrongType(std::string_view key, const Json& value, std::string_view want) {
  return absl::InvalidArgumentError(fmt::format(
      "malformed chaincode info: field \"{}\" is a {}, not a {}", key, value.type_name(), want));
}

[[nodiscard]] Status ReadString(const Json& object, std::string_view key, std::string* out) {
  const Json* value = Field(object, key);
  if (value == nullptr) return Status();
  if (!value->is_string()) return WrongType(key, *value, "string");
  *out = value->get<std::string>();
  return Status();
}

[[nodiscard]] Status ReadBool(const Json& object, std::string_view key, bool* out) {
  const Json* value = Field(object, key);
  if (value == nullptr) return Status();
  if (!value->is_boolean()) return WrongType(key, *value, "boolean");
  *out = value->get<bool>();
  return Status();
}

[[nodiscard]] StatusOr<Json> ParseObject(std::string_view json) {
  Json document;
  try {
    document = Json::parse(json);
  } catch (const Json::exception& error) {
    return absl::InvalidArgumentError(fmt::format("malformed chaincode info: {}", error.what()));
  }
  if (!document.is_object()) {
    return absl::InvalidArgumentError(fmt::format(
        "malformed chaincode info: expected an object, found {}", document.type_name()));
  }
  return document;
}

// One "{{.a.b}}" reference resolved against `config`.
[[nodiscard]] StatusOr<std::string> Resolve(std::string_view reference, const Json& config) {
  std::string_view path = reference;
  while (!path.empty() && std::isspace(static_cast<unsigned char>(path.front()))) {
    path.remove_prefix(1);
  }
  while (!path.empty() && std::isspace(static_cast<unsigned char>(path.back()))) {
    path.remove_suffix(1);
  }
  if (path.empty() || path.front() != '.') {
    return absl::InvalidArgumentError(
        fmt::format("unsupported template action \"{{{{{}}}}}\"", reference));
  }
  const Json* node = &config;
  path.remove_prefix(1);
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string key(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (!node->is_object() || !node->contains(key)) {
      return absl::InvalidArgumentError(fmt::format("map has no entry for key \"{}\"", key));
    }
    node = &(*node)[key];
  }
  return node->is_string() ? node->get<std::string>() : node->dump();
}

[[nodiscard]] StatusOr<std::string> Expand(std::string_view text, const Json& config) {
  std::string out;
  while (true) {
    size_t open = text.find("{{");
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError("unclosed action \"{{\"");
    }
    out.append(text.substr(0, open));
    WEFT_ASSIGN_OR_RETURN(std::string value,
                          Resolve(text.substr(open + 2, close - open - 2), config));
    out.append(value);
    text.remove_prefix(close + 2);
  }
  out.append(text);
  return out;
}

}  // namespace

[[nodiscard]] StatusOr<chaincode_support::ChaincodeServerInfo> ParseConnectionJson(
    std::string_view json) {
  WEFT_ASSIGN_OR_RETURN(Json document, ParseObject(json));
  chaincode_support::ChaincodeServerInfo info;
  WEFT_RETURN_IF_ERROR(ReadString(document, "address", &info.address));
  WEFT_RETURN_IF_ERROR(ReadBool(document, "tls_required", &info.tls_required));
  WEFT_RETURN_IF_ERROR(ReadBool(document, "client_auth_required", &info.client_auth_required));
  WEFT_RETURN_IF_ERROR(ReadString(document, "client_key", &info.client_key_pem));
  WEFT_RETURN_IF_ERROR(ReadString(document, "client_cert", &info.client_cert_pem));
  WEFT_RETURN_IF_ERROR(ReadString(document, "root_cert", &info.root_cert_pem));
  std::chrono::nanoseconds dial_timeout{0};
  if (const Json* value = Field(document, "dial_timeout"); value != nullptr) {
    if (value->is_number()) {
      // externalbuilder.Duration: a JSON number is nanoseconds.
      dial_timeout = std::chrono::nanoseconds(static_cast<int64_t>(value->get<double>()));
    } else if (value->is_string()) {
      // An empty string is taken as absent (Fabric's ParseDuration would reject it).
      if (!value->get<std::string>().empty()) {
        StatusOr<std::chrono::nanoseconds> parsed =
            common::config::ParseDuration(value->get<std::string>());
        if (!parsed.ok()) {
          return absl::InvalidArgumentError(
              fmt::format("malformed chaincode info: dial_timeout: {}",
                          std::string(parsed.status().message())));
        }
        dial_timeout = *parsed;
      }
    } else {
      return absl::InvalidArgumentError("malformed chaincode info: invalid duration");
    }
  }
  // ChaincodeServerUserData.ChaincodeServerInfo's checks and messages.
  if (info.address.empty()) return absl::InvalidArgumentError("chaincode address not provided");
  info.dial_timeout = dial_timeout.count() == 0
                          ? kDefaultDialTimeout
                          : std::chrono::duration_cast<std::chrono::milliseconds>(dial_timeout);
  if (!info.tls_required) {
    // Fabric ignores the TLS material of a plaintext server.
    info.client_auth_required = false;
    info.client_key_pem.clear();
    info.client_cert_pem.clear();
    info.root_cert_pem.clear();
    return info;
  }
  if (info.client_auth_required && info.client_key_pem.empty()) {
    return absl::InvalidArgumentError("chaincode tls key not provided");
  }
  if (info.client_auth_required && info.client_cert_pem.empty()) {
    return absl::InvalidArgumentError("chaincode tls cert not provided");
  }
  if (info.root_cert_pem.empty()) {
    return absl::InvalidArgumentError("chaincode tls root cert not provided");
  }
  if (!info.client_auth_required) {
    info.client_key_pem.clear();
    info.client_cert_pem.clear();
  }
  return info;
}

[[nodiscard]] StatusOr<std::string> ExpandCcaasConnection(
    std::string_view json, const common::config::Environment& environment) {
  WEFT_ASSIGN_OR_RETURN(Json document, ParseObject(json));
  Json config = Json::object();
  if (auto it = environment.find("CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG");
      it != environment.end() && !it->second.empty()) {
    config = Json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    if (config.is_discarded()) {
      return absl::InvalidArgumentError(
          "Failed to unmarshal CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: not valid JSON");
    }
  }
  // ccaas_builder/cmd/build: the connection struct keeps these fields, strings only.
  Json out = Json::object();
  auto expand = [&](std::string_view key, std::string_view label) -> Status {
    std::string text;
    WEFT_RETURN_IF_ERROR(ReadString(document, key, &text));
    StatusOr<std::string> expanded = Expand(text, config);
    if (!expanded.ok()) {
      return absl::InvalidArgumentError(fmt::format("Failed to parse the {} field template: {}",
                                                    label,
                                                    std::string(expanded.status().message())));
    }
    out[std::string(key)] = *expanded;
    return Status();
  };
  WEFT_RETURN_IF_ERROR(expand("address", "Address"));
  if (const Json* timeout = Field(document, "dial_timeout");
      timeout != nullptr && timeout->is_number()) {
    out["dial_timeout"] = *timeout;  // Weft keeps a numeric timeout; Fabric's build rejects it
  } else {
    WEFT_RETURN_IF_ERROR(expand("dial_timeout", "DialTimeout"));
  }
  bool tls = false;
  bool client_auth = false;
  WEFT_RETURN_IF_ERROR(ReadBool(document, "tls_required", &tls));
  WEFT_RETURN_IF_ERROR(ReadBool(document, "client_auth_required", &client_auth));
  out["tls_required"] = tls;
  out["client_auth_required"] = tls && client_auth;
  if (tls) {
    WEFT_RETURN_IF_ERROR(expand("root_cert", "RootCert"));
    WEFT_RETURN_IF_ERROR(expand("client_key", "ClientKey"));
    WEFT_RETURN_IF_ERROR(expand("client_cert", "ClientCert"));
  }
  return out.dump();
}

}  // namespace weft::peer::chaincode_builders
