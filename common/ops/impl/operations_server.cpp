#include "common/ops/operations_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace weft::common::ops {
namespace {

using nlohmann::json;

// RFC 3339 in UTC, like Go's time.Time JSON encoding used by Fabric's healthz.
std::string Rfc3339Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

void SendJson(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

}  // namespace

bool OperationsTlsSupported() {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  return true;
#else
  return false;
#endif
}

OperationsServer::OperationsServer(OperationsConfig config, metrics::MetricsRegistry* metrics,
                                   log::LoggerFactory* logging)
    : config_(std::move(config)),
      metrics_(metrics),
      logging_(logging),
      listener_(config_.listener) {}

OperationsServer::~OperationsServer() { Stop(); }

Status OperationsServer::RegisterChecker(const std::string& component, HealthCheck check) {
  std::lock_guard lock(checkers_mu_);
  if (!checkers_.emplace(component, std::move(check)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("a health checker for component '", component, "' is already registered"));
  }
  return absl::OkStatus();
}

Status OperationsServer::Start() {
  if (!handlers_installed_) {
    InstallHandlers();
    handlers_installed_ = true;
  }
  return Annotate(listener_.Start(), "operations server");
}

void OperationsServer::Stop() { listener_.Stop(); }

void OperationsServer::InstallHandlers() {
  listener_.server().Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    std::map<std::string, HealthCheck> checkers;
    {
      std::lock_guard lock(checkers_mu_);
      checkers = checkers_;
    }
    json failed = json::array();
    for (const auto& [component, check] : checkers) {
      const Status status = check();
      if (!status.ok()) {
        failed.push_back({{"component", component}, {"reason", std::string(status.message())}});
      }
    }
    if (failed.empty()) {
      SendJson(response, 200, {{"status", "OK"}, {"time", Rfc3339Now()}});
    } else {
      SendJson(
          response, 503,
          {{"status", "Service Unavailable"}, {"time", Rfc3339Now()}, {"failed_checks", failed}});
    }
  });

  listener_.server().Get("/version", [this](const httplib::Request&, httplib::Response& response) {
    SendJson(response, 200, {{"Version", config_.version}, {"CommitSHA", config_.commit_sha}});
  });

  if (metrics_ != nullptr) {
    listener_.server().Get(
        "/metrics", [this](const httplib::Request&, httplib::Response& response) {
          response.set_content(metrics_->Expose(), metrics::kPrometheusContentType);
        });
  }

  if (logging_ != nullptr) {
    listener_.server().Get("/logspec",
                           [this](const httplib::Request&, httplib::Response& response) {
                             SendJson(response, 200, {{"spec", logging_->Spec()}});
                           });
    listener_.server().Put(
        "/logspec", [this](const httplib::Request& request, httplib::Response& response) {
          const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
          if (!body.is_object() || !body.contains("spec") || !body["spec"].is_string()) {
            SendJson(response, 400,
                     {{"error", "request body must be a JSON object {\"spec\": \"...\"}"}});
            return;
          }
          const Status status = logging_->SetSpec(body["spec"].get<std::string>());
          if (!status.ok()) {
            SendJson(response, 400, {{"error", std::string(status.message())}});
            return;
          }
          response.status = 204;
        });
  }
}

}  // namespace weft::common::ops
