// weft-kafka-mock <topic>...: starts librdkafka's mock cluster (3 brokers on
// 127.0.0.1), creates each topic with 1 partition and replication 3, prints the
// bootstrap servers as one line, then applies commands read from stdin, answering
// each with "ok" or "error: <why>":
//   down <broker id>          the broker stops answering (keeps its leaderships)
//   up <broker id>
//   leader <topic> <broker id>  moves partition 0's leadership
//   produce-error <error code>  the next Produce request fails with that Kafka error
//                               code (e.g. 10, MSG_SIZE_TOO_LARGE)
//   produce <topic> <hex>       writes one record (value = the hex-decoded bytes) to
//                               partition 0, as a client of the cluster would; answers
//                               once the brokers acknowledged it
// Exits on end of input (or SIGTERM).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>

namespace {

bool FromHex(const std::string& hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  bytes->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    std::istringstream digits(hex.substr(i, 2));
    if (!(digits >> std::hex >> value)) return false;
    bytes->push_back(static_cast<char>(value));
  }
  return true;
}

void RecordDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  *static_cast<rd_kafka_resp_err_t*>(opaque) = message->err;
}

// One record produced through a client of the cluster, waiting for its acknowledgement.
std::string Produce(rd_kafka_mock_cluster_t* cluster, const std::string& topic,
                    const std::string& value) {
  char error[512];
  rd_kafka_resp_err_t delivered = RD_KAFKA_RESP_ERR__IN_PROGRESS;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(cluster), error,
                        sizeof(error)) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "acks", "all", error, sizeof(error)) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return std::string("error: ") + error;
  }
  rd_kafka_conf_set_opaque(conf, &delivered);
  rd_kafka_conf_set_dr_msg_cb(conf, RecordDelivery);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (producer == nullptr) return std::string("error: ") + error;
  rd_kafka_resp_err_t queued =
      rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (queued == RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_flush(producer, 30000);
  rd_kafka_destroy(producer);
  if (queued != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::string("error: ") + rd_kafka_err2str(queued);
  }
  if (delivered != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::string("error: ") + rd_kafka_err2str(delivered);
  }
  return "ok";
}

std::string Apply(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream words(line);
  std::string verb;
  words >> verb;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  int32_t broker = -1;
  if (verb == "down" || verb == "up") {
    if (!(words >> broker)) return "error: usage: " + verb + " <broker id>";
    error = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, broker)
                           : rd_kafka_mock_broker_set_up(cluster, broker);
  } else if (verb == "leader") {
    std::string topic;
    if (!(words >> topic >> broker)) return "error: usage: leader <topic> <broker id>";
    error = rd_kafka_mock_partition_set_leader(cluster, topic.c_str(), 0, broker);
  } else if (verb == "produce-error") {
    int code = 0;
    if (!(words >> code)) return "error: usage: produce-error <error code>";
    const auto injected = static_cast<rd_kafka_resp_err_t>(code);
    // ApiKey 0 is ProduceRequest.
    rd_kafka_mock_push_request_errors_array(cluster, 0, 1, &injected);
  } else if (verb == "produce") {
    std::string topic;
    std::string hex;
    std::string value;
    if (!(words >> topic >> hex) || !FromHex(hex, &value)) {
      return "error: usage: produce <topic> <hex bytes>";
    }
    return Produce(cluster, topic, value);
  } else {
    return "error: unknown command '" + verb + "'";
  }
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) return std::string("error: ") + rd_kafka_err2str(error);
  return "ok";
}

}  // namespace

int main(int argc, char** argv) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock cluster; it never connects anywhere.
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (host == nullptr) {
    std::cerr << "weft-kafka-mock: " << error << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, 3);
  if (cluster == nullptr) {
    std::cerr << "weft-kafka-mock: cannot start the mock cluster\n";
    rd_kafka_destroy(host);
    return 1;
  }
  for (int i = 1; i < argc; ++i) {
    if (rd_kafka_resp_err_t failed = rd_kafka_mock_topic_create(cluster, argv[i], 1, 3)) {
      std::cerr << "weft-kafka-mock: creating topic " << argv[i] << ": " << rd_kafka_err2str(failed)
                << "\n";
      return 1;
    }
  }
  std::cout << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;

  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::cout << Apply(cluster, line) << std::endl;
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(host);
  return 0;
}
