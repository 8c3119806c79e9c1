// Settings shared by the peer and the orderer configs: one struct per component, so a
// gRPC server, an HTTP listener or a TLS client gets only what it needs. Defaults here are
// Fabric's; the orderer and peer configs override them where Fabric's differ per node.
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace weft::common::config {

// Server side of TLS. Fabric's ClientAuthRequired turns it into mutual TLS.
struct TlsSettings {
  bool enabled = false;
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  std::vector<std::filesystem::path> root_cas;
  bool client_auth_required = false;
  std::vector<std::filesystem::path> client_root_cas;
};

// Client side of TLS (dialling orderers, Kafka brokers): whom to trust and, for mutual
// TLS, what to present.
struct ClientTlsSettings {
  bool enabled = false;
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  std::vector<std::filesystem::path> root_cas;
};

// Keepalive a gRPC server enforces and sends (Fabric's ServerMinInterval, ServerInterval,
// ServerTimeout / peer.keepalive.{minInterval, interval, timeout}).
struct ServerKeepaliveSettings {
  // Clients pinging more often than this are disconnected.
  std::chrono::milliseconds min_interval = std::chrono::seconds(60);
  std::chrono::milliseconds interval = std::chrono::hours(2);
  std::chrono::milliseconds timeout = std::chrono::seconds(20);
};

// Keepalive pings a gRPC client sends on its connections.
struct ClientKeepaliveSettings {
  std::chrono::milliseconds interval = std::chrono::seconds(60);
  std::chrono::milliseconds timeout = std::chrono::seconds(20);
};

// Everything needed to start one gRPC server.
struct GrpcServerSettings {
  std::string listen_address;  // host:port; port 0 picks a free port
  TlsSettings tls;
  ServerKeepaliveSettings keepalive;
  int max_recv_msg_size = 100 * 1024 * 1024;
  int max_send_msg_size = 100 * 1024 * 1024;
};

// An HTTP(S) listener: the operations endpoint (/healthz, /metrics, /logspec) and the
// orderer's channel participation admin endpoint.
struct HttpListenerSettings {
  std::string listen_address;
  TlsSettings tls;
};

// For per-node default addresses in member initialisers (designated initialisers would
// warn about the members they leave out).
inline GrpcServerSettings GrpcServerAt(std::string listen_address) {
  GrpcServerSettings settings;
  settings.listen_address = std::move(listen_address);
  return settings;
}
inline HttpListenerSettings HttpListenerAt(std::string listen_address) {
  HttpListenerSettings settings;
  settings.listen_address = std::move(listen_address);
  return settings;
}

enum class MetricsProvider { kDisabled, kPrometheus };

struct MetricsSettings {
  MetricsProvider provider = MetricsProvider::kDisabled;
};

}  // namespace weft::common::config
