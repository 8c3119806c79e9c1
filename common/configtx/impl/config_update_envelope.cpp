#include <fmt/format.h>

#include "common/configtx/update.h"
#include "common/crypto/random.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/serialize.h"

namespace weft::common::configtx {

[[nodiscard]] StatusOr<::common::ConfigSignature> CreateConfigSignature(
    const std::string& config_update_bytes, const protoutil::Signer& signer) {
  WEFT_ASSIGN_OR_RETURN(std::string nonce, crypto::NewNonce());
  ::common::ConfigSignature config_signature;
  config_signature.set_signature_header(protoutil::DeterministicSerialize(
      protoutil::MakeSignatureHeader(signer.SerializedIdentity(), std::move(nonce))));
  WEFT_ASSIGN_OR_RETURN(std::string signature,
                        signer.Sign(config_signature.signature_header() + config_update_bytes));
  config_signature.set_signature(std::move(signature));
  return config_signature;
}

[[nodiscard]] StatusOr<::common::Envelope> CreateSignedConfigUpdateEnvelope(
    const ::common::ConfigUpdate& update, std::span<const protoutil::Signer* const> signers,
    const protoutil::Signer& envelope_signer) {
  ::common::ConfigUpdateEnvelope config_update_envelope;
  config_update_envelope.set_config_update(protoutil::DeterministicSerialize(update));
  for (const protoutil::Signer* signer : signers) {
    WEFT_ASSIGN_OR_RETURN(*config_update_envelope.add_signatures(),
                          CreateConfigSignature(config_update_envelope.config_update(), *signer));
  }
  return protoutil::CreateSignedEnvelope(::common::CONFIG_UPDATE, update.channel_id(),
                                         envelope_signer,
                                         protoutil::DeterministicSerialize(config_update_envelope));
}

[[nodiscard]] StatusOr<std::vector<policies::SignedData>> ConfigUpdateSignedData(
    const ::common::ConfigUpdateEnvelope& envelope) {
  std::vector<policies::SignedData> signed_data;
  signed_data.reserve(envelope.signatures_size());
  for (int i = 0; i < envelope.signatures_size(); ++i) {
    const ::common::ConfigSignature& config_signature = envelope.signatures(i);
    WEFT_ASSIGN_OR_RETURN(::common::SignatureHeader header,
                          protoutil::ParseMessage<::common::SignatureHeader>(
                              config_signature.signature_header(),
                              fmt::format("signature header of config signature {}", i)));
    signed_data.push_back({config_signature.signature_header() + envelope.config_update(),
                           header.creator(), config_signature.signature()});
  }
  return signed_data;
}

}  // namespace weft::common::configtx
