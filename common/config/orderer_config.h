// OrdererConfig: orderer.yaml as typed structs, with Fabric v2.5's orderer defaults as the
// member initialisers below (the one place they live). Keys and sections follow Fabric's
// orderer.yaml; settings Weft does not implement (Cluster, BCCSP, Debug, Consensus, ...)
// are reported by LoadOrdererConfig as unknown keys rather than rejected.
// Thread-safety: plain values; LoadOrdererConfig is safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/config/metrics_settings.h"
#include "common/config/reader.h"
#include "common/settings/settings.h"
#include "common/status/status.h"

namespace weft::common::config {

struct OrdererGeneralSettings {
  // General.ListenAddress and General.ListenPort joined as "host:port", plus General.TLS,
  // General.Keepalive and General.Max{Recv,Send}MsgSize.
  settings::GrpcServerSettings server = settings::GrpcServerAt("127.0.0.1:7050");
  // Only "none": the orderer starts without a system channel and joins application
  // channels through the channel participation API.
  std::string bootstrap_method = "none";
  std::filesystem::path local_msp_dir;  // required
  std::string local_msp_id;             // required
  // How far a client's signed timestamp may be from the orderer's clock.
  std::chrono::milliseconds authentication_time_window = std::chrono::minutes(15);
  // General.Authentication.NoExpirationChecks: Broadcast and Deliver accept creators
  // whose certificate has expired (Fabric's switch for networks that cannot renew).
  bool authentication_no_expiration_checks = false;
};

struct FileLedgerSettings {
  std::filesystem::path location;  // required
};

struct KafkaRetrySettings {
  // Retry every short_interval for short_total, then every long_interval for long_total.
  std::chrono::milliseconds short_interval = std::chrono::minutes(1);
  std::chrono::milliseconds short_total = std::chrono::minutes(10);
  std::chrono::milliseconds long_interval = std::chrono::minutes(10);
  std::chrono::milliseconds long_total = std::chrono::hours(12);
};

struct KafkaSaslPlainSettings {
  bool enabled = false;
  std::string user;
  std::string password;
};

struct KafkaSettings {
  KafkaRetrySettings retry;
  bool verbose = false;
  settings::TlsSettings tls;
  KafkaSaslPlainSettings sasl_plain;
  std::string version = "0.10.2.0";
  int16_t topic_replication_factor = 3;
};

struct ChannelParticipationSettings {
  // Fabric 2.5 defaults to false; Weft has no system channel, so this API is the only way
  // to join channels and is on unless turned off.
  bool enabled = true;
  uint32_t max_request_body_size = 1024 * 1024;
};

struct OrdererConfig {
  OrdererGeneralSettings general;
  FileLedgerSettings file_ledger;
  KafkaSettings kafka;
  settings::HttpListenerSettings admin = settings::HttpListenerAt("127.0.0.1:7053");
  settings::HttpListenerSettings operations = settings::HttpListenerAt("127.0.0.1:8443");
  MetricsSettings metrics;
  ChannelParticipationSettings channel_participation;
};

// Reads `file`, applying ORDERER_* overrides from `env` (ORDERER_GENERAL_LISTENPORT
// overrides General.ListenPort). Relative paths, including defaults, resolve against the
// folder of `file`. Errors: NotFound for a missing file, InvalidArgument for YAML syntax
// and for every invalid or missing setting, all listed in one message.
[[nodiscard]] StatusOr<Loaded<OrdererConfig>> LoadOrdererConfig(const std::filesystem::path& file,
                                                                const Environment& env);

// The same, over an already opened reader (for callers holding the text, and tests).
[[nodiscard]] StatusOr<Loaded<OrdererConfig>> ReadOrdererConfig(Reader& reader);

}  // namespace weft::common::config
