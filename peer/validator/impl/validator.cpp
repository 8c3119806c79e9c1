#include "peer/validator/validator.h"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/configtx.pb.h"
#include "common/configtx/validator.h"
#include "common/policies/identity.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/txid.h"
#include "google/protobuf/util/message_differencer.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/validator/impl/block_context.h"
#include "peer/validator/impl/endorsement.h"

namespace weft::peer::validator {
namespace {

using common::channelconfig::ChannelConfig;
using Code = ::protos::TxValidationCode;

// The first-stage outcome of one transaction.
struct TxOutcome {
  Code code = ::protos::NOT_VALIDATED;
  // Set for a CONFIG transaction that passed.
  std::shared_ptr<const ChannelConfig> new_bundle;
  // Not OK: the block cannot be validated (Fabric's terminal errors).
  Status error = absl::OkStatus();
};

TxOutcome Verdict(Code code) { return TxOutcome{code, nullptr, absl::OkStatus()}; }
TxOutcome Failure(Status error) {
  return TxOutcome{::protos::NOT_VALIDATED, nullptr, std::move(error)};
}

// The layers of an endorser transaction that msgvalidation's
// validateEndorserTransaction opens.
struct EndorserLayers {
  ::protos::Transaction transaction;
  ::protos::ChaincodeActionPayload action_payload;
  ::protos::ProposalResponsePayload response_payload;
};

// Fabric's validateSignatureHeader.
bool SignatureHeaderValid(const ::common::SignatureHeader& header) {
  return !header.nonce().empty() && !header.creator().empty();
}

// Fabric's validateEndorserTransaction: one action with a well-formed signature
// header, whose proposal response payload carries the hash of the proposal the
// action was endorsed for. nullopt = INVALID_ENDORSER_TRANSACTION.
std::optional<EndorserLayers> OpenEndorserLayers(const ::common::Payload& payload) {
  if (payload.data().empty()) return std::nullopt;
  EndorserLayers layers;
  if (!layers.transaction.ParseFromString(payload.data())) return std::nullopt;
  if (layers.transaction.actions_size() != 1) return std::nullopt;
  const auto& action = layers.transaction.actions(0);
  ::common::SignatureHeader action_header;
  if (!action_header.ParseFromString(action.header()) || !SignatureHeaderValid(action_header)) {
    return std::nullopt;
  }
  if (!layers.action_payload.ParseFromString(action.payload())) return std::nullopt;
  if (!layers.action_payload.has_action()) return std::nullopt;
  if (!layers.response_payload.ParseFromString(
          layers.action_payload.action().proposal_response_payload())) {
    return std::nullopt;
  }
  std::string hash =
      common::protoutil::ProposalHash(payload.header().channel_header(), action.header(),
                                      layers.action_payload.chaincode_proposal_payload());
  if (hash != layers.response_payload.proposal_hash()) return std::nullopt;
  return layers;
}

// Fabric's dispatcher txWritesToNamespace.
bool WritesTo(const ledger::rwset::NsRwSet& ns) {
  if (ns.kv.writes_size() > 0 || ns.kv.metadata_writes_size() > 0) return true;
  for (const auto& collection : ns.collections) {
    if (collection.hashed.hashed_writes_size() > 0 || collection.hashed.metadata_writes_size() > 0)
      return true;
  }
  return false;
}

std::vector<impl::KeyId> MetadataWrites(const ledger::rwset::TxRwSet& rwset) {
  std::vector<impl::KeyId> keys;
  for (const auto& ns : rwset) {
    for (const auto& write : ns.kv.metadata_writes()) keys.push_back({ns.ns, "", write.key()});
    for (const auto& collection : ns.collections) {
      for (const auto& write : collection.hashed.metadata_writes())
        keys.push_back({ns.ns, collection.collection, write.key_hash()});
    }
  }
  return keys;
}

class TxValidation {
 public:
  TxValidation(const std::string& channel_id, const LedgerView& ledger, const ChannelConfig& bundle,
               impl::BlockContext& block, uint64_t block_number, std::size_t index)
      : channel_id_(channel_id),
        ledger_(ledger),
        bundle_(bundle),
        block_(block),
        block_number_(block_number),
        index_(index) {}

