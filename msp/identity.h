// An X.509 identity of an MSP: a certificate plus what the MSP concluded about it.
// Thread-safety: immutable apart from an internal validation cache; safe for
// concurrent use.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/crypto/x509.h"
#include "common/policies/identity.h"

namespace weft::msp {

class Msp;

class Identity final : public common::policies::Identity {
 public:
  // Use Msp::DeserializeIdentity. The identity keeps its MSP alive.
  Identity(std::shared_ptr<const Msp> msp, common::crypto::Certificate certificate,
           common::crypto::PublicKey public_key, std::string serialized);

  const std::string& MspId() const override;
  // "<mspid>:<sha256 of the certificate, hex>".
  const std::string& UniqueId() const override { return unique_id_; }
  [[nodiscard]] Status SatisfiesPrincipal(const ::common::MSPPrincipal& principal) const override;
  [[nodiscard]] Status Verify(std::string_view message, std::string_view signature) const override;

  // Chain to the MSP's roots verified at the certificate's NotBefore + 1 s (Fabric's
  // getValidityOptsForCert: expiry is not the MSP's concern), revocation, OU rules.
  // The verified chain is cached.
  [[nodiscard]] Status Validate() const;

  const common::crypto::Certificate& certificate() const { return certificate_; }
  // The serialized msp.SerializedIdentity this identity was read from.
  const std::string& serialized() const { return serialized_; }
  // The verified chain, leaf first (empty until Validate succeeded once).
  std::vector<common::crypto::Certificate> chain() const;

 private:
  friend class Msp;
  std::shared_ptr<const Msp> msp_;
  common::crypto::Certificate certificate_;
  common::crypto::PublicKey public_key_;
  std::string serialized_;
  std::string unique_id_;

  mutable std::mutex mutex_;
  mutable bool chain_checked_ = false;
  mutable std::vector<common::crypto::Certificate> chain_;
};

}  // namespace weft::msp
