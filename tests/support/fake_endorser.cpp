#include "tests/support/fake_endorser.h"

#include <grpcpp/grpcpp.h>

#include <stdexcept>

#include "common/crypto/hash.h"
#include "common/grpc/peer_certificate.h"
#include "common/grpc/server.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"
#include "msp/identities.pb.h"
#include "peer/peer.grpc.pb.h"

namespace weft::testing {

namespace protoutil = common::protoutil;

class FakeEndorser::Service final : public ::protos::Endorser::Service {
 public:
  Service(msp::SigningIdentity identity,
          std::map<std::string, common::crypto::Certificate> trusted_cas)
      : identity_(std::move(identity)), trusted_cas_(std::move(trusted_cas)) {}

  ::grpc::Status ProcessProposal(::grpc::ServerContext* context,
                                 const ::protos::SignedProposal* request,
                                 ::protos::ProposalResponse* reply) override {
    Call call;
    if (auto pem = common::grpc::ClientCertificatePem(*context); pem.ok()) {
      if (auto cert = common::crypto::Certificate::FromPem(*pem); cert.ok()) {
        call.client_cert_hash = common::crypto::Sha256(cert->der());
      }
    }
    auto opened = protoutil::OpenSignedProposal(*request);
    if (!opened.ok()) return Refuse(std::move(call), std::string(opened.status().message()));
    call.tx_id = opened->tx_id();
    call.creator = opened->creator();
    call.tls_cert_hash = opened->channel_header.tls_cert_hash();
    for (const auto& arg : opened->chaincode_spec().input().args()) call.args.push_back(arg);
    call.transient.insert(opened->payload.transientmap().begin(),
                          opened->payload.transientmap().end());
    if (std::string refusal = Validate(*opened); !refusal.empty()) {
      return Refuse(std::move(call), refusal);
    }

    std::lock_guard lock(mu_);
    ::protos::Response* response = reply->mutable_response();
    response->set_status(status_);
    response->set_message(message_);
    reply->set_version(1);
    if (status_ < 400) {
      response->set_payload(payload_);
      ::protos::ChaincodeAction action;
      *action.mutable_response() = *response;
      action.mutable_chaincode_id()->set_name(opened->chaincode_spec().chaincode_id().name());
      ::protos::ProposalResponsePayload payload;
      payload.set_proposal_hash(opened->ProposalHash());
      payload.set_extension(protoutil::DeterministicSerialize(action));
      reply->set_payload(protoutil::DeterministicSerialize(payload));
      auto endorsement = protoutil::CreateEndorsement(reply->payload(), identity_);
      if (!endorsement.ok()) {
        return ::grpc::Status(::grpc::StatusCode::INTERNAL, "fake endorser cannot sign");
      }
      *reply->mutable_endorsement() = *std::move(endorsement);
    }
    calls_.push_back(std::move(call));
    return ::grpc::Status::OK;
  }

  void Answer(int32_t status, std::string message, std::string payload) {
    std::lock_guard lock(mu_);
    status_ = status;
    message_ = std::move(message);
    payload_ = std::move(payload);
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  // Fabric's checks, in Validate's order; the refusal message, empty if none.
  std::string Validate(const protoutil::OpenedProposal& opened) const {
    const auto& header = opened.channel_header;
    if (header.type() != ::common::ENDORSER_TRANSACTION && header.type() != ::common::CONFIG) {
      return "invalid header type " + ::common::HeaderType_Name(header.type());
    }
    if (header.epoch() != 0) return "epoch is non-zero";
    if (opened.signature_header.nonce().empty()) return "nonce is empty";
    if (opened.creator().empty()) return "creator is empty";
    const std::string expected =
        protoutil::ComputeTxId(opened.signature_header.nonce(), opened.creator());
    if (opened.tx_id() != expected) {
      return "incorrectly computed txid '" + opened.tx_id() + "' -- expected '" + expected + "'";
    }
    if (opened.signature().empty()) return "empty signature bytes";
    const std::string malformed = "access denied: channel [" + header.channel_id() +
                                  "] creator org unknown, creator is malformed";
    ::msp::SerializedIdentity creator;
    if (!creator.ParseFromString(opened.creator())) return malformed;
    auto ca = trusted_cas_.find(creator.mspid());
    auto cert = common::crypto::Certificate::FromPem(creator.id_bytes());
    if (ca == trusted_cas_.end() || !cert.ok()) return malformed;
    const std::string denied = "access denied: channel [" + header.channel_id() +
                               "] creator org [" + creator.mspid() + "]";
    const std::vector<common::crypto::Certificate> roots = {ca->second};
    if (!common::crypto::VerifyChain(*cert, roots, {}).ok()) return denied;
    auto key = cert->public_key();
    if (!key.ok() || !key->Verify(opened.proposal_bytes(), opened.signature()).ok()) return denied;
    return "";
  }

  ::grpc::Status Refuse(Call call, const std::string& refusal) {
    call.refusal = refusal;
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
    return ::grpc::Status(::grpc::StatusCode::UNKNOWN, refusal);
  }

  const msp::SigningIdentity identity_;
  const std::map<std::string, common::crypto::Certificate> trusted_cas_;
  mutable std::mutex mu_;
  int32_t status_ = 200;
  std::string message_;
  std::string payload_ = "fake result";
  std::vector<Call> calls_;
};

struct FakeEndorser::Running {
  common::grpc::BuiltServer server;
};

FakeEndorser::FakeEndorser(msp::SigningIdentity identity,
                           std::map<std::string, common::crypto::Certificate> trusted_cas,
                           common::settings::GrpcServerSettings server)
    : service_(std::make_unique<Service>(std::move(identity), std::move(trusted_cas))) {
  if (server.listen_address.empty()) server.listen_address = "127.0.0.1:0";
  auto built = common::grpc::BuildServer(server, {service_.get()});
  if (!built.ok()) {
    throw std::runtime_error("fake endorser: " + std::string(built.status().message()));
  }
  running_ = std::make_unique<Running>(Running{*std::move(built)});
}

FakeEndorser::~FakeEndorser() {
  if (running_) running_->server.server->Shutdown();
}

std::string FakeEndorser::address() const {
  return "127.0.0.1:" + std::to_string(running_->server.port);
}

void FakeEndorser::Answer(int32_t status, std::string message, std::string payload) {
  service_->Answer(status, std::move(message), std::move(payload));
}

std::vector<FakeEndorser::Call> FakeEndorser::calls() const { return service_->calls(); }

}  // namespace weft::testing
