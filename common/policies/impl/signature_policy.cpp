#include "common/policies/signature_policy.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/policies/policy_dsl.h"

namespace weft::common::policies {
namespace {

// Protobuf's own parse limit is 100 levels; policies never come near it.
constexpr int kMaxNesting = 64;

// A compiled rule: a leaf names a principal index, an inner node needs `n` of its children.
struct Rule {
  int principal = -1;
  int n = 0;
  std::vector<Rule> children;
  bool is_leaf() const { return principal >= 0; }
};

[[nodiscard]] StatusOr<Rule> Compile(const ::common::SignaturePolicy& rule, int identity_count,
                                     int depth) {
  if (depth > kMaxNesting) {
    return absl::InvalidArgumentError(
        absl::StrCat("signature policy nests deeper than ", kMaxNesting, " levels"));
  }
  Rule compiled;
  switch (rule.Type_case()) {
    case ::common::SignaturePolicy::kSignedBy:
      if (rule.signed_by() < 0 || rule.signed_by() >= identity_count) {
        return absl::InvalidArgumentError(absl::StrCat("signature policy refers to identity ",
                                                       rule.signed_by(), " but has ",
                                                       identity_count, " identities"));
      }
      compiled.principal = rule.signed_by();
      return compiled;
    case ::common::SignaturePolicy::kNOutOf: {
      // As in Fabric, any n compiles: more than the rules is never satisfied, zero or
      // less always is.
      const auto& n_out_of = rule.n_out_of();
      compiled.n = n_out_of.n();
      for (const auto& child : n_out_of.rules()) {
        WEFT_ASSIGN_OR_RETURN(Rule sub, Compile(child, identity_count, depth + 1));
        compiled.children.push_back(std::move(sub));
      }
      return compiled;
    }
    default:
      return absl::InvalidArgumentError("signature policy rule has neither signed_by nor n_out_of");
  }
}

// Fabric's cauthdsl evaluation, greedy on purpose: a leaf takes the first unused
// signer that satisfies its principal; an n-out-of evaluates every child in order,
// keeping the signers a satisfied child took and returning those of a failed one.
// Every peer must reach the verdict Fabric's peers reach (the TRANSACTIONS_FILTER
// feeds the commit hash), even where a cleverer assignment would satisfy the policy.
// satisfies[p][i] says whether signer i matches principal p.
bool Evaluate(const Rule& rule, const std::vector<std::vector<bool>>& satisfies,
              std::vector<bool>& used) {
  if (rule.is_leaf()) {
    const std::vector<bool>& row = satisfies[rule.principal];
    for (size_t i = 0; i < used.size(); ++i) {
      if (used[i] || !row[i]) continue;
      used[i] = true;
      return true;
    }
    return false;
  }
  int verified = 0;
  std::vector<bool> trial;
  for (const Rule& child : rule.children) {
    trial = used;
    if (Evaluate(child, satisfies, trial)) {
      ++verified;
      used = trial;
    }
  }
  return verified >= rule.n;
}

class SignaturePolicy final : public Policy {
 public:
  SignaturePolicy(::common::SignaturePolicyEnvelope envelope, Rule root, std::string text,
                  const IdentityDeserializer& deserializer)
      : envelope_(std::move(envelope)),
        root_(std::move(root)),
        text_(std::move(text)),
        deserializer_(deserializer) {}

  // Fabric's cauthdsl policy.EvaluateSignedData: the valid distinct signers, then
  // EvaluateIdentities on them.
  [[nodiscard]] Status EvaluateSignedData(std::span<const SignedData> signed_data) const override {
    ValidIdentities valid = SignatureSetToValidIdentities(signed_data, deserializer_);
    Status status = EvaluateIdentities(valid.identities);
    if (status.ok() || valid.rejected.empty()) return status;
    return absl::PermissionDeniedError(
        absl::StrCat(status.message(), "; ignored: ", absl::StrJoin(valid.rejected, "; ")));
  }

  [[nodiscard]] Status EvaluateIdentities(
      std::span<const std::shared_ptr<const Identity>> signers) const override {
    std::vector<std::vector<bool>> satisfies(envelope_.identities_size(),
                                             std::vector<bool>(signers.size(), false));
    for (int p = 0; p < envelope_.identities_size(); ++p) {
      for (size_t i = 0; i < signers.size(); ++i) {
        satisfies[p][i] = signers[i]->SatisfiesPrincipal(envelope_.identities(p)).ok();
      }
    }
    std::vector<bool> used(signers.size(), false);
    if (Evaluate(root_, satisfies, used)) return absl::OkStatus();

    std::vector<std::string> signer_msps;
    for (const auto& signer : signers) signer_msps.push_back(signer->MspId());
    return absl::PermissionDeniedError(absl::StrCat(
        "signature set does not satisfy policy ", text_, ": ", signers.size(),
        " valid distinct signer(s)",
        signers.empty() ? "" : absl::StrCat(" from ", absl::StrJoin(signer_msps, ", "))));
  }

 private:
  ::common::SignaturePolicyEnvelope envelope_;
  Rule root_;
  std::string text_;
  const IdentityDeserializer& deserializer_;
};

}  // namespace

[[nodiscard]] StatusOr<std::unique_ptr<Policy>> NewSignaturePolicy(
    ::common::SignaturePolicyEnvelope envelope, const IdentityDeserializer& deserializer) {
  if (!envelope.has_rule()) {
    return absl::InvalidArgumentError("signature policy envelope has no rule");
  }
  WEFT_ASSIGN_OR_RETURN(Rule root, Compile(envelope.rule(), envelope.identities_size(), 0));
  auto text = PolicyToString(envelope);
  std::string description = text.ok() ? *text : std::string("<unprintable policy>");
  return std::unique_ptr<Policy>(new SignaturePolicy(std::move(envelope), std::move(root),
                                                     std::move(description), deserializer));
}

}  // namespace weft::common::policies
