#include "common/ops/http_listener.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>

#include "absl/strings/numbers.h"
#include "fmt/format.h"

namespace weft::common::ops {
namespace {

[[nodiscard]] StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(address).substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(fmt::format("listen address '{}' is not host:port", address));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // "[::1]:port"
  }
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(host, port);
}

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  return buffer;
}

[[nodiscard]] Status ConfigureTls(SSL_CTX& ctx, const OpsTlsConfig& tls) {
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(
        fmt::format("TLS certificate '{}' cannot be used: {}", tls.cert_file, OpenSslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    return absl::InvalidArgumentError(
        fmt::format("TLS key '{}' cannot be used: {}", tls.key_file, OpenSslError()));
  }
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  if (!tls.client_auth_required) return absl::OkStatus();
  if (tls.client_root_ca_files.empty()) {
    return absl::InvalidArgumentError(
        "TLS requires client certificates but no client root CA files are set");
  }
  X509_STORE* store = SSL_CTX_get_cert_store(&ctx);
  for (const auto& file : tls.client_root_ca_files) {
    if (X509_STORE_load_file(store, file.c_str()) != 1) {
      return absl::InvalidArgumentError(
          fmt::format("TLS client root CA '{}' cannot be loaded: {}", file, OpenSslError()));
    }
  }
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return absl::OkStatus();
}

}  // namespace

HttpListener::HttpListener(HttpListenerConfig config) : config_(std::move(config)) {
  if (config_.tls.enabled) {
    http_ = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
      setup_ = ConfigureTls(ctx, config_.tls);
      return setup_.ok();
    });
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  // httplib's default adds SO_REUSEPORT, which would let a second server bind an
  // address already in use; keep only SO_REUSEADDR (fast restarts).
  http_->set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

HttpListener::~HttpListener() { Stop(); }

std::string HttpListener::address() const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", host_, port_) : fmt::format("{}:{}", host_, port_);
}

Status HttpListener::Start() {
  if (started_) return absl::FailedPreconditionError("HTTP listener already started");
  WEFT_RETURN_IF_ERROR(setup_);
  if (!http_->is_valid()) return absl::InternalError("HTTP listener TLS context could not be made");
  WEFT_ASSIGN_OR_RETURN(auto host_port, SplitHostPort(config_.listen_address));
  const auto& [host, port] = host_port;
  int bound = port;
  if (port == 0) {
    bound = http_->bind_to_any_port(host);
  } else if (!http_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return absl::UnavailableError(fmt::format("cannot listen on '{}'", config_.listen_address));
  }
  host_ = host;
  port_ = bound;
  started_ = true;
  auto finished = std::make_shared<std::atomic<bool>>(false);
  serve_thread_ = std::thread([this, finished] {
    http_->listen_after_bind();
    *finished = true;
  });
  // httplib's stop() is a no-op until the accept loop runs; wait for it so an early
  // Stop() cannot leave the loop running forever.
  while (!http_->is_running() && !*finished) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return absl::OkStatus();
}

void HttpListener::Stop() {
  if (!started_) return;
  http_->stop();
  if (serve_thread_.joinable()) serve_thread_.join();
  started_ = false;
}

}  // namespace weft::common::ops
