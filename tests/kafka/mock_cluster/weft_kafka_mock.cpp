// weft-kafka-mock <topic>...: starts librdkafka's mock cluster (3 brokers on
// 127.0.0.1), creates each topic with 1 partition and replication 3, prints the
// bootstrap servers as one line, then applies commands read from stdin, answering
// each with "ok" or "error: <why>":
//   down <broker id>          the broker stops answering (keeps its leaderships)
//   up <broker id>
//   leader <topic> <broker id>  moves partition 0's leadership
//   produce-error <error code>  the next Produce request fails with that Kafka error
//                               code (e.g. 10, MSG_SIZE_TOO_LARGE)
// Exits on end of input (or SIGTERM).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>

namespace {

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
