// The settings of a node's network endpoints, one plain struct per concern: TLS, gRPC
// server and client (with their keepalive policy) and HTTP listener. common/config fills
// them from orderer.yaml / core.yaml; common/grpc and common/ops consume them as they
// are. The member initialisers are the one place the defaults live (Fabric's, from
// internal/pkg/comm); node configs override them where Fabric's differ per node.
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace weft::common::settings {

// TLS for a server (own key pair, client CAs, mutual TLS) or a client (trusted server
// CAs, own key pair for mutual TLS). Each piece of material is a file or PEM contents
// (for callers that hold it in memory); when both are set the contents win.
struct TlsSettings {
  bool enabled = false;
  // Server side: require a client certificate issued by one of the client root CAs
  // (Fabric's ClientAuthRequired). When false a gRPC server still asks for, but does not
  // verify, a client certificate, like Fabric, so it can be bound to requests.
  bool client_auth_required = false;

  std::filesystem::path certificate;  // own certificate (chain), PEM
  std::filesystem::path private_key;  // own private key, PEM
  // Client side: CAs trusted to issue server certificates.
  std::vector<std::filesystem::path> root_cas;
  // Server side: CAs trusted to issue client certificates.
  std::vector<std::filesystem::path> client_root_cas;

  std::string certificate_pem;
  std::string private_key_pem;
  std::vector<std::string> root_ca_pems;
  std::vector<std::string> client_root_ca_pems;
};

// Keepalive a gRPC server enforces and sends (Fabric's ServerMinInterval, ServerInterval,
// ServerTimeout / peer.keepalive.{minInterval, interval, timeout}).
struct ServerKeepaliveSettings {
  // Pings from a client closer together than this (without data in between) are
  // misbehaviour.
  std::chrono::milliseconds min_interval = std::chrono::seconds(60);
  // Ping idle clients this often, and drop them if no ack comes within timeout.
  std::chrono::milliseconds interval = std::chrono::hours(2);
  std::chrono::milliseconds timeout = std::chrono::seconds(20);
  // Accept pings without an active call (Go's PermitWithoutStream). Node clients
  // (fabric-shim, fabric-common) ping idle connections every ~2 minutes and would
  // otherwise be sent GOAWAY.
  bool permit_without_calls = true;
  // Misbehaving pings borne before sending GOAWAY; 0 = unlimited.
  int max_ping_strikes = 0;
};

// Keepalive pings a gRPC client sends on its connections (peer.keepalive.client,
// peer.keepalive.deliveryClient).
struct ClientKeepaliveSettings {
  // Ping the server this often, and drop the connection if no ack within timeout.
  std::chrono::milliseconds interval = std::chrono::seconds(60);
  std::chrono::milliseconds timeout = std::chrono::seconds(20);
  // Ping also when no call is active, as Go clients do.
  bool permit_without_calls = true;
};

inline constexpr int kDefaultMaxMessageSize = 100 * 1024 * 1024;  // Fabric: 100 MiB

// Everything needed to start one gRPC server.
struct GrpcServerSettings {
  std::string listen_address;  // host:port; port 0 picks a free port
  TlsSettings tls;
  ServerKeepaliveSettings keepalive;
  int max_recv_message_size = kDefaultMaxMessageSize;
  int max_send_message_size = kDefaultMaxMessageSize;
};

// Everything needed to dial gRPC servers.
struct GrpcClientSettings {
  TlsSettings tls;
  ClientKeepaliveSettings keepalive;
  int max_recv_message_size = kDefaultMaxMessageSize;
  int max_send_message_size = kDefaultMaxMessageSize;
  // Host name to verify the server certificate against instead of the target's.
  std::string server_name_override;
};

// An HTTP(S) listener: the operations endpoint (/healthz, /metrics, /logspec) and the
// orderer's channel participation (admin) endpoint.
struct HttpListenerSettings {
  std::string listen_address;  // host:port; port 0 picks a free port
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

}  // namespace weft::common::settings
