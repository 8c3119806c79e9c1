#include "common/protoutil/proposal.h"

#include <catch2/catch.hpp>

#include "common/crypto/hash.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"
#include "tests/unit/common/protoutil/fixtures.h"

namespace protoutil = weft::common::protoutil;
namespace crypto = weft::common::crypto;
using protoutil::testing::kGarbage;
using protoutil::testing::TestSigner;

namespace {

protoutil::ChaincodeProposalSpec BasicSpec() {
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = "mychannel";
  spec.chaincode_name = "basic";
  spec.args = {"CreateAsset", "asset1", "blue", std::string("\x00\x01", 2)};
  spec.transient = {{"secret", "s3cr3t"}, {"another", "x"}};
  return spec;
}

::protos::SignedProposal SignedBasicProposal(const TestSigner& signer) {
  auto created = protoutil::CreateChaincodeProposal(BasicSpec(), signer.SerializedIdentity());
  REQUIRE(created.ok());
  return protoutil::SignProposal(created->proposal, signer).value();
}

std::string ErrorOf(::protos::SignedProposal signed_proposal) {
  auto opened = protoutil::OpenSignedProposal(std::move(signed_proposal));
  REQUIRE_FALSE(opened.ok());
  return std::string(opened.status().message());
}

::protos::Proposal ParsedProposal(const ::protos::SignedProposal& signed_proposal) {
  ::protos::Proposal proposal;
  REQUIRE(proposal.ParseFromString(signed_proposal.proposal_bytes()));
  return proposal;
}

::protos::SignedProposal Unsigned(const ::protos::Proposal& proposal) {
  ::protos::SignedProposal out;
  out.set_proposal_bytes(proposal.SerializeAsString());
  return out;
}

// The signed proposal after `edit` changed its Proposal.
template <typename Edit>
::protos::SignedProposal TamperProposal(const ::protos::SignedProposal& original, Edit edit) {
  ::protos::Proposal proposal = ParsedProposal(original);
  edit(proposal);
  return Unsigned(proposal);
}

// The signed proposal after `edit` changed its common.Header.
template <typename Edit>
::protos::SignedProposal TamperHeader(const ::protos::SignedProposal& original, Edit edit) {
  ::protos::Proposal proposal = ParsedProposal(original);
  ::common::Header header;
  REQUIRE(header.ParseFromString(proposal.header()));
  edit(header);
  proposal.set_header(header.SerializeAsString());
  return Unsigned(proposal);
}

}  // namespace

TEST_CASE("A created proposal opens with Fabric's header fields, chaincode and arguments") {
  TestSigner signer;
  auto opened = protoutil::OpenSignedProposal(SignedBasicProposal(signer));
  REQUIRE(opened.ok());
  CHECK(opened->channel_header.type() == ::common::ENDORSER_TRANSACTION);
  CHECK(opened->channel_header.channel_id() == "mychannel");
  CHECK(opened->channel_header.epoch() == 0);
  CHECK(opened->header_extension.chaincode_id().name() == "basic");
  CHECK(opened->chaincode_spec().chaincode_id().name() == "basic");
  CHECK(opened->chaincode_spec().type() == ::protos::ChaincodeSpec::NODE);
  REQUIRE(opened->chaincode_spec().input().args_size() == 4);
  CHECK(opened->chaincode_spec().input().args(0) == "CreateAsset");
  CHECK(opened->chaincode_spec().input().args(3) == std::string("\x00\x01", 2));
  CHECK(opened->payload.transientmap().at("secret") == "s3cr3t");
  CHECK(opened->proposal.extension().empty());
  CHECK(opened->creator() == signer.SerializedIdentity());
  CHECK(opened->signature_header.nonce().size() == 24);
}

TEST_CASE("A proposal's tx id is computed from its own nonce and creator") {
  TestSigner signer;
  auto created = protoutil::CreateChaincodeProposal(BasicSpec(), signer.SerializedIdentity());
  REQUIRE(created.ok());
  auto opened =
      protoutil::OpenSignedProposal(protoutil::SignProposal(created->proposal, signer).value())
          .value();
  CHECK(opened.tx_id() == created->tx_id);
  CHECK(created->tx_id ==
        protoutil::ComputeTxId(opened.signature_header.nonce(), signer.SerializedIdentity()));
  CHECK(created->tx_id.size() == 64);
}

TEST_CASE("A signed proposal's signature verifies over the exact proposal bytes") {
  TestSigner signer;
  auto signed_proposal = SignedBasicProposal(signer);
  CHECK(signer.public_key()
            .Verify(signed_proposal.proposal_bytes(), signed_proposal.signature())
            .ok());
}

TEST_CASE(
    "The proposal hash covers channel header, signature header and the payload without transient "
    "data") {
  TestSigner signer;
  auto opened = protoutil::OpenSignedProposal(SignedBasicProposal(signer)).value();
  // ChaincodeProposalPayload{input} is field 1, wire type 2: 0x0a, varint length, bytes.
  const std::string& input = opened.payload.input();
  REQUIRE(input.size() < 128);
  std::string stripped = "\x0a" + std::string(1, static_cast<char>(input.size())) + input;
  CHECK(protoutil::PayloadWithoutTransient(opened.payload) == stripped);
  std::string expected =
      crypto::Sha256(opened.channel_header_bytes() + opened.signature_header_bytes() + stripped);
  CHECK(opened.ProposalHash() == expected);

  // The transient map must not change the hash.
  opened.payload.mutable_transientmap()->clear();
  CHECK(opened.ProposalHash() == expected);
}

TEST_CASE("Each malformed proposal layer gets its own error") {
  TestSigner signer;
  auto good = SignedBasicProposal(signer);

  ::protos::SignedProposal bad_bytes;
  bad_bytes.set_proposal_bytes(kGarbage);
  CHECK(ErrorOf(bad_bytes) == "proposal bytes is not a valid protos.Proposal");

  CHECK(ErrorOf(TamperProposal(good, [](auto& proposal) { proposal.set_header(kGarbage); })) ==
        "proposal header is not a valid common.Header");
  CHECK(ErrorOf(TamperHeader(good, [](auto& header) { header.set_channel_header(kGarbage); })) ==
        "channel header is not a valid common.ChannelHeader");
  CHECK(ErrorOf(TamperHeader(good, [](auto& header) { header.set_signature_header(kGarbage); })) ==
        "signature header is not a valid common.SignatureHeader");
  CHECK(ErrorOf(TamperHeader(good, [](auto& header) {
          ::common::ChannelHeader channel_header;
          channel_header.ParseFromString(header.channel_header());
          channel_header.set_extension(kGarbage);
          header.set_channel_header(channel_header.SerializeAsString());
        })) == "channel header extension is not a valid protos.ChaincodeHeaderExtension");
  CHECK(ErrorOf(TamperProposal(good, [](auto& proposal) { proposal.set_payload(kGarbage); })) ==
        "proposal payload is not a valid protos.ChaincodeProposalPayload");
  CHECK(ErrorOf(TamperProposal(good, [](auto& proposal) {
          ::protos::ChaincodeProposalPayload payload;
          payload.set_input(kGarbage);
          proposal.set_payload(payload.SerializeAsString());
        })) == "chaincode proposal payload input is not a valid protos.ChaincodeInvocationSpec");
  CHECK(ErrorOf(TamperProposal(good, [](auto& proposal) {
          proposal.set_payload(::protos::ChaincodeProposalPayload().SerializeAsString());
        })) == "chaincode invocation spec has no chaincode spec");
}
