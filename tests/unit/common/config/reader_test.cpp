#include "common/config/reader.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/unit/common/config/config_files.h"

using namespace std::chrono_literals;
using weft::common::config::Environment;
using weft::common::config::EnvironmentFromEnviron;
using weft::common::config::Need;
using weft::common::config::Reader;
using weft::common::config::testing::WriteFile;

namespace {

Reader ParseOrDie(std::string_view yaml, Environment env = {},
                  std::filesystem::path file = "/etc/weft/app.yaml") {
  auto reader = Reader::Parse(yaml, file, "APP", std::move(env));
  REQUIRE(reader.ok());
  return std::move(reader).value();
}

std::string Message(const weft::Status& status) { return std::string(status.message()); }

}  // namespace

TEST_CASE("Reader matches keys case-insensitively like Fabric's viper") {
  Reader reader = ParseOrDie("General:\n  listenport: 7060\n");
  int port = 0;
  reader.ReadInt("General.ListenPort", &port);
  CHECK(port == 7060);
  CHECK(reader.Finish().ok());
}

TEST_CASE("Reader leaves defaults alone for absent and null keys") {
  Reader reader = ParseOrDie("a:\n  empty:\n");
  std::string value = "default";
  std::chrono::milliseconds timeout = 5s;
  reader.ReadString("a.empty", &value);
  reader.ReadDuration("a.missing", &timeout);
  CHECK(value == "default");
  CHECK(timeout == 5s);
  CHECK_FALSE(reader.Has("a.empty"));
  CHECK(reader.Finish().ok());
}

TEST_CASE("An environment variable overrides the file and is parsed with the same rules") {
  Reader reader = ParseOrDie("a:\n  bTimeout: 1s\n  name: file\n",
                             {{"APP_A_BTIMEOUT", "1m30s"}, {"APP_A_NAME", ""}});
  std::chrono::milliseconds timeout{};
  std::string name;
  reader.ReadDuration("a.bTimeout", &timeout);
  reader.ReadString("a.name", &name);
  CHECK(timeout == 90s);
  // Empty variables count as unset, as with viper.
  CHECK(name == "file");
}

TEST_CASE("An invalid environment value is reported with the variable that set it") {
  Reader reader = ParseOrDie("a:\n  port: 1\n", {{"APP_A_PORT", "abc"}});
  int port = 0;
  reader.ReadInt("a.port", &port);
  CHECK(Message(reader.Finish()) ==
        "app.yaml: a.port (set by APP_A_PORT): expected an integer, got 'abc'");
}

TEST_CASE("Reader collects every problem and reports them together") {
  Reader reader = ParseOrDie("a:\n  port: 70000\n  on: sometimes\n  list:\n    x: 1\n");
  int port = 0;
  bool on = false;
  std::vector<std::string> list;
  std::string required;
  reader.ReadInt("a.port", &port, 0, 65535);
  reader.ReadBool("a.on", &on);
  reader.ReadStringList("a.list", &list);
  reader.ReadString("a.required", &required, Need::kRequired);
  REQUIRE(
      reader.errors() ==
      std::vector<std::string>{"app.yaml: a.port: expected an integer from 0 to 65535, got '70000'",
                               "app.yaml: a.on: expected true or false, got 'sometimes'",
                               "app.yaml: a.list: expected a list of strings, got a map",
                               "app.yaml: a.required: required key is missing"});
  weft::Status status = reader.Finish();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(status) == reader.errors()[0] + "; " + reader.errors()[1] + "; " +
                               reader.errors()[2] + "; " + reader.errors()[3]);
  CHECK(port == 0);
}

TEST_CASE("A map where a scalar belongs is reported as such") {
  Reader reader = ParseOrDie("a:\n  name:\n    nested: 1\n");
  std::string name;
  reader.ReadString("a.name", &name);
  CHECK(Message(reader.Finish()) == "app.yaml: a.name: expected a string, got a map");
}

TEST_CASE("Relative paths resolve against the config file's folder, absolute ones are kept") {
  Reader reader = ParseOrDie(
      "paths:\n  rel: msp/signcerts\n  up: ../data\n  abs: /var/lib/weft\n"
      "  list: [tls/ca.crt, /etc/ca.crt]\n");
  std::filesystem::path rel, up, abs;
  std::vector<std::filesystem::path> list;
  reader.ReadPath("paths.rel", &rel);
  reader.ReadPath("paths.up", &up);
  reader.ReadPath("paths.abs", &abs);
  reader.ReadPathList("paths.list", &list);
  CHECK(rel == "/etc/weft/msp/signcerts");
  CHECK(up == "/etc/data");
  CHECK(abs == "/var/lib/weft");
  CHECK(list == std::vector<std::filesystem::path>{"/etc/weft/tls/ca.crt", "/etc/ca.crt"});
}

TEST_CASE("A path set through the environment is resolved like one from the file") {
  Reader reader = ParseOrDie("{}", {{"APP_MSP_DIR", "other/msp"}});
  std::filesystem::path dir;
  reader.ReadPath("msp.dir", &dir);
  CHECK(dir == "/etc/weft/other/msp");
}

