#include "common/policies/policy_dsl.h"

#include <cctype>
#include <charconv>
#include <map>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "msp/msp_principal.pb.h"

namespace weft::common::policies {
namespace {

constexpr int kMaxNesting = 64;

struct RoleName {
  std::string_view name;
  ::common::MSPRole::MSPRoleType type;
};
constexpr RoleName kRoles[] = {
    {"member", ::common::MSPRole::MEMBER},   {"admin", ::common::MSPRole::ADMIN},
    {"client", ::common::MSPRole::CLIENT},   {"peer", ::common::MSPRole::PEER},
    {"orderer", ::common::MSPRole::ORDERER},
};

bool IsMspIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// Recursive-descent parser over the whole text; every error carries the offset.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  [[nodiscard]] StatusOr<::common::SignaturePolicyEnvelope> Parse() {
    ::common::SignaturePolicyEnvelope envelope;
    envelope.set_version(0);
    WEFT_RETURN_IF_ERROR(ParseExpression(*envelope.mutable_rule(), 0));
    SkipSpaces();
    if (pos_ != text_.size()) return Error("end of policy");
    for (auto& principal : principals_) *envelope.add_identities() = std::move(principal);
    return envelope;
  }

 private:
  [[nodiscard]] Status Error(std::string_view expected) const {
    std::string found = pos_ < text_.size() ? fmt::format("'{}'", text_[pos_]) : "end of input";
    return absl::InvalidArgumentError(fmt::format(
        "policy \"{}\": at position {}: expected {}, found {}", text_, pos_, expected, found));
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool Consume(char c) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  [[nodiscard]] Status Expect(char c) {
    if (!Consume(c)) return Error(fmt::format("'{}'", c));
    return absl::OkStatus();
  }

  std::string ReadWord() {
    size_t start = pos_;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  [[nodiscard]] Status ParseExpression(::common::SignaturePolicy& out, int depth) {
    if (depth > kMaxNesting) return Error(fmt::format("at most {} nested operators", kMaxNesting));
    SkipSpaces();
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      return ParsePrincipal(out);
    }
    size_t word_start = pos_;
    std::string word = ReadWord();
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (word != "and" && word != "or" && word != "outof") {
      pos_ = word_start;
      return Error("AND, OR, OutOf or a quoted principal such as 'Org1MSP.member'");
    }
    WEFT_RETURN_IF_ERROR(Expect('('));
    auto* n_out_of = out.mutable_n_out_of();
    int threshold = -1;
    size_t number_start = pos_;
    if (word == "outof") {
      SkipSpaces();
      number_start = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      auto digits = text_.substr(number_start, pos_ - number_start);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), threshold);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        pos_ = number_start;
        return Error("the number of required signatures");
      }
      WEFT_RETURN_IF_ERROR(Expect(','));
    }
    do {
      WEFT_RETURN_IF_ERROR(ParseExpression(*n_out_of->add_rules(), depth + 1));
    } while (Consume(','));
    WEFT_RETURN_IF_ERROR(Expect(')'));
    int count = n_out_of->rules_size();
    if (word == "and") threshold = count;
    if (word == "or") threshold = 1;
    if (threshold < 1 || threshold > count) {
      return absl::InvalidArgumentError(fmt::format(
          "policy \"{}\": at position {}: OutOf needs between 1 and {} signatures (its number of "
          "arguments), got {}",
          text_, number_start, count, threshold));
    }
    n_out_of->set_n(threshold);
    return absl::OkStatus();
  }

  [[nodiscard]] Status ParsePrincipal(::common::SignaturePolicy& out) {
    char quote = text_[pos_];
    size_t start = ++pos_;
    while (pos_ < text_.size() && IsMspIdChar(text_[pos_])) ++pos_;
    std::string_view body = text_.substr(start, pos_ - start);
    if (pos_ >= text_.size() || text_[pos_] != quote) {
      return Error(fmt::format("closing {} of a principal 'MSPID.role'", quote));
    }
    size_t dot = body.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
      pos_ = start;
      return Error("a principal of the form MSPID.role");
    }
    std::string_view msp_id = body.substr(0, dot);
    std::string_view role_name = body.substr(dot + 1);
    const RoleName* role = nullptr;
    for (const auto& candidate : kRoles) {
      if (candidate.name == role_name) role = &candidate;
    }
    if (role == nullptr) {
      pos_ = start + dot + 1;
      return Error("a role: member, admin, client, peer or orderer");
    }
    ++pos_;  // closing quote
    std::string key = fmt::format("{}.{}", msp_id, role_name);
    auto [it, inserted] = index_.emplace(key, static_cast<int>(principals_.size()));
    if (inserted) {
      ::common::MSPRole msp_role;
      msp_role.set_msp_identifier(std::string(msp_id));
      msp_role.set_role(role->type);
      ::common::MSPPrincipal principal;
      principal.set_principal_classification(::common::MSPPrincipal::ROLE);
      principal.set_principal(msp_role.SerializeAsString());
      principals_.push_back(std::move(principal));
    }
    out.set_signed_by(it->second);
    return absl::OkStatus();
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::map<std::string, int> index_;
  std::vector<::common::MSPPrincipal> principals_;
};

