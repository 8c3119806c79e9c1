#include "tests/support/block_signing.h"

#include "common/protoutil/block.h"
#include "tests/support/value_or_throw.h"

namespace weft::testing {

void SignBlockAs(::common::Block& block, const common::protoutil::Signer& signer) {
  ::common::SignatureHeader header;
  header.set_creator(signer.SerializedIdentity());
  header.set_nonce("nonce-of-the-test");
  ::common::Metadata metadata;
  auto* signature = metadata.add_signatures();
  signature->set_signature_header(header.SerializeAsString());
  signature->set_signature(
      ValueOrThrow(signer.Sign(common::protoutil::BlockSignatureInput(
                       metadata.value(), signature->signature_header(), block.header())),
                   "signing the block"));
  block.mutable_metadata()->set_metadata(::common::SIGNATURES, metadata.SerializeAsString());
}

}  // namespace weft::testing
