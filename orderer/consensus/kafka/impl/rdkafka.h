// RAII owners for librdkafka's C handles and the client configuration every Kafka
// client of a channel shares (brokers, TLS, SASL, broker version).
// Thread-safety: the functions are stateless; rd_kafka_t itself is thread-safe.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/orderer_config.h"
#include "common/status/status.h"

namespace weft::orderer::consensus::kafka::impl {

struct ClientDeleter {
  void operator()(rd_kafka_t* client) const { rd_kafka_destroy(client); }
};
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

using Properties = std::map<std::string, std::string>;

// bootstrap.servers plus the security settings of orderer.yaml's Kafka section. Errors:
// InvalidArgument when `brokers` is empty, NotFound when a TLS root CA file is missing.
[[nodiscard]] StatusOr<Properties> CommonProperties(const common::config::KafkaSettings& settings,
                                                    const std::vector<std::string>& brokers);

// Errors: InvalidArgument naming the property librdkafka rejected.
[[nodiscard]] StatusOr<Conf> MakeConf(const Properties& properties);

// Creates a producer or consumer from `conf` (consumed either way).
[[nodiscard]] StatusOr<Client> NewClient(rd_kafka_type_t type, Conf conf);

}  // namespace weft::orderer::consensus::kafka::impl
