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

#include "common/settings/settings.h"
#include "common/status/status.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace weft::common::ops {

class HttpListener {
 public:
  explicit HttpListener(settings::HttpListenerSettings settings);
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
  const settings::HttpListenerSettings settings_;
  Status setup_;  // TLS context problems found at construction, reported by Start
  std::unique_ptr<httplib::Server> http_;
  std::thread serve_thread_;
  std::string host_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace weft::common::ops
