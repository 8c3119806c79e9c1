// The peer's event service, Fabric's core/peer/deliverevents.go (release-2.5): the
// three protos.Deliver streams serve seek requests with the orderer's Deliver
// semantics (common/deliver) over the blocks the peer committed, and differ in what
// each block becomes:
//   Deliver                -> DeliverResponse.block, ACL resource event/Block;
//   DeliverFiltered        -> DeliverResponse.filtered_block (ToFilteredBlock),
//                             ACL resource event/FilteredBlock;
//   DeliverWithPrivateData -> DeliverResponse.block_and_private_data, ACL resource
//                             event/Block. The private data map is empty: the peer
//                             does not store private data yet.
// Both resources default to /Channel/Application/Readers; the channel config's
// Application ACLs may name another policy (peer/aclmgmt), re-read whenever the
// config sequence grows during a stream.
//
// Thread-safety: DeliverEvents is thread-safe (one call per stream, any number of
// streams at once). PeerChannels and PeerChannel implementations must be safe for
// concurrent use.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/concurrency/clock.h"
#include "common/deliver/deliver_handler.h"
#include "common/log/logger.h"
#include "common/status/status.h"
#include "peer/events.pb.h"
#include "peer/ledger/peer_ledger.h"

namespace weft::peer::events {

// A channel the peer has joined, as the event service sees it.
class PeerChannel {
 public:
  virtual ~PeerChannel() = default;
  virtual const std::string& ChannelId() const = 0;
  virtual const ledger::PeerLedger& Ledger() const = 0;
  // The channel's current configuration bundle (it changes with config blocks).
  virtual std::shared_ptr<const common::channelconfig::ChannelConfig> Config() const = 0;
};

// Channel id -> joined channel. A channel stays usable while a stream holds it.
class PeerChannels {
 public:
  virtual ~PeerChannels() = default;
  // nullptr when the peer has not joined `channel_id`.
  virtual std::shared_ptr<const PeerChannel> FindChannel(std::string_view channel_id) const = 0;
};

// Where a stream's responses go: the gRPC stream in production.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // False when the response could not be sent (the client went away).
  virtual bool Send(const ::protos::DeliverResponse& response) = 0;
};

struct EventsOptions {
  // peer.authentication.timewindow.
  std::chrono::nanoseconds time_window = std::chrono::minutes(15);
  // Off: sessions outlive the creator's certificate (Fabric's expirationCheckDisabled).
  bool expiration_checks = true;
  // Nullable: the system clock.
  const common::concurrency::Clock* clock = nullptr;
  // Nullable: no logging.
  std::shared_ptr<common::log::Logger> logger;
};

// Fabric's blockEvent.toFilteredBlock: number; channel id of the last transaction
// that has a header; per transaction (entries without data, that are no envelope,
// or whose payload has no header are skipped) its tx id, header type and the code
// from the TRANSACTIONS_FILTER metadata (NOT_VALIDATED when the filter has no entry
// for it, where Fabric's txflags index would panic), and
// for ENDORSER_TRANSACTIONs the chaincode events of its actions (ChaincodeEvent with
// tx_id, chaincode_id, event_name; payload dropped; actions whose event has no
// chaincode id give none; actions without a chaincode endorsed action are skipped).
// InvalidArgument when a payload, channel header, transaction, action payload,
// proposal response payload, chaincode action or chaincode event does not parse.
[[nodiscard]] StatusOr<::protos::FilteredBlock> ToFilteredBlock(const ::common::Block& block);

// A DeliverResponse carrying only `status`.
::protos::DeliverResponse StatusResponse(::common::Status status);

class DeliverEvents {
 public:
  // `channels` must outlive this object.
  explicit DeliverEvents(const PeerChannels& channels, EventsOptions options = {});
  ~DeliverEvents();
  DeliverEvents(const DeliverEvents&) = delete;
  DeliverEvents& operator=(const DeliverEvents&) = delete;

  // Each serves one seek envelope as common::deliver::DeliverHandler::Handle does,
  // sending the block responses and then the final status response to `sink`, and
  // returns that status (after SUCCESS the adapter reads the stream's next envelope;
  // otherwise it ends the stream). When the sink refuses a response nothing more is
  // sent (Fabric returns the send error and ends the stream).
  //
  // DeliverFiltered: a block that ToFilteredBlock cannot convert is replaced by a
  // BAD_REQUEST status response and the stream goes on (Fabric's
  // filteredBlockResponseSender).
  ::common::Status Deliver(const ::common::Envelope& seek_envelope, ResponseSink& sink,
                           std::stop_token stop = {},
                           std::string_view client_tls_cert_hash = {}) const;
  ::common::Status DeliverFiltered(const ::common::Envelope& seek_envelope, ResponseSink& sink,
                                   std::stop_token stop = {},
                                   std::string_view client_tls_cert_hash = {}) const;
  ::common::Status DeliverWithPrivateData(const ::common::Envelope& seek_envelope,
                                          ResponseSink& sink, std::stop_token stop = {},
                                          std::string_view client_tls_cert_hash = {}) const;

 private:
  class Sources;

  std::shared_ptr<common::log::Logger> logger_;
  std::unique_ptr<Sources> sources_;
  std::unique_ptr<common::deliver::DeliverHandler> block_handler_;     // event/Block
  std::unique_ptr<common::deliver::DeliverHandler> filtered_handler_;  // event/FilteredBlock
};

}  // namespace weft::peer::events
