#include "common/configtx/validator.h"

#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "common/configtx/update.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/serialize.h"
#include "msp/signing_identity.h"
#include "orderer/configuration.pb.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

using namespace weft::common::configtx;
using weft::common::channelconfig::ChannelConfig;
using weft::common::channelconfig::ChannelSpec;
using weft::common::channelconfig::OrganizationSpec;
using weft::common::channelconfig::PolicySpecs;
using weft::common::protoutil::DeterministicSerialize;
using weft::common::protoutil::Signer;
using weft::msp::SigningIdentity;
using weft::testing::IssueLeaf;
using weft::testing::MakeTestCa;
using weft::testing::TestIdentity;

namespace {

constexpr char kChannel[] = "mychannel";

// Organisation `name` + "MSP" with the shared NodeOU organisation policies.
OrganizationSpec Org(const std::string& name, const TestIdentity& ca) {
  return weft::testing::NodeOuOrg(name + "MSP", ca);
}

SigningIdentity Sign(const std::string& msp_id, const TestIdentity& who) {
  return weft::testing::MakeSigner(who, msp_id);
}

// A channel with one orderer organisation and two application organisations (so a
// MAJORITY of application admins is both), plus a third organisation not yet in it.
struct Network {
  TestIdentity orderer_ca = MakeTestCa("ca.example.com", "Orderer");
  TestIdentity org1_ca = MakeTestCa("ca.org1.example.com", "Org1");
  TestIdentity org2_ca = MakeTestCa("ca.org2.example.com", "Org2");
  TestIdentity org3_ca = MakeTestCa("ca.org3.example.com", "Org3");

  SigningIdentity orderer_node =
      Sign("OrdererMSP", IssueLeaf(orderer_ca, "orderer0.example.com", {"orderer"}));
  SigningIdentity orderer_admin = Sign("OrdererMSP", IssueLeaf(orderer_ca, "Admin", {"admin"}));
  SigningIdentity orderer_client = Sign("OrdererMSP", IssueLeaf(orderer_ca, "User1", {"client"}));
  SigningIdentity org1_admin = Sign("Org1MSP", IssueLeaf(org1_ca, "Admin@org1", {"admin"}));
  SigningIdentity org2_admin = Sign("Org2MSP", IssueLeaf(org2_ca, "Admin@org2", {"admin"}));

