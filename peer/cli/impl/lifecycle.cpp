#include "peer/cli/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "client-sdk/endorser_client.h"
#include "common/protoutil/proposal.h"
#include "peer/chaincode_package/archive_writer.h"
#include "peer/chaincode_package/package.h"

namespace weft::peer::cli {
namespace {

namespace fs = std::filesystem;
using chaincode_package::ArchiveFile;

constexpr int kStatusOk = 200;

[[nodiscard]] StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(fmt::format("open {}: {}", path.string(), std::strerror(errno)));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

[[nodiscard]] Status WriteWholeFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) ||
      !out.flush()) {
    return absl::UnavailableError(fmt::format("open {}: {}", path.string(), std::strerror(errno)));
  }
  return absl::OkStatus();
}

// encoding/json's string encoding (HTML-safe, as json.Marshal by default).
std::string GoJsonString(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

// writer.go's WriteFolderToTarPackage walk: lexical order, node_modules and .git
// folders skipped, META-INF/ kept at the top (hidden files there skipped), every
// other file under src/ when `everything_under_src`; only META-INF/ otherwise.
[[nodiscard]] Status WalkFolder(const fs::path& root, const fs::path& dir,
                                bool everything_under_src, std::vector<ArchiveFile>* files) {
  std::error_code error;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    entries.push_back(*it);
  }
  if (error) {
    return absl::NotFoundError(fmt::format("lstat {}: {}", dir.string(), error.message()));
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    const std::string relative = entry.path().lexically_relative(root).generic_string();
    if (entry.is_directory()) {
      if (name == "node_modules" || name == ".git") continue;
      WEFT_RETURN_IF_ERROR(WalkFolder(root, entry.path(), everything_under_src, files));
      continue;
    }
    if (!entry.is_regular_file()) continue;
    ArchiveFile file;
    if (relative.rfind("META-INF/", 0) == 0) {
      if (name.front() == '.') continue;
      file.name = relative;
    } else if (everything_under_src) {
      file.name = "src/" + relative;
    } else {
      continue;
    }
    WEFT_ASSIGN_OR_RETURN(file.content, ReadWholeFile(entry.path()));
    file.uid = 500;  // writer.go WriteFileToPackage
    file.gid = 500;
    files->push_back(std::move(file));
  }
  return absl::OkStatus();
}

// The code.tar.gz and the metadata path of `input` (platform NormalizePath +
// GetDeploymentPayload for Weft's languages).
[[nodiscard]] StatusOr<std::pair<std::string, std::string>> CodePackage(const PackageInput& input) {
  std::string lang = input.lang;
  std::transform(lang.begin(), lang.end(), lang.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string folder = input.path;
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  std::vector<ArchiveFile> files;
  std::string metadata_path = input.path;
  if (lang == "NODE" || lang == "CCAAS") {
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
      return absl::NotFoundError(
          fmt::format("error getting chaincode bytes: Error writing Chaincode package "
                      "contents: lstat {}: no such directory",
                      folder));
    }
    if (lang == "CCAAS") {
      // Chaincode as a service: connection.json at the top (FORMAT.md).
      const fs::path connection = fs::path(folder) / "connection.json";
      ArchiveFile file;
      file.name = "connection.json";
      auto content = ReadWholeFile(connection);
      if (!content.ok()) {
        return absl::NotFoundError(fmt::format(
            "error getting chaincode bytes: a ccaas package needs {}", connection.string()));
      }
      file.content = *std::move(content);
      files.push_back(std::move(file));
    }
    WEFT_RETURN_IF_ERROR(WalkFolder(folder, folder, lang == "NODE", &files));
    if (files.empty()) {
      return absl::NotFoundError(fmt::format(
          "error getting chaincode bytes: Error writing Chaincode package contents: no source "
          "files found in '{}'",
          folder));
    }
  } else if (lang == "BINARY") {
    std::error_code error;
    if (!fs::is_regular_file(input.path, error)) {
      return absl::NotFoundError(fmt::format(
          "error getting chaincode bytes: the binary chaincode {} is not a file", input.path));
    }
    const std::string name = fs::path(input.path).filename().string();
    ArchiveFile file;
    file.name = "src/" + name;
    WEFT_ASSIGN_OR_RETURN(file.content, ReadWholeFile(input.path));
    file.mode = 0100755;
    files.push_back(std::move(file));
    metadata_path = name;
  } else {
    // packaging.Registry's error for a platform it does not know.
    return absl::InvalidArgumentError(
        fmt::format("failed to normalize chaincode path: unknown chaincodeType: {} (Weft packages "
                    "node, binary and ccaas)",
                    lang));
  }
  WEFT_ASSIGN_OR_RETURN(std::string code, chaincode_package::WriteTarGz(files));
  return std::make_pair(std::move(code), std::move(metadata_path));
}

