// The standard channel's message processor against Fabric 2.5's rules
// (orderer/common/msgprocessor): classification by header type, then the filters
// in Fabric's order (empty, size, expiration, signature filter), with the codes the
// broadcast handler turns into BAD_REQUEST (InvalidArgument), FORBIDDEN
// (PermissionDenied) and SERVICE_UNAVAILABLE (Unavailable).
#include "orderer/msgprocessor/msg_processor.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/configtx.pb.h"
#include "common/configtx/update.h"
#include "common/protoutil/envelope.h"
#include "msp/ecdsa_counter.h"
#include "orderer/configuration.pb.h"
#include "tests/support/test_network.h"
#include "tests/support/test_orgs.h"

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
// that records the updates it saw and answers with a CONFIG envelope holding
// `next_config` signed by `config_signer` (or `refusal`).
struct ProcessorFixture {
  TestNetwork network;
  std::shared_ptr<const ChannelConfig> config;
  std::vector<std::string> validated;  // payload bytes of the updates seen
  absl::Status refusal = absl::OkStatus();
  ::common::Config next_config = network.Config();
  const weft::common::protoutil::Signer* config_signer = &network.orderer;
  weft::orderer::msgprocessor::StandardChannelOptions options;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  StandardChannel processor{
      [this] { return config; },
      [this](const ChannelConfig&,
             const ::common::Envelope& update) -> weft::StatusOr<::common::Envelope> {
        validated.push_back(update.payload());
        if (!refusal.ok()) return refusal;
        return ConfigFor(update);
      },
      {false, [this] { return now; }}};

  explicit ProcessorFixture(uint64_t sequence = 0) : config(network.Bundle(kChannel, sequence)) {}

  // The CONFIG envelope an orderer would produce for `update`.
  ::common::Envelope ConfigFor(const ::common::Envelope& update) const {
    ::common::ConfigEnvelope contents;
    *contents.mutable_config() = next_config;
    *contents.mutable_last_update() = update;
    return Signed(*config_signer, contents.SerializeAsString(), ::common::CONFIG);
  }
};

// `config` with /Channel/Orderer/ConsensusType changed by `edit`.
::common::Config WithConsensus(::common::Config config,
                               const std::function<void(::orderer::ConsensusType&)>& edit) {
  auto& value = (*config.mutable_channel_group()->mutable_groups())["Orderer"].mutable_values()->at(
      "ConsensusType");
  ::orderer::ConsensusType consensus;
  REQUIRE(consensus.ParseFromString(value.value()));
  edit(consensus);
  value.set_value(consensus.SerializeAsString());
  return config;
}

std::shared_ptr<const ChannelConfig> BundleOf(const ::common::Config& config) {
  auto bundle = ChannelConfig::FromConfig(kChannel, config);
  REQUIRE(bundle.ok());
  return *bundle;
}

void Maintenance(::orderer::ConsensusType& consensus) {
  consensus.set_state(::orderer::ConsensusType::STATE_MAINTENANCE);
}

}  // namespace

