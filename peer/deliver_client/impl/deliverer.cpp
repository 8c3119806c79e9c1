#include "peer/deliver_client/deliverer.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <utility>

#include "common/channelconfig/block_verifier.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "fmt/format.h"

namespace weft::peer::deliver_client {
namespace {

using common::log::LogLevel;

// blocksprovider.go: backoffExponentBase.
constexpr double kBackoffBase = 1.2;

class RealSleeper final : public Sleeper {
 public:
  void Sleep(std::chrono::milliseconds duration, std::stop_token stop) override {
    std::unique_lock lock(mu_);
    // Wakes early when `stop` is requested (condition_variable_any's stop_token wait).
    cv_.wait_for(lock, stop, duration, [] { return false; });
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
};

// A config block holds exactly one envelope of header type CONFIG (Fabric's
// protoutil.IsConfigBlock).
bool IsConfigBlock(const ::common::Block& block) {
  if (block.data().data_size() != 1) return false;
  auto opened = common::protoutil::OpenEnvelope(block.data().data(0));
  return opened.ok() && opened->channel_header.type() == ::common::CONFIG;
}

std::vector<std::string> Addresses(const std::vector<OrdererEndpoint>& endpoints) {
  std::vector<std::string> addresses;
  for (const auto& endpoint : endpoints) addresses.push_back(endpoint.address);
  return addresses;
}

}  // namespace

std::chrono::milliseconds RetryDelay(int failures, std::chrono::milliseconds initial,
                                     std::chrono::milliseconds max) {
  if (initial.count() <= 0 || max <= initial) return max;
  // blocksprovider.go DeliverBlocks: past maxFailures = log(max/initial)/log(1.2) the
  // delay is MaxRetryDelay, before it InitialRetryDelay * 1.2^(failures-1).
  const int max_failures = static_cast<int>(
      std::log(static_cast<double>(max.count()) / static_cast<double>(initial.count())) /
      std::log(kBackoffBase));
  if (failures - 1 > max_failures) return max;
  return std::chrono::milliseconds(static_cast<int64_t>(std::pow(kBackoffBase, failures - 1) *
                                                        static_cast<double>(initial.count())));
}

void ApplyDeliveryClientSettings(const common::config::DeliveryClientSettings& settings,
                                 DelivererOptions* options, std::vector<std::string>* warnings) {
  options->max_retry_delay = settings.reconnect_backoff_threshold;
  options->max_retry_duration = settings.reconnect_total_time_threshold;
  options->overrides = LoadAddressOverrides(settings.address_overrides, warnings);
}

StatusOr<std::unique_ptr<Deliverer>> Deliverer::Create(DelivererOptions options) {
  if (options.channel_id.empty()) return absl::InvalidArgumentError("deliverer: no channel id");
  const std::string& channel = options.channel_id;
  if (options.config == nullptr) {
    return absl::InvalidArgumentError(
        fmt::format("deliverer of channel {}: no channel config", channel));
  }
  if (options.signer == nullptr || options.connector == nullptr || options.handler == nullptr) {
    return absl::InvalidArgumentError(fmt::format(
        "deliverer of channel {}: signer, connector and block handler are required", channel));
  }
  if (options.next_block > 0 && options.previous_hash.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("deliverer of channel {}: ledger height {} needs the hash of block {}", channel,
                    options.next_block, options.next_block - 1));
  }
  return std::unique_ptr<Deliverer>(new Deliverer(std::move(options)));
}

Deliverer::Deliverer(DelivererOptions options)
    : options_(std::move(options)),
      config_(options_.config),
      next_block_(options_.next_block),
      previous_hash_(options_.previous_hash),
      random_(options_.shuffle_seed) {
  if (options_.sleeper == nullptr) {
    own_sleeper_ = std::make_unique<RealSleeper>();
    options_.sleeper = own_sleeper_.get();
  }
  std::lock_guard lock(mu_);
  SetEndpoints(*config_);
}

Deliverer::~Deliverer() { Stop(); }

void Deliverer::Log(LogLevel level, std::string_view message) const {
  if (options_.logger != nullptr) options_.logger->Write(level, message);
}

bool Deliverer::SetEndpoints(const common::channelconfig::ChannelConfig& config) {
  std::vector<OrdererEndpoint> endpoints = ChannelOrdererEndpoints(config, options_.overrides);
  auto sorted = [](std::vector<OrdererEndpoint> list) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return std::tie(a.address, a.root_cas) < std::tie(b.address, b.root_cas);
    });
    return list;
  };
  if (!endpoints_.empty() && sorted(endpoints) == sorted(endpoints_)) return false;
  // Fabric picks a random endpoint per attempt; a shuffled list walked in order spreads
  // peers the same way and never retries a failed orderer while another is untried.
  std::shuffle(endpoints.begin(), endpoints.end(), random_);
  endpoints_ = std::move(endpoints);
  endpoint_index_ = 0;
  return true;
}

