// `peer lifecycle chaincode package | calculatepackageid | install | queryinstalled |
// getinstalledpackage`, as Fabric's CLI runs them (release-2.5
// internal/peer/lifecycle/chaincode/*.go): package writes metadata.json and
// code.tar.gz into a tar.gz; the peer calls are `_lifecycle` proposals (no channel,
// ENDORSER_TRANSACTION) whose input is the function name and the marshalled
// lifecycle.proto arguments. Outputs are Fabric's text, or with `--output json`
// Go's json.MarshalIndent(result, "", "\t") of the result message. Errors carry
// Fabric's wording.
// Thread-safety: stateless functions.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status/status.h"
#include "peer/cli/cli_context.h"
#include "peer/lifecycle/lifecycle.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::cli {

inline constexpr char kLifecycleName[] = "_lifecycle";

struct PackageInput {
  std::string output_file;
  std::string path;   // -p / --path
  std::string lang;   // -l / --lang: node, binary or ccaas
  std::string label;  // --label
};

// The commands' --output/-O choice: true for json in any case (strings.ToLower(...) ==
// "json"), anything else is the text form.
bool IsJsonOutput(std::string_view output_format);

// package.go PackageInput.Validate: each missing field is named.
[[nodiscard]] Status ValidatePackageInput(const PackageInput& input);

// The package bytes: metadata.json {"path","type","label"} then code.tar.gz, both
// 0100644 as package.go's writeBytesToPackage. code.tar.gz by language:
// node: the folder's files under src/ (META-INF/ kept at the top, hidden files
// there skipped, node_modules and .git folders skipped; writer.go); binary (Weft's):
// the executable at `path` as src/<its name>, metadata path <its name>
// (peer/chaincode_builders/FORMAT.md); ccaas: the folder's connection.json and
// META-INF/ at the top.
[[nodiscard]] StatusOr<std::string> BuildChaincodePackage(const PackageInput& input);

// Validates, builds and writes the package to input.output_file.
[[nodiscard]] Status PackageChaincode(const PackageInput& input);

// calculatepackageid.go: the text (`<id>\n`) or JSON ({"package_id": ...}) to print.
[[nodiscard]] StatusOr<std::string> CalculatePackageId(const std::filesystem::path& package_file,
                                                       std::string_view output_format);

// The unsigned `_lifecycle` proposal Fabric's CLI builds: ChaincodeSpec naming
// _lifecycle (type UNDEFINED), input {function, args}.
[[nodiscard]] StatusOr<::protos::Proposal> CreateLifecycleProposal(
    std::string_view creator, std::string_view channel_id, std::string_view function,
    const google::protobuf::Message& args);

// Fabric's unwrapping of a `_lifecycle` answer (install.go, queryinstalled.go,
// queryapproved.go, ...): a failed call is "<endorse_error>: <why>", a status other
// than 200 "<failed_what> with status: <n> - <message>", and the payload must parse as
// `result` ("failed to unmarshal proposal response's response payload").
[[nodiscard]] Status UnwrapLifecycleResponse(const StatusOr<::protos::ProposalResponse>& response,
                                             std::string_view endorse_error,
                                             std::string_view failed_what,
                                             google::protobuf::Message* result);

// install.go: sends InstallChaincode; returns the peer's InstallChaincodeResult.
[[nodiscard]] StatusOr<::lifecycle::InstallChaincodeResult> InstallChaincode(
    const CliContext& context, const std::filesystem::path& package_file);

// queryinstalled.go.
[[nodiscard]] StatusOr<::lifecycle::QueryInstalledChaincodesResult> QueryInstalled(
    const CliContext& context);
// "Installed chaincodes on peer:\n" then "Package ID: <id>, Label: <label>\n" each,
// or the JSON form when `output_format` is json (any case).
std::string FormatQueryInstalled(const ::lifecycle::QueryInstalledChaincodesResult& result,
                                 std::string_view output_format);

// getinstalledpackage.go: fetches the package and writes it to
// <output_directory>/<package_id>.tar.gz (the current folder when empty); returns
// the file written.
[[nodiscard]] StatusOr<std::filesystem::path> GetInstalledPackage(
    const CliContext& context, std::string_view package_id,
    const std::filesystem::path& output_directory);

}  // namespace weft::peer::cli
