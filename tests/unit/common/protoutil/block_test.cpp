#include "common/protoutil/block.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "common/crypto/hash.h"
#include "common/protoutil/txid.h"

namespace protoutil = weft::common::protoutil;
namespace crypto = weft::common::crypto;

namespace {

std::string Hex(std::string_view bytes) { return crypto::HexEncode(bytes); }

const std::string kHashA(32, '\xaa');
const std::string kHashB(32, '\xbb');

::common::BlockHeader Header(uint64_t number, std::string previous, std::string data) {
  ::common::BlockHeader header;
  header.set_number(number);
  header.set_previous_hash(std::move(previous));
  header.set_data_hash(std::move(data));
  return header;
}

}  // namespace

TEST_CASE("ComputeTxId is the lowercase hex SHA-256 of nonce followed by creator") {
  CHECK(protoutil::ComputeTxId("0123456789abcdefghijklmn", "creator-identity") ==
        "66d8ae7d2ce42fff71090f0ff4502bfa3772a769e75560560944721a36f0746c");
  CHECK(protoutil::ComputeTxId("", "") == Hex(crypto::Sha256("")));
}

TEST_CASE("The genesis block header encodes number 0 and an empty previous hash") {
  std::string der = protoutil::BlockHeaderBytes(Header(0, "", kHashA));
  CHECK(der.size() == 41);
  CHECK(Hex(der) ==
        "3027020100040004"
        "20" +
            Hex(kHashA));
}

TEST_CASE("Block numbers are DER-encoded like Go's big.Int, minimal with a sign byte") {
  auto integer_hex = [](uint64_t number) {
    std::string der = protoutil::BlockHeaderBytes(Header(number, kHashA, kHashB));
    // SEQUENCE tag + 1-byte length, then the INTEGER, then 2 x (04 20 <32>).
    REQUIRE(der.size() > 2 + 68);
    CHECK(static_cast<unsigned char>(der[1]) == der.size() - 2);
    CHECK(Hex(der.substr(der.size() - 68)) == "0420" + Hex(kHashA) + "0420" + Hex(kHashB));
    return Hex(der.substr(2, der.size() - 2 - 68));
  };
  CHECK(integer_hex(0) == "020100");
  CHECK(integer_hex(1) == "020101");
  CHECK(integer_hex(127) == "02017f");
  CHECK(integer_hex(128) == "02020080");
  CHECK(integer_hex(255) == "020200ff");
  CHECK(integer_hex(256) == "02020100");
  CHECK(integer_hex(uint64_t{1} << 63) == "0209008000000000000000");
  CHECK(integer_hex(~uint64_t{0}) == "020900ffffffffffffffff");
  CHECK(Hex(protoutil::BlockHeaderBytes(Header(128, kHashA, kHashB)).substr(0, 6)) ==
        "304802020080");
}

TEST_CASE("Hashes of 128 bytes or more use DER long-form lengths") {
  std::string long_hash(130, '\x01');
  std::string der = protoutil::BlockHeaderBytes(Header(1, "", long_hash));
  // 3 (integer) + 2 (empty octet string) + 3 + 130 = 138 = 0x8a content bytes.
  CHECK(Hex(der.substr(0, 11)) ==
        "30818a"
        "020101"
        "0400"
        "048182");
  CHECK(der.size() == 3 + 138);
}

TEST_CASE("BlockHeaderHash is SHA-256 of the DER header bytes") {
  auto header = Header(7, kHashA, kHashB);
  CHECK(protoutil::BlockHeaderHash(header) == crypto::Sha256(protoutil::BlockHeaderBytes(header)));
}

TEST_CASE("BlockDataHash is SHA-256 of the concatenated entries") {
  ::common::BlockData data;
  CHECK(Hex(protoutil::BlockDataHash(data)) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  data.add_data("a");
  data.add_data("");
  data.add_data("bc");
  CHECK(Hex(protoutil::BlockDataHash(data)) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("NewBlock has the number, previous hash and five empty metadata slots") {
  ::common::Block block = protoutil::NewBlock(3, kHashA);
  CHECK(block.header().number() == 3);
  CHECK(block.header().previous_hash() == kHashA);
  CHECK(block.header().data_hash().empty());
  CHECK(block.has_data());
  REQUIRE(block.metadata().metadata_size() == 5);
  for (const auto& slot : block.metadata().metadata()) CHECK(slot.empty());
}

TEST_CASE("The orderer signs metadata value, signature header and DER header in that order") {
  auto header = Header(2, kHashA, kHashB);
  CHECK(protoutil::BlockSignatureInput("value", "sighdr", header) ==
        "value"
        "sighdr" +
            protoutil::BlockHeaderBytes(header));
}

namespace {

std::string MetadataWith(const google::protobuf::Message& value) {
  ::common::Metadata metadata;
  metadata.set_value(value.SerializeAsString());
  return metadata.SerializeAsString();
}

}  // namespace

TEST_CASE("ReadOrdererBlockMetadata reads the last config index as Fabric does") {
  // protoutil.GetLastConfigIndexFromBlock (release-2.5 blockutils.go): SIGNATURES
  // first, the LAST_CONFIG slot only when SIGNATURES has no value.
  auto block = protoutil::NewBlock(7, kHashA);

  SECTION("from the SIGNATURES slot") {
    ::common::OrdererBlockMetadata orderer;
    orderer.mutable_last_config()->set_index(4);
    orderer.set_consenter_metadata("consenter");
    block.mutable_metadata()->set_metadata(::common::SIGNATURES, MetadataWith(orderer));
    ::common::LastConfig stale;
    stale.set_index(2);
    block.mutable_metadata()->set_metadata(protoutil::kLastConfigMetadataIndex,
                                           MetadataWith(stale));
    auto read = protoutil::ReadOrdererBlockMetadata(block);
    REQUIRE(read.ok());
    CHECK(read->last_config().index() == 4);
    CHECK(read->consenter_metadata() == "consenter");
  }
  SECTION("from the deprecated LAST_CONFIG slot when SIGNATURES is empty") {
    ::common::LastConfig last_config;
    last_config.set_index(3);
    block.mutable_metadata()->set_metadata(protoutil::kLastConfigMetadataIndex,
                                           MetadataWith(last_config));
    auto read = protoutil::ReadOrdererBlockMetadata(block);
    REQUIRE(read.ok());
    CHECK(read->last_config().index() == 3);
  }
  SECTION("a genesis block without metadata is its own config") {
    auto genesis = protoutil::NewBlock(0, "");
    auto read = protoutil::ReadOrdererBlockMetadata(genesis);
    REQUIRE(read.ok());
    CHECK(read->last_config().index() == 0);
  }
  SECTION("a later block without metadata is an error naming it") {
    auto read = protoutil::ReadOrdererBlockMetadata(block);
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().message() == "block 7 carries no last config index");
  }
  SECTION("unparsable SIGNATURES metadata is an error") {
    block.mutable_metadata()->set_metadata(::common::SIGNATURES, "\xff\xff");
    auto read = protoutil::ReadOrdererBlockMetadata(block);
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().message().find("SIGNATURES metadata") != std::string::npos);
  }
}
