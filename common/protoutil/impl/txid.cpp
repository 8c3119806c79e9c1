#include "common/protoutil/txid.h"

#include "common/crypto/hash.h"

namespace weft::common::protoutil {

std::string ComputeTxId(std::string_view nonce, std::string_view creator) {
  return crypto::HexEncode(crypto::Sha256Hasher().Update(nonce).Update(creator).Finish());
}

}  // namespace weft::common::protoutil
