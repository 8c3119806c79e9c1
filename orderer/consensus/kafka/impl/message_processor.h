// The deterministic half of a Kafka chain: applies the messages of the channel's
// partition, in offset order, to the block cutter and the ledger. Every node feeds it
// the same messages, so every node writes the same blocks with the same consenter
// metadata (KafkaMetadata.last_offset_persisted = offset of the block's last message).
// Thread-safety: not thread-safe; owned by the chain's consumer thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/log/logger.h"
#include "common/status/status.h"
#include "orderer/consensus/consensus.h"
#include "orderer/kafka.pb.h"

namespace weft::orderer::consensus::kafka::impl {

// Where a chain resumes reading: the offset after KafkaMetadata.last_offset_persisted
// in `consenter_metadata`, or nullopt (the partition's beginning) when it is empty.
// Errors: DataLoss when the metadata does not parse.
[[nodiscard]] StatusOr<std::optional<int64_t>> ResumeOffset(const std::string& consenter_metadata);

class MessageProcessor {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  MessageProcessor(ConsenterSupport& support, common::log::Logger& logger);

  // Applies the message found at `offset`. Malformed or invalid envelopes are logged
  // and skipped (as every node skips them); the error cases are ledger writes that
  // failed, after which the chain cannot go on.
  [[nodiscard]] Status Handle(int64_t offset, const ::orderer::KafkaMessage& message,
                              TimePoint now);

  // Once envelopes have been pending for the channel's BatchTimeout: the number of the
  // block every node should cut, to be posted as a time-to-cut message. Re-arms the
  // timer, so a request that got lost is repeated.
  std::optional<uint64_t> TimeToCutDue(TimePoint now);

 private:
  [[nodiscard]] Status HandleRegular(int64_t offset, const ::orderer::KafkaMessageRegular& regular,
                                     TimePoint now);
  [[nodiscard]] Status HandleTimeToCut(int64_t offset, uint64_t block_number);
  [[nodiscard]] Status WriteBatch(std::vector<::common::Envelope> batch, int64_t last_offset);
  std::chrono::milliseconds BatchTimeout() const;

  ConsenterSupport& support_;
  common::log::Logger& logger_;
  std::optional<TimePoint> cut_deadline_;  // set while envelopes are pending
};

}  // namespace weft::orderer::consensus::kafka::impl
