#include "common/policies/policy.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace weft::common::policies {

ValidIdentities SignatureSetToValidIdentities(std::span<const SignedData> signed_data,
                                              const IdentityDeserializer& deserializer) {
  ValidIdentities valid;
  std::set<std::string, std::less<>> accepted;  // UniqueIds of the signers kept so far
  for (const auto& item : signed_data) {
    auto identity = deserializer.DeserializeIdentity(item.identity);
    if (!identity.ok()) {
      valid.rejected.push_back(std::string(identity.status().message()));
      continue;
    }
    // Checked before verifying, so repeating one signer costs no extra signature check;
    // recorded only after a signature verified, so a bad first signature does not
    // shadow a good later one (Fabric's order).
    if (accepted.contains((*identity)->UniqueId())) continue;
    if (Status verified = (*identity)->Verify(item.data, item.signature); !verified.ok()) {
      valid.rejected.push_back(
          absl::StrCat("signature by ", (*identity)->MspId(), " identity: ", verified.message()));
      continue;
    }
    accepted.insert((*identity)->UniqueId());
    valid.identities.push_back(*std::move(identity));
  }
  return valid;
}

}  // namespace weft::common::policies
