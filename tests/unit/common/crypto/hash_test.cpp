#include "common/crypto/hash.h"

#include <catch2/catch.hpp>

#include "common/crypto/random.h"

namespace crypto = weft::common::crypto;

TEST_CASE("Sha256 matches the FIPS 180-2 vectors for empty input and \"abc\"") {
  CHECK(crypto::HexEncode(crypto::Sha256("")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(crypto::HexEncode(crypto::Sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Sha256Hasher over pieces equals Sha256 of their concatenation and resets after Finish") {
  crypto::Sha256Hasher hasher;
  std::string first = hasher.Update("a").Update("").Update("bc").Finish();
  CHECK(first == crypto::Sha256("abc"));
  CHECK(hasher.Finish() == crypto::Sha256(""));
}

TEST_CASE("HexEncode writes two lowercase digits per byte") {
  CHECK(crypto::HexEncode(std::string("\x00\x0f\xa0\xff", 4)) == "000fa0ff");
  CHECK(crypto::HexEncode("") == "");
}

TEST_CASE("NewNonce returns 24 fresh random bytes") {
  auto a = crypto::NewNonce();
  auto b = crypto::NewNonce();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->size() == 24);
  CHECK(*a != *b);
  CHECK(crypto::RandomBytes(0).value().empty());
}