  // Fabric's TxValidator.validateTx.
  TxOutcome Run(const std::string& data) {
    ::common::Envelope envelope;
    // GetEnvelopeFromBlock failing is INVALID_OTHER_REASON in validateTx.
    if (!envelope.ParseFromString(data)) return Verdict(::protos::INVALID_OTHER_REASON);

    // msgvalidation.ValidateTransaction.
    ::common::Payload payload;
    if (!payload.ParseFromString(envelope.payload())) return Verdict(::protos::BAD_PAYLOAD);
    ::common::ChannelHeader channel_header;
    ::common::SignatureHeader signature_header;
    if (!CommonHeaderValid(payload, channel_header, signature_header)) {
      return Verdict(::protos::BAD_COMMON_HEADER);
    }
    if (!CreatorSignatureValid(envelope, signature_header)) {
      return Verdict(::protos::BAD_CREATOR_SIGNATURE);
    }
    std::optional<EndorserLayers> layers;
    switch (channel_header.type()) {
      case ::common::ENDORSER_TRANSACTION:
        if (common::protoutil::ComputeTxId(signature_header.nonce(), signature_header.creator()) !=
            channel_header.tx_id()) {
          return Verdict(::protos::BAD_PROPOSAL_TXID);
        }
        layers = OpenEndorserLayers(payload);
        if (!layers) return Verdict(::protos::INVALID_ENDORSER_TRANSACTION);
        break;
      case ::common::CONFIG:
        if (payload.data().empty()) return Verdict(::protos::INVALID_CONFIG_TRANSACTION);
        break;
      default:  // CONFIG_UPDATE passed the header check but is not carried in blocks
        return Verdict(::protos::UNSUPPORTED_TX_PAYLOAD);
    }

    // Fabric's chainExists is a stub that accepts every channel; a peer
    // validating one channel's block rejects a transaction naming another.
    if (channel_header.channel_id() != channel_id_) {
      return Verdict(::protos::TARGET_CHAIN_NOT_FOUND);
    }

    if (channel_header.type() == ::common::ENDORSER_TRANSACTION) {
      // checkTxIdDupsLedger comes before any endorsement check.
      auto exists = ledger_.TxIdExists(channel_header.tx_id());
      if (!exists.ok()) {
        return Failure(
            Annotate(exists.status(), absl::StrCat("looking up tx id ", channel_header.tx_id())));
      }
      if (*exists) return Verdict(::protos::DUPLICATE_TXID);
      return Dispatch(channel_header, *layers);
    }
    return ApplyConfig(payload);
  }

 private:
  // Fabric's validateCommonHeader.
  static bool CommonHeaderValid(const ::common::Payload& payload,
                                ::common::ChannelHeader& channel_header,
                                ::common::SignatureHeader& signature_header) {
    if (!payload.has_header()) return false;
    if (!channel_header.ParseFromString(payload.header().channel_header())) return false;
    if (!signature_header.ParseFromString(payload.header().signature_header())) return false;
    switch (channel_header.type()) {
      case ::common::ENDORSER_TRANSACTION:
      case ::common::CONFIG_UPDATE:
      case ::common::CONFIG:
        break;
      default:
        return false;
    }
    if (channel_header.epoch() != 0) return false;
    return SignatureHeaderValid(signature_header);
  }

  // Fabric's checkSignatureFromCreator: the creator deserializes with the
  // channel's MSPs, is valid for its MSP, and signed the payload.
  bool CreatorSignatureValid(const ::common::Envelope& envelope,
                             const ::common::SignatureHeader& signature_header) const {
    if (envelope.signature().empty() || envelope.payload().empty()) return false;
    auto creator = bundle_.msp_manager().Deserialize(signature_header.creator());
    if (!creator.ok()) return false;
    if (!(*creator)->Validate().ok()) return false;
    return (*creator)->Verify(envelope.payload(), envelope.signature()).ok();
  }

