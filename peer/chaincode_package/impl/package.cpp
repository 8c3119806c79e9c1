#include "peer/chaincode_package/package.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/crypto/hash.h"
#include "peer/chaincode_package/impl/tar_gz_reader.h"

namespace weft::peer::chaincode_package {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Go's encoding/json fills a struct field from the key that matches its tag exactly,
// else from one that matches ignoring case; a null leaves the field empty and any
// other non-string value is an error.
[[nodiscard]] Status ReadStringField(const nlohmann::json& object, std::string_view key,
                                     std::string* out) {
  const nlohmann::json* value = nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() == key) {
      value = &it.value();
      break;
    }
    if (value == nullptr && EqualFold(it.key(), key)) value = &it.value();
  }
  if (value == nullptr || value->is_null()) return Status();
  if (!value->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("could not unmarshal ", kMetadataFile,
                                                   " as json: field \"", std::string(key),
                                                   "\" is not a string but ", value->type_name()));
  }
  *out = value->get<std::string>();
  return Status();
}

[[nodiscard]] StatusOr<PackageMetadata> ParseMetadata(std::string_view text) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("could not unmarshal ", kMetadataFile, " as json: ", error.what()));
  }
  if (!document.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("could not unmarshal ", kMetadataFile,
                                                   " as json: expected an object, found ",
                                                   document.type_name()));
  }
  PackageMetadata metadata;
  WEFT_RETURN_IF_ERROR(ReadStringField(document, "type", &metadata.type));
  WEFT_RETURN_IF_ERROR(ReadStringField(document, "path", &metadata.path));
  WEFT_RETURN_IF_ERROR(ReadStringField(document, "label", &metadata.label));
  return metadata;
}

}  // namespace

[[nodiscard]] Status ValidateLabel(std::string_view label) {
  bool valid = !label.empty() && IsAsciiAlnum(label.front()) &&
               std::all_of(label.begin(), label.end(), [](char c) {
                 return IsAsciiAlnum(c) || c == '_' || c == '.' || c == '+' || c == '-';
               });
  if (valid) return Status();
  // persistence.ValidateLabel's message.
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid label '", std::string(label),
      "'. Label must be non-empty, can only consist of alphanumerics, symbols from '.+-_', and "
      "can only begin with alphanumerics"));
}

std::string PackageId(std::string_view label, std::string_view package_bytes) {
  return absl::StrCat(std::string(label), ":",
                      common::crypto::HexEncode(common::crypto::Sha256(package_bytes)));
}

[[nodiscard]] StatusOr<PackageIdParts> ParsePackageId(std::string_view package_id) {
  const size_t colon = package_id.rfind(':');
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", std::string(package_id), "' is not a package ID (<label>:<64 lowercase hex digits>)"));
  };
  if (colon == std::string_view::npos) return invalid();
  std::string_view label = package_id.substr(0, colon);
  std::string_view hex = package_id.substr(colon + 1);
  if (!ValidateLabel(label).ok() || hex.size() != 2 * common::crypto::kSha256Size) return invalid();
  PackageIdParts parts;
  parts.label = std::string(label);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int byte = 0;
    for (char c : hex.substr(i, 2)) {
      int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (digit < 0) return invalid();
      byte = byte * 16 + digit;
    }
    parts.hash.push_back(static_cast<char>(byte));
  }
  return parts;
}

[[nodiscard]] StatusOr<ChaincodePackage> ParsePackage(std::string_view package_bytes,
                                                      const ParseLimits& limits) {
  WEFT_ASSIGN_OR_RETURN(auto reader, impl::TarGzReader::Open(package_bytes));
  std::optional<std::string> metadata_json;
  std::optional<std::string> code_package;
  ChaincodePackage package;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(std::optional<impl::TarEntry> entry, reader->Next());
    if (!entry) break;
    if (entry->kind != impl::TarEntry::Kind::kRegular) {
      // Fabric's message (the typeflag as a number), then the kind in words.
      return absl::InvalidArgumentError(
          absl::StrCat("tar entry ", entry->name, " is not a regular file, type ",
                       static_cast<int>(entry->typeflag), " (", entry->kind_name, ")"));
    }
    const uint64_t left =
        limits.max_total_bytes - std::min(limits.max_total_bytes, reader->total_read());
    WEFT_ASSIGN_OR_RETURN(std::string data,
                          reader->ReadAll(std::min(limits.max_entry_bytes, left)));
    if (entry->name == kMetadataFile) {
      // Parsed where it is found, as Fabric does: a bad metadata.json is reported first.
      WEFT_ASSIGN_OR_RETURN(package.metadata, ParseMetadata(data));
      metadata_json = std::move(data);
    } else if (entry->name == kCodePackageFile) {
      code_package = std::move(data);
    } else {
      package.ignored_entries.push_back(entry->name);
    }
  }
  // Fabric checks in this order.
  if (!code_package) {
    return absl::InvalidArgumentError("did not find a code package inside the package");
  }
  if (!metadata_json) {
    return absl::InvalidArgumentError(
        absl::StrCat("did not find any package metadata (missing ", kMetadataFile, ")"));
  }
  WEFT_RETURN_IF_ERROR(ValidateLabel(package.metadata.label));
  package.metadata_json = std::move(*metadata_json);
  package.code_package = std::move(*code_package);
  return package;
}

}  // namespace weft::peer::chaincode_package
