// Shared fixtures of the protoutil tests: a key-backed Signer and bytes that
// never parse as a protobuf message.
#pragma once

#include <string>

#include "common/crypto/ecdsa.h"
#include "common/protoutil/signer.h"
#include "tests/support/test_crypto.h"

namespace weft::common::protoutil::testing {

// A length-delimited field claiming 5 bytes with only 2 present.
inline const std::string kGarbage =
    "\x0a\x05"
    "ab";

class TestSigner : public Signer {
 public:
  // A leaf issued by a throwaway CA, named `cn` in MSP `mspid`.
  explicit TestSigner(std::string mspid = "Org1MSP", std::string_view cn = "user1");

  [[nodiscard]] StatusOr<std::string> Sign(std::string_view message) const override;
  std::string SerializedIdentity() const override { return serialized_; }
  const crypto::PublicKey& public_key() const { return public_key_; }

 private:
  weft::testing::TestIdentity identity_;
  crypto::PublicKey public_key_;
  std::string serialized_;
};

}  // namespace weft::common::protoutil::testing
