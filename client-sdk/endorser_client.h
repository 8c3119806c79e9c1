// A client of peers' protos.Endorser service (Fabric's peer CLI
// GetEndorserClient + processProposals): ProcessProposal on one peer, and
// endorsement by several peers in parallel with every failure named.
// Thread-safety: one EndorserClient may be shared; Endorse is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/settings/settings.h"
#include "common/status/status.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::client {

inline constexpr std::chrono::seconds kDefaultEndorseTimeout{60};

class EndorserClient {
 public:
  // `target` is "host:port"; `settings` carries TLS/mTLS and keepalive.
  [[nodiscard]] static StatusOr<std::unique_ptr<EndorserClient>> Connect(
      const std::string& target, const common::settings::GrpcClientSettings& settings);
  ~EndorserClient();

  const std::string& address() const { return address_; }

  // The peer's answer, whatever its Response.status; a gRPC failure keeps its
  // code and reads "endorser <address>: <message>".
  [[nodiscard]] StatusOr<::protos::ProposalResponse> ProcessProposal(
      const ::protos::SignedProposal& proposal,
      std::chrono::milliseconds timeout = kDefaultEndorseTimeout) const;

 private:
  struct Connection;  // the gRPC channel and its Endorser stub
  EndorserClient(std::string address, std::unique_ptr<Connection> connection);
  std::string address_;
  std::unique_ptr<Connection> connection_;
};

// Sends `proposal` to every endorser at once and returns their responses in the
// order of `endorsers`. Fails when any peer fails: with the code of the first
// gRPC failure, else Aborted (a response status outside [200, 400), the rule of
// CreateSignedTx); the message lists each failing peer as
// "<address>: <gRPC message>" or "<address>: status <n>: <message>".
[[nodiscard]] StatusOr<std::vector<::protos::ProposalResponse>> Endorse(
    std::span<const EndorserClient* const> endorsers, const ::protos::SignedProposal& proposal,
    std::chrono::milliseconds timeout = kDefaultEndorseTimeout);

}  // namespace weft::client