[[nodiscard]] StatusOr<std::string> PrincipalToString(const ::common::MSPPrincipal& principal) {
  if (principal.principal_classification() != ::common::MSPPrincipal::ROLE) {
    return fmt::format(
        "<principal of classification {}>",
        ::common::MSPPrincipal::Classification_Name(principal.principal_classification()));
  }
  ::common::MSPRole role;
  if (!role.ParseFromString(principal.principal())) {
    return absl::InvalidArgumentError("MSPPrincipal of classification ROLE holds no MSPRole");
  }
  for (const auto& candidate : kRoles) {
    if (candidate.type == role.role()) {
      return fmt::format("'{}.{}'", role.msp_identifier(), candidate.name);
    }
  }
  return absl::InvalidArgumentError(fmt::format("unknown MSP role {}", role.role()));
}

[[nodiscard]] StatusOr<std::string> RuleToString(const ::common::SignaturePolicy& rule,
                                                 const ::common::SignaturePolicyEnvelope& envelope,
                                                 int depth) {
  if (depth > kMaxNesting) return absl::InvalidArgumentError("policy nested too deeply");
  if (rule.Type_case() == ::common::SignaturePolicy::kSignedBy) {
    if (rule.signed_by() < 0 || rule.signed_by() >= envelope.identities_size()) {
      return absl::InvalidArgumentError(
          fmt::format("signed_by index {} out of range", rule.signed_by()));
    }
    return PrincipalToString(envelope.identities(rule.signed_by()));
  }
  if (rule.Type_case() != ::common::SignaturePolicy::kNOutOf) {
    return absl::InvalidArgumentError("SignaturePolicy has neither signed_by nor n_out_of");
  }
  std::vector<std::string> parts;
  for (const auto& child : rule.n_out_of().rules()) {
    WEFT_ASSIGN_OR_RETURN(std::string part, RuleToString(child, envelope, depth + 1));
    parts.push_back(std::move(part));
  }
  int n = rule.n_out_of().n();
  int count = static_cast<int>(parts.size());
  std::string args = fmt::format("{}", fmt::join(parts, ", "));
  if (n == count) return fmt::format("AND({})", args);
  if (n == 1) return fmt::format("OR({})", args);
  return fmt::format("OutOf({}, {})", n, args);
}

}  // namespace

[[nodiscard]] StatusOr<::common::SignaturePolicyEnvelope> ParsePolicy(std::string_view text) {
  return Parser(text).Parse();
}

[[nodiscard]] StatusOr<std::string> PolicyToString(
    const ::common::SignaturePolicyEnvelope& envelope) {
  return RuleToString(envelope.rule(), envelope, 0);
}

}  // namespace weft::common::policies
