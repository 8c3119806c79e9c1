// A protos.Endorser gRPC server on 127.0.0.1 for client tests. Before answering it
// checks each SignedProposal the way Fabric's endorser does (release-2.5
// core/endorser/msgvalidation.go UnpackedProposal.Validate): the layers parse, the
// header type is ENDORSER_TRANSACTION, epoch 0, nonce and creator present,
// tx_id = ComputeTxId(nonce, creator), the creator names a trusted MSP whose CA
// issued its certificate, and the signature over proposal_bytes verifies with that
// certificate. A refused proposal gets a gRPC error (Fabric's ProcessProposal
// returns its error), UNKNOWN with Fabric's message. An accepted one is answered
// with the configured Response, endorsed by the server's own identity when the
// status is below 400 (Fabric's endorser sends no payload or endorsement otherwise).
// Thread-safety: the methods are thread-safe; gRPC calls run on gRPC's threads and
// only record, the test thread reads the records.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/crypto/x509.h"
#include "common/settings/settings.h"
#include "msp/signing_identity.h"

namespace weft::testing {

class FakeEndorser {
 public:
  // What one call carried and how the fake judged it.
  struct Call {
    std::string tx_id;
    std::string creator;            // SignatureHeader.creator
    std::string tls_cert_hash;      // ChannelHeader.tls_cert_hash
    std::string client_cert_hash;   // SHA-256 of the DER of the TLS client cert, if any
    std::vector<std::string> args;  // ChaincodeSpec.input.args
    std::map<std::string, std::string> transient;
    std::string refusal;  // empty when the proposal passed the checks
  };

  // `trusted_cas`: MSP ID -> the CA that issues its identities. `server` defaults to
  // 127.0.0.1:0 without TLS. Throws std::runtime_error when the server cannot start.
  FakeEndorser(msp::SigningIdentity identity,
               std::map<std::string, common::crypto::Certificate> trusted_cas,
               common::settings::GrpcServerSettings server = {});
  ~FakeEndorser();

  std::string address() const;
  // The Response the next calls get (default 200, payload "fake result").
  void Answer(int32_t status, std::string message, std::string payload);
  std::vector<Call> calls() const;

  class Service;

 private:
  std::unique_ptr<Service> service_;
  struct Running;
  std::unique_ptr<Running> running_;
};

}  // namespace weft::testing
