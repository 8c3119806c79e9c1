// Which orderers the deliver client dials and which TLS CAs it trusts for each, after
// Fabric's internal/pkg/peer/orderers/connection.go (ConnectionSource.Update) and
// core/deliverservice/config.go (LoadOverridesMap).
#include "peer/deliver_client/endpoints.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "peer/deliver_client/deliverer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_network.h"
#include "tests/support/test_orgs.h"

namespace {

using weft::peer::deliver_client::AddressOverrides;
using weft::peer::deliver_client::ChannelOrdererEndpoints;
using weft::peer::deliver_client::LoadAddressOverrides;
using weft::peer::deliver_client::OrdererEndpoint;

struct TwoOrdererOrgs {
  weft::testing::TestNetwork network;
  weft::testing::TestIdentity org_a_tls = weft::testing::MakeTestCa("tlsca.a.example.com", "A");
  weft::testing::TestIdentity org_b_tls = weft::testing::MakeTestCa("tlsca.b.example.com", "B");
  weft::testing::TestIdentity org_b_ca = weft::testing::MakeTestCa("ca.b.example.com", "B");

  // Orderer orgs OrdererMSP (TLS CA org_a_tls) and OrdererBMSP (TLS CA org_b_tls) with the
  // given per-org endpoints, and the global OrdererAddresses `global`.
  std::shared_ptr<const weft::common::channelconfig::ChannelConfig> Config(
      std::vector<std::string> a_endpoints, std::vector<std::string> b_endpoints,
      std::vector<std::string> global) const {
    auto spec = network.Spec();
    auto& orgs = spec.orderer->organizations;
    orgs[0].orderer_endpoints = std::move(a_endpoints);
    orgs[0].msp.tls_root_certs = {org_a_tls.cert};
    auto org_b = weft::testing::NodeOuOrg("OrdererBMSP", org_b_ca);
    org_b.orderer_endpoints = std::move(b_endpoints);
    org_b.msp.tls_root_certs = {org_b_tls.cert};
    orgs.push_back(org_b);
    spec.orderer->addresses = std::move(global);
    auto config = weft::common::channelconfig::BuildConfig(spec);
    REQUIRE(config.ok());
    auto bundle = weft::common::channelconfig::ChannelConfig::FromConfig("ch", *config);
    INFO(bundle.status().ToString());
    REQUIRE(bundle.ok());
    return *bundle;
  }
};

const OrdererEndpoint* Find(const std::vector<OrdererEndpoint>& endpoints,
                            const std::string& address) {
  for (const auto& endpoint : endpoints) {
    if (endpoint.address == address) return &endpoint;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Per-org orderer endpoints are used with their own org's TLS CAs and globals ignored") {
  // connection.go Update: with any org endpoint, "global endpoints will be ignored" and
  // each org's endpoints carry only that org's root certs.
  TwoOrdererOrgs orgs;
  auto config = orgs.Config({"a1:7050", "a2:7050"}, {"b1:7050"}, {"global:7050"});
  const auto endpoints = ChannelOrdererEndpoints(*config, {});
  REQUIRE(endpoints.size() == 3);
  CHECK(Find(endpoints, "global:7050") == nullptr);
  for (const char* address : {"a1:7050", "a2:7050"}) {
    const auto* endpoint = Find(endpoints, address);
    REQUIRE(endpoint != nullptr);
    CHECK(endpoint->root_cas == std::vector<std::string>{orgs.org_a_tls.CertPem()});
  }
  const auto* b1 = Find(endpoints, "b1:7050");
  REQUIRE(b1 != nullptr);
  CHECK(b1->root_cas == std::vector<std::string>{orgs.org_b_tls.CertPem()});
}

TEST_CASE(
    "Global orderer addresses are used when no org lists endpoints, trusting every orderer "
    "org's TLS CAs") {
  // connection.go Update: without org endpoints, the global addresses get globalRootCerts,
  // the root certs of all orderer orgs.
  TwoOrdererOrgs orgs;
  auto config = orgs.Config({}, {}, {"g1:7050", "g2:7050"});
  const auto endpoints = ChannelOrdererEndpoints(*config, {});
  REQUIRE(endpoints.size() == 2);
  for (const char* address : {"g1:7050", "g2:7050"}) {
    const auto* endpoint = Find(endpoints, address);
    REQUIRE(endpoint != nullptr);
    CHECK(endpoint->root_cas.size() == 2);
    CHECK(std::count(endpoint->root_cas.begin(), endpoint->root_cas.end(),
                     orgs.org_a_tls.CertPem()) == 1);
    CHECK(std::count(endpoint->root_cas.begin(), endpoint->root_cas.end(),
                     orgs.org_b_tls.CertPem()) == 1);
  }
}

TEST_CASE("Address overrides replace an org or global address and its TLS CAs") {
  // connection.go Update: an overridden address takes the override's Address and RootCerts.
  TwoOrdererOrgs orgs;
  const auto other_ca = weft::testing::MakeTestCa("tlsca.override.example.com", "Override");
  AddressOverrides overrides;
  overrides["a1:7050"] = {"127.0.0.1:17050", {other_ca.CertPem()}};
  overrides["g1:7050"] = {"127.0.0.1:27050", {}};

  auto per_org = ChannelOrdererEndpoints(*orgs.Config({"a1:7050"}, {"b1:7050"}, {}), overrides);
  REQUIRE(per_org.size() == 2);
  CHECK(Find(per_org, "a1:7050") == nullptr);
  const auto* replaced = Find(per_org, "127.0.0.1:17050");
  REQUIRE(replaced != nullptr);
  CHECK(replaced->root_cas == std::vector<std::string>{other_ca.CertPem()});
  const auto* kept = Find(per_org, "b1:7050");
  REQUIRE(kept != nullptr);
  CHECK(kept->root_cas == std::vector<std::string>{orgs.org_b_tls.CertPem()});

  auto global = ChannelOrdererEndpoints(*orgs.Config({}, {}, {"g1:7050"}), overrides);
  REQUIRE(global.size() == 1);
  CHECK(global[0].address == "127.0.0.1:27050");
  CHECK(global[0].root_cas.empty());
}

TEST_CASE("A config without orderer endpoints or addresses yields no endpoint") {
  TwoOrdererOrgs orgs;
  CHECK(ChannelOrdererEndpoints(*orgs.Config({}, {}, {}), {}).empty());
}

TEST_CASE("Address overrides read their CA file and skip an override whose file is unusable") {
  // config.go LoadOverridesMap: an unreadable caCertsFile or one without certificates
  // skips that override with a warning; no caCertsFile means no root certs.
  weft::testing::TempDir dir("weft-deliver-overrides");
  const auto ca = weft::testing::MakeTestCa("tlsca.x.example.com", "X");
  std::ofstream(dir.path() / "ca.pem") << ca.CertPem();
  std::ofstream(dir.path() / "empty.pem") << "no certificate here\n";

  std::vector<weft::common::config::OrdererAddressOverride> configured = {
      {"a:7050", "x:7050", dir.path() / "ca.pem"},
      {"b:7050", "y:7050", dir.path() / "missing.pem"},
      {"c:7050", "z:7050", dir.path() / "empty.pem"},
      {"d:7050", "w:7050", {}},
  };
  std::vector<std::string> warnings;
  const auto overrides = LoadAddressOverrides(configured, &warnings);
  REQUIRE(overrides.size() == 2);
  REQUIRE(overrides.count("a:7050") == 1);
  CHECK(overrides.at("a:7050").to == "x:7050");
  CHECK(overrides.at("a:7050").root_cas == std::vector<std::string>{ca.CertPem()});
  REQUIRE(overrides.count("d:7050") == 1);
  CHECK(overrides.at("d:7050").root_cas.empty());
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].find("missing.pem") != std::string::npos);
  CHECK(warnings[1].find("empty.pem") != std::string::npos);
}

TEST_CASE("peer.deliveryclient settings set the retry thresholds and the address overrides") {
  // deliveryclient.go StartDeliverForChannel: MaxRetryDelay = ReConnectBackoffThreshold,
  // MaxRetryDuration = ReconnectTotalTimeThreshold, InitialRetryDelay 100 ms.
  weft::common::config::DeliveryClientSettings settings;
  settings.reconnect_backoff_threshold = std::chrono::seconds(7);
  settings.reconnect_total_time_threshold = std::chrono::seconds(90);
  settings.address_overrides = {{"a:7050", "b:7050", {}}};
  weft::peer::deliver_client::DelivererOptions options;
  std::vector<std::string> warnings;
  weft::peer::deliver_client::ApplyDeliveryClientSettings(settings, &options, &warnings);
  CHECK(options.max_retry_delay == std::chrono::seconds(7));
  CHECK(options.max_retry_duration == std::chrono::seconds(90));
  CHECK(options.initial_retry_delay == std::chrono::milliseconds(100));
  REQUIRE(options.overrides.count("a:7050") == 1);
  CHECK(options.overrides.at("a:7050").to == "b:7050");
  CHECK(warnings.empty());
}
