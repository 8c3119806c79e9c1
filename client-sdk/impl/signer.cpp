#include "client-sdk/signer.h"

#include <fstream>
#include <sstream>

#include "common/crypto/hash.h"
#include "common/crypto/x509.h"
#include "fmt/format.h"
#include "msp/local_msp.h"

namespace weft::client {

[[nodiscard]] StatusOr<msp::SigningIdentity> LoadSigner(const std::filesystem::path& msp_dir,
                                                        std::string msp_id) {
  auto local = msp::LoadLocalMsp(msp_dir, std::move(msp_id));
  if (!local.ok()) {
    return Annotate(local.status(),
                    fmt::format("loading the signer of MSP folder {}", msp_dir.string()));
  }
  return std::move(local->signer);
}

[[nodiscard]] StatusOr<std::string> ClientTlsCertHash(const common::settings::TlsSettings& tls) {
  if (!tls.enabled) return std::string();
  std::string pem = tls.certificate_pem;
  if (pem.empty() && !tls.certificate.empty()) {
    std::ifstream in(tls.certificate, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          fmt::format("cannot read client TLS certificate {}", tls.certificate.string()));
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    pem = contents.str();
  }
  if (pem.empty()) return std::string();
  auto certificates = common::crypto::Certificate::AllFromPem(pem);
  if (!certificates.ok() || certificates->empty()) {
    return absl::InvalidArgumentError("the client TLS certificate is not a PEM certificate");
  }
  // Fabric hashes the leaf's raw DER (tls.Certificate.Certificate[0]).
  return common::crypto::Sha256(certificates->front().der());
}

}  // namespace weft::client