// Fabric's `--output json` is the only other format; anything else prints text.
[[nodiscard]] StatusOr<::protos::ProposalResponse> ProposeLifecycle(
    const CliContext& context, std::string_view function, const google::protobuf::Message& args) {
  WEFT_ASSIGN_OR_RETURN(auto proposal, CreateLifecycleProposal(context.signer.SerializedIdentity(),
                                                               "", function, args));
  WEFT_ASSIGN_OR_RETURN(auto signed_proposal,
                        common::protoutil::SignProposal(proposal, context.signer));
  WEFT_ASSIGN_OR_RETURN(
      auto endorser,
      client::EndorserClient::Connect(context.config.peer.address, context.PeerClientSettings()));
  return endorser->ProcessProposal(signed_proposal);
}

}  // namespace

bool IsJsonOutput(std::string_view output_format) {
  std::string lower(output_format);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "json";
}

[[nodiscard]] Status UnwrapLifecycleResponse(const StatusOr<::protos::ProposalResponse>& response,
                                             std::string_view endorse_error,
                                             std::string_view failed_what,
                                             google::protobuf::Message* result) {
  if (!response.ok()) {
    return absl::UnavailableError(
        fmt::format("{}: {}", endorse_error, std::string(response.status().message())));
  }
  if (response->response().status() != kStatusOk) {
    return absl::FailedPreconditionError(fmt::format("{} with status: {} - {}", failed_what,
                                                     response->response().status(),
                                                     response->response().message()));
  }
  if (!result->ParseFromString(response->response().payload())) {
    return absl::DataLossError("failed to unmarshal proposal response's response payload");
  }
  return absl::OkStatus();
}

[[nodiscard]] Status ValidatePackageInput(const PackageInput& input) {
  if (input.path.empty()) return absl::InvalidArgumentError("chaincode path must be specified");
  if (input.lang.empty()) {
    return absl::InvalidArgumentError("chaincode language must be specified");
  }
  if (input.output_file.empty()) {
    return absl::InvalidArgumentError("output file must be specified");
  }
  if (input.label.empty()) return absl::InvalidArgumentError("package label must be specified");
  return chaincode_package::ValidateLabel(input.label);
}

[[nodiscard]] StatusOr<std::string> BuildChaincodePackage(const PackageInput& input) {
  WEFT_ASSIGN_OR_RETURN(auto code, CodePackage(input));
  std::vector<ArchiveFile> files(2);
  files[0].name = chaincode_package::kMetadataFile;
  files[0].content = "{\"path\":" + GoJsonString(code.second) +
                     ",\"type\":" + GoJsonString(input.lang) +
                     ",\"label\":" + GoJsonString(input.label) + "}";
  files[1].name = chaincode_package::kCodePackageFile;
  files[1].content = std::move(code.first);
  return chaincode_package::WriteTarGz(files);
}

[[nodiscard]] Status PackageChaincode(const PackageInput& input) {
  WEFT_RETURN_IF_ERROR(ValidatePackageInput(input));
  WEFT_ASSIGN_OR_RETURN(std::string bytes, BuildChaincodePackage(input));
  Status written = WriteWholeFile(input.output_file, bytes);
  if (!written.ok()) {
    return absl::UnavailableError(fmt::format("error writing chaincode package to {}: {}",
                                              input.output_file, std::string(written.message())));
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<std::string> CalculatePackageId(const fs::path& package_file,
                                                       std::string_view output_format) {
  if (package_file.empty()) {
    return absl::InvalidArgumentError("chaincode install package must be provided");
  }
  auto bytes = ReadWholeFile(package_file);
  if (!bytes.ok()) {
    return absl::NotFoundError(fmt::format("failed to read chaincode package at '{}': {}",
                                           package_file.string(),
                                           std::string(bytes.status().message())));
  }
  auto parsed = chaincode_package::ParsePackage(*bytes);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("could not parse as a chaincode install package: {}",
                    std::string(parsed.status().message())));
  }
  const std::string id = chaincode_package::PackageId(parsed->metadata.label, *bytes);
  if (IsJsonOutput(output_format)) {
    nlohmann::ordered_json out;
    out["package_id"] = id;
    return out.dump(1, '\t') + "\n";
  }
  return id + "\n";
}

