#include "peer/validator/impl/endorsement.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/policies.pb.h"
#include "common/policies/signature_policy.h"
#include "msp/msp_principal.pb.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/policy.pb.h"
#include "peer/validator/validator.h"

namespace weft::peer::validator::impl {
namespace {

using common::channelconfig::ChannelConfig;

// Fabric's policydsl.SignedByNOutOfGivenRole with role MEMBER.
::common::SignaturePolicyEnvelope NOutOfMembers(int n, const std::vector<std::string>& msp_ids) {
  ::common::SignaturePolicyEnvelope envelope;
  envelope.set_version(0);
  auto* n_out_of = envelope.mutable_rule()->mutable_n_out_of();
  n_out_of->set_n(n);
  for (std::size_t i = 0; i < msp_ids.size(); ++i) {
    ::common::MSPRole role;
    role.set_msp_identifier(msp_ids[i]);
    role.set_role(::common::MSPRole::MEMBER);
    auto* principal = envelope.add_identities();
    principal->set_principal_classification(::common::MSPPrincipal::ROLE);
    principal->set_principal(role.SerializeAsString());
    n_out_of->add_rules()->set_signed_by(static_cast<int32_t>(i));
  }
  return envelope;
}

std::string SignaturePolicyBytes(::common::SignaturePolicyEnvelope envelope) {
  ::protos::ApplicationPolicy policy;
  *policy.mutable_signature_policy() = std::move(envelope);
  return policy.SerializeAsString();
}

std::string PolicyReferenceBytes(std::string reference) {
  ::protos::ApplicationPolicy policy;
  policy.set_channel_config_policy_reference(std::move(reference));
  return policy.SerializeAsString();
}

// A collection's endorsement policy, or why the write to it fails validation.
struct CollectionPolicy {
  std::string bytes;  // empty: fall back to the chaincode's policy
  Status invalid = absl::OkStatus();
};

// Fabric's ImplicitCollectionEndorsementPolicyAsBytes.
[[nodiscard]] StatusOr<CollectionPolicy> ImplicitCollectionPolicy(const ChannelConfig& bundle,
                                                                  std::string_view msp_id) {
  if (!bundle.application()) {
    return absl::FailedPreconditionError(
        absl::StrCat("channel ", bundle.channel_id(), " has no application config"));
  }
  for (const auto& [org_name, org] : bundle.application()->organizations) {
    if (org.msp_id != msp_id) continue;
    std::string path = absl::StrCat("/Channel/Application/", org_name, "/Endorsement");
    if (bundle.policy_manager().GetPolicy(path).ok())
      return CollectionPolicy{PolicyReferenceBytes(path)};
    // Channels without an org Endorsement policy: any member of the org.
    return CollectionPolicy{SignaturePolicyBytes(NOutOfMembers(1, {std::string(msp_id)}))};
  }
  return CollectionPolicy{
      "", absl::PermissionDeniedError(
              absl::StrCat("no org found in channel with MSPID '", std::string(msp_id), "'"))};
}

// Fabric's ValidatorCommitter.CollectionValidationInfo.
[[nodiscard]] StatusOr<CollectionPolicy> CollectionValidationInfo(const TxContext& tx,
                                                                  const std::string& ns,
                                                                  const std::string& collection) {
  WEFT_ASSIGN_OR_RETURN(const lifecycle::ChaincodeDefinition* definition, tx.definitions.Get(ns));
  if (definition == nullptr) return CollectionPolicy{};
  if (std::string_view(collection).starts_with(kImplicitCollectionPrefix)) {
    return ImplicitCollectionPolicy(tx.bundle, collection.substr(kImplicitCollectionPrefix.size()));
  }
  for (const auto& config : definition->collections.config()) {
    if (!config.has_static_collection_config()) continue;
    const auto& collection_config = config.static_collection_config();
    if (collection_config.name() != collection) continue;
    if (collection_config.has_endorsement_policy()) {
      return CollectionPolicy{collection_config.endorsement_policy().SerializeAsString()};
    }
    return CollectionPolicy{definition->validation_info.validation_parameter()};
  }
  return CollectionPolicy{"", absl::PermissionDeniedError(absl::StrCat(
                                  "no such collection '", collection, "' in chaincode ", ns))};
}

// Fabric's baseEvaluator + policyCheckerV20 for one namespace of one transaction.
class NamespaceEvaluator {
 public:
  NamespaceEvaluator(const TxContext& tx, const std::string& ns,
                     const std::string& chaincode_policy)
      : tx_(tx), ns_(ns), chaincode_policy_(chaincode_policy) {}

