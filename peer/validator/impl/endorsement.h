// The builtin "vscc" validation of one written namespace (Fabric's
// handlers/validation/builtin/v20 with statebased's v20 evaluator): each public
// or hashed write and metadata write is checked against its key's validation
// parameter when the key has one, else against the collection's or the
// chaincode's endorsement policy (each evaluated once); a namespace none of whose
// writes was checked is checked against the chaincode's policy.
// Thread-safety: NamespaceValidation is used by one worker for one transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "common/channelconfig/channel_config.h"
#include "common/policies/identity.h"
#include "common/policies/policy.h"
#include "common/status/status.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/transaction.pb.h"
#include "peer/validator/impl/block_context.h"

namespace weft::peer::validator::impl {

// Fabric's LifecycleEndorsementPolicyAsBytes: a reference to
// /Channel/Application/LifecycleEndorsement when the channel has that policy,
// else MAJORITY of the application organisations' members as a signature policy.
// FailedPrecondition when the channel has neither the policy nor an application
// config (Fabric's unexpected error, which halts validation).
[[nodiscard]] StatusOr<std::string> LifecycleEndorsementPolicy(
    const common::channelconfig::ChannelConfig& bundle);

// Committed definitions read once per transaction through its query executor.
class Definitions {
 public:
  explicit Definitions(ledger::QueryExecutor& state) : state_(state) {}
  // nullopt when `name` has no committed definition. Errors are the ledger's.
  [[nodiscard]] StatusOr<const lifecycle::ChaincodeDefinition*> Get(const std::string& name);

 private:
  ledger::QueryExecutor& state_;
  std::map<std::string, std::optional<lifecycle::ChaincodeDefinition>, std::less<>> cache_;
};

// The endorsers whose signatures verify, found once per transaction: every
// policy the transaction is checked against (chaincode, collection, key-level,
// _lifecycle) evaluates with the channel's MSPs, so Fabric's per-policy
// SignatureSetToValidIdentities would give the same identities each time.
class Endorsers {
 public:
  Endorsers(const common::channelconfig::ChannelConfig& bundle,
            std::span<const common::policies::SignedData> endorsements)
      : bundle_(bundle), endorsements_(endorsements) {}
  // Verifies the endorsements on first use.
  const common::policies::ValidIdentities& Valid();

 private:
  const common::channelconfig::ChannelConfig& bundle_;
  std::span<const common::policies::SignedData> endorsements_;
  std::optional<common::policies::ValidIdentities> valid_;
};

// Evaluates serialized protos.ApplicationPolicy bytes (Fabric's
// ApplicationPolicyEvaluator) on the endorsements of `endorsers`: a signature
// policy over the bundle's MSPs or a reference to a channel config policy, judging
// the valid endorsers (Fabric's EvaluateSignedData, without checking the
// signatures again for each policy). Non-OK (PermissionDenied or InvalidArgument)
// means the policy is not satisfied or cannot be evaluated — an endorsement policy
// failure either way.
[[nodiscard]] Status EvaluateApplicationPolicy(const common::channelconfig::ChannelConfig& bundle,
                                               std::string_view policy_bytes, Endorsers& endorsers);

struct TxContext {
  const common::channelconfig::ChannelConfig& bundle;
  ledger::QueryExecutor& state;
  Definitions& definitions;
  BlockContext& block;
  std::size_t tx_index = 0;
  uint64_t block_number = 0;
  const ledger::rwset::TxRwSet& rwset;
  Endorsers& endorsers;
};

struct NamespaceResult {
  ::protos::TxValidationCode code = ::protos::VALID;
  std::string reason;  // why not VALID
};

// VALID or ENDORSEMENT_POLICY_FAILURE for namespace `ns`, whose endorsement
// policy (ApplicationPolicy bytes) is `chaincode_policy`. An error is terminal
// (Fabric's VSCCExecutionFailureError): state unreadable, a stored validation
// parameter that is not a SignaturePolicyEnvelope.
[[nodiscard]] StatusOr<NamespaceResult> ValidateNamespace(const TxContext& tx,
                                                          const std::string& ns,
                                                          const std::string& chaincode_policy);

}  // namespace weft::peer::validator::impl
