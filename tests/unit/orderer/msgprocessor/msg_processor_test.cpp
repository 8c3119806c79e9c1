// The standard channel's message processor against Fabric's rules
// (orderer/common/msgprocessor): classification by header type, then the filters
// in Fabric's order (empty, size, creator and signature, /Channel/Writers), with
// the codes the broadcast handler turns into BAD_REQUEST (InvalidArgument) and
// FORBIDDEN (PermissionDenied).
#include "orderer/msgprocessor/msg_processor.h"

#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/configtx.pb.h"
#include "common/protoutil/envelope.h"
#include "tests/support/test_network.h"

namespace {

using weft::common::channelconfig::ChannelConfig;
using weft::orderer::msgprocessor::Classification;
using weft::orderer::msgprocessor::ConfigMessage;
using weft::orderer::msgprocessor::StandardChannel;
using weft::testing::TestNetwork;

constexpr char kChannel[] = "mychannel";

::common::Envelope Signed(const weft::common::protoutil::Signer& signer, std::string data,
                          ::common::HeaderType type = ::common::ENDORSER_TRANSACTION) {
  auto envelope =
      weft::common::protoutil::CreateSignedEnvelope(type, kChannel, signer, std::move(data));
  REQUIRE(envelope.ok());
  return *std::move(envelope);
}

::common::ChannelHeader Header(::common::HeaderType type) {
  ::common::ChannelHeader header;
  header.set_type(type);
  return header;
}

// A processor over a config the test can replace, with a config update validator
// that records the updates it saw and answers with a CONFIG envelope (or `refusal`).
struct ProcessorFixture {
  TestNetwork network;
  std::shared_ptr<const ChannelConfig> config;
  std::vector<std::string> validated;  // payload bytes of the updates seen
  absl::Status refusal = absl::OkStatus();
  StandardChannel processor{
      [this] { return config; },
      [this](const ChannelConfig&,
             const ::common::Envelope& update) -> weft::StatusOr<::common::Envelope> {
        validated.push_back(update.payload());
        if (!refusal.ok()) return refusal;
        return ConfigFor(update);
      }};

  explicit ProcessorFixture(uint64_t sequence = 0) : config(network.Bundle(kChannel, sequence)) {}

  // The CONFIG envelope an orderer would produce for `update`, signed by the orderer.
  ::common::Envelope ConfigFor(const ::common::Envelope& update) const {
    ::common::ConfigEnvelope contents;
    *contents.mutable_config() = network.Config();
    *contents.mutable_last_update() = update;
    return Signed(network.orderer, contents.SerializeAsString(), ::common::CONFIG);
  }
};

}  // namespace

TEST_CASE("Normal envelopes, config updates and everything else are told apart by header type") {
  using weft::orderer::msgprocessor::Classify;
  CHECK(Classify(Header(::common::ENDORSER_TRANSACTION)) == Classification::kNormal);
  CHECK(Classify(Header(::common::MESSAGE)) == Classification::kNormal);
  CHECK(Classify(Header(::common::CONFIG_UPDATE)) == Classification::kConfigUpdate);
  // Fabric classifies these as config messages that a client may not send directly.
  CHECK(Classify(Header(::common::CONFIG)) == Classification::kUnsupported);
  CHECK(Classify(Header(::common::ORDERER_TRANSACTION)) == Classification::kUnsupported);
}

TEST_CASE("A normal envelope from a channel writer passes and reports the config sequence") {
  ProcessorFixture fixture(3);
  for (const auto* writer : {&fixture.network.client, &fixture.network.admin}) {
    auto sequence = fixture.processor.ProcessNormalMsg(Signed(*writer, "tx"));
    INFO(sequence.status().ToString());
    REQUIRE(sequence.ok());
    CHECK(*sequence == 3);
  }
}

TEST_CASE("An empty envelope is a bad request") {
  ProcessorFixture fixture;
  auto result = fixture.processor.ProcessNormalMsg(::common::Envelope());
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(result.status().message() == "message was empty");
}

