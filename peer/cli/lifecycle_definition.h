// `peer lifecycle chaincode approveformyorg | queryapproved | checkcommitreadiness |
// commit | querycommitted`, as Fabric's CLI runs them (release-2.5
// internal/peer/lifecycle/chaincode): `_lifecycle` proposals on a channel whose input
// is the function name and the marshalled lifecycle.proto arguments. approveformyorg
// and commit are endorsed (by --peerAddresses, or peer.address), wrapped in a signed
// transaction and broadcast to the orderer (-o); the queries ask peer.address. Texts
// are Fabric's.
// Thread-safety: stateless functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"
#include "peer/cli/cli_context.h"
#include "peer/collection.pb.h"
#include "peer/lifecycle/lifecycle.pb.h"

namespace weft::peer::cli {

// The definition flags (chaincode.go): -C, -n, -v, --sequence, --package-id, -E, -V,
// --signature-policy, --channel-config-policy, --init-required, --collections-config.
struct DefinitionInput {
  std::string channel_id;
  std::string name;
  std::string version;
  int64_t sequence = 0;
  std::string package_id;  // approveformyorg only; empty = ChaincodeSource.Unavailable
  std::string endorsement_plugin;
  std::string validation_plugin;
  std::string signature_policy;
  std::string channel_config_policy;
  bool init_required = false;
  std::string collections_config_file;  // --collections-config
};

// Where approveformyorg and commit are endorsed: --peerAddresses with their
// --tlsRootCertFiles (same count when TLS is on); none means peer.address.
struct PeerTargets {
  std::vector<std::string> addresses;
  std::vector<std::string> tls_root_cert_files;
};

// chaincode/common.go getCollectionConfigFromBytes: Fabric's collection config JSON, an
// array of {name, policy, requiredPeerCount (default 0), maxPeerCount (default 1),
// blockToLive, memberOnlyRead, memberOnlyWrite, endorsementPolicy {signaturePolicy |
// channelConfigPolicy}} (keys in any case, as Go's encoding/json), as a
// CollectionConfigPackage of static collections. Errors: "could not parse the
// collection configuration: ...", "invalid policy <p>", "invalid endorsement policy ...".
[[nodiscard]] StatusOr<::protos::CollectionConfigPackage> ParseCollectionConfig(
    std::string_view json);

// lifecycle common.go createCollectionConfigPackage: the package of `file`, or, when
// `file` is empty, none. Errors: "invalid collection configuration in file <file>: ...".
[[nodiscard]] StatusOr<std::optional<::protos::CollectionConfigPackage>> CollectionConfigFromFile(
    const std::string& file);

// --connectionProfile (chaincode/common.go validatePeerConnectionParameters, lifecycle
// client_connections.go parseConnectionProfile; common/networkconfig.go GetConfig): the
// YAML or JSON network config's channels.<channel_id>.peers entries with endorsingPeer
// true, in file order, each as peers.<name>.url (a grpc:// or grpcs:// prefix is
// dropped: Weft dials host:port) with peers.<name>.tlsCACerts.path. A channel without
// peers there leaves `peers` as given. Errors: "error reading connection profile: ...",
// "error unmarshalling YAML: ...", "peer '<name>' is defined in the channel config but
// doesn't have associated peer config".
[[nodiscard]] StatusOr<PeerTargets> PeersFromConnectionProfile(const std::string& file,
                                                               std::string_view channel_id,
                                                               const PeerTargets& peers);

// approveformyorg.go / commit.go / checkcommitreadiness.go Validate: channel, name,
// version and sequence, each named with its flag.
[[nodiscard]] Status ValidateDefinitionInput(const DefinitionInput& input);

// common.go createPolicyBytes: empty for no policy; a marshalled ApplicationPolicy
// holding the parsed --signature-policy or the --channel-config-policy reference.
[[nodiscard]] StatusOr<std::string> ValidationParameter(const DefinitionInput& input);

[[nodiscard]] StatusOr<::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs> ApproveArgs(
    const DefinitionInput& input);
[[nodiscard]] StatusOr<::lifecycle::CommitChaincodeDefinitionArgs> CommitArgs(
    const DefinitionInput& input);
[[nodiscard]] StatusOr<::lifecycle::CheckCommitReadinessArgs> CheckCommitReadinessArgs(
    const DefinitionInput& input);

// Endorses `function` with `args` on `peers`, builds the signed transaction and
// broadcasts it to `orderer` (resolved: ResolveOrderer); returns the transaction ID.
// With `wait_for_event` (Fabric's default) it returns once the peer committed it VALID
// (WaitForTransaction, at most `wait_timeout`).
[[nodiscard]] StatusOr<std::string> SubmitLifecycle(
    const CliContext& context, const OrdererFlags& orderer, const PeerTargets& peers,
    std::string_view channel_id, std::string_view function, const google::protobuf::Message& args,
    bool wait_for_event = false,
    std::chrono::milliseconds wait_timeout = std::chrono::milliseconds(30000));

// A `_lifecycle` query on `channel_id` at peer.address, its payload parsed into
// `result` (UnwrapLifecycleResponse: "failed to endorse proposal: ...", "query failed
// with status: <n> - <message>").
[[nodiscard]] Status QueryLifecycle(const CliContext& context, std::string_view channel_id,
                                    std::string_view function,
                                    const google::protobuf::Message& args,
                                    google::protobuf::Message* result);

// checkcommitreadiness.go printResponse (orgs sorted) or, for json, {"approvals": {...}}.
std::string FormatCommitReadiness(const DefinitionInput& input,
                                  const ::lifecycle::CheckCommitReadinessResult& result,
                                  std::string_view output_format);
// queryapproved.go printResponse, or with `output_format` json (any case) common.go
// printResponseAsJSON: Go's json.MarshalIndent(result, "", "\t") of the generated
// struct (snake_case names, empty fields left out, bytes in base64, the source oneof
// as {"Type":{"LocalPackage":{...}}}; collections show their static configs' scalar
// fields only).
std::string FormatQueryApproved(std::string_view channel_id, std::string_view name,
                                const ::lifecycle::QueryApprovedChaincodeDefinitionResult& result,
                                std::string_view output_format = "");
// querycommitted.go: one definition (with its approvals) or every definition, as text
// or (json) printResponseAsJSON.
std::string FormatQueryCommitted(std::string_view channel_id, std::string_view name,
                                 const ::lifecycle::QueryChaincodeDefinitionResult& result,
                                 std::string_view output_format = "");
std::string FormatQueryCommittedAll(std::string_view channel_id,
                                    const ::lifecycle::QueryChaincodeDefinitionsResult& result,
                                    std::string_view output_format = "");

}  // namespace weft::peer::cli