  ChannelSpec Spec(bool with_org3 = false) const {
    ChannelSpec spec;
    spec.policies = weft::testing::StandardPolicies();
    spec.capabilities = {"V2_0"};
    spec.orderer = weft::testing::StandardOrderer(orderer_ca);
    weft::common::channelconfig::ApplicationSpec application;
    application.policies = weft::testing::StandardPolicies();
    application.policies["Endorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    application.capabilities = {"V2_5"};
    application.organizations = {Org("Org1", org1_ca), Org("Org2", org2_ca)};
    if (with_org3) application.organizations.push_back(Org("Org3", org3_ca));
    spec.application = application;
    return spec;
  }

  ::common::Config Config(bool with_org3 = false) const {
    auto config = weft::common::channelconfig::BuildConfig(Spec(with_org3));
    REQUIRE(config.ok());
    return *std::move(config);
  }

  std::shared_ptr<const ChannelConfig> Bundle() const {
    auto bundle = ChannelConfig::FromConfig(kChannel, Config());
    REQUIRE(bundle.ok());
    return *std::move(bundle);
  }
};

::common::Envelope Envelope(const ::common::ConfigUpdate& update,
                            std::vector<const Signer*> signers) {
  REQUIRE(!signers.empty());
  auto envelope = CreateSignedConfigUpdateEnvelope(update, signers, *signers.front());
  REQUIRE(envelope.ok());
  return *std::move(envelope);
}

std::string BatchSizeBytes(uint32_t max_message_count) {
  ::orderer::BatchSize batch_size;
  batch_size.set_max_message_count(max_message_count);
  batch_size.set_absolute_max_bytes(1 << 20);
  batch_size.set_preferred_max_bytes(1 << 19);
  return DeterministicSerialize(batch_size);
}

// The update Fabric's tooling writes for one Orderer value: read Channel and Orderer
// at their versions, write the value at `version` with new content.
::common::ConfigUpdate OrdererValueUpdate(const std::string& key, uint64_t version,
                                          const std::string& value,
                                          const std::string& channel_id = kChannel) {
  ::common::ConfigUpdate update;
  update.set_channel_id(channel_id);
  (*update.mutable_read_set()->mutable_groups())["Orderer"];
  auto& orderer = (*update.mutable_write_set()->mutable_groups())["Orderer"];
  auto& written = (*orderer.mutable_values())[key];
  written.set_version(version);
  written.set_value(value);
  written.set_mod_policy("Admins");
  return update;
}

::common::ConfigUpdate BatchUpdate(uint32_t max_message_count, const std::string& timeout) {
  ::common::ConfigUpdate update =
      OrdererValueUpdate("BatchSize", 1, BatchSizeBytes(max_message_count));
  ::orderer::BatchTimeout batch_timeout;
  batch_timeout.set_timeout(timeout);
  auto& value = (*(*update.mutable_write_set()->mutable_groups())["Orderer"]
                      .mutable_values())["BatchTimeout"];
  value.set_version(1);
  value.set_value(DeterministicSerialize(batch_timeout));
  value.set_mod_policy("Admins");
  return update;
}

void StripVersions(::common::ConfigGroup* group) {
  group->set_version(0);
  for (auto& [key, value] : *group->mutable_values()) value.set_version(0);
  for (auto& [key, policy] : *group->mutable_policies()) policy.set_version(0);
  for (auto& [key, child] : *group->mutable_groups()) StripVersions(&child);
}

bool SameIgnoringVersions(::common::ConfigGroup a, ::common::ConfigGroup b) {
  StripVersions(&a);
  StripVersions(&b);
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

std::string Message(const weft::Status& status) { return std::string(status.message()); }

}  // namespace

TEST_CASE("A batch settings change signed by the orderer admins becomes the next config") {
  Network network;
  auto current = network.Bundle();
  const ::common::Envelope update = Envelope(BatchUpdate(50, "500ms"), {&network.orderer_admin});

  auto config_envelope = ValidateConfigUpdate(*current, update, network.orderer_node);
  REQUIRE(config_envelope.ok());

  auto opened = weft::common::protoutil::OpenEnvelope(*config_envelope);
  REQUIRE(opened.ok());
  CHECK(opened->channel_header.type() == ::common::CONFIG);
  CHECK(opened->channel_header.channel_id() == kChannel);
  CHECK(opened->creator() == network.orderer_node.serialized());
  ::common::ConfigEnvelope contents;
  REQUIRE(contents.ParseFromString(opened->data()));
  CHECK(contents.config().sequence() == current->sequence() + 1);
  CHECK(DeterministicSerialize(contents.last_update()) == DeterministicSerialize(update));
  const auto& orderer_values = contents.config().channel_group().groups().at("Orderer").values();
  CHECK(orderer_values.at("BatchSize").version() == 1);
  CHECK(orderer_values.at("BatchTimeout").version() == 1);
  CHECK(orderer_values.at("ConsensusType").version() == 0);

  auto next = ChannelConfig::FromConfig(kChannel, contents.config());
  REQUIRE(next.ok());
  CHECK((*next)->sequence() == 1);
  CHECK((*next)->orderer()->batch_size.max_message_count == 50);
  CHECK((*next)->orderer()->batch_timeout == std::chrono::milliseconds(500));
  CHECK((*next)->application()->organizations.size() == 2);
}

// Fabric's verifyDeltaSet: "policy for <key> not satisfied", a plain error (never
// ErrPermissionDenied), so Broadcast answers BAD_REQUEST.
TEST_CASE("A batch settings change signed by a non-admin is denied naming the policy") {
  Network network;
  auto current = network.Bundle();
  auto result =
      ProposeConfigUpdate(*current, Envelope(BatchUpdate(50, "500ms"), {&network.orderer_client}));
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(result.status()),
             Catch::StartsWith("error authorizing update: error validating DeltaSet: policy for "
                               "[Value]  /Channel/Orderer/BatchSize not satisfied"));
  CHECK_THAT(Message(result.status()), Catch::Contains("/Channel/Orderer/Admins"));
  CHECK_THAT(Message(result.status()), Catch::Contains("/Channel/Orderer/BatchSize"));
}

TEST_CASE("The current mod_policy authorizes a change, not the one the write set proposes") {
  Network network;
  auto current = network.Bundle();
  ::common::ConfigUpdate update = OrdererValueUpdate("BatchSize", 1, BatchSizeBytes(50));
  // The orderer client satisfies /Channel/Orderer/Writers but not Admins.
  (*(*update.mutable_write_set()->mutable_groups())["Orderer"].mutable_values())["BatchSize"]
      .set_mod_policy("Writers");
  auto result = ProposeConfigUpdate(*current, Envelope(update, {&network.orderer_client}));
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(result.status()), Catch::Contains("/Channel/Orderer/Admins"));