TEST_CASE("An envelope above AbsoluteMaxBytes is a bad request naming both sizes") {
  ProcessorFixture fixture;
  fixture.network.batch_size = {10, 2048, 1024};
  fixture.config = fixture.network.Bundle(kChannel);
  const auto envelope = Signed(fixture.network.client, std::string(4096, 'x'));
  const size_t size = envelope.payload().size() + envelope.signature().size();
  auto result = fixture.processor.ProcessNormalMsg(envelope);
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(result.status().message()),
             Catch::Contains(std::to_string(size)) && Catch::Contains("2048"));

  // Exactly at the limit is still fine (Fabric: size > AbsoluteMaxBytes is refused).
  ::common::Envelope at_limit;
  at_limit.set_payload(std::string(2048 - 3, 'y'));
  at_limit.set_signature("sig");
  CHECK(weft::orderer::msgprocessor::CheckSize(*fixture.config, at_limit).ok());
  at_limit.mutable_payload()->push_back('y');
  CHECK(weft::orderer::msgprocessor::CheckSize(*fixture.config, at_limit).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("An envelope whose payload does not parse is a bad request") {
  ProcessorFixture fixture;
  ::common::Envelope garbage;
  garbage.set_payload(
      "\x0a\x05"
      "ab");
  garbage.set_signature("sig");
  CHECK(fixture.processor.ProcessNormalMsg(garbage).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("A tampered signature is forbidden") {
  ProcessorFixture fixture;
  auto envelope = Signed(fixture.network.client, "tx");
  envelope.mutable_signature()->back() ^= 0x01;
  auto result = fixture.processor.ProcessNormalMsg(envelope);
  CHECK(result.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("signature"));

  // So is a payload swapped after signing.
  envelope = Signed(fixture.network.client, "tx");
  envelope.set_payload(Signed(fixture.network.client, "another tx").payload());
  CHECK(fixture.processor.ProcessNormalMsg(envelope).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("Creators the channel does not know are forbidden") {
  ProcessorFixture fixture;
  // An MSP the channel lacks, and a certificate another CA issued under Org1MSP.
  for (const auto* creator : {&fixture.network.stranger, &fixture.network.impostor}) {
    auto result = fixture.processor.ProcessNormalMsg(Signed(*creator, "tx"));
    INFO(result.status().ToString());
    CHECK(result.status().code() == absl::StatusCode::kPermissionDenied);
  }
}

TEST_CASE("A channel member that is not a Writer is forbidden by /Channel/Writers") {
  ProcessorFixture fixture;
  // Peers are Readers of Org1MSP but not Writers.
  auto result = fixture.processor.ProcessNormalMsg(Signed(fixture.network.peer, "tx"));
  CHECK(result.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("/Channel/Writers"));
}

TEST_CASE("An envelope is checked again under the current config when the sequence moves") {
  ProcessorFixture fixture;
  const auto envelope = Signed(fixture.network.client, "tx");
  REQUIRE(fixture.processor.ProcessNormalMsg(envelope).value() == 0);

  // The next config makes only admins writers; the same envelope no longer passes.
  auto spec = fixture.network.Spec();
  spec.application->organizations[0].policies["Writers"] = {"Signature", "OR('Org1MSP.admin')"};
  auto stricter = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(stricter.ok());
  stricter->set_sequence(1);
  auto bundle = ChannelConfig::FromConfig(kChannel, *stricter);
  REQUIRE(bundle.ok());
  fixture.config = *bundle;
  CHECK(fixture.processor.ProcessNormalMsg(envelope).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(fixture.processor.ProcessNormalMsg(Signed(fixture.network.admin, "tx")).value() == 1);
}

TEST_CASE("A config update passes the filters, then the validator, and becomes a CONFIG envelope") {
  ProcessorFixture fixture(2);
  const auto update = Signed(fixture.network.admin, "update", ::common::CONFIG_UPDATE);
  auto message = fixture.processor.ProcessConfigUpdateMsg(update);
  INFO(message.status().ToString());
  REQUIRE(message.ok());
  CHECK(message->config_sequence == 2);
  auto opened = weft::common::protoutil::OpenEnvelope(message->config);
  REQUIRE(opened.ok());
  CHECK(opened->channel_header.type() == ::common::CONFIG);
  CHECK(fixture.validated == std::vector<std::string>{update.payload()});
}

TEST_CASE("A config update failing the filters never reaches the validator") {
  ProcessorFixture fixture;
  auto result = fixture.processor.ProcessConfigUpdateMsg(
      Signed(fixture.network.stranger, "update", ::common::CONFIG_UPDATE));
  CHECK(result.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(fixture.validated.empty());
}

TEST_CASE("A config update the validator rejects is a bad request, unless it was forbidden") {
  ProcessorFixture fixture;
  const auto update = Signed(fixture.network.admin, "update", ::common::CONFIG_UPDATE);

  fixture.refusal = absl::InvalidArgumentError("version mismatch in /Channel/Application");
  auto bad = fixture.processor.ProcessConfigUpdateMsg(update);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()),
             Catch::Contains("config update rejected") &&
                 Catch::Contains("version mismatch in /Channel/Application"));

  // Missing modification-policy signatures are Fabric's ErrPermissionDenied: FORBIDDEN.
  fixture.refusal = absl::PermissionDeniedError("mod_policy Admins not satisfied");
  CHECK(fixture.processor.ProcessConfigUpdateMsg(update).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("A CONFIG envelope is re-validated by processing its last update again") {
  ProcessorFixture fixture(1);
  const auto update = Signed(fixture.network.admin, "update", ::common::CONFIG_UPDATE);
  auto message = fixture.processor.ProcessConfigMsg(fixture.ConfigFor(update));
  INFO(message.status().ToString());
  REQUIRE(message.ok());
  CHECK(message->config_sequence == 1);
  CHECK(fixture.validated == std::vector<std::string>{update.payload()});

  // Under a config where its author is no longer a writer, the update fails again.
  fixture.validated.clear();
  const auto from_peer = Signed(fixture.network.peer, "update", ::common::CONFIG_UPDATE);
  CHECK(fixture.processor.ProcessConfigMsg(fixture.ConfigFor(from_peer)).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(fixture.validated.empty());
}

TEST_CASE("ProcessConfigMsg refuses envelopes that are not CONFIG or carry no last update") {
  ProcessorFixture fixture;
  CHECK(fixture.processor.ProcessConfigMsg(Signed(fixture.network.admin, "tx")).status().code() ==
        absl::StatusCode::kInvalidArgument);
  ::common::ConfigEnvelope no_update;
  *no_update.mutable_config() = fixture.network.Config();
  auto result = fixture.processor.ProcessConfigMsg(
      Signed(fixture.network.orderer, no_update.SerializeAsString(), ::common::CONFIG));
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("last_update"));
}
