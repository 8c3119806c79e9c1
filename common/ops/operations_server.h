// The operations HTTP server shared by peer and orderer (Fabric's
// operations.System): /healthz, /metrics, /logspec and /version.
//
//   GET /healthz   200 {"status":"OK","time":...} when every registered checker
//                  passes, else 503 {"status":"Service Unavailable","time":...,
//                  "failed_checks":[{"component":...,"reason":...}]}
//   GET /metrics   Prometheus text format 0.0.4 from the given MetricsRegistry
//   GET /logspec   {"spec":"..."};  PUT {"spec":"..."} -> 204, or 400
//                  {"error":"..."} naming the bad term
//   GET /version   {"Version":...,"CommitSHA":...}
//
// Endpoints whose dependency was not given (metrics, logging) answer 404.
//
// Thread-safety: RegisterChecker may be called at any time from any thread;
// Start and Stop must not race with each other.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/log/logger_factory.h"
#include "common/metrics/metrics.h"
#include "common/ops/http_listener.h"
#include "common/settings/settings.h"
#include "common/status/status.h"

namespace weft::common::ops {

struct OperationsConfig {
  // Port 0 picks a free port (see OperationsServer::port()).
  settings::HttpListenerSettings listener;
  std::string version;
  std::string commit_sha;
};

// Returns OK when healthy; the status message becomes the "reason".
using HealthCheck = std::function<Status()>;

// Whether this build's HTTP library can serve TLS.
bool OperationsTlsSupported();

class OperationsServer {
 public:
  // `metrics` and `logging` are optional (may be null) and must outlive the server.
  OperationsServer(OperationsConfig config, metrics::MetricsRegistry* metrics,
                   log::LoggerFactory* logging);
  ~OperationsServer();  // Stops the server.
  OperationsServer(const OperationsServer&) = delete;
  OperationsServer& operator=(const OperationsServer&) = delete;

  // Fails with AlreadyExists if `component` already has a checker.
  [[nodiscard]] Status RegisterChecker(const std::string& component, HealthCheck check);

  // Binds and starts serving on a background thread. Fails with
  // InvalidArgument on a bad address or TLS material, Unavailable if the
  // address cannot be bound, FailedPrecondition if already started.
  [[nodiscard]] Status Start();
  // Stops serving and joins the thread. Idempotent.
  void Stop();

  // The bound port; 0 before Start().
  int port() const { return listener_.port(); }
  // "host:port" actually bound.
  std::string address() const { return listener_.address(); }

 private:
  void InstallHandlers();

  const OperationsConfig config_;
  metrics::MetricsRegistry* const metrics_;
  log::LoggerFactory* const logging_;

  std::mutex checkers_mu_;
  std::map<std::string, HealthCheck> checkers_;  // guarded by checkers_mu_

  HttpListener listener_;
  bool handlers_installed_ = false;
};

}  // namespace weft::common::ops
