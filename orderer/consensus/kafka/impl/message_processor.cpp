#include "orderer/consensus/kafka/impl/message_processor.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace weft::orderer::consensus::kafka::impl {
namespace {

using ::orderer::KafkaMessageRegular;

// Orderer capabilities that turn on re-submission (Fabric's OrdererProvider.Resubmission:
// V1_1, V1_4_2 or V2_0).
constexpr const char* kResubmissionCapabilities[] = {"V1_1", "V1_4_2", "V2_0"};

enum class Kind { kNormal, kConfig, kConfigUpdate, kMalformed };

// Fabric's StandardChannel.ClassifyMsg, for messages that carry no class.
Kind Classify(const ::common::Envelope& envelope) {
  ::common::Payload payload;
  ::common::ChannelHeader header;
  if (!payload.ParseFromString(envelope.payload()) ||
      !header.ParseFromString(payload.header().channel_header())) {
    return Kind::kMalformed;
  }
  switch (header.type()) {
    case ::common::CONFIG_UPDATE:
      return Kind::kConfigUpdate;
    case ::common::CONFIG:
    case ::common::ORDERER_TRANSACTION:
      return Kind::kConfig;
    default:
      return Kind::kNormal;
  }
}

}  // namespace

[[nodiscard]] StatusOr<std::optional<::orderer::KafkaMetadata>> ParseKafkaMetadata(
    const std::string& consenter_metadata) {
  if (consenter_metadata.empty()) return std::optional<::orderer::KafkaMetadata>();
  ::orderer::KafkaMetadata metadata;
  if (!metadata.ParseFromString(consenter_metadata)) {
    return absl::DataLossError("the newest block's consenter metadata is not KafkaMetadata");
  }
  return std::optional<::orderer::KafkaMetadata>(std::move(metadata));
}

bool HoldsIngressAt(const ::orderer::KafkaMetadata& metadata) {
  // Released when nothing was ever re-submitted, or when the newest re-submitted config
  // message (or a later re-submitted message) has been processed.
  return metadata.last_resubmitted_config_offset() != 0 &&
         metadata.last_resubmitted_config_offset() > metadata.last_original_offset_processed();
}

MessageProcessor::MessageProcessor(ConsenterSupport& support, common::log::Logger& logger,
                                   ChainHooks& hooks,
                                   const std::optional<::orderer::KafkaMetadata>& resume)
    : support_(support), logger_(logger), hooks_(hooks) {
  if (resume) {
    last_original_offset_processed_ = resume->last_original_offset_processed();
    last_resubmitted_config_offset_ = resume->last_resubmitted_config_offset();
    holding_ingress_ = HoldsIngressAt(*resume);
  }
}

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

Status MessageProcessor::HandleRegular(int64_t offset, const KafkaMessageRegular& regular,
                                       TimePoint now) {
  ::common::Envelope envelope;
  if (!envelope.ParseFromString(regular.payload())) {
    logger_.Warn("channel {}: skipping offset {}: payload is not an Envelope", support_.ChannelId(),
                 offset);
    return absl::OkStatus();
  }
  // A message without a class comes from a pre-v1.1 orderer; without the capability the
  // network may still have such orderers, which cannot recognise re-submitted copies.
  if (regular.class_() == KafkaMessageRegular::UNKNOWN || !ResubmissionEnabled()) {
    return HandleCompatible(offset, std::move(envelope), now);
  }
  switch (regular.class_()) {
    case KafkaMessageRegular::NORMAL:
      return HandleNormal(offset, regular, std::move(envelope), now);
    case KafkaMessageRegular::CONFIG:
      return HandleConfig(offset, regular, std::move(envelope));
    default:
      break;
  }
  logger_.Warn("channel {}: skipping offset {}: unknown message class {}", support_.ChannelId(),
               offset, static_cast<int>(regular.class_()));
  return absl::OkStatus();
}