std::shared_ptr<const common::channelconfig::ChannelConfig> Deliverer::CurrentConfig() const {
  std::lock_guard lock(mu_);
  return config_;
}

uint64_t Deliverer::next_block() const {
  std::lock_guard lock(mu_);
  return next_block_;
}

uint64_t Deliverer::attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

std::vector<OrdererEndpoint> Deliverer::endpoints() const {
  std::lock_guard lock(mu_);
  return endpoints_;
}

void Deliverer::Start() {
  thread_ = std::jthread([this] {
    const Status status = Run();
    if (!status.ok()) {
      Log(LogLevel::kError, fmt::format("block delivery for channel {} ended: {}",
                                        options_.channel_id, status.ToString()));
    }
  });
}

void Deliverer::Stop() {
  stop_.request_stop();
  {
    std::lock_guard lock(mu_);
    if (open_stream_ != nullptr) open_stream_->Cancel();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

Status Deliverer::Run() {
  const std::string& channel = options_.channel_id;
  std::stop_token stop = stop_.get_token();
  int failures = 0;
  std::chrono::milliseconds retry_total{0};
  while (!stop.stop_requested()) {
    if (failures > 0) {
      const auto delay =
          RetryDelay(failures, options_.initial_retry_delay, options_.max_retry_delay);
      retry_total += delay;
      if (retry_total > options_.max_retry_duration) {
        // blocksprovider.go: only a peer that may yield leadership gives up.
        if (options_.give_up_after_max_retry_duration) {
          Log(LogLevel::kWarn,
              fmt::format("channel {}: attempted to retry block delivery for more than "
                          "peer.deliveryclient.reconnectTotalTimeThreshold {} ms, giving up",
                          channel, options_.max_retry_duration.count()));
          return absl::UnavailableError(fmt::format(
              "channel {}: no orderer delivered blocks within reconnectTotalTimeThreshold {} ms",
              channel, options_.max_retry_duration.count()));
        }
        Log(LogLevel::kWarn, fmt::format("channel {}: peer is a static leader, ignoring "
                                         "peer.deliveryclient.reconnectTotalTimeThreshold",
                                         channel));
      }
      Log(LogLevel::kWarn,
          fmt::format("channel {}: disconnected from ordering service, attempt to re-connect "
                      "in {} ms",
                      channel, delay.count()));
      options_.sleeper->Sleep(delay, stop);
      if (stop.stop_requested()) break;
    }

    OrdererEndpoint endpoint;
    uint64_t next = 0;
    {
      std::lock_guard lock(mu_);
      if (endpoints_.empty()) {
        return absl::FailedPreconditionError(
            fmt::format("channel {}: the channel config names no orderer endpoints", channel));
      }
      // After a failure the next attempt goes to the next orderer (failover).
      if (failures > 0) endpoint_index_ = (endpoint_index_ + 1) % endpoints_.size();
      endpoint = endpoints_[endpoint_index_];
      next = next_block_;
      ++attempts_;
    }

    // blocksprovider.go createSeekInfo: from the ledger height to MaxUint64, waiting
    // for blocks not yet cut, signed by the peer with its TLS certificate hash.
    ::orderer::SeekInfo seek = common::protoutil::MakeSeekInfo(
        common::protoutil::SeekSpecified(next),
        common::protoutil::SeekSpecified(std::numeric_limits<uint64_t>::max()),
        ::orderer::SeekInfo::BLOCK_UNTIL_READY);
    common::protoutil::ChannelHeaderFields fields;
    fields.type = ::common::DELIVER_SEEK_INFO;
    fields.channel_id = channel;
    fields.tls_cert_hash = options_.tls_cert_hash;
    auto request =
        common::protoutil::CreateSignedEnvelope(fields, *options_.signer, seek.SerializeAsString());
    if (!request.ok()) {
      return absl::FailedPreconditionError(
          fmt::format("channel {}: could not create a signed Deliver SeekInfo message: {}", channel,
                      std::string(request.status().message())));
    }

    auto stream = options_.connector->Connect(endpoint, *request, stop);
    if (!stream.ok()) {
      Log(LogLevel::kWarn,
          fmt::format("channel {}: could not connect to ordering service {}: {}", channel,
                      endpoint.address, std::string(stream.status().message())));
      ++failures;
      continue;
    }
    {
      std::lock_guard lock(mu_);
      open_stream_ = stream->get();
      // Stop() requests before it looks at open_stream_: one of the two sees the other.
      if (stop.stop_requested()) (*stream)->Cancel();
    }
    Log(LogLevel::kInfo, fmt::format("channel {}: pulling blocks from {} starting at block {}",
                                     channel, endpoint.address, next));
    Receive(**stream, endpoint.address, &failures, &retry_total);
    {
      std::lock_guard lock(mu_);
      open_stream_ = nullptr;
    }
    (*stream)->Cancel();
  }
  return absl::OkStatus();
}

void Deliverer::Receive(DeliverStream& stream, const std::string& address, int* failures,
                        std::chrono::milliseconds* retry_total) {
  const std::string& channel = options_.channel_id;
  const std::stop_token stop = stop_.get_token();
  while (true) {
    auto response = stream.Recv();
    if (stop.stop_requested()) return;
    if (!response.ok()) {
      Log(LogLevel::kWarn,
          fmt::format("channel {}: error reading from the deliver stream of {}: {}", channel,
                      address, std::string(response.status().message())));
      ++*failures;
      return;
    }
    if (response->has_block()) {
      bool endpoints_changed = false;
      if (Status accepted = Accept(response->block(), &endpoints_changed); !accepted.ok()) {
        // A block that fails is never handed on; the connection is dropped and the
        // block asked for again, from the next orderer.
        Log(LogLevel::kWarn,
            fmt::format("channel {}: block {} from orderer {} rejected, disconnecting: {}", channel,
                        response->block().header().number(), address,
                        std::string(accepted.message())));
        ++*failures;
        return;
      }
      *failures = 0;
      *retry_total = std::chrono::milliseconds(0);
      if (endpoints_changed) {
        Log(LogLevel::kInfo, fmt::format("channel {}: ordering endpoints have been refreshed, "
                                         "reconnecting using the updated endpoints",
                                         channel));
        return;
      }
      continue;
    }
    if (response->Type_case() == ::orderer::DeliverResponse::kStatus) {
      // blocksprovider.go processMsg: every status ends the attempt; SUCCESS too, as a
      // seek to MaxUint64 never completes. The next attempt goes to another orderer.
      if (response->status() == ::common::SUCCESS) {
        Log(LogLevel::kWarn,
            fmt::format("channel {}: orderer {} sent SUCCESS for a seek that should never "
                        "complete",
                        channel, address));
      } else {
        Log(LogLevel::kWarn,
            fmt::format("channel {}: received bad status {} from orderer {}", channel,
                        ::common::Status_Name(response->status()), address));
      }
    } else {
      Log(LogLevel::kWarn,
          fmt::format("channel {}: orderer {} sent an unknown message type", channel, address));
    }
    ++*failures;
    return;
  }
}

Status Deliverer::Accept(const ::common::Block& block, bool* endpoints_changed) {
  std::shared_ptr<const common::channelconfig::ChannelConfig> config;
  uint64_t next = 0;
  std::string previous_hash;
  {
    std::lock_guard lock(mu_);
    config = config_;
    next = next_block_;
    previous_hash = previous_hash_;
  }
  const uint64_t number = block.header().number();
  if (number != next) {
    return absl::InvalidArgumentError(fmt::format("expected block {}, got block {}", next, number));
  }
  WEFT_RETURN_IF_ERROR(common::channelconfig::VerifyBlock(*config, block, previous_hash));
  // A config block that passed governs the blocks after it. It is read before it is
  // handed on, so a config the peer cannot load is never committed by this path.
  std::shared_ptr<const common::channelconfig::ChannelConfig> next_config;
  if (IsConfigBlock(block)) {
    WEFT_ASSIGN_OR_RETURN(auto contents, common::channelconfig::OpenConfigBlock(block));
    if (contents.channel_id != options_.channel_id) {
      return absl::InvalidArgumentError(
          fmt::format("config block {} is for channel {}", number, contents.channel_id));
    }
    auto loaded = common::channelconfig::ChannelConfig::FromConfig(
        contents.channel_id, contents.envelope.config(), config->ecdsa_counter());
    if (!loaded.ok()) {
      return Annotate(loaded.status(), fmt::format("loading the config of block {}", number));
    }
    next_config = *std::move(loaded);
  }
  if (Status handed = options_.handler->Deliver(block); !handed.ok()) {
    return Annotate(handed, fmt::format("block handler refused block {}", number));
  }
  std::lock_guard lock(mu_);
  ++next_block_;
  previous_hash_ = common::protoutil::BlockHeaderHash(block.header());
  if (next_config != nullptr) {
    config_ = next_config;
    const std::vector<std::string> before = Addresses(endpoints_);
    *endpoints_changed = SetEndpoints(*config_);
    if (*endpoints_changed) {
      Log(LogLevel::kInfo,
          fmt::format("channel {}: orderer endpoints after config block {}: {} (were {})",
                      options_.channel_id, number, fmt::join(Addresses(endpoints_), ", "),
                      fmt::join(before, ", ")));
    }
  }
  return absl::OkStatus();
}

}  // namespace weft::peer::deliver_client
