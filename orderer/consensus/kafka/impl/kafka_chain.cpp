#include "orderer/consensus/kafka/impl/kafka_chain.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <string_view>
#include <utility>

namespace weft::orderer::consensus::kafka::impl {
namespace {

using std::chrono::steady_clock;

constexpr int kPollMs = 100;
// Extra wait beyond message.timeout.ms: librdkafka always reports by then.
constexpr auto kDeliveryReportGrace = std::chrono::seconds(10);
// A probe is one small message; waiting a whole retry.short_interval (a minute by
// default) would keep a recovered cluster out of service for that long.
constexpr auto kMaxProbeInterval = std::chrono::seconds(5);
constexpr int kAdminTimeoutMs = 5000;

std::chrono::milliseconds ProbeInterval(const KafkaConsenterOptions& options) {
  return std::min<std::chrono::milliseconds>(options.settings.retry.short_interval,
                                             kMaxProbeInterval);
}

[[nodiscard]] Status Unreachable(const std::string& channel, std::string_view reason) {
  return absl::UnavailableError(
      fmt::format("kafka cluster for channel {} is unreachable: {}", channel, reason));
}

// Errors about one message (the broker answered, and refused that message), as opposed
// to errors that say the partition cannot be written now.
bool IsMessageError(rd_kafka_resp_err_t error) {
  switch (error) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
      return true;
    default:
      return false;
  }
}

// Fabric's producer limit: Kafka's default socket.request.max.bytes (100 MiB) less 1 MiB
// of padding for request headers (kafka/config.go, newBrokerConfig).
constexpr int64_t kFabricMaxMessageBytes = 100 * 1024 * 1024 - 1024 * 1024;
// KafkaMessage wrapping (tag, length, config_seq, class, original_offset) and the
// Kafka record batch around one envelope take far less than this.
constexpr int64_t kFramingBytes = 64 * 1024;
// librdkafka's upper bound for message.max.bytes.
constexpr int64_t kLibrdkafkaMaxMessageBytes = 1000000000;
// receive.message.max.bytes must exceed fetch.max.bytes by at least 512 bytes.
constexpr int64_t kFetchResponseMargin = 1024 * 1024;

}  // namespace

int64_t MaxKafkaMessageBytes(uint32_t absolute_max_bytes) {
  return std::min(
      kLibrdkafkaMaxMessageBytes,
      std::max(kFabricMaxMessageBytes, static_cast<int64_t>(absolute_max_bytes) + kFramingBytes));
}

struct KafkaChain::Delivery {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;                                       // guarded by mu
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // guarded by mu
  size_t size = 0;                                         // guarded by mu
};

// The delivery opaque of every message the chain produces.
struct KafkaChain::Report {
  enum class Kind { kProbe, kTimeToCut, kSubmit, kResubmit };
  Kind kind;
  std::shared_ptr<Delivery> delivery;  // kSubmit: the waiting Order/Configure call
  std::string bytes;                   // kResubmit: produced again if delivery fails
};

StatusOr<std::unique_ptr<KafkaChain>> KafkaChain::Create(
    ConsenterSupport& support, const KafkaConsenterOptions& options,
    std::shared_ptr<common::log::Logger> logger, std::shared_ptr<ConnectivityBoard> board) {
  const std::string& channel = support.ChannelId();
  const auto config = support.ChannelConfig();
  if (!config->orderer() || config->orderer()->kafka_brokers.empty()) {
    return absl::FailedPreconditionError(
        fmt::format("channel {}: the channel config names no Kafka brokers", channel));
  }
  StatusOr<std::optional<::orderer::KafkaMetadata>> resume =
      ParseKafkaMetadata(support.LastConsenterMetadata());
  if (!resume.ok()) return Annotate(resume.status(), fmt::format("channel {}", channel));
  StatusOr<Properties> properties =
      CommonProperties(options.settings, config->orderer()->kafka_brokers);
  if (!properties.ok()) return Annotate(properties.status(), fmt::format("channel {}", channel));

  std::unique_ptr<KafkaChain> chain(
      new KafkaChain(support, options, std::move(logger), std::move(board), *std::move(resume)));
  WEFT_RETURN_IF_ERROR(Annotate(chain->Init(*properties), fmt::format("channel {}", channel)));
  return chain;
}

