// YAML merge keys and the map readers configtx.yaml parsing needs.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/config/reader.h"

using weft::common::config::Reader;

namespace {

Reader ParseOrDie(std::string_view yaml) {
  auto reader = Reader::Parse(yaml, "/etc/weft/configtx.yaml", "CONFIGTX", {});
  REQUIRE(reader.ok());
  return std::move(reader).value();
}

std::string ReadString(Reader& reader, std::string_view key) {
  std::string value = "<unset>";
  reader.ReadString(key, &value);
  return value;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("Merge keys copy an anchored map's entries, keys written in the map win") {
  Reader reader = ParseOrDie(R"(
Defaults: &Defaults
  Type: solo
  Timeout: 2s
Profile:
  <<: *Defaults
  timeout: 5s
  Name: mine
)");
  CHECK(ReadString(reader, "Profile.Type") == "solo");
  CHECK(ReadString(reader, "Profile.Timeout") == "5s");
  CHECK(ReadString(reader, "Profile.Name") == "mine");
  // The written key keeps its place and spelling; merged keys take the place of "<<".
  CHECK(reader.MapKeys("Profile") == Strings{"Type", "timeout", "Name"});
  CHECK(reader.Finish().ok());
}

TEST_CASE("In a list of merged maps the earlier map wins") {
  Reader reader = ParseOrDie(R"(
A: &A {x: from-a, y: from-a}
B: &B {x: from-b, z: from-b}
C:
  <<: [*A, *B]
  y: own
)");
  CHECK(ReadString(reader, "C.x") == "from-a");
  CHECK(ReadString(reader, "C.y") == "own");
  CHECK(ReadString(reader, "C.z") == "from-b");
}

TEST_CASE("Merge keys inside merged maps and inside lists are resolved") {
  Reader reader = ParseOrDie(R"(
Base: &Base {Level: base, Deep: base}
Middle: &Middle
  <<: *Base
  Level: middle
Top:
  <<: *Middle
  Items:
    - <<: *Base
      Extra: yes
)");
  CHECK(ReadString(reader, "Top.Level") == "middle");
  CHECK(ReadString(reader, "Top.Deep") == "base");
  REQUIRE(reader.ListSize("Top.Items") == 1);
  CHECK(ReadString(reader, "Top.Items[0].Level") == "base");
  CHECK(ReadString(reader, "Top.Items[0].Extra") == "yes");
  // Middle's merged "Deep" sits where its "<<" was, before its own "Level".
  CHECK(reader.MapKeys("Top") == Strings{"Deep", "Level", "Items"});
}

TEST_CASE("A map merged into several maps is left unchanged by each of them") {
  Reader reader = ParseOrDie(R"(
Shared: &Shared
  Policies: {Readers: shared}
  Name: shared
First:
  <<: *Shared
  Name: first
Second:
  <<: *Shared
  Extra: second
Third: *Shared
)");
  CHECK(ReadString(reader, "Shared.Name") == "shared");
  CHECK(reader.MapKeys("Shared") == Strings{"Policies", "Name"});
  CHECK(ReadString(reader, "First.Name") == "first");
  CHECK(ReadString(reader, "Second.Name") == "shared");
  CHECK(ReadString(reader, "Second.Extra") == "second");
  CHECK(ReadString(reader, "Third.Name") == "shared");
  CHECK(reader.MapKeys("Third") == Strings{"Policies", "Name"});
  CHECK(ReadString(reader, "Third.Policies.Readers") == "shared");
}

TEST_CASE("A quoted \"<<\" key is an ordinary key") {
  Reader reader = ParseOrDie("M:\n  '<<': literal\n  a: 1\n");
  CHECK(ReadString(reader, "M.<<") == "literal");
  CHECK(reader.MapKeys("M") == Strings{"<<", "a"});
}

TEST_CASE("A merge key whose value is not a map is rejected with file and line") {
  auto reader = Reader::Parse("A: 1\nB:\n  <<: [1, 2]\n", "/etc/weft/configtx.yaml", "X", {});
  REQUIRE_FALSE(reader.ok());
  const std::string message(reader.status().message());
  CHECK(message.find("configtx.yaml:3:") != std::string::npos);
  CHECK(message.find("'<<' expects a map or a list of maps") != std::string::npos);
}

TEST_CASE("MapKeys lists a map's keys in file order and spelling, nothing when absent") {
  Reader reader = ParseOrDie(R"(
Policies:
  Readers: {Type: ImplicitMeta}
  LifecycleEndorsement: {Type: Signature}
  admins: {Type: ImplicitMeta}
List: [a, b]
)");
  CHECK(reader.MapKeys("policies") == Strings{"Readers", "LifecycleEndorsement", "admins"});
  CHECK(reader.MapKeys("Missing").empty());
  CHECK(reader.Finish().ok());
  CHECK(reader.MapKeys("List").empty());
  CHECK(std::string(reader.Finish().message()) ==
        "configtx.yaml: List: expected a map, got a list");
}

TEST_CASE("ReadBoolMap reads capability maps in file order and reports non-booleans") {
  Reader reader = ParseOrDie(R"(
Capabilities:
  V2_5: true
  V2_0: false
  V1_4.3: yes
Bad:
  V2_0: maybe
)");
  std::vector<std::pair<std::string, bool>> capabilities;
  reader.ReadBoolMap("Capabilities", &capabilities);
  CHECK(capabilities == std::vector<std::pair<std::string, bool>>{
                            {"V2_5", true}, {"V2_0", false}, {"V1_4.3", true}});
  CHECK(reader.Finish().ok());
  CHECK(reader.UnknownKeys().empty() == false);  // "Bad" has not been read yet

  std::vector<std::pair<std::string, bool>> untouched{{"keep", true}};
  reader.ReadBoolMap("Bad", &untouched);
  CHECK(untouched == std::vector<std::pair<std::string, bool>>{{"keep", true}});
  CHECK(std::string(reader.Finish().message()) ==
        "configtx.yaml: Bad.V2_0: expected true or false, got 'maybe'");
  CHECK(reader.UnknownKeys().empty());
}

TEST_CASE("ReadStringMap keeps entry names with slashes verbatim") {
  Reader reader = ParseOrDie(R"(
ACLs:
  _lifecycle/CheckCommitReadiness: /Channel/Application/Writers
  event/Block: /Channel/Application/Readers
)");
  std::vector<std::pair<std::string, std::string>> acls;
  reader.ReadStringMap("ACLs", &acls);
  CHECK(acls == std::vector<std::pair<std::string, std::string>>{
                    {"_lifecycle/CheckCommitReadiness", "/Channel/Application/Writers"},
                    {"event/Block", "/Channel/Application/Readers"}});
  CHECK(reader.Finish().ok());
  CHECK(reader.UnknownKeys().empty());
}
