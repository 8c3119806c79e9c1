#include "client-sdk/transaction_builder.h"

#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/transaction.h"
#include "fmt/format.h"

namespace weft::client {

namespace protoutil = common::protoutil;

namespace {

// CreateSignedTx's checks and endorsement selection; `signer` null for the
// unsigned variant.
[[nodiscard]] StatusOr<::common::Envelope> BuildTransaction(
    const ::protos::Proposal& proposal, std::span<const ::protos::ProposalResponse> responses,
    const protoutil::Signer* signer) {
  if (responses.empty()) {
    return absl::InvalidArgumentError("at least one proposal response is required");
  }
  ::protos::SignedProposal unsigned_proposal;
  unsigned_proposal.set_proposal_bytes(protoutil::DeterministicSerialize(proposal));
  WEFT_ASSIGN_OR_RETURN(auto opened, protoutil::OpenSignedProposal(std::move(unsigned_proposal)));
  if (signer != nullptr && signer->SerializedIdentity() != opened.creator()) {
    return absl::InvalidArgumentError(
        "signer must be the same as the one referenced in the header");
  }
  const std::string& first_payload = responses.front().payload();
  for (const auto& response : responses) {
    const int32_t status = response.response().status();
    if (status < 200 || status >= 400) {
      return absl::InvalidArgumentError(
          fmt::format("proposal response was not successful, error code {}, msg {}", status,
                      response.response().message()));
    }
    if (response.payload() != first_payload) {
      return absl::InvalidArgumentError(
          fmt::format("ProposalResponsePayloads do not match (base64): '{}' vs '{}'",
                      absl::Base64Escape(response.payload()), absl::Base64Escape(first_payload)));
    }
  }
  // One endorsement per endorser identity; responses without one add nothing.
  std::vector<::protos::ProposalResponse> endorsed;
  std::set<std::string> endorsers;
  for (const auto& response : responses) {
    if (!response.has_endorsement()) continue;
    if (!endorsers.insert(response.endorsement().endorser()).second) continue;
    endorsed.push_back(response);
  }
  if (endorsed.empty()) return absl::InvalidArgumentError("no endorsements");
  return protoutil::CreateEndorserTransaction(opened, endorsed, signer);
}

}  // namespace

[[nodiscard]] StatusOr<::common::Envelope> CreateSignedTransaction(
    const ::protos::Proposal& proposal, std::span<const ::protos::ProposalResponse> responses,
    const protoutil::Signer& signer) {
  return BuildTransaction(proposal, responses, &signer);
}

[[nodiscard]] StatusOr<::common::Envelope> CreateUnsignedTransaction(
    const ::protos::Proposal& proposal, std::span<const ::protos::ProposalResponse> responses) {
  return BuildTransaction(proposal, responses, nullptr);
}

}  // namespace weft::client
