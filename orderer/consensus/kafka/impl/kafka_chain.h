// One channel ordered through partition 0 of the topic named after the channel.
//
// Two threads per chain: the producer thread serves librdkafka's delivery reports and
// probes the cluster while it is unreachable; the consumer thread reads the partition
// and runs the MessageProcessor, the chain's only ledger writer.
// Thread-safety: Order, Configure and WaitReady may be called from any thread;
// Start and Halt from one controlling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "common/log/logger.h"
#include "orderer/consensus/consensus.h"
#include "orderer/consensus/kafka/impl/connectivity_board.h"
#include "orderer/consensus/kafka/impl/rdkafka.h"
#include "orderer/consensus/kafka/kafka_consenter.h"
#include "orderer/kafka.pb.h"

namespace weft::orderer::consensus::kafka::impl {

class KafkaChain final : public Chain {
 public:
  // Makes the clients (nothing connects before Start). Errors: FailedPrecondition when
  // the channel config names no Kafka brokers, DataLoss for unreadable consenter
  // metadata, InvalidArgument for rejected client settings.
  [[nodiscard]] static StatusOr<std::unique_ptr<KafkaChain>> Create(
      ConsenterSupport& support, const KafkaConsenterOptions& options,
      std::shared_ptr<common::log::Logger> logger, std::shared_ptr<ConnectivityBoard> board);
  ~KafkaChain() override;

  [[nodiscard]] Status Order(::common::Envelope envelope, uint64_t config_sequence) override;
  [[nodiscard]] Status Configure(::common::Envelope config_envelope,
                                 uint64_t config_sequence) override;
  [[nodiscard]] Status WaitReady() override;
  void Start() override;
  void Halt() override;

 private:
  struct Delivery;

  KafkaChain(ConsenterSupport& support, const KafkaConsenterOptions& options,
             std::shared_ptr<common::log::Logger> logger, std::shared_ptr<ConnectivityBoard> board,
             std::optional<int64_t> resume_offset);
  [[nodiscard]] Status Init(Properties common_properties);

  // Queues `message` for partition 0; `delivery_opaque` comes back in OnDelivery.
  [[nodiscard]] Status Enqueue(const ::orderer::KafkaMessage& message, void* delivery_opaque);
  // Order/Configure: returns once the cluster has acknowledged the message with acks=all.
  [[nodiscard]] Status Submit(::orderer::KafkaMessageRegular::Class message_class,
                              const ::common::Envelope& envelope, uint64_t config_sequence);
  void SetReachability(Status status);
  // The chain cannot go on (a block could not be written, the producer failed).
  void Fail(Status failure);

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
  const std::optional<int64_t> resume_offset_;
  // Address passed as the delivery opaque of connectivity probes.
  const char probe_tag_ = 0;

  Client producer_;
  Client consumer_;

  mutable std::mutex mu_;
  Status reachability_;  // guarded by mu_
  Status failure_;       // guarded by mu_

  std::atomic<bool> halted_{false};
  std::atomic<bool> probe_in_flight_{false};
  std::jthread producer_thread_;
  std::jthread consumer_thread_;
};

}  // namespace weft::orderer::consensus::kafka::impl
