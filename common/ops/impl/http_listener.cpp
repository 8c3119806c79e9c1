#include "common/ops/http_listener.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "common/settings/host_port.h"
#include "common/settings/tls_material.h"
#include "fmt/format.h"

namespace weft::common::ops {
namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  return buffer;
}

// Frees what OpenSSL allocates, for the PEM readers below.
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// How a piece of material is named in errors: its file, or "given as PEM contents".
std::string SourceOf(const std::filesystem::path& file, const std::string& pem) {
  return pem.empty() ? fmt::format("'{}'", file.string()) : "(given as PEM contents)";
}

// Installs the certificate chain (leaf first) and the key from PEM text.
[[nodiscard]] Status UseKeyPair(SSL_CTX& ctx, const settings::TlsSettings& tls,
                                const settings::TlsMaterial& material) {
  const std::string cert_source = SourceOf(tls.certificate, tls.certificate_pem);
  BioPtr certs = MemoryBio(material.certificate);
  X509Ptr leaf(PEM_read_bio_X509_AUX(certs.get(), nullptr, nullptr, nullptr));
  if (leaf == nullptr || SSL_CTX_use_certificate(&ctx, leaf.get()) != 1) {
    return absl::InvalidArgumentError(
        fmt::format("TLS certificate {} cannot be used: {}", cert_source, OpenSslError()));
  }
  while (X509* intermediate = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(&ctx, intermediate) != 1) {
      X509_free(intermediate);
      return absl::InvalidArgumentError(
          fmt::format("TLS certificate chain {} cannot be used: {}", cert_source, OpenSslError()));
    }
  }
  ERR_clear_error();  // the end of the PEM text is reported as an error

  BioPtr key_bio = MemoryBio(material.private_key);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr || SSL_CTX_use_PrivateKey(&ctx, key.get()) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    return absl::InvalidArgumentError(fmt::format("TLS key {} cannot be used: {}",
                                                  SourceOf(tls.private_key, tls.private_key_pem),
                                                  OpenSslError()));
  }
  return absl::OkStatus();
}

[[nodiscard]] Status TrustClientRoots(SSL_CTX& ctx, const std::string& bundle) {
  X509_STORE* store = SSL_CTX_get_cert_store(&ctx);
  BioPtr bio = MemoryBio(bundle);
  int loaded = 0;
  while (X509Ptr ca{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store, ca.get()) != 1) {
      return absl::InvalidArgumentError(
          fmt::format("TLS client root CA cannot be trusted: {}", OpenSslError()));
    }
    ++loaded;
  }
  ERR_clear_error();
  if (loaded == 0) {
    return absl::InvalidArgumentError(
        "TLS requires client certificates but no client root CAs are set");
  }
  return absl::OkStatus();
}

[[nodiscard]] Status ConfigureTls(SSL_CTX& ctx, const settings::TlsSettings& tls) {
  ERR_clear_error();
  StatusOr<settings::TlsMaterial> material = settings::LoadTlsMaterial(tls);
  // Unreadable material is a bad setting like unusable material.
  if (!material.ok()) return absl::InvalidArgumentError(material.status().message());
  WEFT_RETURN_IF_ERROR(UseKeyPair(ctx, tls, *material));
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  if (!tls.client_auth_required) return absl::OkStatus();
  WEFT_RETURN_IF_ERROR(TrustClientRoots(ctx, material->client_root_cas));
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return absl::OkStatus();
}

}  // namespace

HttpListener::HttpListener(settings::HttpListenerSettings settings)
    : settings_(std::move(settings)) {
  if (settings_.tls.enabled) {
    http_ = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
      setup_ = ConfigureTls(ctx, settings_.tls);
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

std::string HttpListener::address() const { return settings::JoinHostPort(host_, port_); }

Status HttpListener::Start() {
  if (started_) return absl::FailedPreconditionError("HTTP listener already started");
  WEFT_RETURN_IF_ERROR(setup_);
  if (!http_->is_valid()) return absl::InternalError("HTTP listener TLS context could not be made");
  WEFT_ASSIGN_OR_RETURN(settings::HostPort listen,
                        settings::SplitHostPort(settings_.listen_address));
  // An empty host means every interface, as in Go.
  const std::string host = listen.host.empty() ? "0.0.0.0" : listen.host;
  const int port = listen.port;
  int bound = port;
  if (port == 0) {
    bound = http_->bind_to_any_port(host);
  } else if (!http_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return absl::UnavailableError(fmt::format("cannot listen on '{}'", settings_.listen_address));
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
