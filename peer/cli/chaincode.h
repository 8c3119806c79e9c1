// `peer chaincode invoke | query`, as Fabric's CLI runs them (release-2.5
// internal/peer/chaincode invoke.go, query.go, common.go): -c is the constructor
// JSON {"Args":[...]} or {"function":...,"Args":[...]} (keys in any case),
// --transient a JSON object of base64 values, -I/--isInit marks the input as Init.
// invoke endorses on --peerAddresses (or peer.address), builds the signed
// transaction from every response and broadcasts it to -o; query asks one peer and
// prints the payload.
// Thread-safety: stateless functions.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client-sdk/endorser_client.h"
#include "common/status/status.h"
#include "peer/cli/cli_context.h"
#include "peer/cli/lifecycle_definition.h"
#include "peer/proposal.pb.h"

namespace weft::peer::cli {

struct ChaincodeCall {
  std::string channel_id;        // -C
  std::string name;              // -n
  std::string ctor_json = "{}";  // -c (Fabric's default)
  std::string transient_json;    // --transient
  bool is_init = false;          // -I / --isInit
};

// common.go checkChaincodeCmdParams + chaincodeInput.UnmarshalJSON: the input args
// (function first when given). Errors are Fabric's: "chaincode argument error: ...",
// "non-empty JSON chaincode parameters must contain the following keys: 'Args' or
// 'Function' and 'Args'", "empty JSON chaincode parameters must contain ...".
[[nodiscard]] StatusOr<std::vector<std::string>> ParseChaincodeCtor(std::string_view ctor_json);

// --transient: json.Unmarshal into map[string][]byte (values base64). Errors start
// "error parsing transient string".
[[nodiscard]] StatusOr<std::map<std::string, std::string>> ParseTransient(
    std::string_view transient_json);

// invoke.go / query.go: -C and -n present.
[[nodiscard]] Status ValidateChaincodeCall(const ChaincodeCall& call);

// The signed-to-be proposal: ENDORSER_TRANSACTION on the channel, ChaincodeSpec of
// type GOLANG (the CLI's default -l) naming the chaincode, input is_init per -I.
[[nodiscard]] StatusOr<::protos::Proposal> CreateChaincodeCallProposal(const ChaincodeCall& call,
                                                                       std::string_view creator);

// Endorser clients for --peerAddresses (each with its --tlsRootCertFiles when TLS is
// on; common.go validatePeerConnectionParameters) or, without any, peer.address.
[[nodiscard]] StatusOr<std::vector<std::unique_ptr<client::EndorserClient>>> ConnectEndorsers(
    const CliContext& context, const PeerTargets& peers);

// --waitForEventTimeout's default (chaincode.go / lifecycle chaincode.go: 30s).
inline constexpr std::chrono::milliseconds kDefaultWaitForEventTimeout{30000};

// The context that reaches the first peer a command talks to: the first
// --peerAddresses (with its --tlsRootCertFiles), or peer.address when none is given
// (Fabric's EndorserClients[0]).
CliContext FirstPeerContext(const CliContext& context, const PeerTargets& peers);

// --waitForEvent, made race-free: the height of `channel_id` on the waiting peer
// (FirstPeerContext) taken before the broadcast, then WaitForTransaction reads
// filtered blocks from there until `tx_id` appears or `timeout` (from the call)
// passes. Fabric's DeliverGroup texts: "transaction invalidated with status (<CODE>)",
// "deliver completed with status (<STATUS>) before txid received", "timed out
// waiting for txid on all peers" (DeadlineExceeded).
[[nodiscard]] StatusOr<uint64_t> WaitHeight(const CliContext& context, const PeerTargets& peers,
                                            std::string_view channel_id);
[[nodiscard]] Status WaitForTransaction(
    const CliContext& context, const PeerTargets& peers, std::string_view channel_id,
    std::string_view tx_id, uint64_t from_block,
    std::chrono::milliseconds timeout = kDefaultWaitForEventTimeout);

// Go's %v of a *pb.Response: status:N message:"..." payload:"..." (empty fields left out).
std::string ResponseText(const ::protos::Response& response);

// invoke: returns the text Fabric logs on success, "Chaincode invoke successful. result:
// <response>"; with `wait_for_event` only once the peer committed it VALID (within
// `wait_timeout`). The orderer must be resolved (ResolveOrderer) before.
[[nodiscard]] StatusOr<std::string> InvokeChaincode(
    const CliContext& context, const OrdererFlags& orderer, const PeerTargets& peers,
    const ChaincodeCall& call, bool wait_for_event = false,
    std::chrono::milliseconds wait_timeout = kDefaultWaitForEventTimeout);

// query: the Response payload of the first peer.
[[nodiscard]] StatusOr<std::string> QueryChaincode(const CliContext& context,
                                                   const PeerTargets& peers,
                                                   const ChaincodeCall& call);

// query.go's printing: the payload as a string, or -x hex, or -r Go's fmt.Println of
// a []byte ("[104 105]"), each with a newline; -r with -x is Fabric's error.
[[nodiscard]] StatusOr<std::string> FormatQueryPayload(std::string_view payload, bool raw,
                                                       bool hex);

}  // namespace weft::peer::cli