  // Fabric's plugindispatcher Dispatch.
  TxOutcome Dispatch(const ::common::ChannelHeader& channel_header, const EndorserLayers& layers) {
    ::protos::ChaincodeHeaderExtension extension;
    if (!extension.ParseFromString(channel_header.extension())) {
      return Verdict(::protos::BAD_HEADER_EXTENSION);
    }
    // GetActionFromEnvelope.
    const auto& endorsed = layers.action_payload.action();
    if (endorsed.proposal_response_payload().empty() ||
        layers.response_payload.extension().empty()) {
      return Verdict(::protos::BAD_RESPONSE_PAYLOAD);
    }
    ::protos::ChaincodeAction action;
    if (!action.ParseFromString(layers.response_payload.extension())) {
      return Verdict(::protos::BAD_RESPONSE_PAYLOAD);
    }
    auto rwset = ledger::rwset::ParseTxRwSet(action.results());
    if (!rwset.ok()) return Verdict(::protos::BAD_RWSET);
    // Later transactions of the block may now learn which validation
    // parameters this one changes.
    block_.PublishMetadataWrites(index_, MetadataWrites(*rwset));

    if (!extension.has_chaincode_id() || !action.has_chaincode_id()) {
      return Verdict(::protos::INVALID_OTHER_REASON);
    }
    const std::string& chaincode = extension.chaincode_id().name();
    if (chaincode.empty() || chaincode != action.chaincode_id().name() ||
        action.chaincode_id().version().empty()) {
      return Verdict(::protos::INVALID_CHAINCODE);
    }
    if (!action.events().empty()) {
      ::protos::ChaincodeEvent event;
      if (!event.ParseFromString(action.events()) || event.chaincode_id() != chaincode) {
        return Verdict(::protos::INVALID_OTHER_REASON);
      }
    }
    // Fabric walks its namespace map in random order; sorted order makes the
    // reported code (when two namespaces fail differently) the same on every peer.
    std::set<std::string, std::less<>> written{chaincode};
    std::set<std::string, std::less<>> seen;
    for (const auto& ns : *rwset) {
      if (!seen.insert(ns.ns).second) return Verdict(::protos::ILLEGAL_WRITESET);
      if (WritesTo(ns)) written.insert(ns.ns);
    }

    std::vector<common::policies::SignedData> endorsements;
    endorsements.reserve(endorsed.endorsements_size());
    for (const auto& endorsement : endorsed.endorsements()) {
      endorsements.push_back({common::protoutil::EndorsementSignedBytes(
                                  endorsed.proposal_response_payload(), endorsement.endorser()),
                              endorsement.endorser(), endorsement.signature()});
    }

    std::unique_ptr<ledger::QueryExecutor> state = ledger_.NewQueryExecutor();
    impl::Definitions definitions(*state);
    impl::TxContext context{bundle_, *state,        definitions, block_,
                            index_,  block_number_, *rwset,      endorsements};
    TxOutcome outcome = Verdict(::protos::VALID);
    for (const std::string& ns : written) {
      outcome = ValidateNamespace(context, definitions, ns);
      if (!outcome.error.ok() || outcome.code != ::protos::VALID) break;
    }
    state->Done();
    return outcome;
  }

  // GetInfoForValidate (lifecycle's ValidationInfo) and the validation plugin.
  TxOutcome ValidateNamespace(const impl::TxContext& context, impl::Definitions& definitions,
                              const std::string& ns) {
    std::string policy;
    if (ns == lifecycle::kLifecycleNamespace) {
      auto lifecycle_policy = impl::LifecycleEndorsementPolicy(bundle_);
      if (!lifecycle_policy.ok()) {
        return Failure(Annotate(lifecycle_policy.status(),
                                "unexpected failure to create lifecycle endorsement policy"));
      }
      policy = *std::move(lifecycle_policy);
    } else {
      auto definition = definitions.Get(ns);
      if (!definition.ok()) {
        return Failure(Annotate(definition.status(),
                                absl::StrCat("could not retrieve state for chaincode ", ns)));
      }
      // No committed definition, or one without plugin or policy: INVALID_CHAINCODE.
      if (*definition == nullptr) return Verdict(::protos::INVALID_CHAINCODE);
      const auto& info = (*definition)->validation_info;
      if (info.validation_plugin().empty() || info.validation_parameter().empty()) {
        return Verdict(::protos::INVALID_CHAINCODE);
      }
      if (info.validation_plugin() != kBuiltinValidationPlugin) {
        // Fabric: a plugin the peer lacks is an execution failure that halts the channel.
        return Failure(absl::FailedPreconditionError(
            absl::StrCat("chaincode ", ns, " names validation plugin ", info.validation_plugin(),
                         " which this peer does not have")));
      }
      policy = info.validation_parameter();
    }
    auto code = impl::ValidateNamespace(context, ns, policy);
    if (!code.ok()) {
      return Failure(Annotate(code.status(), absl::StrCat("validating namespace ", ns, " of tx ",
                                                          index_, " in block ", block_number_)));
    }
    return Verdict(*code);
  }

