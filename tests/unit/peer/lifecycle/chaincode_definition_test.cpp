#include "peer/lifecycle/chaincode_definition.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/lifecycle/ledger_state.h"
#include "tests/support/ledger_test_util.h"

namespace weft::peer::lifecycle {
namespace {

using ledger::statedb::StateDb;

// A channel's state DB and the transactions run against it, each committed as the
// next block's only transaction.
class LifecycleLedger {
 public:
  LifecycleLedger() : state_(testing::OpenTempStateDb()) {}

  // The _lifecycle writes of one simulation that runs `body`, then commits them.
  template <typename Body>
  std::map<std::string, ::kvrwset::KVWrite> Run(Body body) {
    std::unique_ptr<ledger::TxSimulator> simulator = NewSimulator();
    LifecycleSimulatorState state(*simulator);
    body(state);
    auto results = simulator->GetTxSimulationResults();
    REQUIRE(results.ok());
    std::map<std::string, ::kvrwset::KVWrite> writes;
    ledger::statedb::UpdateBatch batch;
    ++height_;
    for (const auto& ns : results->ns_rwset()) {
      if (ns.namespace_() != kLifecycleNamespace) continue;
      ::kvrwset::KVRWSet set;
      REQUIRE(set.ParseFromString(ns.rwset()));
      for (const auto& write : set.writes()) {
        writes[write.key()] = write;
        const ledger::statedb::Version version{height_, 0};
        if (write.is_delete()) {
          batch.Delete(kLifecycleNamespace, write.key(), version);
        } else {
          batch.Put(kLifecycleNamespace, write.key(), {write.value(), "", version});
        }
      }
    }
    REQUIRE(state_->ApplyUpdates(batch, height_).ok());
    return writes;
  }

  // The committed definition of `name`, read through a query executor.
  [[nodiscard]] StatusOr<std::optional<ChaincodeDefinition>> Read(std::string_view name) {
    std::unique_ptr<ledger::QueryExecutor> executor = ledger::NewQueryExecutor(*state_);
    LifecycleQueryState state(*executor);
    auto definition = ChaincodeDefinitionIfDefined(name, state);
    executor->Done();
    return definition;
  }

  std::unique_ptr<ledger::TxSimulator> NewSimulator() { return ledger::NewTxSimulator(*state_); }

  void Put(std::string_view key, std::string value) {
    Run([&](LifecycleSimulatorState& state) { REQUIRE(state.PutState(key, value).ok()); });
  }