Status MessageProcessor::HandleCompatible(int64_t offset, ::common::Envelope envelope,
                                          TimePoint now) {
  // Fabric's compatibility mode: validate again in place and commit the envelope as read.
  switch (Classify(envelope)) {
    case Kind::kConfig:
      if (auto checked = support_.RevalidateConfig(envelope); !checked.ok()) {
        logger_.Warn("channel {}: discarding bad config message at offset {}: {}",
                     support_.ChannelId(), offset, std::string(checked.status().message()));
        return absl::OkStatus();
      }
      return CommitConfig(offset, std::move(envelope), last_original_offset_processed_);
    case Kind::kNormal:
      if (auto checked = support_.RevalidateNormal(envelope); !checked.ok()) {
        logger_.Warn("channel {}: discarding bad normal message at offset {}: {}",
                     support_.ChannelId(), offset, std::string(checked.status().message()));
        return absl::OkStatus();
      }
      return CommitNormal(offset, std::move(envelope), last_original_offset_processed_, now);
    case Kind::kConfigUpdate:
      logger_.Warn("channel {}: skipping offset {}: not expecting a CONFIG_UPDATE message",
                   support_.ChannelId(), offset);
      return absl::OkStatus();
    case Kind::kMalformed:
      break;
  }
  logger_.Warn("channel {}: skipping offset {}: the envelope has no readable channel header",
               support_.ChannelId(), offset);
  return absl::OkStatus();
}

Status MessageProcessor::HandleNormal(int64_t offset, const KafkaMessageRegular& regular,
                                      ::common::Envelope envelope, TimePoint now) {
  const int64_t original = regular.original_offset();
  if (original != 0 && original <= last_original_offset_processed_) {
    logger_.Debug("channel {}: dropping offset {}: original offset {} is already processed",
                  support_.ChannelId(), offset, original);
    return absl::OkStatus();
  }
  const uint64_t sequence = support_.ChannelConfig()->sequence();
  if (regular.config_seq() < sequence) {
    StatusOr<uint64_t> revalidated = support_.RevalidateNormal(envelope);
    // A re-submitted copy that is stale again is re-submitted once more under its own
    // offset; its original offset counts as processed so that the other copies of it are
    // dropped instead of each being re-submitted (and committed) again.
    if (original != 0) last_original_offset_processed_ = original;
    if (!revalidated.ok()) {
      logger_.Warn("channel {}: discarding bad normal message at offset {}: {}",
                   support_.ChannelId(), offset, std::string(revalidated.status().message()));
      return absl::OkStatus();
    }
    Resubmit(offset, KafkaMessageRegular::NORMAL, envelope, *revalidated);
    return absl::OkStatus();
  }
  return CommitNormal(offset, std::move(envelope),
                      original != 0 ? original : last_original_offset_processed_, now);
}

Status MessageProcessor::HandleConfig(int64_t offset, const KafkaMessageRegular& regular,
                                      ::common::Envelope envelope) {
  const int64_t original = regular.original_offset();
  const uint64_t sequence = support_.ChannelConfig()->sequence();
  if (original != 0) {
    if (original <= last_original_offset_processed_) {
      logger_.Debug("channel {}: dropping offset {}: original offset {} is already processed",
                    support_.ChannelId(), offset, original);
      return absl::OkStatus();
    }
    // The newest re-submitted config message, needing no re-validation: whoever sent
    // it, new envelopes may come in again.
    if (original == last_resubmitted_config_offset_ && regular.config_seq() == sequence) {
      SetHold(false);
    }
    // Another node re-submitted a message this node did not: follow it.
    last_resubmitted_config_offset_ = std::max(last_resubmitted_config_offset_, original);
  }
  if (regular.config_seq() < sequence) {
    StatusOr<::common::Envelope> revalidated = support_.RevalidateConfig(envelope);
    if (original != 0) last_original_offset_processed_ = original;  // as in HandleNormal
    if (!revalidated.ok()) {
      logger_.Warn("channel {}: rejecting config message at offset {}: {}", support_.ChannelId(),
                   offset, std::string(revalidated.status().message()));
      return absl::OkStatus();
    }
    // The re-validated envelope is this node's own (signed by it); only the copy read
    // back from the partition goes into the chain.
    Resubmit(offset, KafkaMessageRegular::CONFIG, *revalidated, sequence);
    last_resubmitted_config_offset_ = offset;
    SetHold(true);
    return absl::OkStatus();
  }
  return CommitConfig(offset, std::move(envelope),
                      original != 0 ? original : last_original_offset_processed_);
}

