#include "orderer/consensus/kafka/impl/kafka_chain.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <string_view>
#include <utility>

#include "orderer/consensus/kafka/impl/message_processor.h"

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

}  // namespace

struct KafkaChain::Delivery {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;                                       // guarded by mu
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // guarded by mu
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
  StatusOr<std::optional<int64_t>> resume = ResumeOffset(support.LastConsenterMetadata());
  if (!resume.ok()) return Annotate(resume.status(), fmt::format("channel {}", channel));
  StatusOr<Properties> properties =
      CommonProperties(options.settings, config->orderer()->kafka_brokers);
  if (!properties.ok()) return Annotate(properties.status(), fmt::format("channel {}", channel));

  std::unique_ptr<KafkaChain> chain(
      new KafkaChain(support, options, std::move(logger), std::move(board), *resume));
  WEFT_RETURN_IF_ERROR(Annotate(chain->Init(*properties), fmt::format("channel {}", channel)));
  return chain;
}

KafkaChain::KafkaChain(ConsenterSupport& support, const KafkaConsenterOptions& options,
                       std::shared_ptr<common::log::Logger> logger,
                       std::shared_ptr<ConnectivityBoard> board,
                       std::optional<int64_t> resume_offset)
    : support_(support),
      options_(options),
      logger_(std::move(logger)),
      board_(std::move(board)),
      topic_(support.ChannelId()),
      resume_offset_(resume_offset),
      reachability_(absl::UnavailableError(
          fmt::format("kafka cluster for channel {} is not reached yet", support.ChannelId()))) {}

Status KafkaChain::Init(Properties common_properties) {
  // Fabric's Retry.ShortInterval: how often a lost broker is dialled again.
  common_properties["reconnect.backoff.max.ms"] = std::to_string(ProbeInterval(options_).count());
  Properties producer_properties = common_properties;
  // A SUCCESS at Broadcast must mean the envelope is durably in Kafka, written once.
  producer_properties["acks"] = "all";
  producer_properties["enable.idempotence"] = "true";
  producer_properties["message.timeout.ms"] = std::to_string(options_.delivery_timeout.count());
  producer_properties["linger.ms"] = "1";
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
  if (halted_) {
    return absl::UnavailableError(fmt::format("kafka chain for channel {} is halted", topic_));
  }
  std::lock_guard lock(mu_);
  if (!failure_.ok()) return failure_;
  return reachability_;
}

void KafkaChain::Start() {
  {
    // /healthz reports the chain as unreachable until its first probe gets through.
    std::lock_guard lock(mu_);
    board_->Post(this, topic_, reachability_);
  }
  producer_thread_ = std::jthread([this](std::stop_token stop) { ProducerLoop(stop); });
  consumer_thread_ = std::jthread([this](std::stop_token stop) { ConsumerLoop(stop); });
}

void KafkaChain::Halt() {
  if (halted_.exchange(true)) return;
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
  auto* opaque = new std::shared_ptr<Delivery>(delivery);
  if (Status queued = Enqueue(message, opaque); !queued.ok()) {
    delete opaque;
    return queued;
  }
  std::unique_lock lock(delivery->mu);
  if (!delivery->done_cv.wait_for(lock, options_.delivery_timeout + kDeliveryReportGrace,
                                  [&] { return delivery->done; })) {
    return Unreachable(topic_, "no delivery report");
  }
  if (delivery->error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unreachable(topic_, rd_kafka_err2str(delivery->error));
  }
  return absl::OkStatus();
}

Status KafkaChain::Enqueue(const ::orderer::KafkaMessage& message, void* delivery_opaque) {
  std::string bytes = message.SerializeAsString();
  rd_kafka_vu_t values[5];
  values[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  values[0].u.cstr = topic_.c_str();
  values[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  values[1].u.i32 = 0;
  values[2].vtype = RD_KAFKA_VTYPE_VALUE;
  values[2].u.mem.ptr = bytes.data();
  values[2].u.mem.size = bytes.size();
  values[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  values[3].u.i = RD_KAFKA_MSG_F_COPY;
  values[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  values[4].u.ptr = delivery_opaque;
  rd_kafka_error_t* error = rd_kafka_produceva(producer_.get(), values, 5);
  if (error == nullptr) return absl::OkStatus();
  Status status = Unreachable(topic_, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  return status;
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
  if (!halted_ && failure_.ok()) board_->Post(this, topic_, reachability_);
}

void KafkaChain::Fail(Status failure) {
  logger_->Error("channel {} stopped ordering: {}", topic_, std::string(failure.message()));
  std::lock_guard lock(mu_);
  failure_ = std::move(failure);
  if (!halted_) board_->Post(this, topic_, failure_);
}

void KafkaChain::ProducerLoop(std::stop_token stop) {
  EnsureTopic();
  const auto probe_interval = ProbeInterval(options_);
  auto next_probe = steady_clock::now();
  while (!stop.stop_requested()) {
    rd_kafka_poll(producer_.get(), kPollMs);
    bool reachable;
    {
      std::lock_guard lock(mu_);
      reachable = reachability_.ok();
    }
    const auto now = steady_clock::now();
    if (reachable || probe_in_flight_ || now < next_probe) continue;
    // Fabric posts a CONNECT message to learn that the partition takes writes.
    ::orderer::KafkaMessage connect;
    connect.mutable_connect();
    probe_in_flight_ = true;
    next_probe = now + probe_interval;
    if (Status queued = Enqueue(connect, const_cast<char*>(&probe_tag_)); !queued.ok()) {
      probe_in_flight_ = false;
      SetReachability(queued);
    }
  }
}

void KafkaChain::ConsumerLoop(std::stop_token stop) {
  PartitionList partitions(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(partitions.get(), topic_.c_str(), 0)->offset =
      resume_offset_.value_or(RD_KAFKA_OFFSET_BEGINNING);
  if (rd_kafka_resp_err_t error = rd_kafka_assign(consumer_.get(), partitions.get())) {
    Fail(absl::InternalError(
        fmt::format("channel {}: cannot read partition 0: {}", topic_, rd_kafka_err2str(error))));
    return;
  }
  logger_->Info("channel {}: reading partition 0 from {}", topic_,
                resume_offset_ ? std::to_string(*resume_offset_) : std::string("the beginning"));

  MessageProcessor processor(support_, *logger_);
  while (!stop.stop_requested()) {
    Message message(rd_kafka_consumer_poll(consumer_.get(), kPollMs));
    const auto now = steady_clock::now();
    if (message && message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      logger_->Warn("channel {}: reading partition 0: {}", topic_,
                    rd_kafka_message_errstr(message.get()));
    } else if (message) {
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
      if (Status queued = Enqueue(time_to_cut, nullptr); !queued.ok()) {
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
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    chain->SetReachability(absl::OkStatus());
  } else {
    chain->SetReachability(Unreachable(chain->topic_, rd_kafka_err2str(message->err)));
  }
  if (message->_private == &chain->probe_tag_) {
    chain->probe_in_flight_ = false;
  } else if (message->_private != nullptr) {
    std::unique_ptr<std::shared_ptr<Delivery>> owner(
        static_cast<std::shared_ptr<Delivery>*>(message->_private));
    Delivery& delivery = **owner;
    std::lock_guard lock(delivery.mu);
    delivery.done = true;
    delivery.error = message->err;
    delivery.done_cv.notify_all();
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
