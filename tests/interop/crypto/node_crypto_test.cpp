#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/escaping.h"
#include "common/crypto/ecdsa.h"
#include "common/crypto/hash.h"
#include "common/crypto/random.h"
#include "tests/support/temp_dir.h"

namespace crypto = weft::common::crypto;

namespace {

// Runs node_crypto.js with `args` and parses its JSON output.
nlohmann::json RunNode(const std::string& args) {
  std::string command = std::string(WEFT_NODE_EXECUTABLE) + " " + WEFT_SOURCE_DIR +
                        "/tests/interop/crypto/node_crypto.js " + args;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  return nlohmann::json::parse(output);
}

std::string Unhex(const nlohmann::json& value) {
  return absl::HexStringToBytes(value.get<std::string>());
}

std::string P1363ToDer(const std::string& p1363) {
  REQUIRE(p1363.size() == 64);
  auto strip = [](std::string v) {
    return v.erase(0, std::min(v.find_first_not_of('\0'), v.size()));
  };
  return crypto::EncodeDerSignature({strip(p1363.substr(0, 32)), strip(p1363.substr(32))}).value();
}

}  // namespace

TEST_CASE("Node signatures verify in C++ once low-S, and high-S ones are rejected as Fabric does") {
  nlohmann::json node = RunNode("sign");
  auto key = crypto::PublicKey::FromPem(node["public_key_pem"].get<std::string>());
  REQUIRE(key.ok());
  std::string message = Unhex(node["message_hex"]);
  CHECK(crypto::HexEncode(crypto::Sha256(message)) == node["message_sha256_hex"]);

  CHECK(key->Verify(message, P1363ToDer(Unhex(node["low_s_p1363_hex"]))).ok());

  std::string high = P1363ToDer(Unhex(node["high_s_p1363_hex"]));
  auto rejected = key->Verify(message, high);
  REQUIRE_FALSE(rejected.ok());
  CHECK(std::string(rejected.message()).find("high S") != std::string::npos);
  CHECK(key->Verify(message, crypto::NormalizeLowS(high).value()).ok());

  // Node's own DER output, whichever S it drew.
  std::string der = Unhex(node["der_signature_hex"]);
  CHECK(key->Verify(message, crypto::NormalizeLowS(der).value()).ok());
  CHECK_FALSE(key->Verify(message + "x", crypto::NormalizeLowS(der).value()).ok());

  auto private_key = crypto::PrivateKey::FromPem(node["private_key_pem"].get<std::string>());
  REQUIRE(private_key.ok());
  CHECK(private_key->public_key() == *key);
}

TEST_CASE("C++ signatures verify in Node and both sides agree on SHA-256 of random data") {
  weft::testing::TempDir dir("weft-crypto-interop");
  auto key = crypto::PrivateKey::Generate().value();
  std::string message = crypto::RandomBytes(300).value();
  std::string data = crypto::RandomBytes(4096).value();
  std::string signature = key.Sign(message).value();

  auto ask_node = [&](const std::string& sig) {
    nlohmann::json request = {{"public_key_pem", key.public_key().ToPem()},
                              {"message_hex", crypto::HexEncode(message)},
                              {"signature_der_hex", crypto::HexEncode(sig)},
                              {"data_hex", crypto::HexEncode(data)}};
    std::ofstream(dir / "request.json") << request.dump();
    return RunNode("verify " + (dir / "request.json").string());
  };

  nlohmann::json answer = ask_node(signature);
  CHECK(answer["valid"] == true);
  CHECK(answer["data_sha256_hex"] == crypto::HexEncode(crypto::Sha256(data)));

  // Node must be able to say no, or the check above proves nothing.
  auto tampered = crypto::ParseDerSignature(signature).value();
  tampered.r[5] ^= 0x01;
  CHECK(ask_node(crypto::EncodeDerSignature(tampered).value())["valid"] == false);
}
