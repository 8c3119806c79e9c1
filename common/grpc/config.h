// gRPC settings shared by every Weft server and client, mirroring Fabric's
// comm.ServerConfig / comm.ClientConfig (peer.tls, peer.keepalive, ...).
// Defaults are Fabric's.
//
// Thread-safety: plain value types.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace weft::common::grpc {

// Each piece of material may be given as a file or as PEM contents; when both
// are set the contents win.
struct TlsConfig {
  bool enabled = false;
  // Server side: require a client certificate issued by one of the client
  // root CAs. When false the server still asks for (but does not verify) a
  // client certificate, like Fabric, so it can be bound to requests.
  bool client_auth_required = false;

  std::string cert_file;  // own certificate (chain), PEM
  std::string key_file;   // own private key, PEM
  // Client side: CAs trusted to issue server certificates.
  std::vector<std::string> root_cert_files;
  // Server side: CAs trusted to issue client certificates.
  std::vector<std::string> client_root_ca_files;

  std::string cert_pem;
  std::string key_pem;
  std::vector<std::string> root_cert_pems;
  std::vector<std::string> client_root_ca_pems;
};

// Fabric's peer.keepalive settings plus the gRPC ping policy knobs they imply.
struct KeepaliveConfig {
  // Server: pings from clients closer together than this (without data in
  // between) are misbehaviour (Fabric peer.keepalive.minInterval).
  std::chrono::milliseconds server_min_interval = std::chrono::seconds(60);
  // Server: ping idle clients this often, and drop them if no ack within timeout.
  std::chrono::milliseconds server_interval = std::chrono::hours(2);
  std::chrono::milliseconds server_timeout = std::chrono::seconds(20);
  // Client: ping the server this often, and drop the connection if no ack.
  std::chrono::milliseconds client_interval = std::chrono::seconds(60);
  std::chrono::milliseconds client_timeout = std::chrono::seconds(20);
  // Allow pings without an active call, in both directions (Go's
  // PermitWithoutStream). Node clients (fabric-shim, fabric-common) ping idle
  // connections every ~2 minutes and would otherwise be sent GOAWAY.
  bool permit_without_calls = true;
  // Misbehaving pings a server bears before sending GOAWAY; 0 = unlimited.
  int server_max_ping_strikes = 0;
};

inline constexpr int kDefaultMaxMessageSize = 100 * 1024 * 1024;  // Fabric: 100 MiB

struct ServerConfig {
  TlsConfig tls;
  KeepaliveConfig keepalive;
  int max_recv_message_size = kDefaultMaxMessageSize;
  int max_send_message_size = kDefaultMaxMessageSize;
};

struct ClientConfig {
  TlsConfig tls;
  KeepaliveConfig keepalive;
  int max_recv_message_size = kDefaultMaxMessageSize;
  int max_send_message_size = kDefaultMaxMessageSize;
  // Host name to verify the server certificate against instead of the target's.
  std::string server_name_override;
};

}  // namespace weft::common::grpc
