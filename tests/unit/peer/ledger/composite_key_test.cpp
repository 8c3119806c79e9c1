#include "peer/ledger/composite_key.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

TEST_CASE("Composite keys are 0x00-separated, split back, and reject parts holding 0x00") {
  auto key = weft::peer::ledger::CreateCompositeKey("asset", {"blue", "42"});
  REQUIRE(key.ok());
  CHECK(*key == std::string("\0asset\0blue\0"
                            "42\0",
                            15));
  auto split = weft::peer::ledger::SplitCompositeKey(*key);
  REQUIRE(split.ok());
  CHECK(split->first == "asset");
  CHECK(split->second == std::vector<std::string>{"blue", "42"});

  CHECK_FALSE(weft::peer::ledger::CreateCompositeKey("asset", {std::string("a\0b", 3)}).ok());
  CHECK_FALSE(weft::peer::ledger::CreateCompositeKey("asset", {"\xF4\x8F\xBF\xBF"}).ok());
  CHECK_FALSE(weft::peer::ledger::CreateCompositeKey("\xFF", {}).ok());
  CHECK_FALSE(weft::peer::ledger::SplitCompositeKey("plain").ok());
}
