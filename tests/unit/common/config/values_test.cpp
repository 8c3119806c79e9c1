#include "common/config/values.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

using namespace std::chrono_literals;
using weft::common::config::ParseBool;
using weft::common::config::ParseByteSize;
using weft::common::config::ParseDuration;
using weft::common::config::ParseInteger;
using weft::common::config::ParseList;

TEST_CASE("ParseDuration reads Go duration syntax") {
  CHECK(ParseDuration("10s").value() == 10s);
  CHECK(ParseDuration("2m").value() == 2min);
  CHECK(ParseDuration("500ms").value() == 500ms);
  CHECK(ParseDuration("1h30m").value() == 90min);
  CHECK(ParseDuration("1.5h").value() == 90min);
  CHECK(ParseDuration(".5s").value() == 500ms);
  CHECK(ParseDuration("300us").value() == 300us);
  CHECK(ParseDuration("7\xC2\xB5s").value() == 7us);
  CHECK(ParseDuration("42ns").value() == 42ns);
  CHECK(ParseDuration("0").value() == 0ns);
  CHECK(ParseDuration(" 3s ").value() == 3s);
}

TEST_CASE("ParseDuration rejects numbers without units, unknown units and negatives") {
  for (const char* text :
       {"10", "abc", "", "s", "10 s", "5d", "-5s", "1..5s", "1s2", "inf", "-inf", "-0s"}) {
    INFO(text);
    auto parsed = ParseDuration(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(std::string(parsed.status().message()) ==
          std::string("expected a duration such as 10s, 2m or 1h30m, got '") + text + "'");
  }
}

TEST_CASE("ParseDuration rejects values beyond the int64 nanosecond range") {
  CHECK_FALSE(ParseDuration("3000000h").ok());
  CHECK_FALSE(ParseDuration("2562047h47m16.854775807s1ns").ok());
}

TEST_CASE("ParseByteSize reads Fabric sizes in powers of 1024") {
  CHECK(ParseByteSize("10 MB").value() == 10u * 1024 * 1024);
  CHECK(ParseByteSize("512 KB").value() == 512u * 1024);
  CHECK(ParseByteSize("99 MB").value() == 99u * 1024 * 1024);
  CHECK(ParseByteSize("2g").value() == 2ull * 1024 * 1024 * 1024);
  CHECK(ParseByteSize("1k").value() == 1024u);
  CHECK(ParseByteSize("1048576").value() == 1048576u);
}

TEST_CASE("ParseByteSize rejects fractions, unknown units and bare units") {
  for (const char* text : {"1.5 MB", "10 TB", "MB", "-1", "ten", "10 MiB"}) {
    INFO(text);
    auto parsed = ParseByteSize(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(std::string(parsed.status().message()) ==
          std::string("expected a byte size such as 512 KB, 10 MB or 1048576, got '") + text + "'");
  }
}

TEST_CASE("ParseBool accepts Go and YAML spellings in any case") {
  for (const char* yes : {"true", "TRUE", "True", "t", "1", "yes", "on"}) {
    INFO(yes);
    CHECK(ParseBool(yes).value());
  }
  for (const char* no : {"false", "FALSE", "f", "0", "no", "off"}) {
    INFO(no);
    CHECK_FALSE(ParseBool(no).value());
  }
  auto wrong = ParseBool("maybe");
  REQUIRE_FALSE(wrong.ok());
  CHECK(std::string(wrong.status().message()) == "expected true or false, got 'maybe'");
}

TEST_CASE("ParseInteger reads signed decimals and rejects anything else") {
  CHECK(ParseInteger("7050").value() == 7050);
  CHECK(ParseInteger("-12").value() == -12);
  CHECK(ParseInteger("+3").value() == 3);
  CHECK(ParseInteger("-9223372036854775808").value() == INT64_MIN);
  CHECK_FALSE(ParseInteger("9223372036854775808").ok());
  CHECK_FALSE(ParseInteger("1.5").ok());
  CHECK_FALSE(ParseInteger("12abc").ok());
  CHECK_FALSE(ParseInteger("").ok());
  CHECK(std::string(ParseInteger("abc").status().message()) == "expected an integer, got 'abc'");
}

TEST_CASE("ParseList splits bracketed and bare comma-separated lists") {
  using List = std::vector<std::string>;
  CHECK(ParseList("[a, b]") == List{"a", "b"});
  CHECK(ParseList("a,b , c") == List{"a", "b", "c"});
  CHECK(ParseList("single") == List{"single"});
  CHECK(ParseList("[]").empty());
  CHECK(ParseList("").empty());
}
