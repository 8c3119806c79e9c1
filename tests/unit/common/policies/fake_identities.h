// Hand-written identities for policy tests: the serialized form is
// "MSPID|role,role|name", and a valid signature over data is "sig(name,data)".
// Real X.509 identities are covered by the msp tests.
#pragma once

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "common/policies/identity.h"

namespace weft::testing {

class FakeDeserializer final : public common::policies::IdentityDeserializer {
 public:
  [[nodiscard]] StatusOr<std::shared_ptr<const common::policies::Identity>> DeserializeIdentity(
      std::string_view serialized) const override;

  // Signature checks made so far by the identities this deserializer made.
  int verify_count() const { return verifies_.load(); }

 private:
  mutable std::atomic<int> verifies_{0};
};

// A signature by `name` of `msp` with `roles` (e.g. {"admin"}); member is implied.
common::policies::SignedData Sign(const std::string& msp, const std::string& name,
                                  const std::vector<std::string>& roles = {},
                                  const std::string& data = "payload");
common::policies::SignedData BadSignature(const std::string& msp, const std::string& name);

}  // namespace weft::testing
