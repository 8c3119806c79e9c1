// One channel ordered through partition 0 of the topic named after the channel.
//
// Two threads per chain: the producer thread serves librdkafka's delivery reports,
// probes the cluster while it is unreachable and retries re-submitted messages; the
// consumer thread reads the partition and runs the MessageProcessor, the chain's only
// ledger writer.
// Thread-safety: Order, Configure, WaitReady and Errored may be called from any thread;
// Start and Halt from one controlling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/log/logger.h"
#include "orderer/consensus/consensus.h"
#include "orderer/consensus/kafka/impl/connectivity_board.h"
#include "orderer/consensus/kafka/impl/message_processor.h"
#include "orderer/consensus/kafka/impl/rdkafka.h"
#include "orderer/consensus/kafka/kafka_consenter.h"
#include "orderer/kafka.pb.h"

namespace weft::orderer::consensus::kafka::impl {

// The largest Kafka message the chain's clients produce and fetch for a channel whose
// BatchSize.AbsoluteMaxBytes is `absolute_max_bytes`: room for such an envelope in its
// KafkaMessage and record framing, and never less than Fabric's producer limit (100 MiB
// less 1 MiB of padding), so that a later, larger AbsoluteMaxBytes still fits.
int64_t MaxKafkaMessageBytes(uint32_t absolute_max_bytes);

class KafkaChain final : public Chain, private ChainHooks {
 public:
  // Makes the clients (nothing connects before Start). Errors: FailedPrecondition when
  // the channel config names no Kafka brokers, DataLoss for unreadable consenter
  // metadata, InvalidArgument for rejected client settings.
  [[nodiscard]] static StatusOr<std::unique_ptr<KafkaChain>> Create(
      ConsenterSupport& support, const KafkaConsenterOptions& options,
      std::shared_ptr<common::log::Logger> logger, std::shared_ptr<ConnectivityBoard> board);
  ~KafkaChain() override;

  // Errors: Unavailable while the chain cannot order (not started, halted, cluster
  // unreachable, or still holding envelopes after hold_timeout); InvalidArgument when
  // Kafka refuses this one message (too large), naming its size.
  [[nodiscard]] Status Order(::common::Envelope envelope, uint64_t config_sequence) override;
  [[nodiscard]] Status Configure(::common::Envelope config_envelope,
                                 uint64_t config_sequence) override;
  // Waits (up to hold_timeout) while a re-submitted config message is in flight.
  [[nodiscard]] Status WaitReady() override;
  // Requested while the chain is starting, halted or failed, while its partition does
  // not take writes and while its consumer reports errors (Fabric's errorChan); after
  // recovery a fresh token is handed out.
  std::stop_token Errored() const override;
  void Start() override;
  void Halt() override;

 private:
  struct Delivery;
  struct Report;

  KafkaChain(ConsenterSupport& support, const KafkaConsenterOptions& options,
             std::shared_ptr<common::log::Logger> logger, std::shared_ptr<ConnectivityBoard> board,
             std::optional<::orderer::KafkaMetadata> resume);
  [[nodiscard]] Status Init(Properties common_properties);

  // ChainHooks, called from the consumer thread.
  void Resubmit(const ::orderer::KafkaMessage& message) override;
  void HoldIngress(bool hold, int64_t config_offset) override;

  // Queues `bytes` for partition 0; `report` (owned by librdkafka until the delivery
  // report) comes back in OnDelivery. Errors: InvalidArgument when the message is too
  // large for the producer, Unavailable otherwise.
  [[nodiscard]] Status Enqueue(const std::string& bytes, Report* report);
  // Order/Configure: returns once the cluster has acknowledged the message with acks=all.
  [[nodiscard]] Status Submit(::orderer::KafkaMessageRegular::Class message_class,
                              const ::common::Envelope& envelope, uint64_t config_sequence);
  void SetReachability(Status status);
  void SetConsumerError(Status status);
  // The chain cannot go on (a block could not be written, the producer failed).
  void Fail(Status failure);
  // Requests the current Errored token when the chain is unhealthy, or makes a fresh one
  // when it has recovered. Called with mu_ held.
  void UpdateErroredLocked();
  // Re-queues re-submitted messages whose delivery failed.
  void RetryResubmissions();

  void ProducerLoop(std::stop_token stop);
  void ConsumerLoop(std::stop_token stop);
  void EnsureTopic();

  static void OnDelivery(rd_kafka_t* client, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* client, int error, const char* reason, void* opaque);
  static void OnLog(const rd_kafka_t* client, int level, const char* facility, const char* line);

  ConsenterSupport& support_;
  const KafkaConsenterOptions options_;
  const std::shared_ptr<common::log::Logger> logger_;
  const std::shared_ptr<ConnectivityBoard> board_;
  const std::string topic_;
  const std::optional<::orderer::KafkaMetadata> resume_;
  const int64_t max_message_bytes_;

  Client producer_;
  Client consumer_;

  mutable std::mutex mu_;
  std::condition_variable ingress_cv_;
  Status reachability_;                   // guarded by mu_
  Status consumer_error_;                 // guarded by mu_
  Status failure_;                        // guarded by mu_
  bool started_ = false;                  // guarded by mu_
  bool holding_ = false;                  // guarded by mu_
  int64_t held_for_offset_ = 0;           // guarded by mu_
  std::stop_source errored_;              // guarded by mu_
  std::vector<std::string> to_resubmit_;  // guarded by mu_; failed re-submissions

  std::atomic<bool> halted_{false};
  std::atomic<bool> probe_in_flight_{false};
  std::atomic<bool> probe_wanted_{false};
  std::jthread producer_thread_;
  std::jthread consumer_thread_;
};

}  // namespace weft::orderer::consensus::kafka::impl
