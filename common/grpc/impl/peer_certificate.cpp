#include "common/grpc/peer_certificate.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>

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

}  // namespace weft::common::grpc
