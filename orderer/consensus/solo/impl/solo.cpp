#include "orderer/consensus/solo/solo.h"

#include <atomic>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include "common/concurrency/blocking_queue.h"

namespace weft::orderer::consensus::solo {
namespace {

using common::concurrency::Clock;

class SoloChain final : public Chain {
 public:
  SoloChain(ConsenterSupport& support, const Clock& clock, std::chrono::milliseconds tick,
            std::shared_ptr<common::log::Logger> logger)
      : support_(support), clock_(clock), tick_(tick), logger_(std::move(logger)) {}

  ~SoloChain() override { Halt(); }

  [[nodiscard]] Status Order(::common::Envelope envelope, uint64_t config_sequence) override {
    return Enqueue({std::move(envelope), config_sequence, /*is_config=*/false});
  }
  [[nodiscard]] Status Configure(::common::Envelope config_envelope,
                                 uint64_t config_sequence) override {
    return Enqueue({std::move(config_envelope), config_sequence, /*is_config=*/true});
  }
  [[nodiscard]] Status WaitReady() override {
    if (queue_.closed()) return Halted();
    return absl::OkStatus();
  }

  void Start() override {
    std::lock_guard lock(lifecycle_mu_);
    if (started_ || queue_.closed()) return;
    started_ = true;
    thread_ = std::jthread([this] { Run(); });
  }

  void Halt() override {
    std::lock_guard lock(lifecycle_mu_);
    queue_.Close();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Message {
    ::common::Envelope envelope;
    uint64_t config_sequence = 0;
    bool is_config = false;
  };

  [[nodiscard]] Status Halted() const {
    return absl::UnavailableError("the solo chain of channel " + support_.ChannelId() +
                                  " is halted");
  }

  [[nodiscard]] Status Enqueue(Message message) {
    if (!queue_.Push(std::move(message))) return Halted();
    return absl::OkStatus();
  }

  void Run() {
    while (true) {
      std::optional<Message> message = deadline_ ? queue_.PopFor(tick_) : queue_.Pop();
      if (message) {
        if (message->is_config) {
          ProcessConfig(std::move(*message));
        } else {
          ProcessNormal(std::move(*message));
        }
      } else if (queue_.closed()) {
        break;
      }
      if (deadline_ && clock_.Now() >= *deadline_) {
        deadline_.reset();
        CutPending("batch timer expired");
      }
    }
    // Envelopes already acknowledged at broadcast are not dropped at shutdown.
    CutPending("chain halting");
  }

  void ProcessNormal(Message message) {
    if (message.config_sequence < support_.ChannelConfig()->sequence()) {
      if (auto revalidated = support_.RevalidateNormal(message.envelope); !revalidated.ok()) {
        Warn("discarding a message invalid under the new config", revalidated.status());
        return;
      }
    }
    BlockCutter::OrderedResult result = support_.Cutter().Ordered(std::move(message.envelope));
    for (auto& batch : result.batches) Write(std::move(batch));
    if (!result.pending) {
      deadline_.reset();
    } else if (!deadline_) {
      deadline_ = clock_.Now() + support_.ChannelConfig()->orderer()->batch_timeout;
    }
  }

  void ProcessConfig(Message message) {
    if (message.config_sequence < support_.ChannelConfig()->sequence()) {
      auto revalidated = support_.RevalidateConfig(message.envelope);
      if (!revalidated.ok()) {
        Warn("discarding a config message invalid under the new config", revalidated.status());
        return;
      }
      message.envelope = *std::move(revalidated);
    }
    CutPending("config message arrived");
    deadline_.reset();
    if (Status written = support_.WriteConfigBlock(std::move(message.envelope), {});
        !written.ok()) {
      Error("writing a config block", written);
    }
  }

  void CutPending(const char* why) {
    std::vector<::common::Envelope> batch = support_.Cutter().Cut();
    if (batch.empty()) return;
    if (logger_)
      logger_->Debug("[channel: {}] cutting {} envelopes: {}", support_.ChannelId(), batch.size(),
                     why);
    Write(std::move(batch));
  }

  void Write(std::vector<::common::Envelope> batch) {
    if (Status written = support_.WriteBlock(std::move(batch), {}); !written.ok()) {
      Error("writing a block", written);
    }
  }

  void Warn(const char* what, const Status& status) {
    if (logger_) {
      logger_->Warn("[channel: {}] {}: {}", support_.ChannelId(), what,
                    std::string(status.message()));
    }
  }
  void Error(const char* what, const Status& status) {
    if (logger_) {
      logger_->Error("[channel: {}] {} failed: {}", support_.ChannelId(), what,
                     std::string(status.message()));
    }
  }

  ConsenterSupport& support_;
  const Clock& clock_;
  const std::chrono::milliseconds tick_;
  const std::shared_ptr<common::log::Logger> logger_;
  common::concurrency::BlockingQueue<Message> queue_;

  std::mutex lifecycle_mu_;
  bool started_ = false;  // guarded by lifecycle_mu_
  std::jthread thread_;   // guarded by lifecycle_mu_

  // Ordering thread only.
  std::optional<Clock::TimePoint> deadline_;
};

}  // namespace

SoloConsenter::SoloConsenter(SoloOptions options) : options_(std::move(options)) {}

StatusOr<std::unique_ptr<Chain>> SoloConsenter::HandleChain(ConsenterSupport& support) {
  const Clock& clock = options_.clock != nullptr ? *options_.clock : system_clock_;
  return std::unique_ptr<Chain>(
      std::make_unique<SoloChain>(support, clock, options_.timer_tick, options_.logger));
}

}  // namespace weft::orderer::consensus::solo
