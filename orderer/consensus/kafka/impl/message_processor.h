// The deterministic half of a Kafka chain (Fabric release-2.2 kafka/chain.go:
// processRegular, processTimeToCut, processConnect): applies the messages of the
// channel's partition, in offset order, to the block cutter and the ledger. Every node
// feeds it the same messages, so every node writes the same blocks with the same
// consenter metadata (KafkaMetadata: last_offset_persisted = offset of the block's last
// message, last_original_offset_processed, last_resubmitted_config_offset).
//
// Only bytes read from the partition are ever committed. A message validated under an
// older config sequence is re-validated by every node and, if still valid, re-submitted
// to the partition with original_offset = the offset it was read at; the first copy read
// at the current sequence is committed and the later copies are dropped because their
// original_offset is not above last_original_offset_processed. While a re-submitted
// config message is in flight the chain holds new Order/Configure calls.
//
// No clock decides what goes into the chain: `now` only arms the batch timer, which
// decides when to *post* a time-to-cut message.
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

// The KafkaMetadata in `consenter_metadata` (the newest block's), or nullopt when it is
// empty (a chain that has written no block yet reads the partition from its start).
// Errors: DataLoss when the metadata does not parse.
[[nodiscard]] StatusOr<std::optional<::orderer::KafkaMetadata>> ParseKafkaMetadata(
    const std::string& consenter_metadata);

// Whether a chain resuming from `metadata` must hold new envelopes: a config message it
// re-submitted has not been committed yet (Fabric's newChain).
bool HoldsIngressAt(const ::orderer::KafkaMetadata& metadata);

// What the processor needs from its chain besides the ledger.
class ChainHooks {
 public:
  virtual ~ChainHooks() = default;
  // Queues a re-validated regular message (original_offset set) for the partition
  // without waiting for Kafka's acknowledgement (Fabric's order/configure with an
  // original offset). The chain keeps trying until Kafka takes it or the chain halts:
  // copies are harmless, the processor drops all but the first.
  virtual void Resubmit(const ::orderer::KafkaMessage& message) = 0;
  // Holds (true) or releases (false) new Order/Configure calls; `config_offset` is the
  // original offset of the re-submitted config message they wait for (Fabric's
  // reprocessConfigPending / reprocessConfigComplete).
  virtual void HoldIngress(bool hold, int64_t config_offset) = 0;
};

class MessageProcessor {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `resume` is the newest block's KafkaMetadata (nullopt before the first block).
  MessageProcessor(ConsenterSupport& support, common::log::Logger& logger, ChainHooks& hooks,
                   const std::optional<::orderer::KafkaMetadata>& resume);

  // Applies the message found at `offset`. Malformed, invalid and duplicate messages
  // are logged and skipped (as every node skips them); the error cases are ledger
  // writes that failed, after which the chain cannot go on.
  [[nodiscard]] Status Handle(int64_t offset, const ::orderer::KafkaMessage& message,
                              TimePoint now);

  // Once envelopes have been pending for the channel's BatchTimeout: the number of the
  // block every node should cut, to be posted as a time-to-cut message. Re-arms the
  // timer, so a request that got lost is repeated.
  std::optional<uint64_t> TimeToCutDue(TimePoint now);

  int64_t last_original_offset_processed() const { return last_original_offset_processed_; }
  int64_t last_resubmitted_config_offset() const { return last_resubmitted_config_offset_; }
  bool holding_ingress() const { return holding_ingress_; }

 private:
  [[nodiscard]] Status HandleRegular(int64_t offset, const ::orderer::KafkaMessageRegular& regular,
                                     TimePoint now);
  [[nodiscard]] Status HandleCompatible(int64_t offset, ::common::Envelope envelope, TimePoint now);
  [[nodiscard]] Status HandleNormal(int64_t offset, const ::orderer::KafkaMessageRegular& regular,
                                    ::common::Envelope envelope, TimePoint now);
  [[nodiscard]] Status HandleConfig(int64_t offset, const ::orderer::KafkaMessageRegular& regular,
                                    ::common::Envelope envelope);
  [[nodiscard]] Status HandleTimeToCut(int64_t offset, uint64_t block_number);

  // Fabric's commitNormalMsg / commitConfigMsg; `original_offset` becomes
  // last_original_offset_processed once the envelope is in the chain.
  [[nodiscard]] Status CommitNormal(int64_t offset, ::common::Envelope envelope,
                                    int64_t original_offset, TimePoint now);
  [[nodiscard]] Status CommitConfig(int64_t offset, ::common::Envelope envelope,
                                    int64_t original_offset);
  // Re-submits a still valid message read at `offset` with that original offset.
  void Resubmit(int64_t offset, ::orderer::KafkaMessageRegular::Class message_class,
                const ::common::Envelope& envelope, uint64_t config_sequence);
  void SetHold(bool hold);

  [[nodiscard]] Status WriteBatch(std::vector<::common::Envelope> batch, int64_t last_offset);
  std::string Metadata(int64_t last_offset_persisted) const;
  std::chrono::milliseconds BatchTimeout() const;
  bool ResubmissionEnabled() const;

  ConsenterSupport& support_;
  common::log::Logger& logger_;
  ChainHooks& hooks_;
  int64_t last_original_offset_processed_ = 0;
  int64_t last_resubmitted_config_offset_ = 0;
  bool holding_ingress_ = false;
  std::optional<TimePoint> cut_deadline_;  // set while envelopes are pending
};

}  // namespace weft::orderer::consensus::kafka::impl