KafkaChain::KafkaChain(ConsenterSupport& support, const KafkaConsenterOptions& options,
                       std::shared_ptr<common::log::Logger> logger,
                       std::shared_ptr<ConnectivityBoard> board,
                       std::optional<::orderer::KafkaMetadata> resume)
    : support_(support),
      options_(options),
      logger_(std::move(logger)),
      board_(std::move(board)),
      topic_(support.ChannelId()),
      resume_(std::move(resume)),
      max_message_bytes_(
          MaxKafkaMessageBytes(support.ChannelConfig()->orderer()->batch_size.absolute_max_bytes)),
      reachability_(absl::UnavailableError(
          fmt::format("kafka cluster for channel {} is not reached yet", support.ChannelId()))) {
  // A chain restarted while a config message it re-submitted was in flight holds new
  // envelopes until that message is read back (Fabric's newChain).
  if (resume_ && HoldsIngressAt(*resume_)) {
    holding_ = true;
    held_for_offset_ = resume_->last_resubmitted_config_offset();
  }
  errored_.request_stop();  // not started yet
}

Status KafkaChain::Init(Properties common_properties) {
  // Fabric's Retry.ShortInterval: how often a lost broker is dialled again.
  common_properties["reconnect.backoff.max.ms"] = std::to_string(ProbeInterval(options_).count());
  Properties producer_properties = common_properties;
  // A SUCCESS at Broadcast must mean the envelope is durably in Kafka, written once.
  producer_properties["acks"] = "all";
  producer_properties["enable.idempotence"] = "true";
  producer_properties["message.timeout.ms"] = std::to_string(options_.delivery_timeout.count());
  producer_properties["linger.ms"] = "1";
  // An envelope of AbsoluteMaxBytes must fit (librdkafka's default is 1 MB).
  producer_properties["message.max.bytes"] = std::to_string(max_message_bytes_);
  WEFT_ASSIGN_OR_RETURN(Conf producer_conf, MakeConf(producer_properties));
  rd_kafka_conf_set_opaque(producer_conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(producer_conf.get(), &KafkaChain::OnDelivery);
  rd_kafka_conf_set_error_cb(producer_conf.get(), &KafkaChain::OnError);
  rd_kafka_conf_set_log_cb(producer_conf.get(), &KafkaChain::OnLog);
  WEFT_ASSIGN_OR_RETURN(producer_, NewClient(RD_KAFKA_PRODUCER, std::move(producer_conf)));

  Properties consumer_properties = common_properties;
  // librdkafka wants a group for assign(); nothing is ever committed to it: the
  // resume point lives in the blocks.
  consumer_properties["group.id"] = "weft-orderer." + topic_;
  consumer_properties["enable.auto.commit"] = "false";
  consumer_properties["enable.auto.offset.store"] = "false";
  consumer_properties["enable.partition.eof"] = "false";
  // A resume offset the partition no longer holds means lost messages: report it
  // rather than skip.
  consumer_properties["auto.offset.reset"] = "error";
  consumer_properties["fetch.wait.max.ms"] = "100";
  // Whatever the producers may write must also be readable.
  consumer_properties["fetch.message.max.bytes"] = std::to_string(max_message_bytes_);
  consumer_properties["fetch.max.bytes"] = std::to_string(max_message_bytes_);
  consumer_properties["receive.message.max.bytes"] =
      std::to_string(max_message_bytes_ + kFetchResponseMargin);
  WEFT_ASSIGN_OR_RETURN(Conf consumer_conf, MakeConf(consumer_properties));
  rd_kafka_conf_set_opaque(consumer_conf.get(), this);
  rd_kafka_conf_set_error_cb(consumer_conf.get(), &KafkaChain::OnError);
  rd_kafka_conf_set_log_cb(consumer_conf.get(), &KafkaChain::OnLog);
  WEFT_ASSIGN_OR_RETURN(consumer_, NewClient(RD_KAFKA_CONSUMER, std::move(consumer_conf)));
  return absl::OkStatus();
}

KafkaChain::~KafkaChain() {
  Halt();
  // librdkafka may still log while it shuts down; the members that logging uses
  // must outlive the clients.
  consumer_.reset();
  producer_.reset();
}

Status KafkaChain::Order(::common::Envelope envelope, uint64_t config_sequence) {
  return Submit(::orderer::KafkaMessageRegular::NORMAL, envelope, config_sequence);
}

Status KafkaChain::Configure(::common::Envelope config_envelope, uint64_t config_sequence) {
  return Submit(::orderer::KafkaMessageRegular::CONFIG, config_envelope, config_sequence);
}

Status KafkaChain::WaitReady() {
  std::unique_lock lock(mu_);
  // Fabric's WaitReady blocks until doneReprocessingMsgInFlight closes; here the wait
  // is bounded and ends early when the chain halts.
  const bool released = ingress_cv_.wait_for(lock, options_.hold_timeout,
                                             [&] { return halted_.load() || !holding_; });
  if (halted_) {
    return absl::UnavailableError(fmt::format("kafka chain for channel {} is halted", topic_));
  }
  if (!released) {
    return absl::UnavailableError(fmt::format(
        "kafka chain for channel {} holds new envelopes until the config message re-submitted "
        "from offset {} is ordered; still waiting after {} ms",
        topic_, held_for_offset_, options_.hold_timeout.count()));
  }
  if (!failure_.ok()) return failure_;
  return reachability_;
}

std::stop_token KafkaChain::Errored() const {
  std::lock_guard lock(mu_);
  return errored_.get_token();
}

void KafkaChain::Start() {
  {
    // /healthz reports the chain as unreachable until its first probe gets through.
    std::lock_guard lock(mu_);
    started_ = true;
    board_->Post(this, topic_, reachability_);
  }
  producer_thread_ = std::jthread([this](std::stop_token stop) { ProducerLoop(stop); });
  consumer_thread_ = std::jthread([this](std::stop_token stop) { ConsumerLoop(stop); });
}

void KafkaChain::Halt() {
  if (halted_.exchange(true)) return;
  {
    std::lock_guard lock(mu_);
    UpdateErroredLocked();
    ingress_cv_.notify_all();
  }
  if (consumer_thread_.joinable()) {
    consumer_thread_.request_stop();
    consumer_thread_.join();
  }
  // Fails whatever is still queued, so that Submit callers get Unavailable now.
  if (producer_)
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  if (producer_thread_.joinable()) {
    producer_thread_.request_stop();
    producer_thread_.join();
  }
  if (producer_) rd_kafka_flush(producer_.get(), kAdminTimeoutMs);  // serves the reports
  if (consumer_) rd_kafka_consumer_close(consumer_.get());
  board_->Remove(this);
}

Status KafkaChain::Submit(::orderer::KafkaMessageRegular::Class message_class,
                          const ::common::Envelope& envelope, uint64_t config_sequence) {
  WEFT_RETURN_IF_ERROR(WaitReady());
  ::orderer::KafkaMessage message;
  auto* regular = message.mutable_regular();
  regular->set_payload(envelope.SerializeAsString());
  regular->set_config_seq(config_sequence);
  regular->set_class_(message_class);
  auto delivery = std::make_shared<Delivery>();
  // Owned by the delivery report, which librdkafka always makes (at the latest when
  // message.timeout.ms expires or the message is purged).
  auto* report = new Report{Report::Kind::kSubmit, delivery, {}};
  if (Status queued = Enqueue(message.SerializeAsString(), report); !queued.ok()) {
    delete report;
    return queued;
  }
  std::unique_lock lock(delivery->mu);
  if (!delivery->done_cv.wait_for(lock, options_.delivery_timeout + kDeliveryReportGrace,
                                  [&] { return delivery->done; })) {
    return Unreachable(topic_, "no delivery report");
  }
  if (delivery->error == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  if (IsMessageError(delivery->error)) {
    // The broker refused this message only; the chain goes on.
    return absl::InvalidArgumentError(fmt::format(
        "channel {}: kafka refused the {}-byte message carrying a {}-byte envelope: {}", topic_,
        delivery->size, regular->payload().size(), rd_kafka_err2str(delivery->error)));
  }
  return Unreachable(topic_, rd_kafka_err2str(delivery->error));
}

Status KafkaChain::Enqueue(const std::string& bytes, Report* report) {
  rd_kafka_vu_t values[5];
  values[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  values[0].u.cstr = topic_.c_str();
  values[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  values[1].u.i32 = 0;
  values[2].vtype = RD_KAFKA_VTYPE_VALUE;
  values[2].u.mem.ptr = const_cast<char*>(bytes.data());
  values[2].u.mem.size = bytes.size();
  values[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  values[3].u.i = RD_KAFKA_MSG_F_COPY;
  values[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  values[4].u.ptr = report;
  rd_kafka_error_t* error = rd_kafka_produceva(producer_.get(), values, 5);
  if (error == nullptr) return absl::OkStatus();
  Status status;
  if (rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
    status = absl::InvalidArgumentError(fmt::format(
        "channel {}: the {}-byte kafka message is larger than the producer's limit of {} bytes",
        topic_, bytes.size(), max_message_bytes_));
  } else {
    status = Unreachable(topic_, rd_kafka_error_string(error));
  }
  rd_kafka_error_destroy(error);
  return status;
}

void KafkaChain::Resubmit(const ::orderer::KafkaMessage& message) {
  std::string bytes = message.SerializeAsString();
  auto* report = new Report{Report::Kind::kResubmit, nullptr, bytes};
  Status queued = Enqueue(bytes, report);
  if (queued.ok()) return;
  delete report;
  if (queued.code() == absl::StatusCode::kInvalidArgument) {
    logger_->Error("channel {}: dropping the message re-submitted from offset {}: {}", topic_,
                   message.regular().original_offset(), std::string(queued.message()));
    return;
  }
  std::lock_guard lock(mu_);
  to_resubmit_.push_back(std::move(bytes));
}

void KafkaChain::HoldIngress(bool hold, int64_t config_offset) {
  std::lock_guard lock(mu_);
  if (hold != holding_) {
    logger_->Info("channel {}: {} new envelopes for the config message re-submitted from offset {}",
                  topic_, hold ? "holding" : "accepting", config_offset);
  }
  holding_ = hold;
  held_for_offset_ = config_offset;
  ingress_cv_.notify_all();
}

void KafkaChain::RetryResubmissions() {
  std::vector<std::string> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(to_resubmit_);
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    auto* report = new Report{Report::Kind::kResubmit, nullptr, pending[i]};
    if (Status queued = Enqueue(pending[i], report); !queued.ok()) {
      delete report;
      std::lock_guard lock(mu_);
      to_resubmit_.insert(to_resubmit_.begin(), pending.begin() + static_cast<ptrdiff_t>(i),
                          pending.end());
      return;
    }
  }
}

void KafkaChain::SetReachability(Status status) {
  std::lock_guard lock(mu_);
  if (status.ok() != reachability_.ok()) {
    if (status.ok()) {
      logger_->Info("channel {}: kafka partition is writable", topic_);
    } else {
      logger_->Warn("{}", std::string(status.message()));
    }
  }
  reachability_ = std::move(status);
  UpdateErroredLocked();
  if (!halted_ && failure_.ok()) board_->Post(this, topic_, reachability_);
}

void KafkaChain::SetConsumerError(Status status) {
  std::lock_guard lock(mu_);
  if (status.ok() == consumer_error_.ok()) return;
  if (status.ok()) {
    logger_->Info("channel {}: reading partition 0 again", topic_);
  } else {
    logger_->Warn("{}", std::string(status.message()));
  }
  consumer_error_ = std::move(status);
  UpdateErroredLocked();
}

void KafkaChain::Fail(Status failure) {
  logger_->Error("channel {} stopped ordering: {}", topic_, std::string(failure.message()));
  std::lock_guard lock(mu_);
  failure_ = std::move(failure);
  UpdateErroredLocked();
  if (!halted_) board_->Post(this, topic_, failure_);
}

void KafkaChain::UpdateErroredLocked() {
  const bool healthy =
      started_ && !halted_ && failure_.ok() && reachability_.ok() && consumer_error_.ok();
  if (!healthy) {
    errored_.request_stop();
  } else if (errored_.stop_requested()) {
    errored_ = std::stop_source();  // recovered: tokens taken from now on are fresh
  }
}

void KafkaChain::ProducerLoop(std::stop_token stop) {
  EnsureTopic();
  const auto probe_interval = ProbeInterval(options_);
  auto next_probe = steady_clock::now();
  auto next_retry = steady_clock::now();
  while (!stop.stop_requested()) {
    rd_kafka_poll(producer_.get(), kPollMs);
    bool reachable;
    {
      std::lock_guard lock(mu_);
      reachable = reachability_.ok();
    }
    const auto now = steady_clock::now();
    if (reachable && now >= next_retry) {
      next_retry = now + probe_interval;
      RetryResubmissions();
    }
    if ((reachable && !probe_wanted_) || probe_in_flight_ || now < next_probe) continue;
    // Fabric posts a CONNECT message to learn that the partition takes writes, and to
    // give a consumer that reported errors something to read.
    ::orderer::KafkaMessage connect;
    connect.mutable_connect();
    probe_in_flight_ = true;
    probe_wanted_ = false;
    next_probe = now + probe_interval;
    auto* report = new Report{Report::Kind::kProbe, nullptr, {}};
    if (Status queued = Enqueue(connect.SerializeAsString(), report); !queued.ok()) {
      delete report;
      probe_in_flight_ = false;
      SetReachability(queued);
    }
  }
}

void KafkaChain::ConsumerLoop(std::stop_token stop) {
  PartitionList partitions(rd_kafka_topic_partition_list_new(1));
  const std::optional<int64_t> resume_offset =
      resume_ ? std::optional<int64_t>(resume_->last_offset_persisted() + 1) : std::nullopt;
  rd_kafka_topic_partition_list_add(partitions.get(), topic_.c_str(), 0)->offset =
      resume_offset.value_or(RD_KAFKA_OFFSET_BEGINNING);
  if (rd_kafka_resp_err_t error = rd_kafka_assign(consumer_.get(), partitions.get())) {
    Fail(absl::InternalError(
        fmt::format("channel {}: cannot read partition 0: {}", topic_, rd_kafka_err2str(error))));
    return;
  }
  logger_->Info("channel {}: reading partition 0 from {}", topic_,
                resume_offset ? std::to_string(*resume_offset) : std::string("the beginning"));

  MessageProcessor processor(support_, *logger_, *this, resume_);
  while (!stop.stop_requested()) {
    Message message(rd_kafka_consumer_poll(consumer_.get(), kPollMs));
    const auto now = steady_clock::now();
    if (message && message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Fabric's errorChan: Deliver refuses while consumption fails; a CONNECT message
      // gives the consumer something to read once the partition is back.
      SetConsumerError(absl::UnavailableError(fmt::format(
          "channel {}: reading partition 0: {}", topic_, rd_kafka_message_errstr(message.get()))));
      probe_wanted_ = true;
    } else if (message) {
      SetConsumerError(absl::OkStatus());
      ::orderer::KafkaMessage decoded;
      if (!decoded.ParseFromArray(message->payload, static_cast<int>(message->len))) {
        logger_->Warn("channel {}: skipping offset {}: not a KafkaMessage", topic_,
                      message->offset);
      } else if (Status handled = processor.Handle(message->offset, decoded, now); !handled.ok()) {
        Fail(handled);
        return;
      }
    }
    if (std::optional<uint64_t> block = processor.TimeToCutDue(now)) {
      ::orderer::KafkaMessage time_to_cut;
      time_to_cut.mutable_time_to_cut()->set_block_number(*block);
      // Not waited for: a lost request is repeated after another BatchTimeout.
      auto* report = new Report{Report::Kind::kTimeToCut, nullptr, {}};
      if (Status queued = Enqueue(time_to_cut.SerializeAsString(), report); !queued.ok()) {
        delete report;
        logger_->Debug("channel {}: time-to-cut for block {} not sent: {}", topic_, *block,
                       std::string(queued.message()));
      }
    }
  }
}

void KafkaChain::EnsureTopic() {
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_resp_err_t error =
          rd_kafka_metadata(producer_.get(), 1, nullptr, &metadata, kAdminTimeoutMs)) {
    logger_->Warn("channel {}: cannot list Kafka topics: {}", topic_, rd_kafka_err2str(error));
    return;
  }
  bool exists = false;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    exists = exists || topic_ == metadata->topics[i].topic;
  }
  rd_kafka_metadata_destroy(metadata);
  if (exists) return;

  // One partition: the whole channel is one ordered sequence.
  char error[512];
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(
      topic_.c_str(), 1, options_.settings.topic_replication_factor, error, sizeof(error));
  if (new_topic == nullptr) {
    logger_->Warn("channel {}: cannot describe topic: {}", topic_, static_cast<const char*>(error));
    return;
  }
  // The brokers' default (about 1 MB) would refuse envelopes the channel allows.
  if (rd_kafka_resp_err_t config_error = rd_kafka_NewTopic_set_config(
          new_topic, "max.message.bytes", std::to_string(max_message_bytes_).c_str())) {
    logger_->Warn("channel {}: cannot set the topic's max.message.bytes: {}", topic_,
                  rd_kafka_err2str(config_error));
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(producer_.get());
  rd_kafka_CreateTopics(producer_.get(), &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 2 * kAdminTimeoutMs);
  std::string outcome = "no answer";
  if (event != nullptr) {
    outcome = rd_kafka_event_error(event) ? rd_kafka_event_error_string(event) : "created";
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      rd_kafka_resp_err_t topic_error = rd_kafka_topic_result_error(results[i]);
      if (topic_error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        outcome = "already exists";
      } else if (topic_error) {
        outcome = rd_kafka_err2str(topic_error);
      }
    }
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  logger_->Info("channel {}: creating its topic: {}", topic_, outcome);
}

void KafkaChain::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* chain = static_cast<KafkaChain*>(opaque);
  std::unique_ptr<Report> report(static_cast<Report*>(message->_private));
  const rd_kafka_resp_err_t error = message->err;
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    chain->SetReachability(absl::OkStatus());
  } else if (!IsMessageError(error)) {
    chain->SetReachability(Unreachable(chain->topic_, rd_kafka_err2str(error)));
  }
  if (report == nullptr) return;
  switch (report->kind) {
    case Report::Kind::kProbe:
      chain->probe_in_flight_ = false;
      break;
    case Report::Kind::kTimeToCut:
      break;
    case Report::Kind::kSubmit: {
      Delivery& delivery = *report->delivery;
      std::lock_guard lock(delivery.mu);
      delivery.done = true;
      delivery.error = error;
      delivery.size = message->len;
      delivery.done_cv.notify_all();
      break;
    }
    case Report::Kind::kResubmit:
      if (error == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (chain->halted_ || IsMessageError(error)) {
        chain->logger_->Error("channel {}: a re-submitted message was not written: {}",
                              chain->topic_, rd_kafka_err2str(error));
        break;
      }
      {
        // Sent again by the producer thread once the partition takes writes.
        std::lock_guard lock(chain->mu_);
        chain->to_resubmit_.push_back(std::move(report->bytes));
      }
      break;
  }
}

void KafkaChain::OnError(rd_kafka_t*, int error, const char* reason, void* opaque) {
  auto* chain = static_cast<KafkaChain*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    chain->SetReachability(Unreachable(chain->topic_, reason));
    return;
  }
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    // The idempotent producer cannot guarantee exactly-once any more (librdkafka
    // refuses further messages); only a restart of the chain recovers.
    chain->Fail(absl::InternalError(
        fmt::format("channel {}: kafka producer failed: {}", chain->topic_, reason)));
    return;
  }
  chain->logger_->Warn("channel {}: kafka client: {}: {}", chain->topic_, rd_kafka_err2str(code),
                       reason);
}

void KafkaChain::OnLog(const rd_kafka_t* client, int level, const char* facility,
                       const char* line) {
  auto* chain = static_cast<KafkaChain*>(rd_kafka_opaque(client));
  // syslog levels: 0-4 emergency..warning, 5-6 notice/info, 7 debug.
  const auto weft_level = level <= 4   ? common::log::LogLevel::kWarn
                          : level <= 6 ? common::log::LogLevel::kInfo
                                       : common::log::LogLevel::kDebug;
  chain->logger_->Log(weft_level, "channel {}: librdkafka {}: {}", chain->topic_, facility, line);
}

}  // namespace weft::orderer::consensus::kafka::impl