  auto as_admin = ProposeConfigUpdate(*current, Envelope(update, {&network.orderer_admin}));
  REQUIRE(as_admin.ok());
  CHECK(as_admin->envelope.config()
            .channel_group()
            .groups()
            .at("Orderer")
            .values()
            .at("BatchSize")
            .mod_policy() == "Writers");
}

TEST_CASE("Adding an application organisation takes a majority of the application admins") {
  Network network;
  auto current = network.Bundle();
  auto update = ComputeUpdate(kChannel, current->config(), network.Config(/*with_org3=*/true));
  REQUIRE(update.ok());
  const auto& written_org3 = update->write_set().groups().at("Application").groups().at("Org3MSP");
  CHECK(written_org3.version() == 0);
  CHECK(written_org3.values().contains("MSP"));
  CHECK(written_org3.policies().contains("Admins"));

  SECTION("signed by both application admins it is accepted") {
    auto proposed = ProposeConfigUpdate(
        *current, Envelope(*update, {&network.org1_admin, &network.org2_admin}));
    REQUIRE(proposed.ok());
    CHECK(proposed->envelope.config().sequence() == 1);
    const auto& organizations = proposed->bundle->application()->organizations;
    REQUIRE(organizations.contains("Org3MSP"));
    CHECK(organizations.at("Org3MSP").msp_id == "Org3MSP");
    REQUIRE(organizations.at("Org3MSP").msp != nullptr);
    // The new organisation's members are now recognised by the channel.
    auto org3_admin = Sign("Org3MSP", IssueLeaf(network.org3_ca, "Admin@org3", {"admin"}));
    CHECK(proposed->bundle->msp_manager().DeserializeIdentity(org3_admin.serialized()).ok());
    CHECK(!current->msp_manager().DeserializeIdentity(org3_admin.serialized()).ok());
  }
  SECTION("signed by one of the two application admins it is denied") {
    auto proposed = ProposeConfigUpdate(*current, Envelope(*update, {&network.org1_admin}));
    REQUIRE(proposed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(proposed.status()), Catch::Contains("/Channel/Application/Admins"));
  }
}

