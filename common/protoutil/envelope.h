// Opening and building common.Envelope, the signed wrapper of every
// transaction, seek request and config update (fabric-interop.md A.1).
// Opened values keep the exact bytes that signatures and hashes cover: the
// parsed messages hold their `bytes` fields verbatim, and the accessors below
// name them, so nothing is ever re-serialised for verification (G.8).
// Thread-safety: values and stateless functions; thread-safe for const use.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/common.pb.h"
#include "common/protoutil/signer.h"
#include "common/status/status.h"
#include "orderer/ab.pb.h"

namespace weft::common::protoutil {

struct OpenedEnvelope {
  ::common::Envelope envelope;
  ::common::Payload payload;                   // parsed envelope.payload()
  ::common::ChannelHeader channel_header;      // parsed payload.header().channel_header()
  ::common::SignatureHeader signature_header;  // parsed payload.header().signature_header()

  // The bytes Envelope.signature covers.
  const std::string& payload_bytes() const { return envelope.payload(); }
  const std::string& channel_header_bytes() const { return payload.header().channel_header(); }
  const std::string& signature_header_bytes() const { return payload.header().signature_header(); }
  const std::string& signature() const { return envelope.signature(); }
  const std::string& creator() const { return signature_header.creator(); }
  const std::string& data() const { return payload.data(); }
};

// Errors name the malformed layer: "envelope payload is not a valid
// common.Payload", "envelope payload has no header", "channel header is not a
// valid common.ChannelHeader", "signature header is not a valid
// common.SignatureHeader".
[[nodiscard]] StatusOr<OpenedEnvelope> OpenEnvelope(::common::Envelope envelope);
[[nodiscard]] StatusOr<OpenedEnvelope> OpenEnvelope(std::string_view envelope_bytes);

using TimePoint = std::chrono::system_clock::time_point;

google::protobuf::Timestamp ToTimestamp(TimePoint time);

struct ChannelHeaderFields {
  ::common::HeaderType type = ::common::MESSAGE;
  std::string channel_id;
  std::string tx_id;
  int32_t version = 0;
  uint64_t epoch = 0;
  TimePoint timestamp = std::chrono::system_clock::now();
  std::string extension;
  std::string tls_cert_hash;
};
::common::ChannelHeader MakeChannelHeader(const ChannelHeaderFields& fields);
::common::SignatureHeader MakeSignatureHeader(std::string creator, std::string nonce);

// Header{channel_header, signature_header} from deterministic encodings.
::common::Header MakeHeader(const ::common::ChannelHeader& channel_header,
                            const ::common::SignatureHeader& signature_header);

// Signs Payload{header, data} with `signer`, whose identity becomes the
// creator; a fresh 24-byte nonce is drawn. `fields.type`/`channel_id` etc.
// fill the ChannelHeader; tx_id is left as given (Fabric leaves it empty for
// non-endorser envelopes).
[[nodiscard]] StatusOr<::common::Envelope> CreateSignedEnvelope(const ChannelHeaderFields& fields,
                                                                const Signer& signer,
                                                                std::string data);
// The common case: `type` on `channel_id`, stamped now, epoch 0, no tx id.
[[nodiscard]] StatusOr<::common::Envelope> CreateSignedEnvelope(::common::HeaderType type,
                                                                std::string_view channel_id,
                                                                const Signer& signer,
                                                                std::string data);

// A signed DELIVER_SEEK_INFO envelope asking `channel_id` for blocks.
[[nodiscard]] StatusOr<::common::Envelope> CreateSeekInfoEnvelope(
    std::string_view channel_id, const ::orderer::SeekInfo& seek_info, const Signer& signer,
    TimePoint timestamp = std::chrono::system_clock::now());

::orderer::SeekPosition SeekOldest();
::orderer::SeekPosition SeekNewest();
::orderer::SeekPosition SeekSpecified(uint64_t number);
::orderer::SeekInfo MakeSeekInfo(
    ::orderer::SeekPosition start, ::orderer::SeekPosition stop,
    ::orderer::SeekInfo::SeekBehavior behavior = ::orderer::SeekInfo::BLOCK_UNTIL_READY);

}  // namespace weft::common::protoutil