void MessageProcessor::Resubmit(int64_t offset, KafkaMessageRegular::Class message_class,
                                const ::common::Envelope& envelope, uint64_t config_sequence) {
  ::orderer::KafkaMessage message;
  auto* regular = message.mutable_regular();
  regular->set_payload(envelope.SerializeAsString());
  regular->set_config_seq(config_sequence);
  regular->set_class_(message_class);
  regular->set_original_offset(offset);
  logger_.Debug("channel {}: re-submitting the {} message read at offset {} at config sequence {}",
                support_.ChannelId(), KafkaMessageRegular::Class_Name(message_class), offset,
                config_sequence);
  hooks_.Resubmit(message);
}

void MessageProcessor::SetHold(bool hold) {
  holding_ingress_ = hold;
  hooks_.HoldIngress(hold, last_resubmitted_config_offset_);
}

Status MessageProcessor::CommitNormal(int64_t offset, ::common::Envelope envelope,
                                      int64_t original_offset, TimePoint now) {
  BlockCutter::OrderedResult result = support_.Cutter().Ordered(std::move(envelope));
  // A new pending batch gets a full BatchTimeout.
  if (!result.batches.empty() || !result.pending) cut_deadline_.reset();
  if (result.pending && !cut_deadline_) cut_deadline_ = now + BatchTimeout();

  if (result.batches.empty()) {
    last_original_offset_processed_ = original_offset;
    return absl::OkStatus();
  }
  // The first batch holds this envelope only when it is the only batch and nothing is
  // left pending; otherwise it ends just before this offset and carries the old
  // original offset.
  const bool in_first = !result.pending && result.batches.size() == 1;
  if (in_first) last_original_offset_processed_ = original_offset;
  WEFT_RETURN_IF_ERROR(WriteBatch(std::move(result.batches[0]), in_first ? offset : offset - 1));
  // Past the first block the envelope is in the chain (in the second block, or pending);
  // Fabric forgets this in the pending case, which would let a later copy in again.
  last_original_offset_processed_ = original_offset;
  if (result.batches.size() == 2) {
    WEFT_RETURN_IF_ERROR(WriteBatch(std::move(result.batches[1]), offset));
  }
  return absl::OkStatus();
}

Status MessageProcessor::CommitConfig(int64_t offset, ::common::Envelope envelope,
                                      int64_t original_offset) {
  std::vector<::common::Envelope> pending = support_.Cutter().Cut();
  if (!pending.empty()) WEFT_RETURN_IF_ERROR(WriteBatch(std::move(pending), offset - 1));
  cut_deadline_.reset();
  last_original_offset_processed_ = original_offset;
  return Annotate(
      support_.WriteConfigBlock(std::move(envelope), Metadata(offset)),
      fmt::format("channel {}: writing config block for offset {}", support_.ChannelId(), offset));
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
  if (batch.empty()) {
    // Fabric stops the chain here ("this might indicate a bug"); every node sees the
    // same, so skipping it keeps them alike without taking the channel down.
    logger_.Warn("channel {}: time-to-cut for block {} at offset {} found nothing pending",
                 support_.ChannelId(), block_number, offset);
    return absl::OkStatus();
  }
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

std::string MessageProcessor::Metadata(int64_t last_offset_persisted) const {
  // Every block carries all three offsets (Fabric leaves the third out of blocks cut by
  // time-to-cut messages), so a node restarted from any block resumes alike.
  ::orderer::KafkaMetadata metadata;
  metadata.set_last_offset_persisted(last_offset_persisted);
  metadata.set_last_original_offset_processed(last_original_offset_processed_);
  metadata.set_last_resubmitted_config_offset(last_resubmitted_config_offset_);
  return metadata.SerializeAsString();
}

std::chrono::milliseconds MessageProcessor::BatchTimeout() const {
  const auto& orderer = support_.ChannelConfig()->orderer();
  return orderer ? orderer->batch_timeout : std::chrono::milliseconds(2000);
}

bool MessageProcessor::ResubmissionEnabled() const {
  const auto config = support_.ChannelConfig();
  if (!config->orderer()) return false;
  const auto& capabilities = config->orderer()->capabilities;
  return std::any_of(std::begin(kResubmissionCapabilities), std::end(kResubmissionCapabilities),
                     [&](const char* name) { return capabilities.count(name) > 0; });
}

}  // namespace weft::orderer::consensus::kafka::impl