TEST_CASE("A config update computed from an outdated config is rejected for its stale read set") {
  Network network;
  auto genesis = network.Bundle();
  const ::common::Config original = genesis->config();
  auto add_org3 = ComputeUpdate(kChannel, original, network.Config(/*with_org3=*/true));
  REQUIRE(add_org3.ok());
  auto after_org3 = ProposeConfigUpdate(
      *genesis, Envelope(*add_org3, {&network.org1_admin, &network.org2_admin}));
  REQUIRE(after_org3.ok());

  // A second change, prepared against the genesis config, now reads an old
  // /Channel/Application version.
  ::common::Config without_endorsement = original;
  auto& application =
      (*without_endorsement.mutable_channel_group()->mutable_groups())["Application"];
  (*application.mutable_policies()).erase("Endorsement");
  auto stale = ComputeUpdate(kChannel, original, without_endorsement);
  REQUIRE(stale.ok());
  const auto envelope = Envelope(*stale, {&network.org1_admin, &network.org2_admin});
  REQUIRE(ProposeConfigUpdate(*genesis, envelope).ok());

  auto result = ProposeConfigUpdate(*after_org3->bundle, envelope);
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  // Fabric's verifyReadSet wording.
  CHECK(Message(result.status()) ==
        "error authorizing update: error validating ReadSet: proposed update requires that key "
        "[Group]  /Channel/Application be at version 0, but it is currently at version 1");
}

TEST_CASE("A write-set element that skips a version is rejected naming it") {
  Network network;
  auto current = network.Bundle();
  auto result = ProposeConfigUpdate(
      *current,
      Envelope(OrdererValueUpdate("BatchSize", 2, BatchSizeBytes(50)), {&network.orderer_admin}));
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  // Fabric's verifyDeltaSet wording.
  CHECK(Message(result.status()) ==
        "error authorizing update: error validating DeltaSet: attempt to set key [Value]  "
        "/Channel/Orderer/BatchSize to version 2, but key is at version 0");
}

// Fabric's computeDeltaSet compares the write set with the read set: an element
// written at its current version but not read is part of the delta, and
// verifyDeltaSet then wants version + 1.
TEST_CASE("A write-set element at its current version that the read set lacks is refused") {
  Network network;
  auto current = network.Bundle();
  auto result = ProposeConfigUpdate(
      *current,
      Envelope(OrdererValueUpdate("BatchSize", 0, BatchSizeBytes(50)), {&network.orderer_admin}));
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(result.status()) ==
        "error authorizing update: error validating DeltaSet: attempt to set key [Value]  "
        "/Channel/Orderer/BatchSize to version 0, but key is at version 0");
}

// ... while one read and written at the same version is left out of the delta: its
// current content stays, whatever the write set says (Fabric's computeDeltaSet).
TEST_CASE("A write-set element read at the version written keeps its current content") {
  Network network;
  auto current = network.Bundle();
  ::common::ConfigUpdate update = BatchUpdate(50, "500ms");
  // BatchSize goes back to version 0 with other content, and is read at version 0.
  auto& orderer_write = (*update.mutable_write_set()->mutable_groups())["Orderer"];
  (*orderer_write.mutable_values())["BatchSize"].set_version(0);
  auto& orderer_read = (*update.mutable_read_set()->mutable_groups())["Orderer"];
  (*orderer_read.mutable_values())["BatchSize"].set_version(0);
  auto proposed = ProposeConfigUpdate(*current, Envelope(update, {&network.orderer_admin}));
  INFO(proposed.status().ToString());
  REQUIRE(proposed.ok());
  CHECK(proposed->bundle->orderer()->batch_size.max_message_count ==
        current->orderer()->batch_size.max_message_count);
  CHECK(proposed->bundle->orderer()->batch_timeout == std::chrono::milliseconds(500));

  // An update whose every element is read at the version written changes nothing.
  ::common::ConfigUpdate nothing = OrdererValueUpdate("BatchSize", 0, BatchSizeBytes(50));
  (*(*nothing.mutable_read_set()->mutable_groups())["Orderer"].mutable_values())["BatchSize"];
  auto empty = ProposeConfigUpdate(*current, Envelope(nothing, {&network.orderer_admin}));
  CHECK(Message(empty.status()) ==
        "error authorizing update: error validating DeltaSet: delta set was empty -- update "
        "would have no effect");
}

