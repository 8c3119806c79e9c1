#include "tests/unit/common/policies/fake_identities.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace weft::testing {
namespace {

class FakeIdentity final : public common::policies::Identity {
 public:
  FakeIdentity(std::string msp, std::set<std::string> roles, std::string name,
               std::atomic<int>& verifies)
      : verifies_(verifies),
        msp_(std::move(msp)),
        roles_(std::move(roles)),
        name_(std::move(name)),
        unique_id_(absl::StrCat(msp_, "/", name_)) {}

  const std::string& MspId() const override { return msp_; }
  const std::string& UniqueId() const override { return unique_id_; }

  [[nodiscard]] Status SatisfiesPrincipal(const ::common::MSPPrincipal& principal) const override {
    ::common::MSPRole role;
    if (principal.principal_classification() != ::common::MSPPrincipal::ROLE ||
        !role.ParseFromString(principal.principal())) {
      return absl::InvalidArgumentError("fake identities only understand ROLE principals");
    }
    if (role.msp_identifier() != msp_) return absl::PermissionDeniedError("wrong MSP");
    if (role.role() == ::common::MSPRole::MEMBER) return absl::OkStatus();
    std::string wanted = ::common::MSPRole::MSPRoleType_Name(role.role());
    for (char& c : wanted) c = static_cast<char>(std::tolower(c));
    if (roles_.count(wanted) == 0) return absl::PermissionDeniedError("wrong role");
    return absl::OkStatus();
  }

  [[nodiscard]] Status Verify(std::string_view message, std::string_view signature) const override {
    ++verifies_;
    if (signature != absl::StrCat("sig(", name_, ",", std::string(message), ")")) {
      return absl::InvalidArgumentError("signature does not verify");
    }
    return absl::OkStatus();
  }

 private:
  std::atomic<int>& verifies_;
  std::string msp_;
  std::set<std::string> roles_;
  std::string name_;
  std::string unique_id_;
};

}  // namespace

StatusOr<std::shared_ptr<const common::policies::Identity>> FakeDeserializer::DeserializeIdentity(
    std::string_view serialized) const {
  std::vector<std::string> parts =
      absl::StrSplit(absl::string_view(serialized.data(), serialized.size()), '|');
  if (parts.size() != 3) return absl::InvalidArgumentError("malformed fake identity");
  if (parts[0] == "UnknownMSP") return absl::NotFoundError("MSP UnknownMSP is not defined");
  std::set<std::string> roles;
  for (auto& role : absl::StrSplit(parts[1], ',', absl::SkipEmpty())) roles.emplace(role);
  return std::make_shared<FakeIdentity>(parts[0], std::move(roles), parts[2], verifies_);
}

common::policies::SignedData Sign(const std::string& msp, const std::string& name,
                                  const std::vector<std::string>& roles, const std::string& data) {
  return {data, absl::StrCat(msp, "|", absl::StrJoin(roles, ","), "|", name),
          absl::StrCat("sig(", name, ",", data, ")")};
}

common::policies::SignedData BadSignature(const std::string& msp, const std::string& name) {
  auto signed_data = Sign(msp, name);
  signed_data.signature = "forged";
  return signed_data;
}

}  // namespace weft::testing
