#include "peer/chaincode_support/chaincode_ca.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "common/crypto/hash.h"
#include "common/crypto/issue.h"

namespace weft::peer::chaincode_support {
namespace {

namespace crypto = common::crypto;

// tlsgen's certificates live a year and start a little in the past (clock skew).
crypto::CertificateTemplate Template(std::string common_name) {
  crypto::CertificateTemplate spec;
  spec.subject.common_name = std::move(common_name);
  const auto now = std::chrono::system_clock::now();
  spec.not_before = now - std::chrono::hours(24);
  spec.not_after = now + std::chrono::hours(24 * 365);
  return spec;
}

bool IsIpLiteral(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  for (char c : host) {
    if (c != '.' && (c < '0' || c > '9')) return false;
  }
  return !host.empty();
}

}  // namespace

ChaincodeCa::ChaincodeCa(crypto::Certificate cert, crypto::PrivateKey key)
    : cert_(std::move(cert)), key_(std::move(key)), cert_pem_(cert_.ToPem()) {}

StatusOr<std::unique_ptr<ChaincodeCa>> ChaincodeCa::Create() {
  WEFT_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::CertificateTemplate spec = Template("chaincode-ca");
  spec.is_ca = true;
  spec.key_usage = crypto::kDigitalSignature | crypto::kKeyCertSign | crypto::kCrlSign;
  spec.server_auth = true;
  spec.client_auth = true;
  StatusOr<crypto::Certificate> cert = crypto::IssueSelfSigned(spec, key);
  if (!cert.ok()) return Annotate(cert.status(), "could not create the chaincode TLS CA");
  return std::unique_ptr<ChaincodeCa>(new ChaincodeCa(*std::move(cert), std::move(key)));
}

StatusOr<CertKeyPair> ChaincodeCa::IssueServerPair(std::string_view host) const {
  WEFT_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::CertificateTemplate spec = Template(std::string(host));
  spec.key_usage = crypto::kDigitalSignature | crypto::kKeyEncipherment;
  spec.server_auth = true;
  if (IsIpLiteral(host)) {
    spec.ip_addresses.emplace_back(host);
  } else {
    spec.dns_names.emplace_back(host);
  }
  StatusOr<crypto::Certificate> cert =
      crypto::IssueCertificate(spec, key.public_key(), cert_, key_);
  if (!cert.ok()) {
    return Annotate(
        cert.status(),
        fmt::format("could not issue the chaincode listener's certificate for {}", host));
  }
  return CertKeyPair{cert->ToPem(), key.ToPem(), ""};
}

StatusOr<CertKeyPair> ChaincodeCa::IssueClientPair(std::string_view ccid) {
  WEFT_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  // No common name: a package ID ("<label>:<64 hex>") is longer than X.509's 64-character
  // CN limit, and Fabric's tlsgen client certificates carry none either (newCertTemplate
  // sets only the serial); the chaincode is known by the certificate's hash.
  crypto::CertificateTemplate spec = Template("");
  spec.key_usage = crypto::kDigitalSignature | crypto::kKeyEncipherment;
  spec.client_auth = true;
  StatusOr<crypto::Certificate> cert =
      crypto::IssueCertificate(spec, key.public_key(), cert_, key_);
  if (!cert.ok()) {
    return Annotate(cert.status(), fmt::format("failed to generate TLS certificates for {}", ccid));
  }
  std::string hash = crypto::Sha256(cert->der());
  {
    std::lock_guard lock(mu_);
    issued_[hash] = std::string(ccid);
  }
  return CertKeyPair{cert->ToPem(), key.ToPem(), std::move(hash)};
}

Status ChaincodeCa::Authenticate(std::string_view ccid, std::string_view cert_hash) const {
  // The messages are Fabric's (accesscontrol/access.go authenticate).
  if (cert_hash.empty()) {
    return absl::PermissionDeniedError(
        fmt::format("TLS is active but chaincode {} didn't send certificate", ccid));
  }
  std::lock_guard lock(mu_);
  auto it = issued_.find(cert_hash);
  if (it == issued_.end()) {
    return absl::PermissionDeniedError(
        fmt::format("Chaincode {} with given certificate hash {} not found in registry", ccid,
                    crypto::HexEncode(cert_hash)));
  }
  if (it->second != ccid) {
    return absl::PermissionDeniedError(
        fmt::format("Chaincode {} with given certificate hash {} belongs to a different chaincode",
                    ccid, crypto::HexEncode(cert_hash)));
  }
  return absl::OkStatus();
}

void ChaincodeCa::Forget(std::string_view cert_hash) {
  std::lock_guard lock(mu_);
  if (auto it = issued_.find(cert_hash); it != issued_.end()) issued_.erase(it);
}

}  // namespace weft::peer::chaincode_support
