#include "common/policies/signature_policy.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/policies/policy_dsl.h"

namespace weft::common::policies {
namespace {

constexpr int kMaxNesting = 64;
// Bounds the backtracking search so a hostile policy cannot stall a validator.
constexpr int kSearchBudget = 200000;

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
      const auto& n_out_of = rule.n_out_of();
      if (n_out_of.n() < 0 || n_out_of.n() > n_out_of.rules_size()) {
        return absl::InvalidArgumentError(absl::StrCat("signature policy requires ", n_out_of.n(),
                                                       " of ", n_out_of.rules_size(), " rules"));
      }
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

// Decides whether a rule tree can be satisfied by assigning each chosen leaf its own
// identity. satisfies[p][i] says whether identity i matches principal p.
class Matcher {
 public:
  Matcher(const std::vector<std::vector<bool>>& satisfies, size_t identity_count)
      : satisfies_(satisfies), identity_count_(identity_count) {}

  [[nodiscard]] StatusOr<bool> Satisfiable(const Rule& root) {
    std::vector<const Rule*> agenda{&root};
    std::vector<int> chosen;
    bool found = Search(agenda, chosen);
    if (budget_ < 0) {
      return absl::ResourceExhaustedError("signature policy too complex to evaluate");
    }
    return found;
  }

 private:
  // Ignoring distinctness: can this rule be met at all? Prunes hopeless children.
  bool Possible(const Rule& rule) const {
    if (rule.is_leaf()) {
      const auto& row = satisfies_[rule.principal];
      return std::find(row.begin(), row.end(), true) != row.end();
    }
    int possible = 0;
    for (const auto& child : rule.children) possible += Possible(child) ? 1 : 0;
    return possible >= rule.n;
  }

  // True when the chosen leaves (principal indexes, repeats allowed) can each get a
  // distinct identity: bipartite matching by augmenting paths.
  bool Assignable(const std::vector<int>& chosen) const {
    std::vector<int> owner(identity_count_, -1);
    for (size_t leaf = 0; leaf < chosen.size(); ++leaf) {
      std::vector<bool> visited(identity_count_, false);
      if (!Augment(static_cast<int>(leaf), chosen, owner, visited)) return false;
    }
    return true;
  }

  bool Augment(int leaf, const std::vector<int>& chosen, std::vector<int>& owner,
               std::vector<bool>& visited) const {
    for (size_t id = 0; id < identity_count_; ++id) {
      if (!satisfies_[chosen[leaf]][id] || visited[id]) continue;
      visited[id] = true;
      if (owner[id] < 0 || Augment(owner[id], chosen, owner, visited)) {
        owner[id] = leaf;
        return true;
      }
    }
    return false;
  }

  bool Search(std::vector<const Rule*>& agenda, std::vector<int>& chosen) {
    if (--budget_ < 0) return false;
    if (agenda.empty()) return true;
    const Rule* rule = agenda.back();
    agenda.pop_back();
    bool found = false;
    if (rule->is_leaf()) {
      chosen.push_back(rule->principal);
      found = Assignable(chosen) && Search(agenda, chosen);
      chosen.pop_back();
    } else {
      std::vector<const Rule*> candidates;
      for (const auto& child : rule->children) {
        if (Possible(child)) candidates.push_back(&child);
      }
      if (static_cast<int>(candidates.size()) >= rule->n) {
        found = Choose(candidates, 0, rule->n, agenda, chosen);
      }
    }
    agenda.push_back(rule);
    return found;
  }

  // Tries every way of picking `needed` of candidates[from..] onto the agenda.
  bool Choose(const std::vector<const Rule*>& candidates, size_t from, int needed,
              std::vector<const Rule*>& agenda, std::vector<int>& chosen) {
    if (needed == 0) return Search(agenda, chosen);
    for (size_t i = from; i + needed <= candidates.size(); ++i) {
      if (budget_ < 0) return false;
      agenda.push_back(candidates[i]);
      bool found = Choose(candidates, i + 1, needed - 1, agenda, chosen);
      agenda.pop_back();
      if (found) return true;
    }
    return false;
  }

  const std::vector<std::vector<bool>>& satisfies_;
  size_t identity_count_;
  int budget_ = kSearchBudget;
};

class SignaturePolicy final : public Policy {
 public:
  SignaturePolicy(::common::SignaturePolicyEnvelope envelope, Rule root, std::string text,
                  const IdentityDeserializer& deserializer)
      : envelope_(std::move(envelope)),
        root_(std::move(root)),
        text_(std::move(text)),
        deserializer_(deserializer) {}

  [[nodiscard]] Status EvaluateSignedData(std::span<const SignedData> signed_data) const override {
    std::vector<std::shared_ptr<const Identity>> signers;
    std::vector<std::string> rejected;
    for (const auto& item : signed_data) {
      auto identity = deserializer_.DeserializeIdentity(item.identity);
      if (!identity.ok()) {
        rejected.push_back(std::string(identity.status().message()));
        continue;
      }
      const auto& unique_id = (*identity)->UniqueId();
      bool seen = std::any_of(signers.begin(), signers.end(),
                              [&](const auto& signer) { return signer->UniqueId() == unique_id; });
      if (seen) continue;  // one identity counts once, whatever it signed
      Status verified = (*identity)->Verify(item.data, item.signature);
      if (!verified.ok()) {
        rejected.push_back(
            absl::StrCat("signature by ", (*identity)->MspId(), " identity: ", verified.message()));
        continue;
      }
      signers.push_back(*std::move(identity));
    }

    std::vector<std::vector<bool>> satisfies(envelope_.identities_size(),
                                             std::vector<bool>(signers.size(), false));
    for (int p = 0; p < envelope_.identities_size(); ++p) {
      for (size_t i = 0; i < signers.size(); ++i) {
        satisfies[p][i] = signers[i]->SatisfiesPrincipal(envelope_.identities(p)).ok();
      }
    }
    WEFT_ASSIGN_OR_RETURN(bool satisfied, Matcher(satisfies, signers.size()).Satisfiable(root_));
    if (satisfied) return absl::OkStatus();

    std::vector<std::string> signer_msps;
    for (const auto& signer : signers) signer_msps.push_back(signer->MspId());
    std::string message = absl::StrCat(
        "signature set does not satisfy policy ", text_, ": ", signers.size(),
        " valid distinct signer(s)",
        signers.empty() ? "" : absl::StrCat(" from ", absl::StrJoin(signer_msps, ", ")));
    if (!rejected.empty()) absl::StrAppend(&message, "; ignored: ", absl::StrJoin(rejected, "; "));
    return absl::PermissionDeniedError(message);
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
