#include "common/protoutil/identity_expiry.h"

#include "common/crypto/x509.h"
#include "common/protoutil/serialize.h"
#include "msp/identities.pb.h"

namespace weft::common::protoutil {

[[nodiscard]] StatusOr<std::optional<std::chrono::system_clock::time_point>> IdentityExpiresAt(
    std::string_view serialized_identity) {
  WEFT_ASSIGN_OR_RETURN(auto identity, ParseMessage<::msp::SerializedIdentity>(serialized_identity,
                                                                               "creator identity"));
  if (identity.id_bytes().find("-----BEGIN") == std::string::npos) {
    return std::optional<std::chrono::system_clock::time_point>();
  }
  auto certificate = crypto::Certificate::FromPem(identity.id_bytes());
  if (!certificate.ok()) {
    return Annotate(certificate.status(), "the certificate of identity in MSP " + identity.mspid());
  }
  return std::optional<std::chrono::system_clock::time_point>(certificate->not_after());
}

}  // namespace weft::common::protoutil
