// One HTTP(S) listener on cpp-httplib with Fabric's TLS options: the transport of the
// operations endpoint and of the orderer's channel participation (admin) endpoint.
// Routes are registered on server() before Start().
//
// Thread-safety: Start and Stop must not race with each other; handlers run on
// the listener's worker threads.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status/status.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace weft::common::ops {

// Fabric's operations.tls / Admin.TLS sections.
struct OpsTlsConfig {
  bool enabled = false;
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
  // When true, clients must present a certificate issued by one of
  // client_root_ca_files.
  bool client_auth_required = false;
  std::vector<std::string> client_root_ca_files;
};

struct HttpListenerConfig {
  // host:port; port 0 picks a free port (see port()).
  std::string listen_address;
  OpsTlsConfig tls;
};

class HttpListener {
 public:
  explicit HttpListener(HttpListenerConfig config);
  ~HttpListener();  // Stops the listener.
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Where routes are registered, before Start().
  httplib::Server& server() { return *http_; }

  // Binds and serves on a background thread. InvalidArgument for a bad address or
  // TLS material (naming the file), Unavailable if the address cannot be bound,
  // FailedPrecondition if already started.
  [[nodiscard]] Status Start();
  // Stops serving and joins the thread. Idempotent.
  void Stop();

  int port() const { return port_; }  // 0 before Start()
  std::string address() const;        // "host:port" actually bound

 private:
  const HttpListenerConfig config_;
  Status setup_;  // TLS context problems found at construction, reported by Start
  std::unique_ptr<httplib::Server> http_;
  std::thread serve_thread_;
  std::string host_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace weft::common::ops
