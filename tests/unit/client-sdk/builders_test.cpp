// The client layer's builders against expectations computed here, independently
// of the code under test: Fabric's tx_id rule (protoutil.ComputeTxID:
// hex(SHA-256(nonce || creator))), signatures checked with the signer's
// certificate, layers parsed back with the generated protobuf classes, and the
// refusals of Fabric's protoutil.CreateSignedTx (release-2.5 protoutil/txutils.go).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "client-sdk/transaction_builder.h"
#include "common/crypto/hash.h"
#include "common/protoutil/response.h"
#include "msp/identities.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace {

using weft::client::CreateProposal;
using weft::client::CreateSignedProposal;
using weft::client::CreateSignedTransaction;
using weft::client::CreateUnsignedTransaction;
using weft::client::ProposalRequest;
namespace protoutil = weft::common::protoutil;
namespace testing = weft::testing;

template <typename M>
M Parse(const std::string& bytes) {
  M message;
  REQUIRE(message.ParseFromString(bytes));
  return message;
}

struct Org {
  testing::TestIdentity ca = testing::MakeTestCa("ca.org1.example.com", "org1");
  testing::TestIdentity user = testing::IssueLeaf(ca, "User1@org1.example.com", {"client"});
  testing::TestIdentity peer0 = testing::IssueLeaf(ca, "peer0.org1.example.com", {"peer"});
  testing::TestIdentity peer1 = testing::IssueLeaf(ca, "peer1.org1.example.com", {"peer"});
  weft::msp::SigningIdentity user_signer = testing::MakeSigner(user, "Org1MSP");
};

ProposalRequest Request() {
  ProposalRequest request;
  request.channel_id = "mychannel";
  request.chaincode_name = "basic";
  request.function = "CreateAsset";
  request.args = {"asset1", std::string("\x00\xff", 2)};
  request.transient = {{"secret", "s3cr3t"}};
  return request;
}

// A successful response for `proposal`, endorsed by `endorser`, carrying
// `result`; `status` goes into Response.
::protos::ProposalResponse Endorsed(const weft::client::SignedProposal& proposal,
                                    const weft::msp::SigningIdentity& endorser,
                                    const std::string& result = "ok", int32_t status = 200) {
  auto opened = protoutil::OpenSignedProposal(proposal.signed_proposal);
  REQUIRE(opened.ok());
  ::protos::ProposalResponse response;
  response.set_version(1);
  response.mutable_response()->set_status(status);
  response.mutable_response()->set_payload(result);
  ::protos::ChaincodeAction action;
  *action.mutable_response() = response.response();
  ::protos::ProposalResponsePayload payload;
  payload.set_proposal_hash(opened->ProposalHash());
  payload.set_extension(action.SerializeAsString());
  response.set_payload(payload.SerializeAsString());
  auto endorsement = protoutil::CreateEndorsement(response.payload(), endorser);
  REQUIRE(endorsement.ok());
  *response.mutable_endorsement() = *endorsement;
  return response;
}

}  // namespace

TEST_CASE("a signed proposal's tx_id is hex SHA-256(nonce || creator) and its signature verifies",
          "[client-sdk]") {
  Org org;
  auto built = CreateSignedProposal(Request(), org.user_signer);
  REQUIRE(built.ok());
  const auto header = Parse<::common::Header>(built->proposal.header());
  const auto signature_header = Parse<::common::SignatureHeader>(header.signature_header());
  const auto channel_header = Parse<::common::ChannelHeader>(header.channel_header());

  CHECK(signature_header.creator() == org.user_signer.SerializedIdentity());
  CHECK(signature_header.nonce().size() == 24);  // fabric-gateway and protoutil draw 24 bytes
  const std::string expected = absl::BytesToHexString(
      weft::common::crypto::Sha256(signature_header.nonce() + signature_header.creator()));
  CHECK(built->tx_id == expected);
  CHECK(channel_header.tx_id() == expected);

  // The signature covers proposal_bytes and verifies with the certificate the
  // creator identity carries.
  const auto creator = Parse<::msp::SerializedIdentity>(signature_header.creator());
  CHECK(creator.mspid() == "Org1MSP");
  auto cert = weft::common::crypto::Certificate::FromPem(creator.id_bytes());
  REQUIRE(cert.ok());
  auto key = cert->public_key();
  REQUIRE(key.ok());
  CHECK(key->Verify(built->signed_proposal.proposal_bytes(), built->signed_proposal.signature())
            .ok());
  CHECK(Parse<::protos::Proposal>(built->signed_proposal.proposal_bytes()).header() ==
        built->proposal.header());
  // Altered bytes no longer verify.
  std::string altered = built->signed_proposal.proposal_bytes();
  altered.back() ^= 1;
  CHECK_FALSE(key->Verify(altered, built->signed_proposal.signature()).ok());
}

