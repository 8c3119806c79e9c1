// What a server knows about the TLS client of a call.
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <grpcpp/server_context.h>

#include <string>

#include "common/status/status.h"

namespace weft::common::grpc {

// PEM of the leaf certificate the client presented in the TLS handshake (for
// Fabric's tls_cert_hash binding). NotFound for plaintext calls or clients
// that sent no certificate.
[[nodiscard]] StatusOr<std::string> ClientCertificatePem(const ::grpc::ServerContextBase& context);

// SHA-256 of that certificate's DER, the value Fabric's ChannelHeader.tls_cert_hash
// must carry; empty for plaintext calls and clients without a certificate.
std::string ClientCertificateHash(const ::grpc::ServerContextBase& context);

}  // namespace weft::common::grpc
