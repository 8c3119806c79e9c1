#include "common/deliver/deliver_handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "common/policies/identity.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/identity_expiry.h"
#include "common/protoutil/serialize.h"
#include "orderer/ab.pb.h"

namespace weft::common::deliver {
namespace {

// Logs why a request ends with `status` (when a logger was given) and returns it.
::common::Status Finish(const std::shared_ptr<log::Logger>& logger, ::common::Status status,
                        std::string_view channel, std::string_view reason) {
  if (logger) {
    auto level = status == ::common::SUCCESS ? log::LogLevel::kDebug : log::LogLevel::kWarn;
    logger->Log(level, "[channel: {}] deliver ends with {}: {}", channel,
                ::common::Status_Name(status), reason);
  }
  return status;
}

concurrency::Clock::TimePoint FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return concurrency::Clock::TimePoint(
      std::chrono::duration_cast<concurrency::Clock::TimePoint::duration>(
          std::chrono::seconds(timestamp.seconds()) + std::chrono::nanoseconds(timestamp.nanos())));
}

struct Range {
  uint64_t start = 0;
  // Fabric's stopNum: the stream ends after sending the block with this number.
  uint64_t stop = 0;
};

// Fabric's fileledger Iterator (start) and the stop switch of deliverBlocks;
// `height` is the ledger height when the request arrived.
[[nodiscard]] StatusOr<Range> Resolve(const ::orderer::SeekInfo& seek, uint64_t height) {
  const uint64_t newest = height == 0 ? 0 : height - 1;
  Range range;
  switch (seek.start().Type_case()) {
    case ::orderer::SeekPosition::kOldest:
      range.start = 0;
      break;
    case ::orderer::SeekPosition::kNewest:
      range.start = newest;
      break;
    case ::orderer::SeekPosition::kSpecified:
      range.start = seek.start().specified().number();
      if (range.start > height) {
        return absl::NotFoundError(
            fmt::format("start block {} is beyond the ledger height {}", range.start, height));
      }
      break;
    case ::orderer::SeekPosition::kNextCommit:
      range.start = height;
      break;
    default:
      // Fabric's Iterator gives a NotFoundErrorIterator for an unknown start type.
      return absl::NotFoundError("seek start position has no type");
  }
  switch (seek.stop().Type_case()) {
    case ::orderer::SeekPosition::kOldest:
      range.stop = range.start;
      break;
    case ::orderer::SeekPosition::kNewest:
      // Newest to newest sends one block even if the ledger grows meanwhile.
      range.stop = seek.start().has_newest() ? range.start : newest;
      break;
    case ::orderer::SeekPosition::kSpecified:
      range.stop = seek.stop().specified().number();
      if (range.stop < range.start) {
        return absl::InvalidArgumentError(
            fmt::format("stop block {} is before start block {}", range.stop, range.start));
      }
      break;
    default:
      // NEXT_COMMIT or no type: Fabric has no case for them and keeps stopNum 0.
      range.stop = 0;
      break;
  }
  return range;
}

class SessionAccess {
 public:
  SessionAccess(const DeliverSource& source, const policies::SignedData& signed_data,
                const DeliverOptions& options, const concurrency::Clock& clock)
      : source_(source), signed_data_(signed_data), options_(options), clock_(clock) {
    if (!options.expiration_checks) return;
    // Like Fabric's crypto.ExpiresAt, an identity whose expiry cannot be read has none.
    auto expires_at = protoutil::IdentityExpiresAt(signed_data.identity);
    if (expires_at.ok()) expires_at_ = *expires_at;
  }

  [[nodiscard]] Status Evaluate() {
    if (expires_at_.has_value() && clock_.Now() > *expires_at_) {
      return absl::PermissionDeniedError(fmt::format(
          "deliver client identity expired {}s before",
          std::chrono::duration_cast<std::chrono::seconds>(clock_.Now() - *expires_at_).count()));
    }
    auto config = source_.ChannelConfig();
    if (checked_ && config->sequence() <= checked_sequence_) return absl::OkStatus();
    checked_ = true;
    checked_sequence_ = std::max(checked_sequence_, config->sequence());
    const std::string policy_path = options_.readers_policy_for
                                        ? options_.readers_policy_for(*config)
                                        : options_.readers_policy;
    WEFT_ASSIGN_OR_RETURN(const policies::Policy* policy,
                          config->policy_manager().GetPolicy(policy_path));
    return Annotate(policy->EvaluateSignedData({&signed_data_, 1}),
                    fmt::format("policy {} not satisfied", policy_path));
  }

 private:
  const DeliverSource& source_;
  const policies::SignedData& signed_data_;
  const DeliverOptions& options_;
  const concurrency::Clock& clock_;
  std::optional<concurrency::Clock::TimePoint> expires_at_;
  bool checked_ = false;
  uint64_t checked_sequence_ = 0;
};

}  // namespace

DeliverHandler::DeliverHandler(const ChannelSources& sources, DeliverOptions options)
    : sources_(sources),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock_) {}

