// Writes MSP and TLS folders for the identities of one organisation, as Fabric's
// cryptogen msp generator does.
// Thread-safety: not thread-safe (set_admin_certificate mutates); use from one thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto/x509.h"
#include "common/status/status.h"
#include "tools/cryptogen/impl/ca.h"

namespace weft::tools::cryptogen::impl {

// The NodeOU an identity's signing certificate carries when NodeOUs are enabled.
enum class NodeRole { kClient, kPeer, kAdmin, kOrderer };

class MspWriter {
 public:
  // `sign_ca` and `tls_ca` must outlive the writer.
  MspWriter(const Ca& sign_ca, const Ca& tls_ca, bool node_ous);

  // With NodeOUs disabled, the certificate every admincerts/ folder written from
  // now on holds. Before it is set, an identity's admincerts/ holds its own
  // certificate, which is how the Admin user's folder gets it.
  void set_admin_certificate(common::crypto::Certificate certificate) {
    admin_certificate_ = std::move(certificate);
  }

  // Writes `base_dir`/msp (cacerts, tlscacerts, admincerts, signcerts/<name>-cert.pem,
  // keystore/priv_sk, config.yaml when NodeOUs are on) and `base_dir`/tls (ca.crt and
  // server.crt/.key, or client.crt/.key for users, with `tls_sans` as SANs).
  // Returns the signing certificate.
  [[nodiscard]] StatusOr<common::crypto::Certificate> WriteLocalMsp(
      const std::filesystem::path& base_dir, const std::string& name,
      const std::vector<std::string>& tls_sans, NodeRole role) const;

  // Writes the organisation's MSP, which verifies but cannot sign: cacerts,
  // tlscacerts, admincerts and config.yaml when NodeOUs are on.
  [[nodiscard]] Status WriteVerifyingMsp(const std::filesystem::path& msp_dir) const;

 private:
  // The folders and files every MSP shares. `own_certificate` goes into
  // admincerts/ when NodeOUs are off and no admin certificate is set yet.
  [[nodiscard]] Status WriteCommon(const std::filesystem::path& msp_dir,
                                   const common::crypto::Certificate* own_certificate) const;
  [[nodiscard]] Status WriteTls(const std::filesystem::path& tls_dir, const std::string& name,
                                const std::vector<std::string>& sans, NodeRole role) const;

  const Ca& sign_ca_;
  const Ca& tls_ca_;
  bool node_ous_;
  std::optional<common::crypto::Certificate> admin_certificate_;
};

}  // namespace weft::tools::cryptogen::impl
