// The node's or a client's own identity: its certificate and private key.
// Thread-safety: immutable once CountSignsIn was called (if at all); safe for
// concurrent use.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "msp/ecdsa_counter.h"

namespace weft::msp {

class SigningIdentity final : public common::protoutil::Signer {
 public:
  // Fails when `key` is not the key of `certificate`.
  [[nodiscard]] static StatusOr<SigningIdentity> Create(std::string msp_id,
                                                        common::crypto::Certificate certificate,
                                                        common::crypto::PrivateKey key);

  const std::string& msp_id() const { return msp_id_; }
  const common::crypto::Certificate& certificate() const { return certificate_; }
  // The msp.SerializedIdentity bytes (MSP ID + PEM certificate) that go into
  // SignatureHeader.creator and Endorsement.endorser.
  const std::string& serialized() const { return serialized_; }
  std::string SerializedIdentity() const override { return serialized_; }
  // DER low-S ECDSA over SHA-256(message).
  [[nodiscard]] StatusOr<std::string> Sign(std::string_view message) const override {
    if (counter_ != nullptr) counter_->CountSign();
    return key_.Sign(message);
  }
  // Every later Sign (of this object and of its copies made afterwards) counts in
  // `counter`; null counts nothing. Call before the identity is shared.
  void CountSignsIn(std::shared_ptr<EcdsaCounter> counter) { counter_ = std::move(counter); }

 private:
  SigningIdentity(std::string msp_id, common::crypto::Certificate certificate,
                  common::crypto::PrivateKey key);
  std::string msp_id_;
  common::crypto::Certificate certificate_;
  common::crypto::PrivateKey key_;
  std::string serialized_;
  std::shared_ptr<EcdsaCounter> counter_;
};

}  // namespace weft::msp
