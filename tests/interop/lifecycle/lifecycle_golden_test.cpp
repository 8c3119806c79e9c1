// Weft's _lifecycle state against golden values computed outside Weft by
// lifecycle_golden.js (Fabric v2.5's serializer over @hyperledger/fabric-protos):
// the five keys a definition writes into an empty namespace, byte for byte, and a
// Fabric 2.5 lifecycle message. The inputs here must match the script's.

#include <absl/strings/escaping.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/lifecycle/lifecycle.pb.h"
#include "peer/lifecycle/lifecycle_functions.h"
#include "peer/policy.pb.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/node_golden.h"

namespace weft::peer::lifecycle {
namespace {

std::string EndorsementPolicyReference() {
  ::protos::ApplicationPolicy policy;
  policy.set_channel_config_policy_reference("/Channel/Application/Endorsement");
  return policy.SerializeAsString();
}

::protos::CollectionConfigPackage Collections() {
  ::protos::CollectionConfigPackage collections;
  auto* collection = collections.add_config()->mutable_static_collection_config();
  collection->set_name("private");
  collection->set_required_peer_count(1);
  collection->set_maximum_peer_count(2);
  collection->set_block_to_live(100);
  collection->set_member_only_read(true);
  return collections;
}

// As in lifecycle_golden.js.
ChaincodeDefinition Basic() {
  ChaincodeDefinition definition;
  definition.sequence = 3;
  definition.endorsement_info.set_version("1.2");
  definition.endorsement_info.set_init_required(true);
  definition.endorsement_info.set_endorsement_plugin("escc");
  definition.validation_info.set_validation_plugin("vscc");
  definition.validation_info.set_validation_parameter(EndorsementPolicyReference());
  definition.collections = Collections();
  return definition;
}

TEST_CASE("A chaincode definition's state is byte-identical to Fabric's serializer") {
  const auto golden = testing::NodeGoldenValues("lifecycle/lifecycle_golden.js");
  auto state_db = testing::OpenTempStateDb();
  auto simulator = ledger::NewTxSimulator(*state_db);
  LifecycleSimulatorState state(*simulator);
  REQUIRE(WriteChaincodeDefinition("basic", Basic(), state).ok());
  auto results = simulator->GetTxSimulationResults();
  REQUIRE(results.ok());
  REQUIRE(results->ns_rwset_size() == 1);
  CHECK(results->ns_rwset(0).namespace_() == "_lifecycle");
  ::kvrwset::KVRWSet set;
  REQUIRE(set.ParseFromString(results->ns_rwset(0).rwset()));

  std::map<std::string, std::string> written;
  for (const auto& write : set.writes()) written[write.key()] = write.value();
  std::map<std::string, std::string> expected;
  for (const auto& [name, bytes] : golden) {
    if (name.starts_with("namespaces/")) expected[name] = bytes;
  }
  REQUIRE(expected.size() == 5);
  CHECK(written.size() == expected.size());
  for (const auto& [key, bytes] : expected) {
    INFO(key);
    REQUIRE(written.count(key) == 1);
    CHECK(absl::BytesToHexString(written.at(key)) == absl::BytesToHexString(bytes));
  }
}

TEST_CASE("An org's approval is byte-identical to Fabric's serializer") {
  const auto golden = testing::NodeGoldenValues("lifecycle/lifecycle_golden.js");
  auto state_db = testing::OpenTempStateDb();
  auto simulator = ledger::NewTxSimulator(*state_db);
  LifecyclePrivateState org_state(*simulator, simulator.get(), "_implicit_org_Org1MSP");
  // What ApproveChaincodeDefinitionForOrg writes for sequence 3.
  REQUIRE(
      Serialize(kNamespacesPrefix, PrivateName("basic", 3), ParametersStructure(Basic()), org_state)
          .ok());
  REQUIRE(Serialize(kChaincodeSourcesPrefix, PrivateName("basic", 3),
                    LocalPackageStructure("basic_1.2:4f2c"), org_state)
              .ok());
  auto results = simulator->GetTxSimulationResultsWithPrivateData();
  REQUIRE(results.ok());
  REQUIRE(results->private_rwset.has_value());
  REQUIRE(results->private_rwset->ns_pvt_rwset_size() == 1);
  const auto& collection = results->private_rwset->ns_pvt_rwset(0).collection_pvt_rwset(0);
  CHECK(collection.collection_name() == "_implicit_org_Org1MSP");
  ::kvrwset::KVRWSet set;
  REQUIRE(set.ParseFromString(collection.rwset()));

  std::map<std::string, std::string> written;
  for (const auto& write : set.writes()) written[write.key()] = write.value();
  std::map<std::string, std::string> expected;
  for (const auto& [name, bytes] : golden) {
    if (name.starts_with("approval/")) expected[name.substr(9)] = bytes;
  }
  REQUIRE(expected.size() == 6);
  CHECK(written.size() == expected.size());
  for (const auto& [key, bytes] : expected) {
    INFO(key);
    REQUIRE(written.count(key) == 1);
    CHECK(absl::BytesToHexString(written.at(key)) == absl::BytesToHexString(bytes));
  }
}

TEST_CASE("QueryApprovedChaincodeDefinitionsResult matches Fabric 2.5's encoding") {
  const auto golden = testing::NodeGoldenValues("lifecycle/lifecycle_golden.js");
  ::lifecycle::QueryApprovedChaincodeDefinitionsResult result;
  auto* approved = result.add_approved_chaincode_definitions();
  approved->set_name("basic");
  approved->set_sequence(3);
  approved->set_version("1.2");
  approved->set_endorsement_plugin("escc");
  approved->set_validation_plugin("vscc");
  approved->set_validation_parameter(EndorsementPolicyReference());
  *approved->mutable_collections() = Collections();
  approved->set_init_required(true);
  approved->mutable_source()->mutable_local_package()->set_package_id("basic_1.2:4f2c");
  CHECK(absl::BytesToHexString(result.SerializeAsString()) ==
        absl::BytesToHexString(golden.at("query_approved_chaincode_definitions_result")));
}

}  // namespace
}  // namespace weft::peer::lifecycle
