#include "common/protoutil/transaction.h"

#include <catch2/catch.hpp>

#include "common/protoutil/response.h"
#include "common/protoutil/serialize.h"
#include "tests/unit/common/protoutil/fixtures.h"

namespace protoutil = weft::common::protoutil;
using protoutil::testing::kGarbage;
using protoutil::testing::TestSigner;

namespace {

// A client, two endorsing peers, a proposal and the peers' endorsed responses.
struct Fixture {
  TestSigner client{"Org1MSP", "user1"};
  TestSigner peer1{"Org1MSP", "peer0.org1"};
  TestSigner peer2{"Org2MSP", "peer0.org2"};
  protoutil::OpenedProposal proposal;
  std::string prp_bytes;
  std::vector<::protos::ProposalResponse> responses;

  Fixture() {
    protoutil::ChaincodeProposalSpec spec;
    spec.channel_id = "mychannel";
    spec.chaincode_name = "basic";
    spec.args = {"TransferAsset", "asset1", "Tom"};
    spec.transient = {{"price", "100"}};
    auto created = protoutil::CreateChaincodeProposal(spec, client.SerializedIdentity()).value();
    proposal =
        protoutil::OpenSignedProposal(protoutil::SignProposal(created.proposal, client).value())
            .value();

    ::protos::ChaincodeAction action;
    action.set_results("rwset bytes");
    action.mutable_response()->set_status(200);
    action.mutable_response()->set_payload("result");
    action.mutable_chaincode_id()->set_name("basic");
    ::protos::ProposalResponsePayload prp;
    prp.set_proposal_hash(proposal.ProposalHash());
    prp.set_extension(protoutil::DeterministicSerialize(action));
    prp_bytes = protoutil::DeterministicSerialize(prp);
    for (const TestSigner* peer : {&peer1, &peer2}) responses.push_back(Endorsed(*peer));
  }

  ::protos::ProposalResponse Endorsed(const TestSigner& peer) const {
    ::protos::ProposalResponse response;
    response.set_version(1);
    response.mutable_response()->set_status(200);
    response.set_payload(prp_bytes);
    *response.mutable_endorsement() = protoutil::CreateEndorsement(prp_bytes, peer).value();
    return response;
  }
};

std::string ErrorOf(const weft::StatusOr<::common::Envelope>& envelope) {
  REQUIRE_FALSE(envelope.ok());
  return std::string(envelope.status().message());
}

}  // namespace

TEST_CASE("An endorsed response opens into its payload and chaincode action") {
  Fixture f;
  auto opened = protoutil::OpenProposalResponse(f.responses[0]);
  REQUIRE(opened.ok());
  CHECK(opened->payload_bytes() == f.prp_bytes);
  CHECK(opened->proposal_hash() == f.proposal.ProposalHash());
  CHECK(opened->action.response().payload() == "result");
  CHECK(f.peer1.public_key()
            .Verify(protoutil::EndorsementSignedBytes(f.prp_bytes,
                                                      f.responses[0].endorsement().endorser()),
                    f.responses[0].endorsement().signature())
            .ok());
}

TEST_CASE("A response without payload or with a malformed payload does not open") {
  ::protos::ProposalResponse failed;
  failed.mutable_response()->set_status(500);
  failed.mutable_response()->set_message("chaincode not found");
  auto empty = protoutil::OpenProposalResponse(failed);
  REQUIRE_FALSE(empty.ok());
  CHECK(std::string(empty.status().message()) ==
        "proposal response has no payload (status 500: chaincode not found)");
  failed.set_payload(kGarbage);
  auto garbage = protoutil::OpenProposalResponse(failed);
  REQUIRE_FALSE(garbage.ok());
  CHECK(std::string(garbage.status().message()) ==
        "proposal response payload is not a valid protos.ProposalResponsePayload");
}

