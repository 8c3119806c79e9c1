#include "common/settings/host_port.h"

#include <catch2/catch.hpp>
#include <string>

namespace weft::common::settings {
namespace {

using Catch::Contains;

HostPort MustSplit(const std::string& address) {
  StatusOr<HostPort> parsed = SplitHostPort(address);
  INFO(address << ": " << parsed.status().ToString());
  REQUIRE(parsed.ok());
  return *parsed;
}

std::string ErrorOf(const std::string& address) {
  StatusOr<HostPort> parsed = SplitHostPort(address);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST_CASE("SplitHostPort splits names, IPv4 and bracketed IPv6 addresses") {
  HostPort name = MustSplit("orderer.example.com:7050");
  CHECK(name.host == "orderer.example.com");
  CHECK(name.port == 7050);

  HostPort ipv4 = MustSplit("127.0.0.1:0");
  CHECK(ipv4.host == "127.0.0.1");
  CHECK(ipv4.port == 0);

  HostPort ipv6 = MustSplit("[::1]:7051");
  CHECK(ipv6.host == "::1");
  CHECK(ipv6.port == 7051);

  HostPort zone = MustSplit("[fe80::1%eth0]:65535");
  CHECK(zone.host == "fe80::1%eth0");
  CHECK(zone.port == 65535);
}

TEST_CASE("SplitHostPort allows an empty host, as Go's net.SplitHostPort does") {
  HostPort any = MustSplit(":7052");
  CHECK(any.host.empty());
  CHECK(any.port == 7052);
  CHECK(MustSplit("[]:80").host.empty());
}

TEST_CASE("SplitHostPort names the address and what is wrong with it") {
  CHECK_THAT(ErrorOf("localhost"), Contains("address 'localhost': missing port"));
  CHECK_THAT(ErrorOf(""), Contains("missing port"));
  CHECK_THAT(ErrorOf("[::1]"), Contains("address '[::1]': missing port"));
  CHECK_THAT(ErrorOf("::1:80"), Contains("too many colons"));
  CHECK_THAT(ErrorOf("[::1:80"), Contains("missing ']'"));
  CHECK_THAT(ErrorOf("[::1]x:80"), Contains("after ']'"));
  CHECK_THAT(ErrorOf("a]:80"), Contains("bracket"));
}

TEST_CASE("SplitHostPort accepts only decimal ports from 0 to 65535") {
  CHECK_THAT(ErrorOf("host:65536"), Contains("port '65536' is not a number from 0 to 65535"));
  CHECK_THAT(ErrorOf("host:99999"), Contains("'99999'"));
  CHECK_THAT(ErrorOf("host:"), Contains("port ''"));
  CHECK_THAT(ErrorOf("host:-1"), Contains("port '-1'"));
  CHECK_THAT(ErrorOf("host:+80"), Contains("port '+80'"));
  CHECK_THAT(ErrorOf("host:http"), Contains("port 'http'"));
  CHECK_THAT(ErrorOf("host:123456"), Contains("port '123456'"));
  CHECK(MustSplit("host:00080").port == 80);
}

TEST_CASE("JoinHostPort brackets IPv6 hosts and round-trips with SplitHostPort") {
  CHECK(JoinHostPort("127.0.0.1", 7050) == "127.0.0.1:7050");
  CHECK(JoinHostPort("::1", 7050) == "[::1]:7050");
  CHECK(JoinHostPort("", 7050) == ":7050");
  for (const std::string address : {"peer0.org1.example.com:7051", "[::1]:0", ":9443"}) {
    HostPort parsed = MustSplit(address);
    CHECK(JoinHostPort(parsed.host, parsed.port) == address);
  }
}

}  // namespace
}  // namespace weft::common::settings
