#include "common/grpc/peer_certificate.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>

#include "common/crypto/hash.h"
#include "common/crypto/x509.h"

namespace weft::common::grpc {

[[nodiscard]] StatusOr<std::string> ClientCertificatePem(const ::grpc::ServerContextBase& context) {
  const std::shared_ptr<const ::grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return absl::NotFoundError("call has no authentication context");
  const std::vector<::grpc::string_ref> values =
      auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (values.empty() || values.front().empty()) {
    return absl::NotFoundError("client presented no TLS certificate");
  }
  return std::string(values.front().data(), values.front().size());
}

std::string ClientCertificateHash(const ::grpc::ServerContextBase& context) {
  StatusOr<std::string> pem = ClientCertificatePem(context);
  if (!pem.ok()) return "";
  StatusOr<crypto::Certificate> certificate = crypto::Certificate::FromPem(*pem);
  if (!certificate.ok()) return "";
  return crypto::Sha256(certificate->der());
}

}  // namespace weft::common::grpc