TEST_CASE("A config update for another channel is rejected") {
  Network network;
  auto current = network.Bundle();

  SECTION("when the envelope names another channel") {
    auto update = OrdererValueUpdate("BatchSize", 1, BatchSizeBytes(50), "otherchannel");
    auto result = ProposeConfigUpdate(*current, Envelope(update, {&network.orderer_admin}));
    REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(result.status()), Catch::Contains("otherchannel"));
  }
  SECTION("when only the ConfigUpdate inside names another channel") {
    auto update = OrdererValueUpdate("BatchSize", 1, BatchSizeBytes(50), "otherchannel");
    ::common::ConfigUpdateEnvelope update_envelope;
    update_envelope.set_config_update(DeterministicSerialize(update));
    auto signature = CreateConfigSignature(update_envelope.config_update(), network.orderer_admin);
    REQUIRE(signature.ok());
    *update_envelope.add_signatures() = *signature;
    auto envelope = weft::common::protoutil::CreateSignedEnvelope(
        ::common::CONFIG_UPDATE, kChannel, network.orderer_admin,
        DeterministicSerialize(update_envelope));
    REQUIRE(envelope.ok());
    auto result = ProposeConfigUpdate(*current, *envelope);
    REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
    // Fabric's authorizeUpdate wording.
    CHECK(Message(result.status()) ==
          "error authorizing update: ConfigUpdate for channel 'otherchannel' but envelope for "
          "channel 'mychannel'");
  }
}

// Fabric's configMapToConfig rebuilds each group from the members its own proto
// lists: a new element under a group the update does not modify is not reachable
// and is dropped (no policy authorises it, and it changes nothing).
TEST_CASE("A new element under a group that keeps its version does not enter the config") {
  Network network;
  ::common::ConfigUpdate update = OrdererValueUpdate("NewValue", 0, "x");
  auto result = ApplyConfigUpdate(network.Config(), update);
  REQUIRE(result.ok());
  CHECK(!result->channel_group().groups().at("Orderer").values().contains("NewValue"));
  CHECK(SameIgnoringVersions(result->channel_group(), network.Config().channel_group()));
}

