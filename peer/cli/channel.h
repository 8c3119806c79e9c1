// `peer channel join | list | getinfo | fetch`, as Fabric's internal/peer/channel
// (release-2.5 join.go, list.go, getinfo.go, fetch.go) runs them: join sends
// cscc JoinChain in a channel-less CONFIG proposal with the block as argument,
// list asks cscc GetChannels, getinfo asks qscc GetChainInfo, fetch reads one
// block from the orderer given with -o or, without one, from the peer's Deliver
// service; signconfigtx adds the local admin's ConfigSignature to a CONFIG_UPDATE
// envelope file, update signs and broadcasts one (signconfigtx.go, update.go,
// create.go). Errors carry Fabric's wording where the CLI's users script on it.
// Thread-safety: stateless functions.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/ledger.pb.h"
#include "common/status/status.h"
#include "peer/cli/cli_context.h"
#include "peer/cli/lifecycle_definition.h"

namespace weft::peer::cli {

// Joins the peer to the channel whose genesis (or config) block is at `block_path`.
[[nodiscard]] Status JoinChannel(const CliContext& context,
                                 const std::filesystem::path& block_path);

// The channels the peer has joined.
[[nodiscard]] StatusOr<std::vector<std::string>> ListChannels(const CliContext& context);

// The channel's height and top hashes.
[[nodiscard]] StatusOr<::common::BlockchainInfo> GetChannelInfo(const CliContext& context,
                                                                std::string_view channel_id);

// BlockchainInfo as Go's encoding/json prints Fabric's struct (getinfo's output):
// {"height":N,"currentBlockHash":"<base64>","previousBlockHash":"<base64>"}, empty
// fields left out.
std::string BlockchainInfoJson(const ::common::BlockchainInfo& info);

// One block of `channel_id`: `target` is "newest", "oldest", "config" (the last
// config block the newest one names) or a block number.
[[nodiscard]] StatusOr<::common::Block> FetchBlock(const CliContext& context,
                                                   const OrdererFlags& orderer,
                                                   std::string_view channel_id,
                                                   std::string_view target);

// create.go sanityCheckAndSignConfigTx: `envelope` must carry a CONFIG_UPDATE payload
// whose channel matches `*channel_id` (taken from the header when empty); the
// signer's ConfigSignature is appended to the ConfigUpdateEnvelope, which is wrapped
// in a new CONFIG_UPDATE envelope signed by the signer. Errors are Fabric's "Invalid
// channel create transaction : <bad payload|bad header|bad type|empty channel
// id|mismatched channel ID a != b|Bad config update env>".
[[nodiscard]] StatusOr<::common::Envelope> SanityCheckAndSignConfigTx(
    const ::common::Envelope& envelope, const msp::SigningIdentity& signer,
    std::string* channel_id);

// signconfigtx.go: signs the envelope in `file` and writes it back in place. Errors:
// "No configtx file name supplied" (InvalidCreateTx), "channel create configuration
// tx file not found <why>".
[[nodiscard]] Status SignConfigTxFile(const CliContext& context, const std::filesystem::path& file);

// update.go: signs the envelope in `file` (not written back) and broadcasts it to
// `orderer` (resolved); "Must supply channel ID" without -c.
[[nodiscard]] Status UpdateChannel(const CliContext& context, const OrdererFlags& orderer,
                                   std::string_view channel_id, const std::filesystem::path& file);

// common.go GetOrdererEndpointOfChain: cscc GetChannelConfig in a channel-less CONFIG
// proposal to `context`'s peer.address; the channel config's (global)
// OrdererAddresses, as channelconfig's ChannelConfig().OrdererAddresses() gives them.
[[nodiscard]] StatusOr<std::vector<std::string>> GetOrdererEndpointOfChain(
    const CliContext& context, std::string_view channel_id);

// The orderer of a command that broadcasts (chaincode common.go InitCmdFactory,
// lifecycle client_connections.go setOrdererClient): `orderer` as given with -o, or,
// without one, the first endpoint of the channel config read from `peers`' first peer
// (FirstPeerContext), logging Fabric's "Retrieved channel (<ch>) orderer endpoint:
// <addr>" to `log`. Errors: "error getting channel (<ch>) orderer endpoint: ...", "no
// orderer endpoints retrieved for channel <ch>, pass orderer endpoint with -o flag
// instead".
[[nodiscard]] StatusOr<OrdererFlags> ResolveOrderer(const CliContext& context,
                                                    const OrdererFlags& orderer,
                                                    const PeerTargets& peers,
                                                    std::string_view channel_id, std::ostream& log);

}  // namespace weft::peer::cli
