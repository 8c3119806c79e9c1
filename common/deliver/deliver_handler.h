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
  // Seek requests stamped further than this from now are refused (Fabric's default).
  std::chrono::nanoseconds time_window = std::chrono::minutes(15);
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

  // Serves one seek envelope: checks headers, time window, TLS binding (when
  // `client_tls_cert_hash` is given and the header carries one), channel, SeekInfo
  // and the Readers policy (again whenever the config sequence moves while
  // streaming), then sends blocks start..stop to `sink`. Returns the status to
  // send last: SUCCESS after the stop block; BAD_REQUEST, FORBIDDEN or NOT_FOUND
  // for a refused request; SERVICE_UNAVAILABLE when `stop` was requested or the
  // channel went away while waiting, or the sink failed.
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
