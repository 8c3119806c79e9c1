// Policies of a channel configuration, addressed by Fabric-style paths
// ("/Channel/Application/Writers", "/Channel/Orderer/BlockValidation").
// Thread-safety: immutable after Build; safe for concurrent use.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/configtx.pb.h"
#include "common/policies.pb.h"
#include "common/policies/identity.h"
#include "common/policies/policy.h"
#include "common/status/status.h"

namespace weft::common::policies {

// ANY / ALL / MAJORITY of the policies named `sub_policy` in the child groups
// (PolicyManager passes one per child group; a group lacking the policy takes part
// as one never satisfied). With no child groups the threshold is zero (satisfied),
// as in Fabric.
// Signed data is checked with `deserializer` (which must outlive the policy), the
// one the sub-policies use, once for all of them.
std::unique_ptr<Policy> NewImplicitMetaPolicy(std::string description,
                                              ::common::ImplicitMetaPolicy::Rule rule,
                                              std::vector<const Policy*> sub_policies,
                                              const IdentityDeserializer& deserializer);

class PolicyManager {
 public:
  // Builds the managers for `group` (named `name`, "Channel" at the root) and all of
  // its sub-groups. SIGNATURE and IMPLICIT_META policies are supported; any other
  // type, or a malformed policy, fails naming its path. `deserializer` must outlive
  // the manager.
  [[nodiscard]] static StatusOr<std::unique_ptr<PolicyManager>> Build(
      std::string name, const ::common::ConfigGroup& group,
      const IdentityDeserializer& deserializer);

  // `path` is absolute ("/Channel/Application/Writers", resolved from the root this
  // manager was built from) or relative to this manager ("Writers", "Org1MSP/Admins").
  [[nodiscard]] StatusOr<const Policy*> GetPolicy(std::string_view path) const;
  const PolicyManager* SubManager(std::string_view name) const;
  // "/Channel/Application" for the Application manager.
  const std::string& path() const { return path_; }
  std::vector<std::string> PolicyNames() const;

 private:
  PolicyManager() = default;
  [[nodiscard]] static StatusOr<std::unique_ptr<PolicyManager>> BuildAt(
      std::string path, const ::common::ConfigGroup& group,
      const IdentityDeserializer& deserializer, const PolicyManager* root);

  std::string path_;
  const PolicyManager* root_ = nullptr;  // nullptr when this is the root
  std::map<std::string, std::unique_ptr<PolicyManager>, std::less<>> children_;
  std::map<std::string, std::unique_ptr<Policy>, std::less<>> policies_;
  // Stand-ins for the sub-policies child groups lack, referenced by implicit meta
  // policies of this manager.
  std::vector<std::unique_ptr<Policy>> missing_;
};

}  // namespace weft::common::policies
