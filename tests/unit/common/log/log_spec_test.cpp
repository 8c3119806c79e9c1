#include "common/log/log_spec.h"

#include <catch2/catch.hpp>
#include <string>

namespace weft::common::log {
namespace {

LogSpec MustParse(const std::string& text) {
  auto spec = LogSpec::Parse(text);
  REQUIRE(spec.ok());
  return *spec;
}

TEST_CASE("A spec of a single level sets the default for every logger") {
  const LogSpec spec = MustParse("warn");
  CHECK(spec.default_level() == LogLevel::kWarn);
  CHECK(spec.LevelFor("peer.endorser") == LogLevel::kWarn);
}

TEST_CASE("The empty spec logs everything at info") {
  const LogSpec spec = MustParse("");
  CHECK(spec.LevelFor("anything") == LogLevel::kInfo);
}

TEST_CASE("Level names are case-insensitive and accept Fabric's aliases") {
  CHECK(*ParseLogLevel("DEBUG") == LogLevel::kDebug);
  CHECK(*ParseLogLevel("Info") == LogLevel::kInfo);
  CHECK(*ParseLogLevel("warning") == LogLevel::kWarn);
  CHECK(*ParseLogLevel("WARN") == LogLevel::kWarn);
  CHECK(*ParseLogLevel("error") == LogLevel::kError);
  CHECK(*ParseLogLevel("panic") == LogLevel::kPanic);
  CHECK(*ParseLogLevel("FATAL") == LogLevel::kFatal);
  CHECK_FALSE(ParseLogLevel("verbose").ok());
}

TEST_CASE("A named term overrides the default for that logger only") {
  const LogSpec spec = MustParse("warn:peer.endorser=debug");
  CHECK(spec.LevelFor("peer.endorser") == LogLevel::kDebug);
  CHECK(spec.LevelFor("peer.gossip") == LogLevel::kWarn);
}

TEST_CASE("A term with several comma-separated loggers sets all of them") {
  const LogSpec spec = MustParse("info:peer.endorser,peer.gossip=debug:orderer=error");
  CHECK(spec.LevelFor("peer.endorser") == LogLevel::kDebug);
  CHECK(spec.LevelFor("peer.gossip") == LogLevel::kDebug);
  CHECK(spec.LevelFor("orderer") == LogLevel::kError);
  CHECK(spec.LevelFor("peer.committer") == LogLevel::kInfo);
}

TEST_CASE("Logger names match spec names by dot-bounded prefix, most specific first") {
  const LogSpec spec = MustParse("orderer=error:orderer.consensus.kafka=debug");
  CHECK(spec.LevelFor("orderer.broadcast") == LogLevel::kError);
  CHECK(spec.LevelFor("orderer.consensus.kafka") == LogLevel::kDebug);
  CHECK(spec.LevelFor("orderer.consensus.kafka.producer") == LogLevel::kDebug);
  CHECK(spec.LevelFor("orderer.consensus.solo") == LogLevel::kError);
  // "orderer" must not match "ordererx": prefixes end at a dot.
  CHECK(spec.LevelFor("ordererx") == LogLevel::kInfo);
}

TEST_CASE("A spec name ending in a dot matches that exact logger only") {
  const LogSpec spec = MustParse("peer.=debug");
  CHECK(spec.LevelFor("peer") == LogLevel::kDebug);
  CHECK(spec.LevelFor("peer.endorser") == LogLevel::kInfo);
}

TEST_CASE("Parse errors name the bad term") {
  struct Case {
    std::string spec;
    std::string term;
  };
  const Case cases[] = {{"info:verbose", "'verbose'"},
                        {"peer=loud", "'peer=loud'"},
                        {"=debug", "'=debug'"},
                        {"peer=", "'peer='"},
                        {"a=b=c", "'a=b=c'"},
                        {"peer..x=debug", "'peer..x=debug'"},
                        {"pe er=debug", "'pe er=debug'"}};
  for (const Case& c : cases) {
    auto spec = LogSpec::Parse(c.spec);
    INFO(c.spec);
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(spec.status().message()), Catch::Contains("bad segment " + c.term));
  }
}

TEST_CASE("The canonical spec text sorts named terms, ends with the default and round-trips") {
  const LogSpec spec = MustParse("WARN:peer.gossip,orderer=Error:peer.endorser=debug");
  CHECK(spec.ToString() == "orderer=error:peer.endorser=debug:peer.gossip=error:warn");
  const LogSpec again = MustParse(spec.ToString());
  CHECK(again.ToString() == spec.ToString());
}

}  // namespace
}  // namespace weft::common::log
