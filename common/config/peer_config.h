// PeerConfig: core.yaml as typed structs, with the defaults of Fabric v2.5's sample
// core.yaml as the member initialisers below (the one place they live). Keys follow
// Fabric's core.yaml; sections Weft does not implement (gossip, vm, BCCSP, ...) are
// reported by LoadPeerConfig as unknown keys rather than rejected.
//
// Orderer endpoints are deliberately absent: as in Fabric, the peer learns them from each
// channel's config block; peer.deliveryclient.addressOverrides can rewrite them.
// Thread-safety: plain values; LoadPeerConfig is safe from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/config/metrics_settings.h"
#include "common/config/reader.h"
#include "common/settings/settings.h"
#include "common/status/status.h"

namespace weft::common::config {

struct GatewaySettings {
  bool enabled = true;
  std::chrono::milliseconds endorsement_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds broadcast_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds dial_timeout = std::chrono::minutes(2);
};

// peer.limits.concurrency: requests served at once per service before new ones are refused.
struct ConcurrencyLimits {
  int endorser_service = 2500;
  int deliver_service = 2500;
  int gateway_service = 500;
};

// Replaces an orderer endpoint taken from a channel config (e.g. a name that only resolves
// inside a container network) by another one, optionally with its own CA.
struct OrdererAddressOverride {
  std::string from;
  std::string to;
  std::filesystem::path ca_certs_file;
};

struct DeliveryClientSettings {
  settings::ClientKeepaliveSettings keepalive;  // peer.keepalive.deliveryClient
  std::chrono::milliseconds reconnect_total_time_threshold = std::chrono::hours(1);
  std::chrono::milliseconds conn_timeout = std::chrono::seconds(3);
  std::chrono::milliseconds reconnect_backoff_threshold = std::chrono::hours(1);
  std::vector<OrdererAddressOverride> address_overrides;
};

struct PeerSettings {
  std::string id;  // required
  std::string network_id = "dev";
  std::string address;  // required: the endpoint other nodes and clients dial
  // peer.listenAddress, peer.tls, peer.keepalive.{interval,timeout,minInterval} and
  // peer.max{Recv,Send}MsgSize. The listen address defaults to peer.address.
  settings::GrpcServerSettings server;
  // Chaincode processes connect here; defaults to the listen host with port 7052.
  std::string chaincode_listen_address;
  // What chaincode is told to dial; defaults to chaincode_listen_address.
  std::string chaincode_address;
  // For the peer's own outgoing connections (orderers, other peers): peer.keepalive.client,
  // and peer.tls.clientCert/clientKey (falling back to the server pair) + rootcert.
  settings::GrpcClientSettings client;
  std::filesystem::path file_system_path;  // required
  std::filesystem::path msp_config_path;   // required
  std::string local_msp_id;                // required
  // peer.validatorPoolSize: transaction validation workers shared by the channels;
  // 0 or less means one per core (Fabric's default).
  int validator_pool_size = 0;
  // How far a client's signed timestamp may be from the peer's clock (deliver requests).
  std::chrono::milliseconds authentication_time_window = std::chrono::minutes(15);
  GatewaySettings gateway;
  ConcurrencyLimits limits;
  DeliveryClientSettings delivery_client;
};

struct ChaincodeLoggingSettings {
  std::string level = "info";
  std::string shim = "warning";
  std::string format =
      "%{color}%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> "
      "%{level:.4s} %{id:03x}%{color:reset} %{message}";
};

// A program set implementing detect/build/release/run for chaincode packages.
struct ExternalBuilder {
  std::string name;
  std::filesystem::path path;
  std::vector<std::string> propagate_environment;
};

struct ChaincodeSettings {
  std::chrono::milliseconds execute_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds install_timeout = std::chrono::minutes(5);
  std::chrono::milliseconds startup_timeout = std::chrono::minutes(5);
  // Keepalive sent to chaincode streams; zero turns it off. Fabric reads whole seconds.
  std::chrono::seconds keepalive{0};
  ChaincodeLoggingSettings logging;
  std::vector<ExternalBuilder> external_builders;
};

struct LedgerSettings {
  // Fabric's "goleveldb", also accepted as "leveldb"; CouchDB is not supported.
  std::string state_database = "goleveldb";
  int total_query_limit = 100000;
  bool enable_history_database = true;
};

struct PeerConfig {
  PeerSettings peer;
  ChaincodeSettings chaincode;
  LedgerSettings ledger;
  settings::HttpListenerSettings operations = settings::HttpListenerAt("127.0.0.1:9443");
  MetricsSettings metrics;
};

// Reads `file`, applying CORE_* overrides from `env` (CORE_PEER_ADDRESS overrides
// peer.address). Relative paths resolve against the folder of `file`. Errors: NotFound
// for a missing file, InvalidArgument for YAML syntax and for every invalid or missing
// setting, all listed in one message.
[[nodiscard]] StatusOr<Loaded<PeerConfig>> LoadPeerConfig(const std::filesystem::path& file,
                                                          const Environment& env);

// The same, over an already opened reader (for callers holding the text, and tests).
[[nodiscard]] StatusOr<Loaded<PeerConfig>> ReadPeerConfig(Reader& reader);

}  // namespace weft::common::config
