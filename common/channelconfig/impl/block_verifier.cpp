#include "common/channelconfig/block_verifier.h"

#include <vector>

#include "common/crypto/hash.h"
#include "common/policies/policy.h"
#include "common/protoutil/block.h"
#include "fmt/format.h"

namespace weft::common::channelconfig {

[[nodiscard]] Status VerifyBlock(const ChannelConfig& config, const ::common::Block& block,
                                 std::string_view previous_hash) {
  const uint64_t number = block.header().number();
  if (block.header().data_hash() != protoutil::BlockDataHash(block.data())) {
    return absl::DataLossError(fmt::format("block {}: data hash does not match its data", number));
  }
  if (block.header().previous_hash() != previous_hash) {
    return absl::DataLossError(fmt::format(
        "block {}: previous hash {} does not match the previous block's header hash {}", number,
        crypto::HexEncode(block.header().previous_hash()), crypto::HexEncode(previous_hash)));
  }
  if (block.metadata().metadata_size() <= ::common::SIGNATURES) {
    return absl::InvalidArgumentError(fmt::format("block {}: has no SIGNATURES metadata", number));
  }
  ::common::Metadata signatures;
  if (!signatures.ParseFromString(block.metadata().metadata(::common::SIGNATURES))) {
    return absl::InvalidArgumentError(
        fmt::format("block {}: SIGNATURES metadata is not a common.Metadata", number));
  }
  std::vector<policies::SignedData> signed_data;
  for (const auto& signature : signatures.signatures()) {
    ::common::SignatureHeader header;
    if (!header.ParseFromString(signature.signature_header())) {
      return absl::InvalidArgumentError(
          fmt::format("block {}: a metadata signature header is malformed", number));
    }
    signed_data.push_back({protoutil::BlockSignatureInput(
                               signatures.value(), signature.signature_header(), block.header()),
                           header.creator(), signature.signature()});
  }
  auto policy = config.policy_manager().GetPolicy("/Channel/Orderer/BlockValidation");
  if (!policy.ok()) return Annotate(policy.status(), fmt::format("block {}", number));
  Status valid = (*policy)->EvaluateSignedData(signed_data);
  if (!valid.ok()) {
    return absl::PermissionDeniedError(
        fmt::format("block {}: orderer signatures do not satisfy BlockValidation: {}", number,
                    std::string(valid.message())));
  }
  return absl::OkStatus();
}

}  // namespace weft::common::channelconfig