TEST_CASE("Applying a computed update to the original config yields the updated config") {
  Network network;
  auto current = network.Bundle();
  const ::common::Config& original = current->config();

  // Change a value, add an organisation, delete a policy and change a mod_policy.
  ::common::Config updated = network.Config(/*with_org3=*/true);
  auto& groups = *updated.mutable_channel_group()->mutable_groups();
  ::orderer::BatchTimeout batch_timeout;
  batch_timeout.set_timeout("750ms");
  (*groups["Orderer"].mutable_values())["BatchTimeout"].set_value(
      DeterministicSerialize(batch_timeout));
  (*groups["Application"].mutable_groups())["Org2MSP"].mutable_policies()->erase("Endorsement");
  groups["Application"].set_mod_policy("/Channel/Admins");

  auto update = ComputeUpdate(kChannel, original, updated);
  REQUIRE(update.ok());
  // Minimal: untouched groups are absent and unchanged members are version-only references.
  CHECK(update->write_set().groups().size() == 2);
  const auto& application = update->write_set().groups().at("Application");
  CHECK(application.version() == 1);
  CHECK(application.groups().at("Org1MSP").values().empty());
  CHECK(application.groups().at("Org1MSP").policies().empty());
  CHECK(update->write_set().groups().at("Orderer").values().size() == 1);

  auto proposed = ProposeConfigUpdate(
      *current,
      Envelope(*update, {&network.orderer_admin, &network.org1_admin, &network.org2_admin}));
  REQUIRE(proposed.ok());
  const ::common::Config& result = proposed->envelope.config();
  CHECK(result.sequence() == original.sequence() + 1);
  CHECK(SameIgnoringVersions(result.channel_group(), updated.channel_group()));
  CHECK(!SameIgnoringVersions(result.channel_group(), original.channel_group()));
  CHECK(proposed->bundle->orderer()->batch_timeout == std::chrono::milliseconds(750));
  CHECK(result.channel_group().groups().at("Application").mod_policy() == "/Channel/Admins");

  CHECK(ComputeUpdate(kChannel, original, original).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

namespace {

// `spec` as the next config, proposed with the signatures of every admin.
[[nodiscard]] weft::StatusOr<ProposedConfig> ProposeSpec(const Network& network,
                                                         const ChannelConfig& current,
                                                         const ChannelSpec& spec) {
  auto next = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(next.ok());
  auto update = ComputeUpdate(kChannel, current.config(), *next);
  REQUIRE(update.ok());
  return ProposeConfigUpdate(
      current,
      Envelope(*update, {&network.orderer_admin, &network.org1_admin, &network.org2_admin}));
}

}  // namespace

// Fabric's Bundle.ValidateNew (common/channelconfig/bundle.go): the consensus type
// may change only with the channel capability ConsensusTypeMigration (V1_4_2+);
// with it, the orderer's maintenance filter decides (msgprocessor tests).
TEST_CASE("A consensus type change is refused without the migration capability") {
  Network network;
  ChannelSpec spec = network.Spec();
  spec.capabilities = {"V1_3"};
  auto built = weft::common::channelconfig::BuildConfig(spec);
  REQUIRE(built.ok());
  auto current = ChannelConfig::FromConfig(kChannel, *built);
  REQUIRE(current.ok());
  spec.orderer->orderer_type = "kafka";
  spec.orderer->kafka_brokers = {"127.0.0.1:9092"};
  auto result = ProposeSpec(network, **current, spec);
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(result.status()) == "attempted to change consensus type from solo to kafka");
}

// Fabric's checkResources (orderer/common/multichannel/ledger_resources.go) then
// ValidateNew: the Orderer and Application sections cannot be removed.
TEST_CASE("A config update removing the Orderer or Application group is refused") {
  Network network;
  auto current = network.Bundle();
  ChannelSpec without_orderer = network.Spec();
  without_orderer.orderer.reset();
  auto no_orderer = ProposeSpec(network, *current, without_orderer);
  REQUIRE(no_orderer.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(no_orderer.status()) ==
        "config update is not compatible: config does not contain orderer config");

  ChannelSpec without_application = network.Spec();
  without_application.application.reset();
  auto no_application = ProposeSpec(network, *current, without_application);
  REQUIRE(no_application.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(no_application.status()) ==
        "current config has application section, but new config does not");
}

// Fabric's Bundle.ValidateNew: an organisation keeps its MSP ID.
TEST_CASE("A config update changing an organisation's MSP ID is refused") {
  Network network;
  auto current = network.Bundle();
  ChannelSpec spec = network.Spec();
  spec.application->organizations[0].msp.name = "Org9MSP";
  auto result = ProposeSpec(network, *current, spec);
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(result.status()) ==
        "application org Org1MSP attempted to change MSP ID from Org1MSP to Org9MSP");
}

// Fabric's checkResources with common/capabilities registry.Supported: the orderer
// refuses a config needing an orderer or channel capability it lacks.
TEST_CASE("A config update requiring a capability this orderer lacks is refused") {
  Network network;
  auto current = network.Bundle();
  ChannelSpec orderer_caps = network.Spec();
  orderer_caps.orderer->capabilities = {"V2_0", "V9_9"};
  auto result = ProposeSpec(network, *current, orderer_caps);
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(result.status()) ==
        "config update is not compatible: config requires unsupported orderer capabilities: "
        "Orderer capability V9_9 is required but not supported");

  ChannelSpec channel_caps = network.Spec();
  channel_caps.capabilities = {"V2_0", "V3_0"};
  result = ProposeSpec(network, *current, channel_caps);
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(result.status()) ==
        "config update is not compatible: config requires unsupported channel capabilities: "
        "Channel capability V3_0 is required but not supported");
}