[[nodiscard]] StatusOr<::protos::Proposal> CreateLifecycleProposal(
    std::string_view creator, std::string_view channel_id, std::string_view function,
    const google::protobuf::Message& args) {
  common::protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = std::string(channel_id);
  spec.chaincode_name = kLifecycleName;
  spec.args = {std::string(function), args.SerializeAsString()};
  spec.chaincode_type = ::protos::ChaincodeSpec::UNDEFINED;
  WEFT_ASSIGN_OR_RETURN(auto created, common::protoutil::CreateChaincodeProposal(spec, creator));
  return std::move(created.proposal);
}

[[nodiscard]] StatusOr<::lifecycle::InstallChaincodeResult> InstallChaincode(
    const CliContext& context, const fs::path& package_file) {
  if (package_file.empty()) {
    return absl::InvalidArgumentError("chaincode install package must be provided");
  }
  auto bytes = ReadWholeFile(package_file);
  if (!bytes.ok()) {
    return absl::NotFoundError(fmt::format("failed to read chaincode package at '{}': {}",
                                           package_file.string(),
                                           std::string(bytes.status().message())));
  }
  ::lifecycle::InstallChaincodeArgs args;
  args.set_chaincode_install_package(*std::move(bytes));
  ::lifecycle::InstallChaincodeResult result;
  WEFT_RETURN_IF_ERROR(UnwrapLifecycleResponse(ProposeLifecycle(context, "InstallChaincode", args),
                                               "failed to endorse chaincode install",
                                               "chaincode install failed", &result));
  return result;
}

[[nodiscard]] StatusOr<::lifecycle::QueryInstalledChaincodesResult> QueryInstalled(
    const CliContext& context) {
  ::lifecycle::QueryInstalledChaincodesResult result;
  WEFT_RETURN_IF_ERROR(
      UnwrapLifecycleResponse(ProposeLifecycle(context, "QueryInstalledChaincodes",
                                               ::lifecycle::QueryInstalledChaincodesArgs()),
                              "failed to endorse proposal", "query failed", &result));
  return result;
}

std::string FormatQueryInstalled(const ::lifecycle::QueryInstalledChaincodesResult& result,
                                 std::string_view output_format) {
  if (IsJsonOutput(output_format)) {
    // encoding/json of the generated Go struct: omitempty fields, map keys sorted.
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& installed : result.installed_chaincodes()) {
      nlohmann::ordered_json item = nlohmann::ordered_json::object();
      if (!installed.package_id().empty()) item["package_id"] = installed.package_id();
      if (!installed.label().empty()) item["label"] = installed.label();
      std::vector<std::string> channels;
      for (const auto& [channel, references] : installed.references()) channels.push_back(channel);
      std::sort(channels.begin(), channels.end());
      for (const auto& channel : channels) {
        nlohmann::ordered_json refs = nlohmann::ordered_json::object();
        for (const auto& chaincode : installed.references().at(channel).chaincodes()) {
          nlohmann::ordered_json cc = nlohmann::ordered_json::object();
          if (!chaincode.name().empty()) cc["name"] = chaincode.name();
          if (!chaincode.version().empty()) cc["version"] = chaincode.version();
          refs["chaincodes"].push_back(std::move(cc));
        }
        item["references"][channel] = std::move(refs);
      }
      out["installed_chaincodes"].push_back(std::move(item));
    }
    return out.dump(1, '\t') + "\n";
  }
  std::string text = "Installed chaincodes on peer:\n";
  for (const auto& installed : result.installed_chaincodes()) {
    text += fmt::format("Package ID: {}, Label: {}\n", installed.package_id(), installed.label());
  }
  return text;
}

[[nodiscard]] StatusOr<fs::path> GetInstalledPackage(const CliContext& context,
                                                     std::string_view package_id,
                                                     const fs::path& output_directory) {
  if (package_id.empty()) {
    return absl::InvalidArgumentError(
        "The required parameter 'package-id' is empty. Rerun the command with --package-id flag");
  }
  ::lifecycle::GetInstalledChaincodePackageArgs args;
  args.set_package_id(std::string(package_id));
  ::lifecycle::GetInstalledChaincodePackageResult result;
  WEFT_RETURN_IF_ERROR(
      UnwrapLifecycleResponse(ProposeLifecycle(context, "GetInstalledChaincodePackage", args),
                              "failed to endorse proposal", "proposal failed", &result));
  const fs::path out = output_directory / (std::string(package_id) + ".tar.gz");
  Status written = WriteWholeFile(out, result.chaincode_install_package());
  if (!written.ok()) {
    return absl::UnavailableError(fmt::format("failed to write chaincode package to {}: {}",
                                              out.string(), std::string(written.message())));
  }
  return out;
}

}  // namespace weft::peer::cli