  // Fabric's ChannelResources.Apply: the config must follow from the current one
  // through its last update (configtx Validate); the new bundle is installed
  // when the block is committed.
  TxOutcome ApplyConfig(const ::common::Payload& payload) {
    ::common::ConfigEnvelope config_envelope;
    if (!config_envelope.ParseFromString(payload.data()) || !config_envelope.has_config()) {
      return Failure(absl::InvalidArgumentError(absl::StrCat(
          "config transaction of block ", block_number_, " carries no valid ConfigEnvelope")));
    }
    const uint64_t sequence = config_envelope.config().sequence();
    if (sequence != bundle_.sequence() + 1) {
      return Failure(absl::InvalidArgumentError(
          absl::StrCat("config currently at sequence ", bundle_.sequence(),
                       ", cannot validate config at sequence ", sequence)));
    }
    if (!config_envelope.has_last_update()) {
      return Failure(absl::InvalidArgumentError(
          absl::StrCat("config at sequence ", sequence, " has no last update")));
    }
    auto proposed = common::configtx::ProposeConfigUpdate(bundle_, config_envelope.last_update());
    if (!proposed.ok()) {
      return Failure(
          Annotate(proposed.status(), absl::StrCat("validating config at sequence ", sequence)));
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(
            proposed->envelope.config().channel_group(),
            config_envelope.config().channel_group())) {
      return Failure(absl::InvalidArgumentError(
          absl::StrCat("config at sequence ", sequence,
                       ": its last update did not produce the supplied config")));
    }
    TxOutcome outcome = Verdict(::protos::VALID);
    outcome.new_bundle = proposed->bundle;
    return outcome;
  }

  const std::string& channel_id_;
  const LedgerView& ledger_;
  const ChannelConfig& bundle_;
  impl::BlockContext& block_;
  const uint64_t block_number_;
  const std::size_t index_;
};

// Counts finished transactions so Validate can wait for its own.
class Countdown {
 public:
  explicit Countdown(std::size_t count) : remaining_(count) {}
  void Done() {
    std::lock_guard lock(mu_);
    if (--remaining_ == 0) zero_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    zero_.wait(lock, [this] { return remaining_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable zero_;
  std::size_t remaining_;
};

}  // namespace

std::size_t ValidatorPoolSize(int configured) {
  if (configured > 0) return static_cast<std::size_t>(configured);
  return std::max(1u, std::thread::hardware_concurrency());
}

Validator::Validator(std::string channel_id, const LedgerView& ledger,
                     common::concurrency::Executor& executor)
    : channel_id_(std::move(channel_id)), ledger_(ledger), executor_(executor) {}

StatusOr<BlockValidation> Validator::Validate(const ::common::Block& block,
                                              std::shared_ptr<const ChannelConfig> bundle) const {
  if (bundle == nullptr) return absl::InvalidArgumentError("no channel config to validate against");
  const std::size_t count = static_cast<std::size_t>(block.data().data_size());
  const uint64_t number = block.header().number();
  impl::BlockContext context(count);
  std::vector<TxOutcome> outcomes(count);
  Countdown countdown(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto run = [&, i] {
      TxValidation tx(channel_id_, ledger_, *bundle, context, number, i);
      outcomes[i] = tx.Run(block.data().data(static_cast<int>(i)));
      context.Finish(i, outcomes[i].error.ok() ? outcomes[i].code : ::protos::NOT_VALIDATED);
      countdown.Done();
    };
    Status submitted = executor_.Submit(run);
    if (!submitted.ok()) {
      outcomes[i] = Failure(Annotate(submitted, "scheduling transaction validation"));
      context.Finish(i, ::protos::NOT_VALIDATED);
      countdown.Done();
    }
  }
  countdown.Wait();

  BlockValidation result;
  result.codes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // The error of the first failing transaction, as Fabric reports it.
    if (!outcomes[i].error.ok()) {
      return Annotate(outcomes[i].error,
                      absl::StrCat("validating tx ", i, " of block ", number, " of ", channel_id_));
    }
    result.codes.push_back(outcomes[i].code);
    if (outcomes[i].new_bundle) {
      if (result.new_bundle) {
        return absl::InvalidArgumentError(
            absl::StrCat("block ", number, " of ", channel_id_, " has more than one config"));
      }
      result.new_bundle = std::move(outcomes[i].new_bundle);
    }
  }
  return result;
}

}  // namespace weft::peer::validator
