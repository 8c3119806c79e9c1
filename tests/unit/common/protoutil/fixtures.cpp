#include "tests/unit/common/protoutil/fixtures.h"

#include "msp/identities.pb.h"

namespace weft::common::protoutil::testing {

namespace {
weft::testing::TestIdentity MintIdentity(std::string_view cn) {
  return weft::testing::IssueLeaf(weft::testing::MakeTestCa(), cn);
}
}  // namespace

TestSigner::TestSigner(std::string mspid, std::string_view cn)
    : identity_(MintIdentity(cn)), public_key_(identity_.key.public_key()) {
  ::msp::SerializedIdentity id;
  id.set_mspid(std::move(mspid));
  id.set_id_bytes(identity_.CertPem());
  serialized_ = id.SerializeAsString();
}

StatusOr<std::string> TestSigner::Sign(std::string_view message) const {
  return identity_.key.Sign(message);
}

}  // namespace weft::common::protoutil::testing