 private:
  std::shared_ptr<StateDb> state_;
  uint64_t height_ = 0;
};

ChaincodeDefinition BasicDefinition() {
  ChaincodeDefinition definition;
  definition.sequence = 1;
  definition.endorsement_info.set_version("1.0");
  definition.endorsement_info.set_endorsement_plugin("escc");
  definition.validation_info.set_validation_plugin("vscc");
  definition.validation_info.set_validation_parameter("policy bytes");
  definition.collections.add_config()->mutable_static_collection_config()->set_name("private");
  return definition;
}

std::string Bytes(const google::protobuf::MessageLite& message) {
  return message.SerializeAsString();
}

TEST_CASE("A chaincode definition is stored as Fabric's metadata and four fields") {
  LifecycleLedger ledger;
  const ChaincodeDefinition definition = BasicDefinition();
  auto writes = ledger.Run([&](LifecycleSimulatorState& state) {
    REQUIRE(WriteChaincodeDefinition("basic", definition, state).ok());
  });

  // Fabric's serializer: the metadata lists the fields in the Go struct's order.
  ::lifecycle::StateMetadata metadata;
  REQUIRE(metadata.ParseFromString(writes.at("namespaces/metadata/basic").value()));
  CHECK(metadata.datatype() == "ChaincodeDefinition");
  CHECK(std::vector<std::string>(metadata.fields().begin(), metadata.fields().end()) ==
        std::vector<std::string>{"Sequence", "EndorsementInfo", "ValidationInfo", "Collections"});
  CHECK(writes.size() == 5);

  ::lifecycle::StateData sequence;
  REQUIRE(sequence.ParseFromString(writes.at("namespaces/fields/basic/Sequence").value()));
  CHECK(sequence.int64() == 1);
  ::lifecycle::StateData endorsement;
  REQUIRE(
      endorsement.ParseFromString(writes.at("namespaces/fields/basic/EndorsementInfo").value()));
  CHECK(endorsement.bytes() == Bytes(definition.endorsement_info));

  auto read = ledger.Read("basic");
  REQUIRE(read.ok());
  REQUIRE(read->has_value());
  CHECK((*read)->sequence == 1);
  CHECK(Bytes((*read)->endorsement_info) == Bytes(definition.endorsement_info));
  CHECK(Bytes((*read)->validation_info) == Bytes(definition.validation_info));
  CHECK(Bytes((*read)->collections) == Bytes(definition.collections));
}

TEST_CASE("A redefinition writes only the fields whose bytes change") {
  LifecycleLedger ledger;
  ledger.Run([&](LifecycleSimulatorState& state) {
    REQUIRE(WriteChaincodeDefinition("basic", BasicDefinition(), state).ok());
  });
  ChaincodeDefinition upgrade = BasicDefinition();
  upgrade.sequence = 2;
  upgrade.endorsement_info.set_version("2.0");
  auto writes = ledger.Run([&](LifecycleSimulatorState& state) {
    REQUIRE(WriteChaincodeDefinition("basic", upgrade, state).ok());
  });
  // serializer.go Serialize: unchanged keys and unchanged metadata are not written.
  CHECK(writes.size() == 2);
  CHECK(writes.count("namespaces/fields/basic/Sequence") == 1);
  CHECK(writes.count("namespaces/fields/basic/EndorsementInfo") == 1);

  auto read = ledger.Read("basic");
  REQUIRE(read.ok());
  REQUIRE(read->has_value());
  CHECK((*read)->sequence == 2);
  CHECK((*read)->endorsement_info.version() == "2.0");
}

TEST_CASE("Serialize rewrites stale metadata and deletes fields it no longer lists") {
  LifecycleLedger ledger;
  ::lifecycle::StateMetadata stale;
  stale.set_datatype("ChaincodeDefinition");
  for (const char* field : {"Sequence", "Retired"}) stale.add_fields(field);
  ledger.Put("namespaces/metadata/basic", Bytes(stale));
  ledger.Put("namespaces/fields/basic/Retired", "old");

  auto writes = ledger.Run([&](LifecycleSimulatorState& state) {
    REQUIRE(WriteChaincodeDefinition("basic", BasicDefinition(), state).ok());
  });
  REQUIRE(writes.count("namespaces/fields/basic/Retired") == 1);
  CHECK(writes.at("namespaces/fields/basic/Retired").is_delete());
  ::lifecycle::StateMetadata metadata;
  REQUIRE(metadata.ParseFromString(writes.at("namespaces/metadata/basic").value()));
  CHECK(metadata.fields_size() == 4);
}

TEST_CASE("ChaincodeDefinitionIfDefined answers as Fabric's") {
  LifecycleLedger ledger;

  SECTION("an undefined chaincode has no definition") {
    auto read = ledger.Read("missing");
    REQUIRE(read.ok());
    CHECK_FALSE(read->has_value());
  }

  SECTION("_lifecycle is always defined, with empty info") {
    auto read = ledger.Read("_lifecycle");
    REQUIRE(read.ok());
    REQUIRE(read->has_value());
    CHECK((*read)->sequence == 0);
    CHECK((*read)->validation_info.validation_plugin().empty());
  }

  SECTION("metadata of another type is an error") {
    ::lifecycle::StateMetadata other;
    other.set_datatype("ChaincodeParameters");
    ledger.Put("namespaces/metadata/cc", Bytes(other));
    auto read = ledger.Read("cc");
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().message() == "not a chaincode type: ChaincodeParameters");
  }

  SECTION("metadata that does not parse names the chaincode") {
    ledger.Put("namespaces/metadata/cc", "\xff\xff");
    auto read = ledger.Read("cc");
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().message() ==
          "could not deserialize metadata for chaincode cc: could not unmarshal metadata for "
          "namespace namespaces/cc");
  }

  SECTION("a field of the wrong type names its key") {
    ledger.Run([&](LifecycleSimulatorState& state) {
      REQUIRE(WriteChaincodeDefinition("cc", BasicDefinition(), state).ok());
    });
    ::lifecycle::StateData text;
    text.set_string("one");
    ledger.Put("namespaces/fields/cc/Sequence", Bytes(text));
    auto read = ledger.Read("cc");
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().message() ==
          "could not deserialize chaincode definition for chaincode cc: expected key "
          "namespaces/fields/cc/Sequence to encode a value of type Int64, but it holds String");
  }
}

TEST_CASE("Reading a definition inside a simulation records its keys as reads") {
  LifecycleLedger ledger;
  ledger.Run([&](LifecycleSimulatorState& state) {
    REQUIRE(WriteChaincodeDefinition("basic", BasicDefinition(), state).ok());
  });
  // The endorser reads the definition in the proposal's own simulation, so a
  // redefinition committed before the transaction makes it an MVCC conflict.
  std::unique_ptr<ledger::TxSimulator> simulator = ledger.NewSimulator();
  LifecycleSimulatorState state(*simulator);
  REQUIRE(ChaincodeDefinitionIfDefined("basic", state).ok());
  auto results = simulator->GetTxSimulationResults();
  REQUIRE(results.ok());
  REQUIRE(results->ns_rwset_size() == 1);
  ::kvrwset::KVRWSet set;
  REQUIRE(set.ParseFromString(results->ns_rwset(0).rwset()));
  std::vector<std::string> keys;
  for (const auto& read : set.reads()) {
    keys.push_back(read.key());
    CHECK(read.version().block_num() == 1);
  }
  CHECK(keys == std::vector<std::string>{
                    "namespaces/fields/basic/Collections",
                    "namespaces/fields/basic/EndorsementInfo", "namespaces/fields/basic/Sequence",
                    "namespaces/fields/basic/ValidationInfo", "namespaces/metadata/basic"});
}

}  // namespace
}  // namespace weft::peer::lifecycle
