// `peer channel join | list | getinfo | fetch`, as Fabric's internal/peer/channel
// (release-2.5 join.go, list.go, getinfo.go, fetch.go) runs them: join sends
// cscc JoinChain in a channel-less CONFIG proposal with the block as argument,
// list asks cscc GetChannels, getinfo asks qscc GetChainInfo, fetch reads one
// block from the orderer given with -o or, without one, from the peer's Deliver
// service. Errors carry Fabric's wording where the CLI's users script on it.
// Thread-safety: stateless functions.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/ledger.pb.h"
#include "common/status/status.h"
#include "peer/cli/cli_context.h"

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

}  // namespace weft::peer::cli
