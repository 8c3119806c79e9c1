// YamlToJson: YAML (and JSON) documents as JSON text, keys with dots kept whole and
// in file order, plain true/false as booleans, quoted scalars as strings.
#include "common/config/yaml_json.h"

#include <catch2/catch.hpp>

namespace config = weft::common::config;

TEST_CASE("YamlToJson keeps name keys whole and in file order", "[config]") {
  auto json = config::YamlToJson(
      "peers:\n"
      "  peer1.org1.example.com:\n    url: localhost:8051\n"
      "  peer0.org1.example.com:\n    url: localhost:7051\n    endorsingPeer: True\n"
      "    quoted: \"true\"\n    none: ~\n    list: [a, 1]\n");
  REQUIRE(json.ok());
  CHECK(*json == R"({"peers":{"peer1.org1.example.com":{"url":"localhost:8051"},)"
                 R"("peer0.org1.example.com":{"url":"localhost:7051","endorsingPeer":true,)"
                 R"("quoted":"true","none":null,"list":["a","1"]}}})");
  auto from_json = config::YamlToJson(R"({"a": {"b.c": false}})");
  REQUIRE(from_json.ok());
  CHECK(*from_json == R"({"a":{"b.c":false}})");
}

TEST_CASE("YamlToJson names the position of a syntax error", "[config]") {
  auto bad = config::YamlToJson("a: [1, 2\nb: c\n");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("invalid YAML"));
}
