// The TLS CA the peer creates at start for its chaincode listener (Fabric's tlsgen CA
// in internal/peer/node/start.go and core/chaincode/accesscontrol): it issues the
// listener's server certificate and, per launch, a client certificate for the
// chaincode; a REGISTER is accepted only over a client certificate issued for the
// chaincode it names.
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "common/status/status.h"

namespace weft::peer::chaincode_support {

struct CertKeyPair {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_hash;  // SHA-256 of the certificate's DER (client pairs)
};

class ChaincodeCa {
 public:
  // A new self-signed ECDSA P-256 CA.
  [[nodiscard]] static StatusOr<std::unique_ptr<ChaincodeCa>> Create();

  const std::string& cert_pem() const { return cert_pem_; }

  // The listener's certificate, for `host` (DNS name or IP literal).
  [[nodiscard]] StatusOr<CertKeyPair> IssueServerPair(std::string_view host) const;
  // A client pair for chaincode `ccid`; its certificate's SHA-256 is remembered for
  // Authenticate.
  [[nodiscard]] StatusOr<CertKeyPair> IssueClientPair(std::string_view ccid);

  // Fabric's accesscontrol authenticate: `cert_hash` (SHA-256 of the client certificate's
  // DER) must belong to a certificate issued for `ccid`. PermissionDenied otherwise, with
  // Fabric's messages.
  [[nodiscard]] Status Authenticate(std::string_view ccid, std::string_view cert_hash) const;
  // Drops the client certificate with `cert_hash` (SHA-256 of its DER), once the
  // connection it authenticated ended or its chaincode exited: a relaunch is issued a
  // new pair, so the map holds only the certificates of chaincodes running now
  // (Fabric's certMapper purges each entry ten minutes after issuing it instead).
  void Forget(std::string_view cert_hash);

 private:
  ChaincodeCa(common::crypto::Certificate cert, common::crypto::PrivateKey key);

  common::crypto::Certificate cert_;
  common::crypto::PrivateKey key_;
  std::string cert_pem_;
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> issued_;  // cert hash -> ccid
};

}  // namespace weft::peer::chaincode_support
