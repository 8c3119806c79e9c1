#include "orderer/consensus/kafka/impl/rdkafka.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

namespace weft::orderer::consensus::kafka::impl {
namespace {

[[nodiscard]] StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot read Kafka TLS file {}", path.string()));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

[[nodiscard]] StatusOr<Properties> CommonProperties(const common::config::KafkaSettings& settings,
                                                    const std::vector<std::string>& brokers) {
  if (brokers.empty()) return absl::InvalidArgumentError("no Kafka brokers configured");
  Properties properties;
  properties["bootstrap.servers"] = fmt::format("{}", fmt::join(brokers, ","));
  // Used only when the broker cannot tell its version (Kafka < 0.10).
  properties["broker.version.fallback"] = settings.version;
  if (settings.verbose) properties["debug"] = "broker,topic,msg";

  const bool tls = settings.tls.enabled;
  const bool sasl = settings.sasl_plain.enabled;
  properties["security.protocol"] =
      tls ? (sasl ? "sasl_ssl" : "ssl") : (sasl ? "sasl_plaintext" : "plaintext");
  if (tls) {
    // librdkafka takes one CA location; orderer.yaml allows several files.
    std::string roots;
    for (const auto& file : settings.tls.root_cas) {
      WEFT_ASSIGN_OR_RETURN(std::string pem, ReadFile(file));
      roots += pem;
      if (!pem.empty() && pem.back() != '\n') roots += '\n';
    }
    if (!roots.empty()) properties["ssl.ca.pem"] = roots;
    if (!settings.tls.certificate.empty()) {
      properties["ssl.certificate.location"] = settings.tls.certificate.string();
    }
    if (!settings.tls.private_key.empty()) {
      properties["ssl.key.location"] = settings.tls.private_key.string();
    }
  }
  if (sasl) {
    properties["sasl.mechanisms"] = "PLAIN";
    properties["sasl.username"] = settings.sasl_plain.user;
    properties["sasl.password"] = settings.sasl_plain.password;
  }
  return properties;
}

[[nodiscard]] StatusOr<Conf> MakeConf(const Properties& properties) {
  Conf conf(rd_kafka_conf_new());
  char error[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(
          fmt::format("Kafka client property {}: {}", name, static_cast<const char*>(error)));
    }
  }
  return conf;
}

[[nodiscard]] StatusOr<Client> NewClient(rd_kafka_type_t type, Conf conf) {
  char error[512];
  rd_kafka_t* client = rd_kafka_new(type, conf.get(), error, sizeof(error));
  if (client == nullptr) {
    return absl::InvalidArgumentError(
        fmt::format("creating Kafka {}: {}", type == RD_KAFKA_PRODUCER ? "producer" : "consumer",
                    static_cast<const char*>(error)));
  }
  conf.release();  // rd_kafka_new owns it on success
  return Client(client);
}

}  // namespace weft::orderer::consensus::kafka::impl