  [[nodiscard]] StatusOr<NamespaceResult> Run() {
    for (const auto& ns_rwset : tx_.rwset) {
      if (ns_rwset.ns != ns_) continue;
      for (const auto& write : ns_rwset.kv.writes()) {
        WEFT_ASSIGN_OR_RETURN(bool passed, CheckKey("", write.key()));
        if (!passed) return Failed();
      }
      for (const auto& write : ns_rwset.kv.metadata_writes()) {
        WEFT_ASSIGN_OR_RETURN(bool passed, CheckKey("", write.key()));
        if (!passed) return Failed();
      }
      for (const auto& collection : ns_rwset.collections) {
        for (const auto& write : collection.hashed.hashed_writes()) {
          WEFT_ASSIGN_OR_RETURN(bool passed, CheckKey(collection.collection, write.key_hash()));
          if (!passed) return Failed();
        }
      }
      for (const auto& collection : ns_rwset.collections) {
        for (const auto& write : collection.hashed.metadata_writes()) {
          WEFT_ASSIGN_OR_RETURN(bool passed, CheckKey(collection.collection, write.key_hash()));
          if (!passed) return Failed();
        }
      }
    }
    // CheckCCEPIfNoEPChecked: a namespace nothing was checked for (no writes)
    // still needs the chaincode's endorsement.
    if (some_checked_) return NamespaceResult{};
    if (!Evaluate(chaincode_policy_, "the chaincode's endorsement policy")) return Failed();
    checked_.insert("");
    some_checked_ = true;
    return NamespaceResult{};
  }

 private:
  NamespaceResult Failed() const {
    return NamespaceResult{::protos::ENDORSEMENT_POLICY_FAILURE, failure_};
  }

  // Records why `what` was not satisfied.
  bool Evaluate(std::string_view policy, std::string_view what) {
    Status evaluated = EvaluateApplicationPolicy(tx_.bundle, policy, tx_.endorsers);
    if (evaluated.ok()) return true;
    failure_ = absl::StrCat(std::string(what), " of namespace ", ns_, ": ", evaluated.message());
    return false;
  }

  // checkSBAndCCEP: the key's validation parameter if it has one, else the
  // collection's or the chaincode's policy.
  [[nodiscard]] StatusOr<bool> CheckKey(const std::string& collection, const std::string& key) {
    // A parameter an earlier valid transaction of this block changed is not the
    // one in state (ValidationParameterUpdatedError).
    if (tx_.block.UpdatedByEarlierValidTx(tx_.tx_index, KeyId{ns_, collection, key})) {
      failure_ = absl::StrCat("the validation parameter of a key of namespace ", ns_,
                              collection.empty() ? "" : " collection " + collection,
                              " was changed by an earlier valid transaction of the block");
      return false;
    }
    const std::string state_ns =
        collection.empty() ? ns_ : ledger::rwset::HashedNamespace(ns_, collection);
    auto metadata = tx_.state.GetStateMetadata(state_ns, key);
    if (!metadata.ok()) {
      return Annotate(metadata.status(),
                      absl::StrCat("could not retrieve metadata for ", ns_, ":", collection));
    }
    auto it = metadata->find(::protos::MetaDataKeys_Name(::protos::VALIDATION_PARAMETER));
    if (it == metadata->end() || it->second.empty())
      return CheckChaincodePolicyIfNotChecked(collection);
    ::common::SignaturePolicyEnvelope envelope;
    if (!envelope.ParseFromString(it->second)) {
      // Fabric's PolicyTranslator error is an execution failure, not a tx verdict.
      return absl::DataLossError(absl::StrCat("could not translate the validation parameter of ",
                                              ns_, ":", collection, " in block ", tx_.block_number,
                                              " tx ", tx_.tx_index));
    }
    if (!Evaluate(SignaturePolicyBytes(std::move(envelope)), "a key's validation parameter")) {
      return false;
    }
    some_checked_ = true;
    return true;
  }