TEST_CASE("An assembled transaction carries the proposal's exact headers and the endorsements") {
  Fixture f;
  auto envelope = protoutil::CreateEndorserTransaction(f.proposal, f.responses, &f.client);
  REQUIRE(envelope.ok());
  auto opened = protoutil::OpenEnvelope(*envelope).value();
  CHECK(opened.channel_header_bytes() == f.proposal.channel_header_bytes());
  CHECK(opened.signature_header_bytes() == f.proposal.signature_header_bytes());
  CHECK(f.client.public_key().Verify(opened.payload_bytes(), opened.signature()).ok());

  auto tx = protoutil::OpenEndorserTransaction(opened.data());
  REQUIRE(tx.ok());
  CHECK(tx->action.header() == f.proposal.signature_header_bytes());
  CHECK(tx->proposal_payload.transientmap().empty());
  CHECK(tx->invocation_spec.chaincode_spec().input().args(0) == "TransferAsset");
  CHECK(tx->response_payload_bytes() == f.prp_bytes);
  CHECK(tx->chaincode_action.response().payload() == "result");
  REQUIRE(tx->endorsed_action().endorsements_size() == 2);
  CHECK(tx->endorsed_action().endorsements(1).endorser() == f.peer2.SerializedIdentity());
  // The committer-side hash (B.2) must equal what the endorsers signed.
  CHECK(protoutil::ProposalHash(opened, *tx) == tx->response_payload.proposal_hash());
  CHECK(protoutil::ProposalHash(opened, *tx) == f.proposal.ProposalHash());
}

TEST_CASE("Without a signer the transaction envelope is returned unsigned") {
  Fixture f;
  auto envelope = protoutil::CreateEndorserTransaction(f.proposal, f.responses, nullptr);
  REQUIRE(envelope.ok());
  CHECK(envelope->signature().empty());
  CHECK(protoutil::OpenEnvelope(*envelope).ok());
}

TEST_CASE("Assembly refuses mismatched, failed or unendorsed responses and a foreign signer") {
  Fixture f;
  CHECK(ErrorOf(protoutil::CreateEndorserTransaction(f.proposal, {}, &f.client)) ==
        "at least one proposal response is required");
  CHECK(ErrorOf(protoutil::CreateEndorserTransaction(f.proposal, f.responses, &f.peer1)) ==
        "the transaction signer must be the creator named in the proposal header");

  auto mismatched = f.responses;
  mismatched[1].set_payload(f.prp_bytes + "x");
  CHECK(ErrorOf(protoutil::CreateEndorserTransaction(f.proposal, mismatched, &f.client)) ==
        "proposal response 1 has a payload different from response 0");

  auto failed = f.responses;
  failed[0].mutable_response()->set_status(500);
  failed[0].mutable_response()->set_message("boom");
  CHECK(ErrorOf(protoutil::CreateEndorserTransaction(f.proposal, failed, &f.client)) ==
        "proposal response 0 was not successful (status 500: boom)");

  auto unendorsed = f.responses;
  unendorsed[1].clear_endorsement();
  CHECK(ErrorOf(protoutil::CreateEndorserTransaction(f.proposal, unendorsed, &f.client)) ==
        "proposal response 1 has no endorsement");
}

TEST_CASE("A transaction must hold exactly one action whose layers all parse") {
  auto error_of = [](const ::protos::Transaction& tx) {
    auto opened = protoutil::OpenEndorserTransaction(tx.SerializeAsString());
    REQUIRE_FALSE(opened.ok());
    return std::string(opened.status().message());
  };
  ::protos::Transaction none;
  CHECK(error_of(none) == "transaction has 0 actions, expected exactly one");
  ::protos::Transaction two;
  two.add_actions();
  two.add_actions();
  CHECK(error_of(two) == "transaction has 2 actions, expected exactly one");

  ::protos::Transaction bad_header;
  bad_header.add_actions()->set_header(kGarbage);
  CHECK(error_of(bad_header) == "transaction action header is not a valid common.SignatureHeader");
  ::protos::Transaction no_action;
  no_action.add_actions();
  CHECK(error_of(no_action) == "chaincode action payload has no endorsed action");
}
