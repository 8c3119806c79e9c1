#include "common/protoutil/envelope.h"

#include "common/crypto/random.h"
#include "common/protoutil/serialize.h"

namespace weft::common::protoutil {

[[nodiscard]] StatusOr<OpenedEnvelope> OpenEnvelope(::common::Envelope envelope) {
  OpenedEnvelope opened;
  opened.envelope = std::move(envelope);
  WEFT_ASSIGN_OR_RETURN(
      opened.payload, ParseMessage<::common::Payload>(opened.payload_bytes(), "envelope payload"));
  if (!opened.payload.has_header()) {
    return absl::InvalidArgumentError("envelope payload has no header");
  }
  WEFT_ASSIGN_OR_RETURN(
      opened.channel_header,
      ParseMessage<::common::ChannelHeader>(opened.channel_header_bytes(), "channel header"));
  WEFT_ASSIGN_OR_RETURN(
      opened.signature_header,
      ParseMessage<::common::SignatureHeader>(opened.signature_header_bytes(), "signature header"));
  return opened;
}

[[nodiscard]] StatusOr<OpenedEnvelope> OpenEnvelope(std::string_view envelope_bytes) {
  WEFT_ASSIGN_OR_RETURN(auto envelope,
                        ParseMessage<::common::Envelope>(envelope_bytes, "envelope"));
  return OpenEnvelope(std::move(envelope));
}

google::protobuf::Timestamp ToTimestamp(TimePoint time) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch());
  auto seconds = std::chrono::floor<std::chrono::seconds>(nanos);
  google::protobuf::Timestamp out;
  out.set_seconds(seconds.count());
  out.set_nanos(static_cast<int32_t>((nanos - seconds).count()));
  return out;
}

::common::ChannelHeader MakeChannelHeader(const ChannelHeaderFields& fields) {
  ::common::ChannelHeader header;
  header.set_type(fields.type);
  header.set_version(fields.version);
  *header.mutable_timestamp() = ToTimestamp(fields.timestamp);
  header.set_channel_id(fields.channel_id);
  header.set_tx_id(fields.tx_id);
  header.set_epoch(fields.epoch);
  header.set_extension(fields.extension);
  header.set_tls_cert_hash(fields.tls_cert_hash);
  return header;
}

::common::SignatureHeader MakeSignatureHeader(std::string creator, std::string nonce) {
  ::common::SignatureHeader header;
  header.set_creator(std::move(creator));
  header.set_nonce(std::move(nonce));
  return header;
}

::common::Header MakeHeader(const ::common::ChannelHeader& channel_header,
                            const ::common::SignatureHeader& signature_header) {
  ::common::Header header;
  header.set_channel_header(DeterministicSerialize(channel_header));
  header.set_signature_header(DeterministicSerialize(signature_header));
  return header;
}

[[nodiscard]] StatusOr<::common::Envelope> CreateSignedEnvelope(const ChannelHeaderFields& fields,
                                                                const Signer& signer,
                                                                std::string data) {
  WEFT_ASSIGN_OR_RETURN(std::string nonce, crypto::NewNonce());
  ::common::Payload payload;
  *payload.mutable_header() = MakeHeader(MakeChannelHeader(fields),
                                         MakeSignatureHeader(signer.SerializedIdentity(), nonce));
  payload.set_data(std::move(data));
  ::common::Envelope envelope;
  envelope.set_payload(DeterministicSerialize(payload));
  WEFT_ASSIGN_OR_RETURN(*envelope.mutable_signature(), signer.Sign(envelope.payload()));
  return envelope;
}

[[nodiscard]] StatusOr<::common::Envelope> CreateSignedEnvelope(::common::HeaderType type,
                                                                std::string_view channel_id,
                                                                const Signer& signer,
                                                                std::string data) {
  ChannelHeaderFields fields;
  fields.type = type;
  fields.channel_id = std::string(channel_id);
  return CreateSignedEnvelope(fields, signer, std::move(data));
}

[[nodiscard]] StatusOr<::common::Envelope> CreateSeekInfoEnvelope(
    std::string_view channel_id, const ::orderer::SeekInfo& seek_info, const Signer& signer,
    TimePoint timestamp) {
  ChannelHeaderFields fields;
  fields.type = ::common::DELIVER_SEEK_INFO;
  fields.channel_id = std::string(channel_id);
  fields.timestamp = timestamp;
  return CreateSignedEnvelope(fields, signer, DeterministicSerialize(seek_info));
}

::orderer::SeekPosition SeekOldest() {
  ::orderer::SeekPosition position;
  position.mutable_oldest();
  return position;
}

::orderer::SeekPosition SeekNewest() {
  ::orderer::SeekPosition position;
  position.mutable_newest();
  return position;
}

::orderer::SeekPosition SeekSpecified(uint64_t number) {
  ::orderer::SeekPosition position;
  position.mutable_specified()->set_number(number);
  return position;
}

::orderer::SeekInfo MakeSeekInfo(::orderer::SeekPosition start, ::orderer::SeekPosition stop,
                                 ::orderer::SeekInfo::SeekBehavior behavior) {
  ::orderer::SeekInfo info;
  *info.mutable_start() = std::move(start);
  *info.mutable_stop() = std::move(stop);
  info.set_behavior(behavior);
  return info;
}

}  // namespace weft::common::protoutil
