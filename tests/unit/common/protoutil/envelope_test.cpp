#include "common/protoutil/envelope.h"

#include <catch2/catch.hpp>

#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"
#include "peer/proposal.pb.h"
#include "tests/unit/common/protoutil/fixtures.h"

namespace protoutil = weft::common::protoutil;
using protoutil::testing::kGarbage;
using protoutil::testing::TestSigner;

namespace {

std::string ErrorOf(const weft::StatusOr<protoutil::OpenedEnvelope>& opened) {
  REQUIRE_FALSE(opened.ok());
  return std::string(opened.status().message());
}

::common::Envelope WithPayload(const ::common::Payload& payload) {
  ::common::Envelope envelope;
  envelope.set_payload(payload.SerializeAsString());
  return envelope;
}

::common::Payload ValidPayload() {
  ::common::Payload payload;
  protoutil::ChannelHeaderFields fields;
  fields.type = ::common::MESSAGE;
  fields.channel_id = "mychannel";
  *payload.mutable_header() = protoutil::MakeHeader(protoutil::MakeChannelHeader(fields),
                                                    protoutil::MakeSignatureHeader("me", "n"));
  return payload;
}

}  // namespace

TEST_CASE("A signed envelope opens into its layers and its signature covers the payload bytes") {
  TestSigner signer;
  auto envelope =
      protoutil::CreateSignedEnvelope(::common::CONFIG_UPDATE, "mychannel", signer, "data bytes");
  REQUIRE(envelope.ok());
  auto opened = protoutil::OpenEnvelope(envelope->SerializeAsString());
  REQUIRE(opened.ok());
  CHECK(opened->channel_header.type() == ::common::CONFIG_UPDATE);
  CHECK(opened->channel_header.channel_id() == "mychannel");
  CHECK(opened->channel_header.epoch() == 0);
  CHECK(opened->channel_header.timestamp().seconds() > 0);
  CHECK(opened->creator() == signer.SerializedIdentity());
  CHECK(opened->signature_header.nonce().size() == 24);
  CHECK(opened->data() == "data bytes");
  CHECK(opened->payload_bytes() == envelope->payload());
  CHECK(signer.public_key().Verify(opened->payload_bytes(), opened->signature()).ok());
}

TEST_CASE("Opening keeps the exact header bytes, including fields we do not know") {
  ::common::Payload payload = ValidPayload();
  // Field 99 (varint 1) is unknown to ChannelHeader; a re-encoding could move or drop it.
  std::string channel_header = payload.header().channel_header() + "\x98\x06\x01";
  payload.mutable_header()->set_channel_header(channel_header);
  auto opened = protoutil::OpenEnvelope(WithPayload(payload));
  REQUIRE(opened.ok());
  CHECK(opened->channel_header_bytes() == channel_header);
  CHECK(opened->channel_header.channel_id() == "mychannel");
}

TEST_CASE("Each malformed envelope layer gets its own error") {
  CHECK(ErrorOf(protoutil::OpenEnvelope(std::string_view(kGarbage))) ==
        "envelope is not a valid common.Envelope");

  ::common::Envelope bad_payload;
  bad_payload.set_payload(kGarbage);
  CHECK(ErrorOf(protoutil::OpenEnvelope(bad_payload)) ==
        "envelope payload is not a valid common.Payload");

  CHECK(ErrorOf(protoutil::OpenEnvelope(WithPayload(::common::Payload()))) ==
        "envelope payload has no header");

  ::common::Payload bad_channel_header = ValidPayload();
  bad_channel_header.mutable_header()->set_channel_header(kGarbage);
  CHECK(ErrorOf(protoutil::OpenEnvelope(WithPayload(bad_channel_header))) ==
        "channel header is not a valid common.ChannelHeader");

  ::common::Payload bad_signature_header = ValidPayload();
  bad_signature_header.mutable_header()->set_signature_header(kGarbage);
  CHECK(ErrorOf(protoutil::OpenEnvelope(WithPayload(bad_signature_header))) ==
        "signature header is not a valid common.SignatureHeader");
}

TEST_CASE("A seek-info envelope is a signed DELIVER_SEEK_INFO request for the channel") {
  TestSigner signer;
  auto seek = protoutil::MakeSeekInfo(protoutil::SeekSpecified(5), protoutil::SeekNewest(),
                                      ::orderer::SeekInfo::FAIL_IF_NOT_READY);
  auto envelope = protoutil::CreateSeekInfoEnvelope("mychannel", seek, signer);
  REQUIRE(envelope.ok());
  auto opened = protoutil::OpenEnvelope(*envelope).value();
  CHECK(opened.channel_header.type() == ::common::DELIVER_SEEK_INFO);
  CHECK(opened.channel_header.channel_id() == "mychannel");
  CHECK(opened.channel_header.tx_id().empty());
  auto parsed = protoutil::ParseMessage<::orderer::SeekInfo>(opened.data(), "seek info").value();
  CHECK(parsed.start().specified().number() == 5);
  CHECK(parsed.stop().has_newest());
  CHECK(parsed.behavior() == ::orderer::SeekInfo::FAIL_IF_NOT_READY);
  CHECK(protoutil::SeekOldest().has_oldest());
  CHECK(signer.public_key().Verify(opened.payload_bytes(), opened.signature()).ok());
}

TEST_CASE("DeterministicSerialize writes map entries in key order whatever the insertion order") {
  ::protos::ChaincodeProposalPayload forward;
  ::protos::ChaincodeProposalPayload backward;
  const std::vector<std::string> keys = {"alpha", "bravo", "charlie", "delta", "echo", "zulu"};
  for (const auto& key : keys) (*forward.mutable_transientmap())[key] = "v-" + key;
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    (*backward.mutable_transientmap())[*it] = "v-" + *it;
  }
  std::string a = protoutil::DeterministicSerialize(forward);
  CHECK(a == protoutil::DeterministicSerialize(backward));
  size_t previous = 0;
  for (const auto& key : keys) {
    size_t at = a.find(key);
    REQUIRE(at != std::string::npos);
    CHECK(at > previous);
    previous = at;
  }
}

TEST_CASE("ToTimestamp splits a time point into seconds and nanoseconds") {
  auto time = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)) +
              std::chrono::microseconds(123456);
  auto ts = protoutil::ToTimestamp(time);
  CHECK(ts.seconds() == 1700000000);
  CHECK(ts.nanos() == 123456000);
}