TEST_CASE("a proposal's layers parse back into the request", "[client-sdk]") {
  Org org;
  ProposalRequest request = Request();
  request.tls_cert_hash = std::string(32, '\x07');
  auto built = CreateSignedProposal(request, org.user_signer);
  REQUIRE(built.ok());
  const auto header = Parse<::common::Header>(built->proposal.header());
  const auto channel_header = Parse<::common::ChannelHeader>(header.channel_header());
  CHECK(channel_header.type() == ::common::ENDORSER_TRANSACTION);
  CHECK(channel_header.channel_id() == "mychannel");
  CHECK(channel_header.epoch() == 0);
  CHECK(channel_header.tls_cert_hash() == request.tls_cert_hash);
  CHECK(channel_header.timestamp().seconds() > 0);
  const auto extension = Parse<::protos::ChaincodeHeaderExtension>(channel_header.extension());
  CHECK(extension.chaincode_id().name() == "basic");

  const auto payload = Parse<::protos::ChaincodeProposalPayload>(built->proposal.payload());
  CHECK(payload.transientmap().size() == 1);
  CHECK(payload.transientmap().at("secret") == "s3cr3t");
  const auto invocation = Parse<::protos::ChaincodeInvocationSpec>(payload.input());
  CHECK(invocation.chaincode_spec().chaincode_id().name() == "basic");
  const auto& args = invocation.chaincode_spec().input().args();
  REQUIRE(args.size() == 3);
  CHECK(args[0] == "CreateAsset");
  CHECK(args[1] == "asset1");
  CHECK(args[2] == std::string("\x00\xff", 2));

  // Without a TLS binding the field stays empty.
  auto unbound = CreateSignedProposal(Request(), org.user_signer);
  REQUIRE(unbound.ok());
  CHECK(Parse<::common::ChannelHeader>(
            Parse<::common::Header>(unbound->proposal.header()).channel_header())
            .tls_cert_hash()
            .empty());
}

TEST_CASE("a proposal needs a channel, a chaincode and a function", "[client-sdk]") {
  Org org;
  ProposalRequest request = Request();
  request.channel_id.clear();
  CHECK(CreateProposal(request, org.user_signer.SerializedIdentity()).status().message() ==
        "a channel ID is required");
  request = Request();
  request.chaincode_name.clear();
  CHECK(CreateProposal(request, org.user_signer.SerializedIdentity()).status().message() ==
        "a chaincode name is required");
  request = Request();
  request.function.clear();
  CHECK(CreateProposal(request, org.user_signer.SerializedIdentity()).status().message() ==
        "a chaincode function name is required");
}

TEST_CASE("a signed transaction's layers parse back into the proposal and its endorsements",
          "[client-sdk]") {
  Org org;
  auto peer0 = testing::MakeSigner(org.peer0, "Org1MSP");
  auto peer1 = testing::MakeSigner(org.peer1, "Org1MSP");
  auto built = CreateSignedProposal(Request(), org.user_signer);
  REQUIRE(built.ok());
  // peer0 twice: CreateSignedTx keeps one endorsement per endorser.
  std::vector<::protos::ProposalResponse> responses = {
      Endorsed(*built, peer0), Endorsed(*built, peer1), Endorsed(*built, peer0)};
  auto envelope = CreateSignedTransaction(built->proposal, responses, org.user_signer);
  REQUIRE(envelope.ok());

  // Envelope.signature is the creator's over the payload.
  auto key = org.user.cert.public_key();
  REQUIRE(key.ok());
  CHECK(key->Verify(envelope->payload(), envelope->signature()).ok());

  const auto payload = Parse<::common::Payload>(envelope->payload());
  const auto proposal_header = Parse<::common::Header>(built->proposal.header());
  // The transaction reuses the proposal's header bytes verbatim.
  CHECK(payload.header().channel_header() == proposal_header.channel_header());
  CHECK(payload.header().signature_header() == proposal_header.signature_header());

  const auto transaction = Parse<::protos::Transaction>(payload.data());
  REQUIRE(transaction.actions_size() == 1);
  CHECK(transaction.actions(0).header() == proposal_header.signature_header());
  const auto action_payload =
      Parse<::protos::ChaincodeActionPayload>(transaction.actions(0).payload());
  CHECK(action_payload.action().proposal_response_payload() == responses[0].payload());
  REQUIRE(action_payload.action().endorsements_size() == 2);
  CHECK(action_payload.action().endorsements(0).endorser() == peer0.SerializedIdentity());
  CHECK(action_payload.action().endorsements(1).endorser() == peer1.SerializedIdentity());
  // Each endorsement signs payload || endorser.
  auto peer1_key = org.peer1.cert.public_key();
  REQUIRE(peer1_key.ok());
  CHECK(peer1_key
            ->Verify(responses[1].payload() + peer1.SerializedIdentity(),
                     action_payload.action().endorsements(1).signature())
            .ok());
  // The transient map stays out of the transaction.
  const auto carried =
      Parse<::protos::ChaincodeProposalPayload>(action_payload.chaincode_proposal_payload());
  CHECK(carried.transientmap().empty());
  CHECK(carried.input() ==
        Parse<::protos::ChaincodeProposalPayload>(built->proposal.payload()).input());

  // The unsigned variant is the same payload without a signature.
  auto unsigned_envelope = CreateUnsignedTransaction(built->proposal, responses);
  REQUIRE(unsigned_envelope.ok());
  CHECK(unsigned_envelope->signature().empty());
  CHECK(unsigned_envelope->payload() == envelope->payload());
}