TEST_CASE("Normal envelopes, config updates and everything else are told apart by header type") {
  using weft::orderer::msgprocessor::Classify;
  CHECK(Classify(Header(::common::ENDORSER_TRANSACTION)) == Classification::kNormal);
  CHECK(Classify(Header(::common::MESSAGE)) == Classification::kNormal);
  CHECK(Classify(Header(::common::CONFIG_UPDATE)) == Classification::kConfigUpdate);
  // Fabric's StandardChannel.ClassifyMsg: config messages a client may not send directly.
  CHECK(Classify(Header(::common::CONFIG)) == Classification::kConfig);
  CHECK(Classify(Header(::common::ORDERER_TRANSACTION)) == Classification::kConfig);
  // ... and every other type is a normal message, numbers no enum names included.
  CHECK(Classify(Header(::common::PEER_ADMIN_OPERATION)) == Classification::kNormal);
  ::common::ChannelHeader unknown;
  unknown.set_type(4242);
  CHECK(Classify(unknown) == Classification::kNormal);
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
  // Fabric's ErrEmptyMessage (msgprocessor/filter.go).
  CHECK(result.status().message() == "Message was empty");
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
  CHECK_THAT(std::string(result.status().message()),
             Catch::StartsWith("envelope signature does not verify"));

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
  // The message names what failed: the MSP lookup, or the certificate's validity.
  CHECK_THAT(std::string(fixture.processor.ProcessNormalMsg(Signed(fixture.network.stranger, "tx"))
                             .status()
                             .message()),
             Catch::StartsWith("creator cannot be deserialized"));
  CHECK_THAT(std::string(fixture.processor.ProcessNormalMsg(Signed(fixture.network.impostor, "tx"))
                             .status()
                             .message()),
             Catch::StartsWith("creator of MSP Org1MSP is not valid"));
}

