#include "orderer/consensus/kafka/impl/message_processor.h"

#include <fmt/format.h>

#include <utility>

namespace weft::orderer::consensus::kafka::impl {
namespace {

std::string Metadata(int64_t last_offset_persisted) {
  ::orderer::KafkaMetadata metadata;
  metadata.set_last_offset_persisted(last_offset_persisted);
  return metadata.SerializeAsString();
}

}  // namespace

[[nodiscard]] StatusOr<std::optional<int64_t>> ResumeOffset(const std::string& consenter_metadata) {
  if (consenter_metadata.empty()) return std::optional<int64_t>();
  ::orderer::KafkaMetadata metadata;
  if (!metadata.ParseFromString(consenter_metadata)) {
    return absl::DataLossError("the newest block's consenter metadata is not KafkaMetadata");
  }
  return std::optional<int64_t>(metadata.last_offset_persisted() + 1);
}

MessageProcessor::MessageProcessor(ConsenterSupport& support, common::log::Logger& logger)
    : support_(support), logger_(logger) {}

Status MessageProcessor::Handle(int64_t offset, const ::orderer::KafkaMessage& message,
                                TimePoint now) {
  switch (message.Type_case()) {
    case ::orderer::KafkaMessage::kRegular:
      return HandleRegular(offset, message.regular(), now);
    case ::orderer::KafkaMessage::kTimeToCut:
      return HandleTimeToCut(offset, message.time_to_cut().block_number());
    case ::orderer::KafkaMessage::kConnect:
      return absl::OkStatus();  // only proves the partition was writable
    case ::orderer::KafkaMessage::TYPE_NOT_SET:
      break;
  }
  logger_.Warn("channel {}: skipping offset {}: empty Kafka message", support_.ChannelId(), offset);
  return absl::OkStatus();
}

std::optional<uint64_t> MessageProcessor::TimeToCutDue(TimePoint now) {
  if (!cut_deadline_ || now < *cut_deadline_) return std::nullopt;
  cut_deadline_ = now + BatchTimeout();
  return support_.Height();
}

Status MessageProcessor::HandleRegular(int64_t offset,
                                       const ::orderer::KafkaMessageRegular& regular,
                                       TimePoint now) {
  ::common::Envelope envelope;
  if (!envelope.ParseFromString(regular.payload())) {
    logger_.Warn("channel {}: skipping offset {}: payload is not an Envelope", support_.ChannelId(),
                 offset);
    return absl::OkStatus();
  }
  // The config may have changed since the envelope was validated at broadcast; every
  // node sees the same config at this offset, so all decide alike.
  const bool stale = regular.config_seq() < support_.ChannelConfig()->sequence();

  if (regular.class_() == ::orderer::KafkaMessageRegular::CONFIG) {
    if (stale) {
      StatusOr<::common::Envelope> revalidated = support_.RevalidateConfig(envelope);
      if (!revalidated.ok()) {
        logger_.Warn("channel {}: dropping config message at offset {}: {}", support_.ChannelId(),
                     offset, std::string(revalidated.status().message()));
        return absl::OkStatus();
      }
      envelope = *std::move(revalidated);
    }
    std::vector<::common::Envelope> pending = support_.Cutter().Cut();
    if (!pending.empty()) WEFT_RETURN_IF_ERROR(WriteBatch(std::move(pending), offset - 1));
    cut_deadline_.reset();
    return Annotate(support_.WriteConfigBlock(std::move(envelope), Metadata(offset)),
                    fmt::format("channel {}: writing config block for offset {}",
                                support_.ChannelId(), offset));
  }

  if (regular.class_() != ::orderer::KafkaMessageRegular::NORMAL) {
    logger_.Warn("channel {}: skipping offset {}: unknown message class {}", support_.ChannelId(),
                 offset, static_cast<int>(regular.class_()));
    return absl::OkStatus();
  }
  if (stale) {
    StatusOr<uint64_t> revalidated = support_.RevalidateNormal(envelope);
    if (!revalidated.ok()) {
      logger_.Warn("channel {}: dropping envelope at offset {}: {}", support_.ChannelId(), offset,
                   std::string(revalidated.status().message()));
      return absl::OkStatus();
    }
  }
  BlockCutter::OrderedResult result = support_.Cutter().Ordered(std::move(envelope));
  // A batch cut because of this envelope ends just before it, unless the envelope
  // itself completed the batch (then nothing is pending and there is one batch).
  int64_t last_offset = (result.pending || result.batches.size() == 2) ? offset - 1 : offset;
  for (auto& batch : result.batches) {
    WEFT_RETURN_IF_ERROR(WriteBatch(std::move(batch), last_offset));
    last_offset = offset;
  }
  // A new pending batch gets a full BatchTimeout, as in Fabric.
  if (!result.batches.empty() || !result.pending) cut_deadline_.reset();
  if (result.pending && !cut_deadline_) cut_deadline_ = now + BatchTimeout();
  return absl::OkStatus();
}

Status MessageProcessor::HandleTimeToCut(int64_t offset, uint64_t block_number) {
  const uint64_t next_block = support_.Height();
  if (block_number != next_block) {
    // Stale requests are normal: every node posts one, and the first one cut.
    if (block_number > next_block) {
      logger_.Warn("channel {}: ignoring time-to-cut for block {} at offset {}: next block is {}",
                   support_.ChannelId(), block_number, offset, next_block);
    }
    return absl::OkStatus();
  }
  std::vector<::common::Envelope> batch = support_.Cutter().Cut();
  cut_deadline_.reset();
  if (batch.empty()) return absl::OkStatus();
  return WriteBatch(std::move(batch), offset);
}

Status MessageProcessor::WriteBatch(std::vector<::common::Envelope> batch, int64_t last_offset) {
  const uint64_t number = support_.Height();
  const size_t size = batch.size();
  WEFT_RETURN_IF_ERROR(
      Annotate(support_.WriteBlock(std::move(batch), Metadata(last_offset)),
               fmt::format("channel {}: writing block {}", support_.ChannelId(), number)));
  logger_.Debug("channel {}: wrote block {} with {} envelopes up to offset {}",
                support_.ChannelId(), number, size, last_offset);
  return absl::OkStatus();
}

std::chrono::milliseconds MessageProcessor::BatchTimeout() const {
  const auto& orderer = support_.ChannelConfig()->orderer();
  return orderer ? orderer->batch_timeout : std::chrono::milliseconds(2000);
}

}  // namespace weft::orderer::consensus::kafka::impl
