#include "peer/ledger/rwset/rwset.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

using weft::peer::ledger::rwset::RwSetBuilder;
using weft::peer::ledger::statedb::Version;

::kvrwset::KVRWSet Parse(const ::rwset::NsReadWriteSet& ns_rwset) {
  ::kvrwset::KVRWSet kv;
  REQUIRE(kv.ParseFromString(ns_rwset.rwset()));
  return kv;
}

}  // namespace

TEST_CASE(
    "RwSetBuilder sorts namespaces, reads and writes so equal simulations give identical "
    "bytes") {
  RwSetBuilder first;
  first.AddWrite("zeta", "b", "2");
  first.AddRead("alpha", "y", Version{1, 0});
  first.AddWrite("zeta", "a", "1");
  first.AddRead("alpha", "x", std::nullopt);
  first.AddMetadataWrite("alpha", "x", {{"VALIDATION_PARAMETER", "p"}, {"a", "b"}});

  RwSetBuilder second;
  second.AddMetadataWrite("alpha", "x", {{"a", "b"}, {"VALIDATION_PARAMETER", "p"}});
  second.AddRead("alpha", "x", std::nullopt);
  second.AddWrite("zeta", "a", "1");
  second.AddRead("alpha", "y", Version{1, 0});
  second.AddWrite("zeta", "b", "2");

  auto built = first.Build();
  CHECK(built.SerializeAsString() == second.Build().SerializeAsString());
  REQUIRE(built.ns_rwset_size() == 2);
  CHECK(built.ns_rwset(0).namespace_() == "alpha");
  CHECK(built.ns_rwset(1).namespace_() == "zeta");
  auto alpha = Parse(built.ns_rwset(0));
  REQUIRE(alpha.reads_size() == 2);
  CHECK(alpha.reads(0).key() == "x");
  CHECK(alpha.reads(1).key() == "y");
  auto zeta = Parse(built.ns_rwset(1));
  REQUIRE(zeta.writes_size() == 2);
  CHECK(zeta.writes(0).key() == "a");
  CHECK(zeta.writes(1).key() == "b");
}

TEST_CASE(
    "RwSetBuilder records a missing key's read without a version and an empty value as a "
    "delete") {
  RwSetBuilder builder;
  builder.AddRead("cc", "missing", std::nullopt);
  builder.AddRead("cc", "present", Version{4, 2});
  builder.AddRead("cc", "present", Version{9, 9});  // the first read wins
  builder.AddWrite("cc", "gone", "");
  auto kv = Parse(builder.Build().ns_rwset(0));
  REQUIRE(kv.reads_size() == 2);
  CHECK_FALSE(kv.reads(0).has_version());
  CHECK(kv.reads(1).version().block_num() == 4);
  CHECK(kv.reads(1).version().tx_num() == 2);
  REQUIRE(kv.writes_size() == 1);
  CHECK(kv.writes(0).is_delete());
}

TEST_CASE("ParseTxRwSet reads each namespace's hashed rwsets and names a broken one") {
  ::kvrwset::HashedRWSet hashed;
  hashed.add_hashed_writes()->set_key_hash("h");
  ::rwset::TxReadWriteSet rwset;
  auto* ns_rwset = rwset.add_ns_rwset();
  ns_rwset->set_namespace_("cc");
  auto* collection = ns_rwset->add_collection_hashed_rwset();
  collection->set_collection_name("coll");
  collection->set_hashed_rwset(hashed.SerializeAsString());
  auto parsed = weft::peer::ledger::rwset::ParseTxRwSet(rwset);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  REQUIRE((*parsed)[0].collections.size() == 1);
  CHECK((*parsed)[0].collections[0].collection == "coll");
  CHECK((*parsed)[0].collections[0].hashed.hashed_writes(0).key_hash() == "h");
  CHECK(weft::peer::ledger::rwset::HashedNamespace("cc", "coll") == "cc$$hcoll");

  collection->set_hashed_rwset("\xff\xff not a HashedRWSet");
  auto broken = weft::peer::ledger::rwset::ParseTxRwSet(rwset);
  CHECK(absl::IsInvalidArgument(broken.status()));
  CHECK(broken.status().message().find("coll") != std::string_view::npos);
}
