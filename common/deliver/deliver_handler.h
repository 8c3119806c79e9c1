// The Deliver stream logic shared by the orderer (orderer.AtomicBroadcast/Deliver)
// and, later, the peer (protos.Deliver): one seek request in, blocks out, then a
// final status (fabric-interop.md E.2/E.3). The gRPC adapter reads each seek
// envelope, calls Handle, sends the returned status and keeps the stream open
// after SUCCESS only.
//
// Thread-safety: DeliverHandler is thread-safe (one Handle per stream, any number
// of streams at once). DeliverSource and ChannelSources implementations must be
// safe for concurrent use.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/concurrency/clock.h"
#include "common/ledger/blockstore/block_store.h"
#include "common/log/logger.h"

namespace weft::common::deliver {

// One channel as Deliver sees it.
class DeliverSource {
 public:
  virtual ~DeliverSource() = default;
  virtual const std::string& ChannelId() const = 0;
  // The channel's current configuration; its sequence moves with each config block.
  virtual std::shared_ptr<const channelconfig::ChannelConfig> ChannelConfig() const = 0;
  // Reader side of the channel's ledger. Closing it ends waiting streams.
  virtual const ledger::blockstore::BlockStore& Blocks() const = 0;
  // Fabric's Chain.Errored: a token that is (or becomes) stop-requested while the
  // channel's consenter cannot produce blocks. Deliver takes it once per request and
  // then answers SERVICE_UNAVAILABLE, before and while waiting, unless the request
  // asked for BEST_EFFORT. Sources that never fail keep the default, a token that
  // is never requested.
  virtual std::stop_token Errored() const { return {}; }
};

// Channel id -> source. A source stays usable while a stream holds it, even after
// its channel was removed (its store is then closed, so waits end).
class ChannelSources {
 public:
  virtual ~ChannelSources() = default;
  // nullptr when the channel is unknown.
  virtual std::shared_ptr<DeliverSource> FindSource(std::string_view channel_id) const = 0;
};

// Where blocks go: the gRPC stream in production, a vector in tests.
class BlockSink {
 public:
  virtual ~BlockSink() = default;
  // False when the block could not be sent (the client went away).
  virtual bool Send(const ::common::Block& block) = 0;
};

struct DeliverOptions {
  // Policy the requester must satisfy; the peer uses "/Channel/Application/Readers".
  std::string readers_policy = "/Channel/Readers";
  // When set, replaces readers_policy: asked at each evaluation with the channel's
  // current config, so a config update can move the policy (the peer's ACLs).
  std::function<std::string(const channelconfig::ChannelConfig&)> readers_policy_for;
  // Seek requests stamped further than this from now are refused (Fabric's default).
  std::chrono::nanoseconds time_window = std::chrono::minutes(15);
  // Off: sessions outlive the creator's certificate (the orderer's
  // General.Authentication.NoExpirationChecks; Fabric's expirationCheckDisabled).
  bool expiration_checks = true;
  // Nullable: the system clock.
  const concurrency::Clock* clock = nullptr;
  // Nullable: no logging.
  std::shared_ptr<log::Logger> logger;
};

class DeliverHandler {
 public:
  // `sources` must outlive the handler.
  DeliverHandler(const ChannelSources& sources, DeliverOptions options = {});
  DeliverHandler(const DeliverHandler&) = delete;
  DeliverHandler& operator=(const DeliverHandler&) = delete;

  // Serves one seek envelope the way Fabric's deliverBlocks does, in its order:
  // headers, time window and TLS binding (when `client_tls_cert_hash` is given and
  // the header carries one) -> BAD_REQUEST; unknown channel -> NOT_FOUND; SeekInfo
  // that does not parse -> BAD_REQUEST; errored source (see DeliverSource::Errored)
  // -> SERVICE_UNAVAILABLE unless SeekInfo.error_response is BEST_EFFORT; session
  // access -> FORBIDDEN; start or stop missing -> BAD_REQUEST. Then blocks go to
  // `sink` until the stop block, and SUCCESS is returned.
  //
  // Seek positions (Fabric's fileledger Iterator and the stop switch of
  // deliverBlocks): a start without a type, or a specified start above the height,
  // is NOT_FOUND; a start equal to the height waits for that block. A specified stop
  // below the start is BAD_REQUEST. A stop of NEXT_COMMIT (or without a type) is
  // Fabric's unset stop number 0: the stream ends after block 0 if it sends block 0
  // and otherwise never ends. FAIL_IF_NOT_READY answers NOT_FOUND at the first
  // block not yet in the ledger.
  //
  // Session access (Fabric's SessionAccessControl) is evaluated before the first
  // block and again before sending each block: the creator's certificate NotAfter
  // (IdentityExpiresAt, against options.clock) ends the session with FORBIDDEN once
  // passed, and the Readers policy is re-checked when the config sequence grew. As
  // in Fabric, a session waiting for a block is not ended by expiry alone; it ends
  // with FORBIDDEN when the next block arrives.
  //
  // SERVICE_UNAVAILABLE also ends a wait when `stop` is requested, the channel's
  // store is closed or the source errors; and when the sink fails.
  ::common::Status Handle(const ::common::Envelope& seek_envelope, BlockSink& sink,
                          std::stop_token stop = {},
                          std::string_view client_tls_cert_hash = {}) const;

 private:
  const ChannelSources& sources_;
  const DeliverOptions options_;
  const concurrency::SystemClock system_clock_;
  const concurrency::Clock& clock_;
};

}  // namespace weft::common::deliver