TEST_CASE("The signature filter checks an envelope's signature once") {
  // Fabric's SigFilter.Apply evaluates the Writers policy on the envelope's one
  // signature; Weft checks it once and the policy judges the verified creator.
  ProcessorFixture fixture;
  auto ecdsa = std::make_shared<weft::msp::EcdsaCounter>();
  auto bundle = ChannelConfig::FromConfig(kChannel, fixture.network.Config(), ecdsa);
  REQUIRE(bundle.ok());
  fixture.config = *bundle;
  REQUIRE(fixture.processor.ProcessNormalMsg(Signed(fixture.network.client, "tx")).ok());
  CHECK(ecdsa->verifies() == 1);
  // Refused ones too: a reader that is no writer, a tampered signature.
  auto from_peer = fixture.processor.ProcessNormalMsg(Signed(fixture.network.peer, "tx"));
  CHECK(from_peer.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(ecdsa->verifies() == 2);
  auto tampered = Signed(fixture.network.client, "tx");
  tampered.mutable_signature()->back() ^= 0x01;
  CHECK(fixture.processor.ProcessNormalMsg(tampered).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(ecdsa->verifies() == 3);
}

TEST_CASE("A channel member that is not a Writer is forbidden by /Channel/Writers") {
  ProcessorFixture fixture;
  // Peers are Readers of Org1MSP but not Writers.
  auto result = fixture.processor.ProcessNormalMsg(Signed(fixture.network.peer, "tx"));
  CHECK(result.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(result.status().message()),
             Catch::StartsWith("policy /Channel/Writers not satisfied"));
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

TEST_CASE("A config update the validator rejects is a bad request, a mod_policy failure too") {
  ProcessorFixture fixture;
  const auto update = Signed(fixture.network.admin, "update", ::common::CONFIG_UPDATE);

  fixture.refusal = absl::InvalidArgumentError("version mismatch in /Channel/Application");
  auto bad = fixture.processor.ProcessConfigUpdateMsg(update);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  // Fabric's StandardChannel.ProcessConfigUpdateMsg wording.
  CHECK(std::string(bad.status().message()) ==
        "error applying config update to existing channel 'mychannel': version mismatch in "
        "/Channel/Application");

  // Fabric's configtx returns plain errors for an unsatisfied mod_policy, never
  // ErrPermissionDenied, so ClassifyError makes them BAD_REQUEST.
  fixture.refusal = absl::PermissionDeniedError("mod_policy Admins not satisfied");
  CHECK(fixture.processor.ProcessConfigUpdateMsg(update).status().code() ==
        absl::StatusCode::kInvalidArgument);
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

// Fabric's expirationRejectRule (msgprocessor/expiration.go): an expired creator is
// refused before the signature filter with "broadcast client identity expired",
// which ClassifyError makes BAD_REQUEST. The MSP itself still accepts the
// certificate (validated at NotBefore + 1 s), so without the rule the envelope passes.
TEST_CASE("An expired creator is a bad request, unless expiration checks are off") {
  ProcessorFixture fixture(4);
  const auto now = std::chrono::system_clock::now();
  auto expired = weft::testing::MakeSigner(
      weft::testing::IssueLeaf(fixture.network.org1_ca, "Expired", {"client"}, {},
                               {now - std::chrono::minutes(30), now - std::chrono::minutes(1)}),
      "Org1MSP");
  const auto envelope = Signed(expired, "tx");
  auto result = fixture.processor.ProcessNormalMsg(envelope);
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(result.status().message() == "broadcast client identity expired");

  // The expiry instant itself is already expired (Fabric: time.Now().Before(expiry)).
  auto valid = weft::testing::MakeSigner(
      weft::testing::IssueLeaf(fixture.network.org1_ca, "Valid", {"client"}, {},
                               {now - std::chrono::minutes(30), now + std::chrono::minutes(10)}),
      "Org1MSP");
  CHECK(fixture.processor.ProcessNormalMsg(Signed(valid, "tx")).ok());
  fixture.now = now + std::chrono::minutes(20);
  CHECK(fixture.processor.ProcessNormalMsg(Signed(valid, "tx")).status().message() ==
        "broadcast client identity expired");

  // General.Authentication.NoExpirationChecks drops the rule.
  StandardChannel unchecked{
      [&fixture] { return fixture.config; },
      [](const ChannelConfig&, const ::common::Envelope&) -> weft::StatusOr<::common::Envelope> {
        return absl::InternalError("not used");
      },
      {true, [now] { return now; }}};
  auto accepted = unchecked.ProcessNormalMsg(envelope);
  INFO(accepted.status().ToString());
  CHECK(accepted.ok());
}

// ExpirationCheck is an orderer capability of V1_1 and later (common/capabilities
// orderer.go); without one the rule lets every creator through.
TEST_CASE("The expiration rule needs orderer capability V1_1 or later") {
  ProcessorFixture fixture;
  auto spec = fixture.network.Spec();
  spec.orderer->capabilities = {};
  auto config = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(config.ok());
  fixture.config = BundleOf(*config);
  const auto now = std::chrono::system_clock::now();
  auto expired = weft::testing::MakeSigner(
      weft::testing::IssueLeaf(fixture.network.org1_ca, "Expired", {"client"}, {},
                               {now - std::chrono::minutes(30), now - std::chrono::minutes(1)}),
      "Org1MSP");
  auto result = fixture.processor.ProcessNormalMsg(Signed(expired, "tx"));
  INFO(result.status().ToString());
  CHECK(result.ok());
}

// Fabric's StandardChannel.ProcessNormalMsg: with the orderer ConsensusTypeMigration
// capability (V1_4_2+) a channel in maintenance mode refuses normal messages with
// ErrMaintenanceMode (SERVICE_UNAVAILABLE); its SigFilter then uses
// /Channel/Orderer/Writers for config updates.
TEST_CASE("Maintenance mode refuses normal messages and restricts config updates to orderers") {
  ProcessorFixture fixture(5);
  fixture.config = BundleOf(WithConsensus(fixture.network.Config(), Maintenance));
  auto normal = fixture.processor.ProcessNormalMsg(Signed(fixture.network.client, "tx"));
  CHECK(normal.status().code() == absl::StatusCode::kUnavailable);
  CHECK(normal.status().message() == "normal transactions are rejected: maintenance mode");

  // An application admin is a /Channel/Writers member but not an orderer writer.
  fixture.next_config = WithConsensus(fixture.network.Config(), Maintenance);
  auto from_app = fixture.processor.ProcessConfigUpdateMsg(
      Signed(fixture.network.admin, "update", ::common::CONFIG_UPDATE));
  CHECK(from_app.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(from_app.status().message()),
             Catch::StartsWith("config update for existing channel did not pass initial checks") &&
                 Catch::Contains("/Channel/Orderer/Writers"));
  CHECK(fixture.validated.empty());

  auto from_orderer = fixture.processor.ProcessConfigUpdateMsg(
      Signed(fixture.network.orderer_admin, "update", ::common::CONFIG_UPDATE));
  INFO(from_orderer.status().ToString());
  CHECK(from_orderer.ok());
}

// Fabric's StandardChannel.ProcessConfigUpdateMsg re-applies the filters to the
// CONFIG envelope the orderer signed ("did not pass final checks"): the orderer's
// own identity must satisfy /Channel/Writers.
TEST_CASE("The CONFIG envelope the orderer signs passes the filters again") {
  ProcessorFixture fixture;
  const auto update = Signed(fixture.network.admin, "update", ::common::CONFIG_UPDATE);
  REQUIRE(fixture.processor.ProcessConfigUpdateMsg(update).ok());

  // Signed by a reader that is no writer, the same CONFIG envelope is refused.
  fixture.config_signer = &fixture.network.peer;
  auto result = fixture.processor.ProcessConfigUpdateMsg(update);
  CHECK(result.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(result.status().message()),
             Catch::StartsWith("config update for existing channel did not pass final checks"));
}

// Fabric's MaintenanceFilter.inspect: the consensus type changes only while the
// channel is in maintenance mode, and entering or leaving maintenance mode changes
// nothing but ConsensusType.
TEST_CASE("The maintenance filter guards consensus-type migration") {
  ProcessorFixture fixture;
  const auto update = Signed(fixture.network.orderer_admin, "update", ::common::CONFIG_UPDATE);
  fixture.next_config =
      WithConsensus(fixture.network.Config(), [](auto& consensus) { consensus.set_type("kafka"); });
  // A kafka bundle needs brokers.
  auto& orderer = (*fixture.next_config.mutable_channel_group()->mutable_groups())["Orderer"];
  ::orderer::KafkaBrokers brokers;
  brokers.add_brokers("127.0.0.1:9092");
  (*orderer.mutable_values())["KafkaBrokers"].set_value(brokers.SerializeAsString());
  auto result = fixture.processor.ProcessConfigUpdateMsg(update);
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(result.status().message()) ==
        "config update for existing channel did not pass maintenance checks: config transaction "
        "inspection failed: attempted to change consensus type from solo to kafka, but current "
        "config ConsensusType.State is not in maintenance mode");

  // Entering maintenance mode with an update that also changes BatchTimeout.
  const ::common::Config original = fixture.network.Config();
  fixture.network.batch_timeout = "1s";
  fixture.next_config = WithConsensus(fixture.network.Config(), Maintenance);
  auto config_update =
      weft::common::configtx::ComputeUpdate(kChannel, original, fixture.next_config);
  REQUIRE(config_update.ok());
  const weft::common::protoutil::Signer* admins[] = {&fixture.network.orderer_admin};
  auto both = weft::common::configtx::CreateSignedConfigUpdateEnvelope(
      *config_update, admins, fixture.network.orderer_admin);
  REQUIRE(both.ok());
  result = fixture.processor.ProcessConfigUpdateMsg(*both);
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(result.status().message()) ==
        "config update for existing channel did not pass maintenance checks: config transaction "
        "inspection failed: config update contain more then just the ConsensusType value in the "
        "Orderer group");

  // Only ConsensusType: accepted.
  fixture.next_config = WithConsensus(original, Maintenance);
  config_update = weft::common::configtx::ComputeUpdate(kChannel, original, fixture.next_config);
  REQUIRE(config_update.ok());
  auto only_consensus = weft::common::configtx::CreateSignedConfigUpdateEnvelope(
      *config_update, admins, fixture.network.orderer_admin);
  REQUIRE(only_consensus.ok());
  auto accepted = fixture.processor.ProcessConfigUpdateMsg(*only_consensus);
  INFO(accepted.status().ToString());
  CHECK(accepted.ok());
}