  // CheckCCEPIfNotChecked: each collection's policy and the chaincode's at most once.
  [[nodiscard]] StatusOr<bool> CheckChaincodePolicyIfNotChecked(const std::string& collection) {
    if (!collection.empty()) {
      if (checked_.contains(collection)) return true;
      WEFT_ASSIGN_OR_RETURN(CollectionPolicy policy,
                            CollectionValidationInfo(tx_, ns_, collection));
      if (!policy.invalid.ok()) {
        failure_ = std::string(policy.invalid.message());
        return false;
      }
      if (!policy.bytes.empty()) {
        if (!Evaluate(policy.bytes, "the endorsement policy of collection " + collection)) {
          return false;
        }
        checked_.insert(collection);
        some_checked_ = true;
        return true;
      }
    }
    if (checked_.contains("")) return true;
    if (!Evaluate(chaincode_policy_, "the chaincode's endorsement policy")) return false;
    checked_.insert("");
    some_checked_ = true;
    return true;
  }

  const TxContext& tx_;
  const std::string& ns_;
  const std::string& chaincode_policy_;
  // Collections (and "" for the chaincode) whose policy passed.
  std::set<std::string, std::less<>> checked_;
  bool some_checked_ = false;
  std::string failure_;
};

}  // namespace

const common::policies::ValidIdentities& Endorsers::Valid() {
  if (!valid_) {
    valid_ = common::policies::SignatureSetToValidIdentities(endorsements_, bundle_.msp_manager());
  }
  return *valid_;
}

[[nodiscard]] Status EvaluateApplicationPolicy(const ChannelConfig& bundle,
                                               std::string_view policy_bytes,
                                               Endorsers& endorsers) {
  ::protos::ApplicationPolicy policy;
  if (!policy.ParseFromString(std::string(policy_bytes))) {
    return absl::InvalidArgumentError("failed to unmarshal ApplicationPolicy bytes");
  }
  Status evaluated = absl::OkStatus();
  switch (policy.Type_case()) {
    case ::protos::ApplicationPolicy::kSignaturePolicy: {
      auto evaluator =
          common::policies::NewSignaturePolicy(policy.signature_policy(), bundle.msp_manager());
      if (!evaluator.ok()) {
        return Annotate(evaluator.status(), "could not create evaluator for signature policy");
      }
      evaluated = (*evaluator)->EvaluateIdentities(endorsers.Valid().identities);
      break;
    }
    case ::protos::ApplicationPolicy::kChannelConfigPolicyReference: {
      auto channel_policy =
          bundle.policy_manager().GetPolicy(policy.channel_config_policy_reference());
      if (!channel_policy.ok()) {
        return Annotate(channel_policy.status(),
                        absl::StrCat("failed to retrieve policy for reference ",
                                     policy.channel_config_policy_reference()));
      }
      evaluated = (*channel_policy)->EvaluateIdentities(endorsers.Valid().identities);
      break;
    }
    default:
      return absl::InvalidArgumentError("unsupported application policy type");
  }
  const auto& rejected = endorsers.Valid().rejected;
  if (evaluated.ok() || rejected.empty()) return evaluated;
  return absl::PermissionDeniedError(
      absl::StrCat(evaluated.message(), "; ignored: ", absl::StrJoin(rejected, "; ")));
}

[[nodiscard]] StatusOr<std::string> LifecycleEndorsementPolicy(const ChannelConfig& bundle) {
  if (bundle.policy_manager().GetPolicy(kLifecycleEndorsementPolicyRef).ok()) {
    return PolicyReferenceBytes(std::string(kLifecycleEndorsementPolicyRef));
  }
  if (!bundle.application()) {
    return absl::FailedPreconditionError(
        absl::StrCat("could not get application config for channel '", bundle.channel_id(), "'"));
  }
  // Channels without the policy: a majority of the application orgs' members.
  std::vector<std::string> msp_ids;
  for (const auto& [name, org] : bundle.application()->organizations) msp_ids.push_back(org.msp_id);
  return SignaturePolicyBytes(NOutOfMembers(static_cast<int>(msp_ids.size() / 2 + 1), msp_ids));
}

StatusOr<const lifecycle::ChaincodeDefinition*> Definitions::Get(const std::string& name) {
  auto it = cache_.find(name);
  if (it == cache_.end()) {
    lifecycle::LifecycleQueryState state(state_);
    WEFT_ASSIGN_OR_RETURN(auto definition, lifecycle::ChaincodeDefinitionIfDefined(name, state));
    it = cache_.emplace(name, std::move(definition)).first;
  }
  return it->second ? &*it->second : nullptr;
}

[[nodiscard]] StatusOr<NamespaceResult> ValidateNamespace(const TxContext& tx,
                                                          const std::string& ns,
                                                          const std::string& chaincode_policy) {
  return NamespaceEvaluator(tx, ns, chaincode_policy).Run();
}

}  // namespace weft::peer::validator::impl
