// Re-signs a block as someone else, for tests of BlockValidation: the block keeps
// its header and data, and its SIGNATURES metadata is replaced by one signature by
// `signer` over (metadata value, signature header, block header), built the way an
// orderer signs (common/protoutil BlockSignatureInput).
// Thread-safety: stateless.
#pragma once

#include "common/common.pb.h"
#include "common/protoutil/signer.h"

namespace weft::testing {

// Throws std::runtime_error if `signer` cannot sign.
void SignBlockAs(::common::Block& block, const common::protoutil::Signer& signer);

}  // namespace weft::testing
