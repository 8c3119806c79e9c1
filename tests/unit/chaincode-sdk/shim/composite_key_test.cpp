// Composite keys as Fabric's shims make them (fabric-chaincode-go shim/stub.go
// CreateCompositeKey, validateCompositeKeyAttribute, splitCompositeKey).
#include "chaincode-sdk/shim/composite_key.h"

#include <catch2/catch.hpp>

namespace shim = weft::chaincode_sdk::shim;
using namespace std::string_literals;

TEST_CASE(
    "A composite key is U+0000, the object type and each attribute, each part ended by U+0000") {
  auto key = shim::CreateCompositeKey("color~name", {"blue", "asset1"});
  REQUIRE(key.ok());
  CHECK(*key == "\0color~name\0blue\0asset1\0"s);
  auto bare = shim::CreateCompositeKey("owner", {});
  REQUIRE(bare.ok());
  CHECK(*bare == "\0owner\0"s);

  auto parts = shim::SplitCompositeKey(*key);
  REQUIRE(parts.ok());
  CHECK(parts->object_type == "color~name");
  CHECK(parts->attributes == std::vector<std::string>{"blue", "asset1"});
  auto empty_attribute = shim::SplitCompositeKey("\0t\0\0x\0"s);
  REQUIRE(empty_attribute.ok());
  CHECK(empty_attribute->attributes == std::vector<std::string>{"", "x"});
}

TEST_CASE(
    "Composite key parts with U+0000, U+10FFFF or invalid UTF-8 are refused with Fabric's "
    "messages") {
  auto nul = shim::CreateCompositeKey("color", {"bl\0ue"s});
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.status().message() ==
        "input contains unicode U+0000 starting at position [2]. U+0000 and U+10FFFF are not "
        "allowed in the input attribute of a composite key");
  auto max = shim::CreateCompositeKey("a\xF4\x8F\xBF\xBF", {});
  REQUIRE_FALSE(max.ok());
  CHECK(max.status().message() ==
        "input contains unicode U+10FFFF starting at position [1]. U+0000 and U+10FFFF are not "
        "allowed in the input attribute of a composite key");
  auto invalid = shim::CreateCompositeKey("type", {"\xC3\x28"});
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.status().message() == "not a valid utf8 string: [c328]");
  // Multi-byte characters below U+10FFFF are fine.
  CHECK(shim::CreateCompositeKey("t", {"\xE2\x82\xAC", "\xF0\x9F\x98\x80"}).ok());
}

TEST_CASE("Splitting a key that is not composite is an error, not a crash") {
  CHECK_FALSE(shim::SplitCompositeKey("asset1").ok());
  CHECK_FALSE(shim::SplitCompositeKey("").ok());
  CHECK_FALSE(shim::SplitCompositeKey("\0type"s).ok());
}
