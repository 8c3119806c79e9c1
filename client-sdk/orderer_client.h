// A client of an orderer's AtomicBroadcast service: submits envelopes (Broadcast)
// and reads blocks (Deliver), verifying every delivered block against the channel's
// configuration (hash chain, data hash, BlockValidation signatures).
// Thread-safety: one OrdererClient may be shared; each call opens its own stream.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/protoutil/signer.h"
#include "common/settings/settings.h"
#include "common/status/status.h"
#include "orderer/ab.pb.h"

namespace weft::client {

class OrdererClient {
 public:
  // `target` is "host:port"; `settings` carries TLS/mTLS and keepalive settings.
  [[nodiscard]] static StatusOr<std::unique_ptr<OrdererClient>> Connect(
      const std::string& target, const common::settings::GrpcClientSettings& settings);
  ~OrdererClient();

  // Sends each envelope on one Broadcast stream and returns the orderer's answer to
  // each, in order (the orderer ends the stream after a non-SUCCESS answer; the
  // envelopes after it get no answer and are not in the result). The whole stream
  // is bounded by `timeout`: an orderer that accepts and never answers fails the
  // call with DeadlineExceeded instead of hanging it. The call does not wait for a
  // connection (gRPC's fail-fast): an unreachable orderer fails it at once.
  [[nodiscard]] StatusOr<std::vector<::orderer::BroadcastResponse>> Broadcast(
      const std::vector<::common::Envelope>& envelopes,
      std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Broadcasts one envelope and returns the orderer's answer; fails, naming the
  // orderer, when the stream ends without one or `timeout` passes.
  [[nodiscard]] StatusOr<::orderer::BroadcastResponse> Submit(
      const ::common::Envelope& envelope,
      std::chrono::milliseconds timeout = std::chrono::seconds(60));

  const std::string& address() const { return address_; }

  // Reads blocks [start, stop] of `channel_id` with a seek request signed by
  // `signer`, waiting for blocks not yet cut when `wait` is true, and calls
  // `on_block` for each; stops early when it returns false. Returns the orderer's
  // final status (SUCCESS when every block was delivered).
  [[nodiscard]] StatusOr<::common::Status> Deliver(
      const std::string& channel_id, uint64_t start, uint64_t stop,
      const common::protoutil::Signer& signer, bool wait,
      const std::function<bool(const ::common::Block&)>& on_block);
  // The same with a seek request the caller built and signed (newest, oldest, ...).
  [[nodiscard]] StatusOr<::common::Status> Deliver(
      const ::common::Envelope& seek_request,
      const std::function<bool(const ::common::Block&)>& on_block);

 private:
  struct Connection;  // the gRPC channel and its AtomicBroadcast stub
  OrdererClient(std::string address, std::unique_ptr<Connection> connection);
  std::string address_;
  std::unique_ptr<Connection> connection_;
};

// Submission with failover across several orderers, by the rules of Fabric's
// gateway Submit (release-2.5 internal/pkg/gateway/submit.go), in the given order:
// SUCCESS ends it; a transport failure or a status outside 4xx moves on to the
// next orderer; a 4xx status is the client's fault and fails at once (Aborted,
// "received unsuccessful response from orderer: status=<NAME>, info=<info>");
// when every orderer failed: Unavailable, "no orderers could successfully process
// transaction", followed by each orderer's failure.
class BroadcastClient {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<BroadcastClient>> Connect(
      const std::vector<std::string>& targets,
      const common::settings::GrpcClientSettings& settings);

  [[nodiscard]] Status Submit(const ::common::Envelope& envelope);

  const std::vector<std::unique_ptr<OrdererClient>>& orderers() const { return orderers_; }

 private:
  explicit BroadcastClient(std::vector<std::unique_ptr<OrdererClient>> orderers)
      : orderers_(std::move(orderers)) {}
  std::vector<std::unique_ptr<OrdererClient>> orderers_;
};

// Follows a channel's chain from its genesis block: checks each next block with
// channelconfig::VerifyBlock under the configuration in force (switching to the
// configuration of each config block), so a tampered, unchained or unsigned block is
// refused. The genesis block is the trust anchor (it carries no orderer signature).
class ChainVerifier {
 public:
  [[nodiscard]] static StatusOr<ChainVerifier> FromGenesis(const ::common::Block& genesis);
  // REQUIRES: block.header().number() == next_number().
  [[nodiscard]] Status Verify(const ::common::Block& block);
  uint64_t next_number() const { return next_number_; }
  const std::string& last_hash() const { return last_hash_; }

 private:
  ChainVerifier() = default;
  std::shared_ptr<const common::channelconfig::ChannelConfig> config_;
  uint64_t next_number_ = 0;
  std::string last_hash_;
};

}  // namespace weft::client
