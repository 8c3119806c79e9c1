#include "msp/signing_identity.h"

#include "fmt/format.h"
#include "msp/identities.pb.h"

namespace weft::msp {

StatusOr<SigningIdentity> SigningIdentity::Create(std::string msp_id,
                                                  common::crypto::Certificate certificate,
                                                  common::crypto::PrivateKey key) {
  WEFT_ASSIGN_OR_RETURN(auto certificate_key, certificate.public_key());
  if (!(certificate_key == key.public_key())) {
    return absl::InvalidArgumentError(
        fmt::format("the private key does not belong to certificate {}", certificate.subject()));
  }
  return SigningIdentity(std::move(msp_id), std::move(certificate), std::move(key));
}

SigningIdentity::SigningIdentity(std::string msp_id, common::crypto::Certificate certificate,
                                 common::crypto::PrivateKey key)
    : msp_id_(std::move(msp_id)), certificate_(std::move(certificate)), key_(std::move(key)) {
  ::msp::SerializedIdentity identity;
  identity.set_mspid(msp_id_);
  identity.set_id_bytes(certificate_.ToPem());
  identity.SerializeToString(&serialized_);
}

}  // namespace weft::msp