::common::Status DeliverHandler::Handle(const ::common::Envelope& seek_envelope, BlockSink& sink,
                                        std::stop_token stop,
                                        std::string_view client_tls_cert_hash) const {
  const auto& logger = options_.logger;
  auto opened = protoutil::OpenEnvelope(seek_envelope);
  if (!opened.ok()) {
    return Finish(logger, ::common::BAD_REQUEST, "?", std::string(opened.status().message()));
  }
  const ::common::ChannelHeader& header = opened->channel_header;
  const std::string& channel_id = header.channel_id();

  if (!header.has_timestamp()) {
    return Finish(logger, ::common::BAD_REQUEST, channel_id, "channel header has no timestamp");
  }
  const auto skew = clock_.Now() - FromTimestamp(header.timestamp());
  if (skew > options_.time_window || -skew > options_.time_window) {
    return Finish(
        logger, ::common::BAD_REQUEST, channel_id,
        fmt::format(
            "timestamp is {}s away from now, outside the {}s window",
            std::chrono::duration_cast<std::chrono::seconds>(skew).count(),
            std::chrono::duration_cast<std::chrono::seconds>(options_.time_window).count()));
  }
  if (!client_tls_cert_hash.empty() && !header.tls_cert_hash().empty() &&
      header.tls_cert_hash() != client_tls_cert_hash) {
    return Finish(logger, ::common::BAD_REQUEST, channel_id,
                  "tls_cert_hash does not match the client's TLS certificate");
  }

  std::shared_ptr<DeliverSource> source = sources_.FindSource(channel_id);
  if (source == nullptr) {
    return Finish(logger, ::common::NOT_FOUND, channel_id, "channel not found");
  }

  auto seek = protoutil::ParseMessage<::orderer::SeekInfo>(opened->data(), "seek info");
  if (!seek.ok()) {
    return Finish(logger, ::common::BAD_REQUEST, channel_id, std::string(seek.status().message()));
  }

  // A best-effort request ignores consenter errors (Fabric sets erroredChan to nil).
  std::stop_token errored;
  if (seek->error_response() != ::orderer::SeekInfo::BEST_EFFORT) errored = source->Errored();
  if (errored.stop_requested()) {
    return Finish(logger, ::common::SERVICE_UNAVAILABLE, channel_id,
                  "the channel's consenter reports an error");
  }

  const policies::SignedData signed_data{opened->payload_bytes(), opened->creator(),
                                         opened->signature()};
  SessionAccess access(*source, signed_data, options_, clock_);
  if (Status allowed = access.Evaluate(); !allowed.ok()) {
    return Finish(logger, ::common::FORBIDDEN, channel_id, std::string(allowed.message()));
  }

  if (!seek->has_start() || !seek->has_stop()) {
    return Finish(logger, ::common::BAD_REQUEST, channel_id, "seek info lacks start or stop");
  }
  const ledger::blockstore::BlockStore& blocks = source->Blocks();
  auto range = Resolve(*seek, blocks.GetInfo().height);
  if (!range.ok()) {
    auto status = range.status().code() == absl::StatusCode::kNotFound ? ::common::NOT_FOUND
                                                                       : ::common::BAD_REQUEST;
    return Finish(logger, status, channel_id, std::string(range.status().message()));
  }

  // A wait ends when the client goes away or the consenter errors.
  std::stop_source wake;
  std::stop_callback wake_on_stop(stop, [&wake] { wake.request_stop(); });
  std::stop_callback wake_on_error(errored, [&wake] { wake.request_stop(); });

  const bool fail_if_not_ready = seek->behavior() == ::orderer::SeekInfo::FAIL_IF_NOT_READY;
  for (uint64_t number = range->start;; ++number) {
    if (fail_if_not_ready && number >= blocks.GetInfo().height) {
      return Finish(logger, ::common::NOT_FOUND, channel_id,
                    fmt::format("block {} is not there yet", number));
    }
    Status waited = blocks.WaitForBlock(number, wake.get_token());
    // Checked even when the block is there, so that an errored chain ends the stream
    // at the next block whatever the timing (Fabric's select would pick either).
    if (errored.stop_requested()) {
      return Finish(
          logger, ::common::SERVICE_UNAVAILABLE, channel_id,
          fmt::format("the channel's consenter reports an error; not sending block {}", number));
    }
    if (!waited.ok()) {
      return Finish(
          logger, ::common::SERVICE_UNAVAILABLE, channel_id,
          fmt::format("stopped waiting for block {}: {}", number, std::string(waited.message())));
    }
    auto block = blocks.RetrieveBlockByNumber(number);
    if (!block.ok()) {
      return Finish(
          logger, ::common::SERVICE_UNAVAILABLE, channel_id,
          fmt::format("reading block {}: {}", number, std::string(block.status().message())));
    }
    if (Status allowed = access.Evaluate(); !allowed.ok()) {
      return Finish(logger, ::common::FORBIDDEN, channel_id,
                    fmt::format("access revoked before block {}: {}", number,
                                std::string(allowed.message())));
    }
    if (!sink.Send(*block)) {
      return Finish(logger, ::common::SERVICE_UNAVAILABLE, channel_id,
                    fmt::format("the client did not take block {}", number));
    }
    if (number == range->stop) break;
  }
  return Finish(logger, ::common::SUCCESS, channel_id,
                fmt::format("sent blocks {} to {}", range->start, range->stop));
}

}  // namespace weft::common::deliver
