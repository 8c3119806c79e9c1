#include "common/config/orderer_config.h"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "common/config/impl/shared_readers.h"
#include "common/config/impl/text.h"
#include "common/settings/host_port.h"

namespace weft::common::config {
namespace {

using internal::CheckServerTls;
using internal::ReadMetrics;

// Fabric's orderer spells the TLS keys alike in General, Admin and Operations.
void ReadServerTls(Reader& r, const std::string& section, settings::TlsSettings* tls) {
  r.ReadBool(section + ".Enabled", &tls->enabled);
  r.ReadPath(section + ".Certificate", &tls->certificate);
  r.ReadPath(section + ".PrivateKey", &tls->private_key);
  r.ReadBool(section + ".ClientAuthRequired", &tls->client_auth_required);
  r.ReadPathList(section + ".ClientRootCAs", &tls->client_root_cas);
  CheckServerTls(r, *tls, section + ".Enabled", section + ".Certificate", section + ".PrivateKey");
}

void ReadGeneral(Reader& r, OrdererGeneralSettings* general) {
  settings::GrpcServerSettings& server = general->server;
  // Fabric keeps host and port apart; gRPC wants them joined. Each part defaults to its
  // half of the struct's default address (a valid constant).
  settings::HostPort listen = settings::SplitHostPort(server.listen_address).value();
  int port = listen.port;
  r.ReadString("General.ListenAddress", &listen.host);
  r.ReadInt("General.ListenPort", &port, 0, 65535);
  // Accept a bracketed IPv6 host as well as a bare one.
  if (listen.host.size() >= 2 && listen.host.front() == '[' && listen.host.back() == ']') {
    listen.host = listen.host.substr(1, listen.host.size() - 2);
  }
  server.listen_address = settings::JoinHostPort(listen.host, port);

  ReadServerTls(r, "General.TLS", &server.tls);
  r.ReadPathList("General.TLS.RootCAs", &server.tls.root_cas);
  r.ReadDuration("General.Keepalive.ServerMinInterval", &server.keepalive.min_interval);
  r.ReadDuration("General.Keepalive.ServerInterval", &server.keepalive.interval);
  r.ReadDuration("General.Keepalive.ServerTimeout", &server.keepalive.timeout);
  r.ReadByteSize("General.MaxRecvMsgSize", &server.max_recv_message_size);
  r.ReadByteSize("General.MaxSendMsgSize", &server.max_send_message_size);

  r.ReadString("General.BootstrapMethod", &general->bootstrap_method);
  if (internal::Lower(general->bootstrap_method) != "none") {
    r.AddError("General.BootstrapMethod",
               fmt::format("'{}' is not supported; Weft orderers start with 'none' and join "
                           "channels through the channel participation API",
                           general->bootstrap_method));
  }
  general->bootstrap_method = "none";
  r.ReadPath("General.LocalMSPDir", &general->local_msp_dir, Need::kRequired);
  r.ReadString("General.LocalMSPID", &general->local_msp_id, Need::kRequired);
  r.ReadDuration("General.Authentication.TimeWindow", &general->authentication_time_window);
  r.ReadBool("General.Authentication.NoExpirationChecks",
             &general->authentication_no_expiration_checks);
}

void ReadKafka(Reader& r, KafkaSettings* kafka) {
  r.ReadDuration("Kafka.Retry.ShortInterval", &kafka->retry.short_interval);
  r.ReadDuration("Kafka.Retry.ShortTotal", &kafka->retry.short_total);
  r.ReadDuration("Kafka.Retry.LongInterval", &kafka->retry.long_interval);
  r.ReadDuration("Kafka.Retry.LongTotal", &kafka->retry.long_total);
  r.ReadBool("Kafka.Verbose", &kafka->verbose);
  r.ReadBool("Kafka.TLS.Enabled", &kafka->tls.enabled);
  r.ReadPath("Kafka.TLS.PrivateKey", &kafka->tls.private_key);
  r.ReadPath("Kafka.TLS.Certificate", &kafka->tls.certificate);
  r.ReadPathList("Kafka.TLS.RootCAs", &kafka->tls.root_cas);
  r.ReadBool("Kafka.SASLPlain.Enabled", &kafka->sasl_plain.enabled);
  r.ReadString("Kafka.SASLPlain.User", &kafka->sasl_plain.user);
  r.ReadString("Kafka.SASLPlain.Password", &kafka->sasl_plain.password);
  r.ReadString("Kafka.Version", &kafka->version);
  r.ReadInt<int16_t>("Kafka.Topic.ReplicationFactor", &kafka->topic_replication_factor, 1);
  if (kafka->sasl_plain.enabled && kafka->sasl_plain.user.empty()) {
    r.AddError("Kafka.SASLPlain.User", "required when Kafka.SASLPlain.Enabled is true");
  }
}

}  // namespace

[[nodiscard]] StatusOr<Loaded<OrdererConfig>> ReadOrdererConfig(Reader& r) {
  OrdererConfig config;
  ReadGeneral(r, &config.general);
  r.ReadPath("FileLedger.Location", &config.file_ledger.location, Need::kRequired);
  ReadKafka(r, &config.kafka);

  r.ReadHostPort("Admin.ListenAddress", &config.admin.listen_address);
  ReadServerTls(r, "Admin.TLS", &config.admin.tls);
  if (config.admin.tls.enabled && !config.admin.tls.client_auth_required) {
    // Channel participation changes what the orderer serves: clients must authenticate.
    r.AddError("Admin.TLS.ClientAuthRequired", "must be true when Admin.TLS.Enabled is true");
  }
  r.ReadHostPort("Operations.ListenAddress", &config.operations.listen_address);
  ReadServerTls(r, "Operations.TLS", &config.operations.tls);
  ReadMetrics(r, "Metrics.Provider", &config.metrics);

  r.ReadBool("ChannelParticipation.Enabled", &config.channel_participation.enabled);
  r.ReadByteSize("ChannelParticipation.MaxRequestBodySize",
                 &config.channel_participation.max_request_body_size);
  if (!config.channel_participation.enabled) {
    r.AddError("ChannelParticipation.Enabled",
               "must be true: with BootstrapMethod none it is the only way to join channels");
  }

  WEFT_RETURN_IF_ERROR(r.Finish());
  return Loaded<OrdererConfig>{std::move(config), r.UnknownKeys()};
}

[[nodiscard]] StatusOr<Loaded<OrdererConfig>> LoadOrdererConfig(const std::filesystem::path& file,
                                                                const Environment& env) {
  WEFT_ASSIGN_OR_RETURN(Reader reader, Reader::Open(file, "ORDERER", env));
  return ReadOrdererConfig(reader);
}

}  // namespace weft::common::config
