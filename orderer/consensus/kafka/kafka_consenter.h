// The Kafka consenter (Fabric 1.x/2.x "kafka" consensus type): each channel is ordered
// through partition 0 of the Kafka topic named after the channel. Every orderer node
// produces its clients' envelopes to that partition and consumes it from the start, so
// all nodes see one sequence and cut the same blocks at the same offsets. Batch timeouts
// are turned into time-to-cut messages on the partition, never into local cuts.
//
// Thread-safety: KafkaConsenter is thread-safe. Its chains follow consensus::Chain.
#pragma once

#include <chrono>
#include <memory>

#include "common/config/orderer_config.h"
#include "common/log/logger.h"
#include "common/status/status.h"
#include "orderer/consensus/consensus.h"

namespace weft::orderer::consensus::kafka {

namespace impl {
class ConnectivityBoard;
}  // namespace impl

struct KafkaConsenterOptions {
  // orderer.yaml's Kafka section: TLS, SASL, broker version, topic replication factor.
  // retry.short_interval (at most 5s) paces the probes that detect a recovered cluster.
  common::config::KafkaSettings settings;
  // How long Order/Configure wait for the cluster to acknowledge a message (acks=all)
  // before returning Unavailable.
  std::chrono::milliseconds delivery_timeout = std::chrono::seconds(30);
  // How long Order/Configure (and WaitReady) wait while the chain holds new envelopes
  // until a re-submitted config message is ordered (Fabric's WaitReady waits without
  // limit) before returning Unavailable.
  std::chrono::milliseconds hold_timeout = std::chrono::seconds(30);
};

class KafkaConsenter final : public Consenter {
 public:
  KafkaConsenter(KafkaConsenterOptions options, std::shared_ptr<common::log::Logger> logger);
  ~KafkaConsenter() override;

  // The chain connects to the brokers of the channel config's KafkaBrokers. Errors:
  // FailedPrecondition when the channel config names no brokers.
  [[nodiscard]] StatusOr<std::unique_ptr<Chain>> HandleChain(ConsenterSupport& support) override;

  // For the operations /healthz check: OK when every running chain can write to its
  // partition, else Unavailable naming each channel that cannot and why.
  [[nodiscard]] Status Connectivity() const;

 private:
  const KafkaConsenterOptions options_;
  const std::shared_ptr<common::log::Logger> logger_;
  const std::shared_ptr<impl::ConnectivityBoard> board_;
};

}  // namespace weft::orderer::consensus::kafka
