// Pulls a channel's blocks from its orderers (Fabric's blocksprovider.Deliverer,
// internal/pkg/peer/blocksprovider/blocksprovider.go, release-2.5): one signed
// DELIVER_SEEK_INFO from the next block to MaxUint64, BLOCK_UNTIL_READY; every block
// is checked (number in sequence, data hash, previous-hash chain, orderer signatures
// under /Channel/Orderer/BlockValidation) before it is handed to the BlockHandler; a
// config block that passes becomes the config the next blocks are checked against.
// Any status, stream error or rejected block ends the connection; the next attempt
// waits a backoff and goes to the next endpoint of the shuffled list (failover).
//
// Thread-safety: Run() on one thread at a time; Stop() and CurrentConfig() from any
// thread. The handler is called on the thread running Run().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/config/peer_config.h"
#include "common/log/logger.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "orderer/ab.pb.h"
#include "peer/deliver_client/endpoints.h"

namespace weft::peer::deliver_client {

// Where verified blocks go (the committer). Called in block order, each block once.
class BlockHandler {
 public:
  virtual ~BlockHandler() = default;
  // An error means the block was not taken: the deliverer disconnects, backs off and
  // asks for the same block again.
  [[nodiscard]] virtual Status Deliver(const ::common::Block& block) = 0;
};

// One open Deliver stream to one orderer.
class DeliverStream {
 public:
  virtual ~DeliverStream() = default;
  // The next response; an error when the stream ended or broke (the message says why).
  [[nodiscard]] virtual StatusOr<::orderer::DeliverResponse> Recv() = 0;
  // Ends the stream; a blocked Recv returns an error. Thread-safe, idempotent.
  virtual void Cancel() = 0;
};

// Opens Deliver streams (gRPC in production, fakes in tests).
class Connector {
 public:
  virtual ~Connector() = default;
  // Dials `endpoint`, opens AtomicBroadcast/Deliver and sends `seek_info`. Gives up
  // (Cancelled) soon after `stop` is requested.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<DeliverStream>> Connect(
      const OrdererEndpoint& endpoint, const ::common::Envelope& seek_info,
      std::stop_token stop) = 0;
};

// Waits between attempts; returns early when `stop` is requested.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void Sleep(std::chrono::milliseconds duration, std::stop_token stop) = 0;
};

// Fabric's backoff: InitialRetryDelay * 1.2^(failures-1), or MaxRetryDelay once that
// many failures would exceed it. `failures` >= 1.
std::chrono::milliseconds RetryDelay(int failures, std::chrono::milliseconds initial,
                                     std::chrono::milliseconds max);

struct DelivererOptions {
  std::string channel_id;
  // From the ledger: its height (the first block to ask for) and the header hash of the
  // block at height - 1 ("" when the ledger is empty).
  uint64_t next_block = 0;
  std::string previous_hash;
  // The channel config the next block is verified against (the committed one).
  std::shared_ptr<const common::channelconfig::ChannelConfig> config;
  AddressOverrides overrides;
  const common::protoutil::Signer* signer = nullptr;  // the peer's local signing identity
  // SHA-256 of the client TLS certificate (DER) when one is sent (Fabric's TLSCertHash).
  std::string tls_cert_hash;
  Connector* connector = nullptr;
  BlockHandler* handler = nullptr;
  Sleeper* sleeper = nullptr;                   // null: real time
  std::shared_ptr<common::log::Logger> logger;  // null: no logs
  // Fabric: InitialRetryDelay 100 ms; MaxRetryDelay = reConnectBackoffThreshold;
  // MaxRetryDuration = reconnectTotalTimeThreshold.
  std::chrono::milliseconds initial_retry_delay{100};
  std::chrono::milliseconds max_retry_delay = std::chrono::hours(1);
  std::chrono::milliseconds max_retry_duration = std::chrono::hours(1);
  // Fabric's YieldLeadership: give up once the retries' total sleep passes
  // max_retry_duration. A peer without gossip is a static leader (false): it warns
  // and keeps trying.
  bool give_up_after_max_retry_duration = false;
  uint64_t shuffle_seed = std::random_device{}();
};

// Fills the retry delays and address overrides of `options` from core.yaml's
// peer.deliveryclient (reConnectBackoffThreshold, reconnectTotalTimeThreshold,
// addressOverrides); overrides whose CA file is unusable are skipped with a warning.
void ApplyDeliveryClientSettings(const common::config::DeliveryClientSettings& settings,
                                 DelivererOptions* options, std::vector<std::string>* warnings);

class Deliverer {
 public:
  // InvalidArgument when a required option is missing.
  [[nodiscard]] static StatusOr<std::unique_ptr<Deliverer>> Create(DelivererOptions options);
  ~Deliverer();
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  // Pulls blocks until Stop(). Returns OK after Stop(), Unavailable when it gave up
  // (give_up_after_max_retry_duration), FailedPrecondition when no endpoint is known
  // or the seek request cannot be signed.
  [[nodiscard]] Status Run();
  // Run() on a thread of its own; Stop() joins it.
  void Start();
  // Ends the open stream, a pending backoff or dial and the loop; joins the Start()
  // thread. Final: a stopped deliverer does not run again. Idempotent.
  void Stop();

  std::shared_ptr<const common::channelconfig::ChannelConfig> CurrentConfig() const;
  uint64_t next_block() const;
  // Connection attempts so far (for tests and metrics).
  uint64_t attempts() const;
  // The endpoints in the order they are tried (shuffled).
  std::vector<OrdererEndpoint> endpoints() const;

 private:
  explicit Deliverer(DelivererOptions options);

  // Reads one stream until it ends. Counts a failure unless it ended for Stop() or an
  // endpoint refresh; a block taken resets the failure count and the retry total.
  void Receive(DeliverStream& stream, const std::string& address, int* failures,
               std::chrono::milliseconds* retry_total);
  [[nodiscard]] Status Accept(const ::common::Block& block, bool* endpoints_changed);
  // Recomputes and shuffles the endpoints (mu_ held); true when the set changed.
  bool SetEndpoints(const common::channelconfig::ChannelConfig& config);
  void Log(common::log::LogLevel level, std::string_view message) const;

  DelivererOptions options_;
  std::unique_ptr<Sleeper> own_sleeper_;
  std::stop_source stop_;
  std::jthread thread_;

  mutable std::mutex mu_;  // guards the members below
  std::shared_ptr<const common::channelconfig::ChannelConfig> config_;
  uint64_t next_block_ = 0;
  std::string previous_hash_;
  std::vector<OrdererEndpoint> endpoints_;
  size_t endpoint_index_ = 0;
  uint64_t attempts_ = 0;
  DeliverStream* open_stream_ = nullptr;
  std::mt19937_64 random_;
};

}  // namespace weft::peer::deliver_client
