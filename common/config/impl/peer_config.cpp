#include "common/config/peer_config.h"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "common/config/impl/shared_readers.h"
#include "common/settings/host_port.h"

namespace weft::common::config {
namespace {

using internal::CheckServerTls;
using internal::ReadMetrics;

// core.yaml nests each TLS file as "<name>.file" and CA lists as "<name>.files".
void ReadPeerStyleTls(Reader& r, const std::string& section, settings::TlsSettings* tls) {
  r.ReadBool(section + ".enabled", &tls->enabled);
  r.ReadPath(section + ".cert.file", &tls->certificate);
  r.ReadPath(section + ".key.file", &tls->private_key);
  r.ReadBool(section + ".clientAuthRequired", &tls->client_auth_required);
  r.ReadPathList(section + ".clientRootCAs.files", &tls->client_root_cas);
  // Fabric reads the client root CAs only when it requires client certificates
  // (core/peer/config.go GetServerConfig), so the sample's tls/ca.crt need not exist.
  if (!tls->client_auth_required) tls->client_root_cas.clear();
  CheckServerTls(r, *tls, section + ".enabled", section + ".cert.file", section + ".key.file");
}

void ReadNetwork(Reader& r, PeerSettings* peer) {
  r.ReadString("peer.id", &peer->id, Need::kRequired);
  r.ReadString("peer.networkId", &peer->network_id);
  r.ReadHostPort("peer.address", &peer->address, Need::kRequired);
  r.ReadHostPort("peer.listenAddress", &peer->server.listen_address);
  if (peer->server.listen_address.empty()) peer->server.listen_address = peer->address;
  r.ReadHostPort("peer.chaincodeListenAddress", &peer->chaincode_listen_address);
  if (peer->chaincode_listen_address.empty()) {
    // An unparsable listen address has been reported already.
    if (auto listen = settings::SplitHostPort(peer->server.listen_address); listen.ok()) {
      peer->chaincode_listen_address = settings::JoinHostPort(listen->host, 7052);
    }
  }
  r.ReadHostPort("peer.chaincodeAddress", &peer->chaincode_address);
  if (peer->chaincode_address.empty()) peer->chaincode_address = peer->chaincode_listen_address;

  settings::ServerKeepaliveSettings& keepalive = peer->server.keepalive;
  r.ReadDuration("peer.keepalive.interval", &keepalive.interval);
  r.ReadDuration("peer.keepalive.timeout", &keepalive.timeout);
  r.ReadDuration("peer.keepalive.minInterval", &keepalive.min_interval);
  r.ReadDuration("peer.keepalive.client.interval", &peer->client.keepalive.interval);
  r.ReadDuration("peer.keepalive.client.timeout", &peer->client.keepalive.timeout);
  r.ReadDuration("peer.keepalive.deliveryClient.interval",
                 &peer->delivery_client.keepalive.interval);
  r.ReadDuration("peer.keepalive.deliveryClient.timeout", &peer->delivery_client.keepalive.timeout);

  settings::TlsSettings& tls = peer->server.tls;
  ReadPeerStyleTls(r, "peer.tls", &tls);
  std::filesystem::path root_cert;
  r.ReadPath("peer.tls.rootcert.file", &root_cert);
  if (!root_cert.empty()) tls.root_cas = {root_cert};
  settings::TlsSettings& client = peer->client.tls;
  client.enabled = tls.enabled;
  client.certificate = tls.certificate;
  client.private_key = tls.private_key;
  client.root_cas = tls.root_cas;
  r.ReadPath("peer.tls.clientCert.file", &client.certificate);
  r.ReadPath("peer.tls.clientKey.file", &client.private_key);

  // Fabric's peer sizes its client connections like its server.
  r.ReadByteSize("peer.maxRecvMsgSize", &peer->server.max_recv_message_size);
  r.ReadByteSize("peer.maxSendMsgSize", &peer->server.max_send_message_size);
  peer->client.max_recv_message_size = peer->server.max_recv_message_size;
  peer->client.max_send_message_size = peer->server.max_send_message_size;
}

void ReadDeliveryClient(Reader& r, DeliveryClientSettings* delivery) {
  r.ReadDuration("peer.deliveryclient.reconnectTotalTimeThreshold",
                 &delivery->reconnect_total_time_threshold);
  r.ReadDuration("peer.deliveryclient.connTimeout", &delivery->conn_timeout);
  r.ReadDuration("peer.deliveryclient.reConnectBackoffThreshold",
                 &delivery->reconnect_backoff_threshold);
  const size_t overrides = r.ListSize("peer.deliveryclient.addressOverrides");
  for (size_t i = 0; i < overrides; ++i) {
    const std::string item = fmt::format("peer.deliveryclient.addressOverrides[{}]", i);
    OrdererAddressOverride entry;
    r.ReadString(item + ".from", &entry.from, Need::kRequired);
    r.ReadString(item + ".to", &entry.to, Need::kRequired);
    r.ReadPath(item + ".caCertsFile", &entry.ca_certs_file);
    delivery->address_overrides.push_back(std::move(entry));
  }
}

void ReadPeer(Reader& r, PeerSettings* peer) {
  ReadNetwork(r, peer);
  r.ReadPath("peer.fileSystemPath", &peer->file_system_path, Need::kRequired);
  r.ReadPath("peer.mspConfigPath", &peer->msp_config_path, Need::kRequired);
  r.ReadString("peer.localMspId", &peer->local_msp_id, Need::kRequired);
  r.ReadInt("peer.validatorPoolSize", &peer->validator_pool_size);
  r.ReadDuration("peer.authentication.timewindow", &peer->authentication_time_window);

  r.ReadBool("peer.gateway.enabled", &peer->gateway.enabled);
  r.ReadDuration("peer.gateway.endorsementTimeout", &peer->gateway.endorsement_timeout);
  r.ReadDuration("peer.gateway.broadcastTimeout", &peer->gateway.broadcast_timeout);
  r.ReadDuration("peer.gateway.dialTimeout", &peer->gateway.dial_timeout);

  r.ReadInt("peer.limits.concurrency.endorserService", &peer->limits.endorser_service, 1);
  r.ReadInt("peer.limits.concurrency.deliverService", &peer->limits.deliver_service, 1);
  r.ReadInt("peer.limits.concurrency.gatewayService", &peer->limits.gateway_service, 1);
  ReadDeliveryClient(r, &peer->delivery_client);
}

void ReadChaincode(Reader& r, ChaincodeSettings* chaincode) {
  r.ReadDuration("chaincode.executetimeout", &chaincode->execute_timeout);
  r.ReadDuration("chaincode.installTimeout", &chaincode->install_timeout);
  r.ReadDuration("chaincode.startuptimeout", &chaincode->startup_timeout);
  int keepalive_seconds = static_cast<int>(chaincode->keepalive.count());
  r.ReadInt("chaincode.keepalive", &keepalive_seconds, 0);
  chaincode->keepalive = std::chrono::seconds(keepalive_seconds);
  r.ReadString("chaincode.logging.level", &chaincode->logging.level);
  r.ReadString("chaincode.logging.shim", &chaincode->logging.shim);
  r.ReadString("chaincode.logging.format", &chaincode->logging.format);
  const size_t builders = r.ListSize("chaincode.externalBuilders");
  for (size_t i = 0; i < builders; ++i) {
    const std::string item = fmt::format("chaincode.externalBuilders[{}]", i);
    ExternalBuilder builder;
    r.ReadString(item + ".name", &builder.name, Need::kRequired);
    r.ReadPath(item + ".path", &builder.path, Need::kRequired);
    r.ReadStringList(item + ".propagateEnvironment", &builder.propagate_environment);
    chaincode->external_builders.push_back(std::move(builder));
  }
}

void ReadLedger(Reader& r, LedgerSettings* ledger) {
  r.ReadOneOf("ledger.state.stateDatabase", &ledger->state_database, {"goleveldb", "leveldb"});
  r.ReadInt("ledger.state.totalQueryLimit", &ledger->total_query_limit, 1);
  r.ReadBool("ledger.history.enableHistoryDatabase", &ledger->enable_history_database);
}

}  // namespace

[[nodiscard]] StatusOr<Loaded<PeerConfig>> ReadPeerConfig(Reader& r) {
  PeerConfig config;
  ReadPeer(r, &config.peer);
  ReadChaincode(r, &config.chaincode);
  ReadLedger(r, &config.ledger);
  r.ReadHostPort("operations.listenAddress", &config.operations.listen_address);
  ReadPeerStyleTls(r, "operations.tls", &config.operations.tls);
  ReadMetrics(r, "metrics.provider", &config.metrics);

  WEFT_RETURN_IF_ERROR(r.Finish());
  return Loaded<PeerConfig>{std::move(config), r.UnknownKeys()};
}

[[nodiscard]] StatusOr<Loaded<PeerConfig>> LoadPeerConfig(const std::filesystem::path& file,
                                                          const Environment& env) {
  WEFT_ASSIGN_OR_RETURN(Reader reader, Reader::Open(file, "CORE", env));
  return ReadPeerConfig(reader);
}

}  // namespace weft::common::config
