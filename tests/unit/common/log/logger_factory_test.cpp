#include "common/log/logger_factory.h"

#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace weft::common::log {
namespace {

std::vector<std::string> Lines(const std::ostringstream& out) {
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("Log lines follow Fabric's format with UTC time, sequence, level and logger name") {
  std::ostringstream out;
  LoggerFactory factory(out);
  auto logger = factory.Get("peer.endorser");
  logger->Info("endorsed {} proposals", 3);
  logger->Warn("slow");

  const auto lines = Lines(out);
  REQUIRE(lines.size() == 2);
  const std::regex format(
      R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC 0001 INFO \[peer\.endorser\] endorsed 3 proposals)");
  CHECK(std::regex_match(lines[0], format));
  CHECK_THAT(lines[1], Catch::EndsWith(" UTC 0002 WARN [peer.endorser] slow"));
}

TEST_CASE("Messages below a logger's level are dropped") {
  std::ostringstream out;
  LoggerFactory factory(out, *LogSpec::Parse("warn"));
  auto logger = factory.Get("orderer");
  logger->Debug("d");
  logger->Info("i");
  logger->Error("e");
  const auto lines = Lines(out);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::EndsWith("ERRO [orderer] e"));
}

TEST_CASE("The same name yields the same logger and all loggers share one output") {
  std::ostringstream out;
  LoggerFactory factory(out);
  CHECK(factory.Get("peer.gossip") == factory.Get("peer.gossip"));
  factory.Get("a")->Info("one");
  factory.Get("b")->Info("two");
  const auto lines = Lines(out);
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0], Catch::Contains("0001 INFO [a] one"));
  CHECK_THAT(lines[1], Catch::Contains("0002 INFO [b] two"));
}

TEST_CASE("Changing the spec at run time re-levels existing loggers") {
  std::ostringstream out;
  LoggerFactory factory(out);
  auto endorser = factory.Get("peer.endorser");
  auto kafka = factory.Get("orderer.consensus.kafka");
  CHECK_FALSE(endorser->Enabled(LogLevel::kDebug));

  REQUIRE(factory.SetSpec("error:peer=debug").ok());
  CHECK(endorser->level() == LogLevel::kDebug);
  CHECK(kafka->level() == LogLevel::kError);
  CHECK(factory.Get("peer.gossip")->level() == LogLevel::kDebug);
  CHECK(factory.Spec() == "peer=debug:error");

  endorser->Debug("now visible");
  kafka->Warn("now hidden");
  const auto lines = Lines(out);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::EndsWith("DEBU [peer.endorser] now visible"));
}

TEST_CASE("A bad spec is rejected and leaves the active spec in place") {
  std::ostringstream out;
  LoggerFactory factory(out, *LogSpec::Parse("warn"));
  auto logger = factory.Get("peer");
  const Status status = factory.SetSpec("peer=shout");
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Catch::Contains("peer=shout"));
  CHECK(factory.Spec() == "warn");
  CHECK(logger->level() == LogLevel::kWarn);
}

TEST_CASE("Concurrent logging writes whole lines with distinct sequence numbers") {
  std::ostringstream out;
  LoggerFactory factory(out);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&factory, t] {
      auto logger = factory.Get("worker");
      for (int i = 0; i < 50; ++i) logger->Info("thread {} line {}", t, i);
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = Lines(out);
  REQUIRE(lines.size() == 200);
  std::set<std::string> ids;
  const std::regex format(R"(.* UTC ([0-9a-f]{4}) INFO \[worker\] thread \d line \d+)");
  for (const auto& line : lines) {
    std::smatch match;
    REQUIRE(std::regex_match(line, match, format));
    ids.insert(match[1]);
  }
  CHECK(ids.size() == 200);
}

}  // namespace
}  // namespace weft::common::log
