// Checks a block received from an orderer (Fabric's BlockValidation): the data
// hash matches the data, the block chains onto the previous one, and the orderer
// signatures in SIGNATURES metadata satisfy /Channel/Orderer/BlockValidation.
// Thread-safety: stateless function.
#pragma once

#include <string_view>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/status/status.h"

namespace weft::common::channelconfig {

// `previous_hash` is the header hash of the block before (empty for block 0).
// Errors name the block number and what failed.
[[nodiscard]] Status VerifyBlock(const ChannelConfig& config, const ::common::Block& block,
                                 std::string_view previous_hash);

}  // namespace weft::common::channelconfig