TEST_CASE("String lists come from YAML lists or from Fabric's list strings") {
  Reader reader =
      ParseOrDie("l:\n  yaml: [a, b]\n  inline: '[c, d]'\n  env: [x]\n", {{"APP_L_ENV", "e,f"}});
  using List = std::vector<std::string>;
  List yaml, inline_list, env;
  reader.ReadStringList("l.yaml", &yaml);
  reader.ReadStringList("l.inline", &inline_list);
  reader.ReadStringList("l.env", &env);
  CHECK(yaml == List{"a", "b"});
  CHECK(inline_list == List{"c", "d"});
  CHECK(env == List{"e", "f"});
}

TEST_CASE("Lists of maps are read item by item") {
  Reader reader = ParseOrDie("items:\n  - name: a\n    path: bin/a\n  - name: b\n");
  REQUIRE(reader.ListSize("items") == 2);
  std::string first, second;
  std::filesystem::path path, second_path;
  reader.ReadString("items[0].name", &first);
  reader.ReadPath("items[0].path", &path);
  reader.ReadString("items[1].name", &second);
  reader.ReadPath("items[1].path", &second_path, Need::kRequired);
  CHECK(first == "a");
  CHECK(second == "b");
  CHECK(path == "/etc/weft/bin/a");
  CHECK(Message(reader.Finish()) == "app.yaml: items[1].path: required key is missing");
}

TEST_CASE("ReadHostPort accepts host:port and rejects anything else") {
  Reader reader = ParseOrDie(
      "a: 127.0.0.1:7051\nb: '[::1]:0'\nc: ':9443'\nd: localhost\ne: host:99999\nf: ::1:80\n");
  std::string a, b, c, d = "unchanged", e, f;
  reader.ReadHostPort("a", &a);
  reader.ReadHostPort("b", &b);
  reader.ReadHostPort("c", &c);
  reader.ReadHostPort("d", &d);
  reader.ReadHostPort("e", &e);
  reader.ReadHostPort("f", &f);
  CHECK(a == "127.0.0.1:7051");
  CHECK(b == "[::1]:0");
  CHECK(c == ":9443");
  CHECK(d == "unchanged");
  CHECK(reader.errors() ==
        std::vector<std::string>{"app.yaml: d: expected host:port, got 'localhost'",
                                 "app.yaml: e: expected host:port, got 'host:99999'",
                                 "app.yaml: f: expected host:port, got '::1:80'"});
}

TEST_CASE("ReadOneOf accepts any letter case and names the choices when wrong") {
  Reader reader = ParseOrDie("db: GoLevelDB\nother: CouchDB\n");
  std::string db, other = "goleveldb";
  reader.ReadOneOf("db", &db, {"goleveldb", "leveldb"});
  reader.ReadOneOf("other", &other, {"goleveldb", "leveldb"});
  CHECK(db == "goleveldb");
  CHECK(other == "goleveldb");
  CHECK(Message(reader.Finish()) ==
        "app.yaml: other: expected one of goleveldb, leveldb, got 'CouchDB'");
}

TEST_CASE("Keys nobody read are returned as warnings, whole sections at once") {
  Reader reader = ParseOrDie(
      "known:\n  a: 1\n  typo: 2\ngossip:\n  bootstrap: x\n  pvtData: {a: 1}\n"
      "items:\n  - name: a\n    extra: b\n");
  int a = 0;
  std::string name;
  reader.ReadInt("known.a", &a);
  reader.ListSize("items");
  reader.ReadString("items[0].name", &name);
  CHECK(reader.UnknownKeys() ==
        std::vector<std::string>{"app.yaml: known.typo: unknown key, ignored",
                                 "app.yaml: gossip: unknown key, ignored",
                                 "app.yaml: items[0].extra: unknown key, ignored"});
}

TEST_CASE("Opening a missing file names the path") {
  weft::testing::TempDir dir;
  const auto path = dir / "nowhere" / "core.yaml";
  auto reader = Reader::Open(path, "CORE", {});
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().code() == absl::StatusCode::kNotFound);
  CHECK(Message(reader.status()) == path.string() + ": config file not found");
}

TEST_CASE("A YAML syntax error names the file and the line") {
  weft::testing::TempDir dir;
  // The third line is indented as if ListenPort had children.
  const auto path =
      WriteFile(dir / "orderer.yaml", "General:\n  ListenPort: 7050\n    LocalMSPID: x\n");
  auto reader = Reader::Open(path, "ORDERER", {});
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(reader.status()) == path.string() + ":3:15: invalid YAML: illegal map value");
}

TEST_CASE("A file whose top level is not a map is rejected") {
  auto reader = Reader::Parse("- a\n- b\n", "/etc/weft/core.yaml", "CORE", {});
  REQUIRE_FALSE(reader.ok());
  CHECK(Message(reader.status()) ==
        "/etc/weft/core.yaml: expected a map of settings at the top level, got a list");
}

TEST_CASE("EnvironmentFromEnviron splits NAME=value entries at the first '='") {
  const char* envp[] = {"CORE_PEER_ID=peer0", "ODD=a=b", "NOEQUALS", nullptr};
  Environment env = EnvironmentFromEnviron(envp);
  CHECK(env == Environment{{"CORE_PEER_ID", "peer0"}, {"ODD", "a=b"}});
}