TEST_CASE("CreateSignedTx's refusals", "[client-sdk]") {
  Org org;
  auto peer0 = testing::MakeSigner(org.peer0, "Org1MSP");
  auto peer1 = testing::MakeSigner(org.peer1, "Org1MSP");
  auto built = CreateSignedProposal(Request(), org.user_signer);
  REQUIRE(built.ok());
  auto refusal = [&](std::vector<::protos::ProposalResponse> responses,
                     const weft::msp::SigningIdentity& signer) {
    auto envelope = CreateSignedTransaction(built->proposal, responses, signer);
    REQUIRE_FALSE(envelope.ok());
    CHECK(envelope.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(envelope.status().message());
  };

  CHECK(refusal({}, org.user_signer) == "at least one proposal response is required");
  CHECK(refusal({Endorsed(*built, peer0)}, peer0) ==
        "signer must be the same as the one referenced in the header");

  auto failed = Endorsed(*built, peer1);
  failed.mutable_response()->set_status(500);
  failed.mutable_response()->set_message("chaincode said no");
  CHECK(refusal({Endorsed(*built, peer0), failed}, org.user_signer) ==
        "proposal response was not successful, error code 500, msg chaincode said no");
  auto informational = Endorsed(*built, peer0);
  informational.mutable_response()->set_status(199);
  CHECK(refusal({informational}, org.user_signer) ==
        "proposal response was not successful, error code 199, msg ");
  // 399 is still a success for CreateSignedTx.
  CHECK(CreateSignedTransaction(built->proposal, std::vector{Endorsed(*built, peer0, "ok", 399)},
                                org.user_signer)
            .ok());

  const std::string refused =
      refusal({Endorsed(*built, peer0, "one"), Endorsed(*built, peer1, "two")}, org.user_signer);
  CHECK_THAT(refused, Catch::StartsWith("ProposalResponsePayloads do not match (base64): '"));

  auto unendorsed = Endorsed(*built, peer0);
  unendorsed.clear_endorsement();
  CHECK(refusal({unendorsed}, org.user_signer) == "no endorsements");
  // A response without an endorsement is skipped when another has one.
  auto envelope = CreateSignedTransaction(
      built->proposal, std::vector{unendorsed, Endorsed(*built, peer1)}, org.user_signer);
  REQUIRE(envelope.ok());
  const auto transaction =
      Parse<::protos::Transaction>(Parse<::common::Payload>(envelope->payload()).data());
  CHECK(Parse<::protos::ChaincodeActionPayload>(transaction.actions(0).payload())
            .action()
            .endorsements_size() == 1);
}

TEST_CASE("a signer loads from an MSP folder in Fabric's layout", "[client-sdk]") {
  Org org;
  testing::TempDir dir("weft-client-msp");
  const auto msp = dir.path() / "users" / "User1@org1.example.com" / "msp";
  for (const char* sub : {"cacerts", "signcerts", "keystore", "tlscacerts"}) {
    std::filesystem::create_directories(msp / sub);
  }
  auto write = [](const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  };
  write(msp / "cacerts" / "ca.org1.example.com-cert.pem", org.ca.CertPem());
  write(msp / "tlscacerts" / "tlsca.org1.example.com-cert.pem", org.ca.CertPem());
  write(msp / "signcerts" / "User1@org1.example.com-cert.pem", org.user.CertPem());
  // cryptogen names the key by its SKI and adds no suffix; another key comes first.
  write(msp / "keystore" / "0000_sk", org.peer0.KeyPem());
  write(msp / "keystore" / "priv_sk", org.user.KeyPem());

  auto signer = weft::client::LoadSigner(msp, "Org1MSP");
  REQUIRE(signer.ok());
  CHECK(signer->msp_id() == "Org1MSP");
  const auto identity = Parse<::msp::SerializedIdentity>(signer->SerializedIdentity());
  CHECK(identity.mspid() == "Org1MSP");
  CHECK(identity.id_bytes() == org.user.CertPem());
  auto signature = signer->Sign("message");
  REQUIRE(signature.ok());
  auto key = org.user.cert.public_key();
  REQUIRE(key.ok());
  CHECK(key->Verify("message", *signature).ok());

  auto missing = weft::client::LoadSigner(dir.path() / "nowhere", "Org1MSP");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(std::string(missing.status().message()),
             Catch::Contains((dir.path() / "nowhere").string()));
}

TEST_CASE("the TLS binding hash is SHA-256 of the client certificate's DER", "[client-sdk]") {
  Org org;
  weft::common::settings::TlsSettings tls;
  auto none = weft::client::ClientTlsCertHash(tls);
  REQUIRE(none.ok());
  CHECK(none->empty());
  tls.enabled = true;
  tls.certificate_pem = org.user.CertPem();
  auto hash = weft::client::ClientTlsCertHash(tls);
  REQUIRE(hash.ok());
  CHECK(*hash == weft::common::crypto::Sha256(org.user.cert.der()));
}
