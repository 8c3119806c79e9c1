// Fabric's block cutter (orderer/common/blockcutter): batches envelopes by the
// channel's BatchSize. An envelope's size is len(payload) + len(signature).
// - An envelope larger than PreferredMaxBytes is cut alone, after cutting what
//   was pending.
// - An envelope that would take the pending batch past PreferredMaxBytes cuts
//   the pending batch first.
// - Reaching MaxMessageCount cuts the batch.
// AbsoluteMaxBytes is enforced earlier, at broadcast.
//
// Thread-safety: not thread-safe; owned by one chain's ordering thread.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "orderer/consensus/consensus.h"

namespace weft::orderer::blockcutter {

// Read on every Ordered call, so a config block's new BatchSize applies to the
// next envelope.
using BatchSizeSource = std::function<common::channelconfig::BatchSize()>;

class BlockCutter final : public consensus::BlockCutter {
 public:
  explicit BlockCutter(BatchSizeSource batch_size);

  OrderedResult Ordered(::common::Envelope envelope) override;
  std::vector<::common::Envelope> Cut() override;

  // len(payload) + len(signature): the size the limits apply to.
  static size_t MessageSize(const ::common::Envelope& envelope);

 private:
  BatchSizeSource batch_size_;
  std::vector<::common::Envelope> pending_;
  size_t pending_bytes_ = 0;
};

}  // namespace weft::orderer::blockcutter
